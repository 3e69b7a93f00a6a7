"""Place commands: `places`, `geocode`, `gazetteer import` and `gazetteer info`.

Thin: parse arguments, call frontwatch.extract.places / frontwatch.gazetteer, print.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from frontwatch.cli.core import err, out

gazetteer_app = typer.Typer(help="The gazetteer: import GeoNames dumps, show what is loaded.", no_args_is_help=True)

_JSON_FIELDS = ("mention", "start", "end", "name", "geonames_id", "latitude", "longitude", "country", "admin1",
                "feature_class", "feature_code", "geo_precision", "score", "candidates", "metonymy", "reason")


def _mention_json(m) -> dict:  # noqa: ANN001
    d = m.model_dump(mode="json")
    row = {k: d.get(k) for k in _JSON_FIELDS}
    if not m.resolved:
        for k in ("latitude", "longitude"):
            row.pop(k, None)
    return row


StoreGazOpt = Annotated[str | None, typer.Option(
    "--db", help="Also read against this store's baseline settlements that the gazetteer lacks, as `ingest` does.")]


def _gazetteer(db: str | None):  # noqa: ANN202
    from frontwatch.gazetteer import get_gazetteer

    if not db:
        return get_gazetteer()
    from frontwatch.gazetteer.augment import store_gazetteer
    from frontwatch.store import open_store

    if not db.startswith(("postgresql://", "postgres://")) and not Path(db).exists():
        raise typer.BadParameter(f"{db} does not exist", param_hint="--db")
    with open_store(db) as store:
        return store_gazetteer(store)[0]


def places(
    report: Annotated[Path, typer.Argument(help="A report file (any format `extract` reads).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl or table")] = "table",
    db: StoreGazOpt = None,
) -> None:
    """Every place mention of a report, resolved or not (contract §2b)."""
    from frontwatch.extract.places import find_places
    from frontwatch.ingest import read_reports
    from frontwatch.model import Rejection
    from frontwatch.nlp import get_nlp

    if fmt not in ("jsonl", "table"):
        raise typer.BadParameter("use jsonl or table", param_hint="--format")
    nlp, gaz = get_nlp(), _gazetteer(db)
    rejected = False
    for r in read_reports([report]):
        if isinstance(r, Rejection):
            err.print(f"[red]rejected[/red] {r}", highlight=False)
            rejected = True
            continue
        mentions = find_places(nlp(r.text), gaz)
        if fmt == "jsonl":
            for m in mentions:
                sys.stdout.write(json.dumps(_mention_json(m), ensure_ascii=False) + "\n")
            continue
        t = Table(title=f"{r.report_id} {r.date}", show_lines=False)
        for c in ("mention", "place", "id", "admin1", "code", "prec", "score", "cands", "reason"):
            t.add_column(c, overflow="fold")
        for m in mentions:
            place = (m.name or "") + (" [metonymy]" if m.metonymy else "")
            t.add_row(m.mention, place if m.resolved else "[dim]unresolved[/dim]", str(m.geonames_id or ""),
                      m.admin1 or m.country or "", m.feature_code or "", str(m.geo_precision or ""),
                      f"{m.score:.2f}" if m.score is not None else "", str(m.candidates), m.reason or "")
        out.print(t)
    if rejected:
        raise typer.Exit(1)


def geocode(
    text: Annotated[str, typer.Argument(help='Text naming places, e.g. "shelling near Lyman, Donetsk region"')],
    top: Annotated[int, typer.Option(help="candidates shown per mention")] = 5,
    db: StoreGazOpt = None,
) -> None:
    """Each place in TEXT with its ranked candidates, scores and the reason for the choice."""
    from frontwatch.extract.places import explain
    from frontwatch.gazetteer.augment import is_overlay
    from frontwatch.nlp import get_nlp

    gaz = _gazetteer(db)
    rows = explain(get_nlp()(text), gaz)
    if not rows:
        out.print("no place found")
        return
    for m, ranked in rows:
        head = f"[bold]{m.mention}[/bold] [{m.start}:{m.end}]"
        if m.resolved:
            head += f" -> {m.name} ({m.geonames_id or 'no id'}, {m.admin1 or ''} {m.country}) score {m.score:.2f}"
        else:
            head += " -> [yellow]unresolved[/yellow]"
        if m.metonymy:
            head += " [magenta]metonymy[/magenta]"
        out.print(head)
        out.print(f"  reason: {m.reason}", highlight=False)
        for i, c in enumerate(ranked[:top], 1):
            p = c.place
            own = "  (the store's baseline)" if is_overlay(gaz, p) else ""
            out.print(f"  {i}. {c.score:.3f}  {p.name}  id={p.geonames_id}{own}  {p.feature_class}.{p.feature_code}  "
                      f"{p.admin1 or ''} {p.country}  ({p.latitude:.4f}, {p.longitude:.4f})  {c.why}",
                      highlight=False)


@gazetteer_app.command("import")
def gazetteer_import(
    files: Annotated[list[Path], typer.Argument(help="UA.txt / allCountries.txt (or .zip), alternateNamesV2.txt, "
                                                     "admin1CodesASCII.txt")],
    countries: Annotated[str | None, typer.Option(help="keep only these ISO2 codes, comma-separated")] = None,
) -> None:
    """Add GeoNames dump files to the gazetteer (kept in FRONTWATCH_HOME, else the cache dir)."""
    from frontwatch.gazetteer import get_gazetteer, reset_gazetteer
    from frontwatch.gazetteer.build import user_data_dir
    from frontwatch.gazetteer.imports import import_files

    for f in files:
        if not f.is_file():
            raise typer.BadParameter(f"{f}: no such file", param_hint="FILES")
    keep = {c.strip().upper() for c in countries.split(",")} if countries else None
    try:
        s = import_files(files, keep)
    except ValueError as exc:
        err.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    reset_gazetteer()
    g = get_gazetteer()
    out.print(f"imported {s.places:,} places, {s.alternate_names:,} alternate names, {s.admin1:,} admin1 codes "
              f"({s.skipped_rows} malformed rows skipped) into {user_data_dir()}; index now {len(g):,} places")


@gazetteer_app.command("info")
def gazetteer_info() -> None:
    """What the loaded gazetteer holds, and where its index and imported data live."""
    import time

    from frontwatch.gazetteer import get_gazetteer
    from frontwatch.gazetteer.build import user_data_dir

    t = time.perf_counter()
    g = get_gazetteer()
    took = time.perf_counter() - t
    info = g.info()
    info["user_data"] = str(user_data_dir())
    info["load_seconds"] = round(took, 2)
    info["built_now"] = g.built
    for k, v in info.items():
        out.print(f"{k}: {v}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("places")(places)
    app.command("geocode")(geocode)
    app.add_typer(gazetteer_app, name="gazetteer")
