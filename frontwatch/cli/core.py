"""Core commands: ingest, extract, events, export, schema, eval.

Each command parses its arguments, calls the library and prints: tables for people, JSON Lines
for machines. Exit status 1 means some input was rejected (the rest went on).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from frontwatch.model import Event, Extraction, PlaceMention, Rejection, Report

# Tables are for people; piped into a file or a log they keep whole names instead of an
# 80-column cut (COLUMNS, when set, still decides).
_PIPE_WIDTH = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 160
out = Console(soft_wrap=True, width=_PIPE_WIDTH)
err = Console(stderr=True)

DEFAULT_DB = "frontwatch.db"


def db_option() -> str:
    return os.environ.get("FRONTWATCH_DB", DEFAULT_DB)


DbOpt = Annotated[
    str,
    typer.Option("--db", help="SQLite file or postgresql:// URL (env FRONTWATCH_DB).", default_factory=db_option),
]


def parse_date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD", param_hint=name) from None


def print_rejection(r: Rejection) -> None:
    # One line whatever the terminal width; the file name and reason are printed as they are.
    from rich.markup import escape

    err.print(f"[red]rejected[/red] {escape(str(r))}", markup=True, highlight=False, soft_wrap=True)


def _progress():  # noqa: ANN202
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Report files or directories (.txt, .jsonl, .csv, .xml/.rss/.atom, .html).")],
    db: DbOpt,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Extraction processes (model loaded once each).")] = 1,
    max_bytes: Annotated[int, typer.Option("--max-bytes", help="Reject input files larger than this.")] = 5_000_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
) -> None:
    """Read reports, extract their events and store them. Re-running is idempotent.

    Exit status: 0 when every report was read, 1 when some were rejected (each is named on
    stderr with its reason; the rest of the batch is stored).
    """
    from frontwatch.service import ingest_paths
    from frontwatch.store import open_store

    with open_store(db) as store, _progress() as progress:
        task = progress.add_task("extracting", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary = ingest_paths(paths, store, workers=workers, max_bytes=max_bytes,
                               on_progress=on_progress, on_rejection=print_rejection)
    if as_json:
        out.print_json(data=summary.as_dict())
    else:
        out.print(
            f"read {summary.read}  new {summary.new}  duplicate {summary.duplicate}  "
            f"rejected {summary.rejected}  events {summary.events}  -> {db}",
            highlight=False,
        )
    raise typer.Exit(1 if summary.rejected else 0)


def extract(
    paths: Annotated[list[Path], typer.Argument(help="Report files or directories, any input format.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl | table | places")] = "jsonl",
) -> None:
    """Extract events from reports without a database and print them."""
    from frontwatch.ingest import read_reports
    from frontwatch.pipeline import extract_reports

    if fmt not in ("jsonl", "table", "places"):
        raise typer.BadParameter("use jsonl, table or places", param_hint="--format")
    rejected = 0
    reports: list[Report] = []
    for item in read_reports(paths):
        if isinstance(item, Rejection):
            rejected += 1
            print_rejection(item)
        else:
            reports.append(item)
    for ex in extract_reports(reports):
        if fmt == "jsonl":
            for e in ex.events:
                sys.stdout.write(json.dumps(e.to_json_dict(), ensure_ascii=False) + "\n")
        elif fmt == "places":
            for p in ex.places:
                sys.stdout.write(p.model_dump_json() + "\n")
        else:
            print_events_table(ex.events, title=f"{ex.report.origin or ex.report.report_id} ({ex.report.date})")
    raise typer.Exit(1 if rejected else 0)


def print_events_table(events: list[Event], title: str | None = None) -> None:
    table = Table(title=title, show_lines=False)
    for col in ("date", "kind", "place", "actor1", "control", "fat.", "claimed by", "stance", "hist."):
        table.add_column(col, overflow="fold")
    for e in events:
        date = str(e.event_date) if e.event_date else f"{e.date_earliest}..{e.date_latest}"
        ctrl = f"{e.control.to} {e.control.extent}" if e.control else ""
        claim = e.claims[0] if e.claims else None
        via = f" via {', '.join(claim.via)}" if claim and claim.via else ""
        table.add_row(
            date, e.kind, e.location.name or e.location.mention or "", e.actor1_side or "", ctrl,
            "" if e.fatalities is None else str(e.fatalities),
            ((claim.claimant or "unnamed") + via) if claim else "", claim.stance if claim else "",
            "yes" if e.historical else "",
        )
    out.print(table)


def events(
    db: DbOpt,
    since: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD).")] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Event kind (repeatable), e.g. shelling.")] = None,
    place: Annotated[str | None, typer.Option(help="Place name or GeoNames id.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many events.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | jsonl | csv | geojson")] = "table",
) -> None:
    """List stored events, filtered."""
    from frontwatch.store import EventFilter, open_store

    flt = EventFilter(since=parse_date(since, "--since"), until=parse_date(until, "--until"),
                      kinds=tuple(kind or ()), place=place, limit=limit)
    fmts = {"jsonl": "jsonl", "csv": "acled-csv", "geojson": "geojson"}
    if fmt != "table" and fmt not in fmts:
        raise typer.BadParameter("use table, jsonl, csv or geojson", param_hint="--format")
    with open_store(db) as store:
        evs = list(store.events(flt))
        if fmt == "table":
            print_events_table(evs, title=f"{len(evs)} events in {db}")
            return
        from frontwatch.export import export_events

        export_events(evs, fmts[fmt], sys.stdout, sources=store.report_source)


def export(
    db: DbOpt,
    fmt: Annotated[str, typer.Option("--format", "-f", help="acled-csv | geojson | jsonl | parquet")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    since: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD).")] = None,
) -> None:
    """Write stored events to a file in an exchange format (validated against the contract)."""
    from frontwatch.export import export_events
    from frontwatch.store import EventFilter, open_store

    if fmt not in ("acled-csv", "geojson", "jsonl", "parquet"):
        raise typer.BadParameter("use acled-csv, geojson, jsonl or parquet", param_hint="--format")
    flt = EventFilter(since=parse_date(since, "--since"), until=parse_date(until, "--until"))
    with open_store(db) as store:
        n = export_events(store.events(flt), fmt, out_path, sources=store.report_source)
    out.print(f"wrote {n} events to {out_path} ({fmt})", highlight=False)


def schema(
    record: Annotated[str, typer.Argument(help="event | place | control | report | all")] = "all",
) -> None:
    """Print the JSON Schema of the contract's records."""
    from frontwatch.model import ControlState

    models = {"event": Event, "place": PlaceMention, "control": ControlState, "report": Report}
    if record == "all":
        data = {name: m.model_json_schema(by_alias=True) for name, m in models.items()}
    elif record in models:
        data = models[record].model_json_schema(by_alias=True)
    else:
        raise typer.BadParameter(f"use one of: all, {', '.join(models)}", param_hint="RECORD")
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(extract)
    app.command()(events)
    app.command()(export)
    app.command()(schema)


__all__ = ["register", "Extraction"]
