"""Scale commands: `frontwatch spark extract INPUT... --out DIR [--master URL] [--pg URL]`.

A thin layer over frontwatch.scale.spark; `ingest --workers N` (worker processes) is in core.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from frontwatch.cli.core import err

spark_app = typer.Typer(
    name="spark",
    help="Run extraction on Apache Spark (local cores or a cluster) for large archives.",
    no_args_is_help=True,
)


@spark_app.command("extract")
def extract(
    inputs: Annotated[list[Path], typer.Argument(help="Report files or directories, any input format.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory: events/ and extractions/ Parquet.")],
    master: Annotated[
        str, typer.Option("--master", help="Spark master: local[*], local[2], spark://host:7077, yarn, ...")
    ] = "local[*]",
    pg: Annotated[
        str | None,
        typer.Option("--pg", help="Also store the results: postgresql:// URL (or a SQLite file, loaded by the driver)."),
    ] = None,
    read_on: Annotated[
        str, typer.Option("--read-on", help="Where to read input files: auto, driver or executors.")
    ] = "auto",
    partitions: Annotated[int | None, typer.Option("--partitions", min=1, help="Number of partitions.")] = None,
    max_bytes: Annotated[int, typer.Option("--max-bytes", help="Reject input files larger than this.")] = 5_000_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
) -> None:
    """Extract events from every report with Spark and write them as Parquet.

    Exit status 1 if some reports were rejected (the rest were extracted).
    """
    if read_on not in ("auto", "driver", "executors"):
        raise typer.BadParameter("use auto, driver or executors", param_hint="--read-on")
    for p in inputs:
        if not p.exists():
            raise typer.BadParameter(f"{p} does not exist", param_hint="INPUT")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        err.print("pyspark is not installed: pip install 'frontwatch[spark]' (and a Java 17 runtime)")
        raise typer.Exit(2) from None
    from frontwatch.scale.spark import spark_extract

    summary = spark_extract(
        [str(p) for p in inputs],
        out,
        master=master,
        pg_url=pg,
        read_on=read_on,  # type: ignore[arg-type]
        partitions=partitions,
        max_bytes=max_bytes,
    )
    for line in summary.rejections:
        err.print(f"[red]rejected[/red] {line}", markup=True, highlight=False)
    if as_json:
        print(json.dumps(summary.as_dict()))
    else:
        msg = f"{summary.reports} reports, {summary.events} events, {summary.rejected} rejected -> {summary.out_dir}"
        if pg:
            msg += f"; stored {summary.loaded_new} new, {summary.loaded_duplicate} already there"
        err.print(msg, highlight=False)
    if summary.rejected:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(spark_app, name="spark")
