"""`frontwatch eval control`: judge the store's control timeline against a reference map."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from frontwatch.cli.core import DbOpt, err, out, parse_date


def control(
    reference: Annotated[Path, typer.Argument(help="Reference map CSV: date,name,held_by,latitude,longitude"
                                              "[,population], one row per place per day.")],
    db: DbOpt,
    since: Annotated[str, typer.Option("--from", help="First day of the window, YYYY-MM-DD.")],
    until: Annotated[str, typer.Option("--to", help="Last day of the window, YYYY-MM-DD.")],
    every: Annotated[int, typer.Option("--every", min=1, help="Judge every N days from the first day.")] = 7,
    why_lines: Annotated[int, typer.Option("--why-lines", min=0, help="Lines of `why` shown per false flip.")] = 8,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures, false flips and misses as JSON.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every missed change, not the first 10.")] = False,
    quotes: Annotated[int, typer.Option("--quotes", min=0, help="Under each missed place, the first N sentences of "
                                        "the reports that name it (by its last missed day): did the news say who "
                                        "holds it, or only name it?")] = 0,
) -> None:
    """Judge the control timeline against a reference map, day by day: floor (baseline alone),
    ceiling (changes some report names), accuracy, captured, and every false flip with its `why`."""
    from frontwatch.eval_control import ReferenceFileError, evaluate_control, read_reference
    from frontwatch.store import StoreError, open_store

    lo = parse_date(since, "--from")
    hi = parse_date(until, "--to")
    assert lo is not None and hi is not None
    if hi < lo:
        raise typer.BadParameter("--to is before --from", param_hint="--to")
    if not reference.exists():
        raise typer.BadParameter(f"{reference} does not exist", param_hint="REFERENCE")
    try:
        ref = read_reference(reference)
    except ReferenceFileError as exc:
        err.print(f"[red]rejected[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    try:
        from frontwatch.gazetteer import get_gazetteer

        gz = get_gazetteer()
    except Exception:  # noqa: BLE001 - without a gazetteer, places match by baseline ids and names
        gz = None
    try:
        store = open_store(db)
    except StoreError as exc:
        err.print(f"[red]error[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    with store:
        result = evaluate_control(store, ref, lo, hi, every, why_lines, gz)
        missed = result.missed()
        if quotes:
            from frontwatch.eval_control import quote_misses

            missed = quote_misses(missed, store.iter_reports(), quotes)
    summary = result.summary()
    if as_json:
        sys.stdout.write(json.dumps({"summary": summary, "false_flips": [
            {"place": f.place, "day": f.day.isoformat(), "held_by": f.held_by, "given": f.given,
             "geonames_id": f.geonames_id, "frontwatch_place": f.frontwatch_place, "why": f.why}
            for f in result.false_flips], "missed": missed}, indent=2, ensure_ascii=False) + "\n")
        return

    def fmt(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    out.print(f"eval control {reference.name}: {lo} .. {hi}, every {every} days ({len(result.days)} judged days)",
              highlight=False)
    out.print(f"judged       {summary['judged']}  (place-days of places whose holder changed in the window)",
              highlight=False)
    out.print(f"floor        {fmt(summary['floor'])}  (the baseline alone)", highlight=False)
    out.print(f"ceiling      {fmt(summary['ceiling'])}  (plus changes some report dated by then names)",
              highlight=False)
    out.print(f"accuracy     {fmt(summary['accuracy'])}  (frontwatch)", highlight=False)
    out.print(f"captured     {fmt(summary['captured'])}  ({summary['captured_n']} of {summary['reachable']} "
              "reachable place-days)", highlight=False)
    out.print(f"false flips  {summary['false_flips']}  (place-days; {len(summary['false_flip_places'])} places)",
              highlight=False)
    if result.unmatched:
        out.print(f"not found in the store or its baseline: {len(result.unmatched)} changed places "
                  f"({', '.join(result.unmatched[:10])}{', ...' if len(result.unmatched) > 10 else ''})",
                  highlight=False, markup=False)
    for f in result.false_flips:
        out.print(f"\nFALSE FLIP {f.place} on {f.day}: held by {f.held_by} all window, frontwatch says {f.given}",
                  highlight=False, markup=False)
        for line in f.why.splitlines():
            out.print(f"  {line}", highlight=False, markup=False)
    if missed:
        shown = missed if verbose else missed[:10]
        out.print(f"\nMISSED (reachable place-days frontwatch gets wrong; {len(shown)} of {len(missed)} places"
                  + (", -v for all" if len(shown) < len(missed) else "") + "):", highlight=False, markup=False)
        for m in shown:
            days = "; ".join(f"{x['day']} list {x['truth']}, frontwatch {x['frontwatch'] or 'nothing'}" for x in m["days"])
            out.print(f"  {m['place']}: {days}", highlight=False, markup=False)
            for q in m.get("named_in", []):
                out.print(f"      {q['date']} {q['source']}: {q['sentence']}", highlight=False, markup=False)
