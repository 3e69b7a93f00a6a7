"""Control commands: `control --on DATE`, `control import-baseline FILE`, `changes`, `why`.

A thin layer over frontwatch.fusion: tables for people, JSON Lines / GeoJSON for machines.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from frontwatch.cli.core import DbOpt, err, out, parse_date

control_app = typer.Typer(
    name="control",
    help="Who holds each settlement on a date (UA / RU / contested), since when, on what evidence.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def _open(db: str):  # noqa: ANN202
    from frontwatch.store import StoreError, open_store

    try:
        return open_store(db)
    except StoreError as exc:
        err.print(f"[red]error[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(2) from None


@control_app.callback()
def control(
    ctx: typer.Context,
    db: DbOpt,
    on: Annotated[str | None, typer.Option("--on", help="The date, YYYY-MM-DD (default: today).")] = None,
    place: Annotated[str | None, typer.Option("--place", help="Only this settlement (name or GeoNames id).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | jsonl | geojson")] = "table",
) -> None:
    """Print the state of every settlement any stored evidence touches, as known on DATE."""
    if ctx.invoked_subcommand is not None:
        return
    if fmt not in ("table", "jsonl", "geojson"):
        raise typer.BadParameter("use table, jsonl or geojson", param_hint="--format")
    day = parse_date(on, "--on") or dt.date.today()
    from frontwatch.fusion import control_on

    with _open(db) as store:
        states = control_on(store, day, place)
    if fmt == "jsonl":
        for s in states:
            sys.stdout.write(json.dumps(s.model_dump(mode="json", exclude={"until"}), ensure_ascii=False) + "\n")
        return
    if fmt == "geojson":
        feats = [{"type": "Feature",
                  "geometry": {"type": "Point", "coordinates": [s.longitude, s.latitude]} if s.latitude is not None
                  else None,
                  "properties": s.model_dump(mode="json", exclude={"until", "latitude", "longitude"})}
                 for s in states]
        sys.stdout.write(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False) + "\n")
        return
    if not states:
        err.print(f"no settlement has control evidence reported by {day}" + (f" matching {place!r}" if place else ""))
        return
    table = Table(title=f"Control on {day}")
    reported = any(s.reported for s in states)
    for col in ("place", "geonames", "controller", "since", "conf.", "evidence", "disputed"):
        table.add_column(col)
    if reported:
        table.add_column("reported, not confirmed")
    colour = {"UA": "blue", "RU": "red", "contested": "yellow"}
    for s in states:
        row = [s.place, str(s.geonames_id or ""), f"[{colour[s.controller]}]{s.controller}[/]",
               str(s.since or ""), f"{s.confidence:.2f}", str(len(s.evidence)), str(len(s.disputed_by))]
        if reported:
            row.append(f"{s.reported} ({len(s.reported_evidence)} report(s); see `why`)" if s.reported else "")
        table.add_row(*row)
    out.print(table)


@control_app.command("import-baseline")
def import_baseline(
    file: Annotated[Path, typer.Argument(help="CSV (place, controller, date) or GeoJSON polygons of held areas.")],
    db: DbOpt,
    on: Annotated[str | None, typer.Option("--date", help="Date for GeoJSON features without a 'date' (default: a "
                                           "YYYY-MM-DD in the file's name).")] = None,
    controller: Annotated[
        str | None, typer.Option("--controller", help="State for GeoJSON areas whose properties, name and colour "
                                 "say none (a file none of whose areas says one is refused without it).")
    ] = None,
) -> None:
    """Start the timeline from a known map; evidence from reports overrides it after its date."""
    from frontwatch.fusion.baseline import BaselineError, MapRead, read_baseline

    if not file.exists():
        raise typer.BadParameter(f"{file} does not exist", param_hint="FILE")
    read = MapRead()
    try:
        rows = read_baseline(file, parse_date(on, "--date"), controller, summary=read)
    except BaselineError as exc:
        err.print(f"[red]rejected[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    if read.areas or read.skipped:
        states = ", ".join(f"{st} {n}" for st, n in sorted(read.settlements.items())) or "none"
        areas = ", ".join(f"{st} {n}" for st, n in sorted(read.areas.items())) or "none"
        how = ", ".join(f"{n} by {k}" for k, n in read.read_from.items())
        err.print(f"map areas by state: {areas}; settlements inside them: {states}"
                  + (f" (areas read {how})" if how else ""), highlight=False)
        for reason, n in read.skipped.items():
            ex = "; ".join(read.examples.get(reason, []))
            err.print(f"  skipped {n}: {reason}" + (f", e.g. {ex}" if ex else ""), highlight=False, markup=False)
        for note in read.notes:
            err.print(f"  note: {note}", highlight=False, markup=False)
    from frontwatch.service import import_baseline as import_rows

    with _open(db) as store:
        summary, again = import_rows(store, rows)
    unresolved = sum(1 for r in rows if r.geonames_id is None and r.latitude is None)
    skipped = sum(summary.skipped.values())
    err.print(f"{len(rows)} baseline rows read: {summary.stored} stored, {summary.merged} merged (the same "
              f"settlement, day and state already there), {skipped} skipped"
              + (f"; {unresolved} not found in the gazetteer (kept by name)" if unresolved else ""), highlight=False)
    for reason, n in summary.skipped.items():
        err.print(f"  skipped {n}: {reason}, e.g. {'; '.join(summary.examples.get(reason, []))}", highlight=False,
                  markup=False)
    if again.settlements:
        err.print(f"{again.settlements} settlement(s) of the store's baseline are not in the gazetteer: reports are "
                  f"read against them too ({again.new} new with this file)"
                  + (f"; {again.reports} stored report(s) naming them were read again ({again.events} events)"
                     if again.reports else ""), highlight=False, markup=False)


def changes_cmd(
    db: DbOpt,
    since: Annotated[str, typer.Option("--since", help="First day, YYYY-MM-DD.")],
    until: Annotated[str | None, typer.Option("--until", help="Last day, YYYY-MM-DD (default: today).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | jsonl")] = "table",
) -> None:
    """What changed hands between two dates (by the day the change became known)."""
    from frontwatch.fusion import changes

    lo = parse_date(since, "--since")
    hi = parse_date(until, "--until") or dt.date.today()
    assert lo is not None
    with _open(db) as store:
        rows = changes(store, lo, hi)
    if fmt == "jsonl":
        for c in rows:
            sys.stdout.write(json.dumps(c.model_dump(mode="json"), ensure_ascii=False) + "\n")
        return
    if fmt != "table":
        raise typer.BadParameter("use table or jsonl", param_hint="--format")
    if not rows:
        err.print(f"no settlement changed hands between {lo} and {hi}")
        return
    table = Table(title=f"Changes {lo} .. {hi}")
    for col in ("known on", "place", "from", "to", "since", "conf.", "evidence"):
        table.add_column(col)
    for c in rows:
        table.add_row(str(c.on), c.place, c.from_controller or "—", c.to_controller, str(c.since),
                      f"{c.confidence:.2f}", str(len(c.evidence)))
    out.print(table)


def why_cmd(
    place: Annotated[str, typer.Argument(help="Settlement name or GeoNames id.")],
    db: DbOpt,
    on: Annotated[str | None, typer.Option("--on", help="The date, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Explain in words who holds PLACE on DATE: event by event, with quotes, sources and stances."""
    from frontwatch.fusion import explain

    day = parse_date(on, "--on") or dt.date.today()
    with _open(db) as store:
        sys.stdout.write(explain(store, place, day))


def register(app: typer.Typer) -> None:
    app.add_typer(control_app, name="control")
    app.command("changes")(changes_cmd)
    app.command("why")(why_cmd)
