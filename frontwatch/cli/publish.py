"""Publishing commands: `report` writes the daily situation report, `serve` runs the web map and API.

Thin: parse arguments, call frontwatch.report / frontwatch.web, print what was written or where to look.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer

from frontwatch.cli.core import DbOpt, err, out, parse_date


def report(
    on: Annotated[str, typer.Option("--on", help="The report day, YYYY-MM-DD.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Directory to write the HTML and Markdown into.")],
    db: DbOpt,
) -> None:
    """Write the situation report for a day (self-contained HTML with map and chart, and Markdown)."""
    from frontwatch.report.render import write_report
    from frontwatch.store import open_store

    day = parse_date(on, "--on")
    assert isinstance(day, dt.date)
    if not db.startswith(("postgresql://", "postgres://")) and not Path(db).exists():
        err.print(f"no database at {db}: run `frontwatch ingest REPORTS --db {db}` first", highlight=False)
        raise typer.Exit(2)
    with open_store(db) as store:
        paths = write_report(store, day, out_dir)
    for p in paths:
        out.print(str(p), highlight=False)


def serve(
    db: DbOpt,
    host: Annotated[str, typer.Option("--host", help="Interface to bind; loopback unless you mean to share it.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Server processes (default: one per core); each keeps its own reply cache.")] = None,
) -> None:
    """Serve the web map and JSON API. POST /api/reports is enabled only when FRONTWATCH_TOKEN is set."""
    from frontwatch.web.server import run

    if not db.startswith(("postgresql://", "postgres://")) and not Path(db).exists():
        err.print(f"no database at {db}: run `frontwatch ingest REPORTS --db {db}` first", highlight=False)
        raise typer.Exit(2)
    token = os.environ.get("FRONTWATCH_TOKEN") or None
    mode = "accepting reports with a bearer token" if token else "read-only (set FRONTWATCH_TOKEN to accept reports)"
    n = workers or os.cpu_count() or 1
    err.print(f"frontwatch map on http://{host}:{port}/  API docs /docs  {mode}  ({n} worker{'s' * (n > 1)})",
              highlight=False)
    run(db, host, port, n, token)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("serve")(serve)
