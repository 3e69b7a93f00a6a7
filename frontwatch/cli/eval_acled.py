"""`frontwatch eval acled`: run extraction over ACLED-coded notes and compare with ACLED's coding."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from frontwatch.cli.core import err, out

_FIGURES = (
    ("type_recall", "type recall"),
    ("location_recall", "location recall (15 km)"),
    ("event_recall", "event recall (kind + place)"),
    ("covered_type_recall", "covered type recall"),
    ("covered_location_recall", "covered location recall"),
    ("covered_event_recall", "covered event recall"),
    ("date_accuracy", "date accuracy (matched event)"),
    ("fatalities_accuracy", "fatalities accuracy (matched)"),
    ("events_per_note", "events per note"),
)

_MISS_ORDER = ("no_event", "kind_wrong", "place_unresolved", "place_wrong")


def acled(
    file: Annotated[Path, typer.Argument(help="ACLED notes: JSON Lines (id, date, text, ...) or ACLED's export CSV.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print figures, confusion table and misses as JSON.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every miss with its reason.")] = False,
    near_km: Annotated[float, typer.Option("--near-km", help="Distance within which a place counts as right.")] = 15.0,
) -> None:
    """Score event coding and geoparsing against ACLED's own coding of its notes."""
    from frontwatch.eval_acled import evaluate_acled, read_notes

    try:
        notes = read_notes(file)
    except (OSError, KeyError, ValueError, json.JSONDecodeError) as exc:
        err.print(f"[red]error[/red] cannot read {file}: {exc!r}")
        raise typer.Exit(2) from None
    if not notes:
        err.print(f"[red]error[/red] no notes in {file}")
        raise typer.Exit(2)
    result = evaluate_acled(notes, verbose=verbose, near_km=near_km)
    summary = result.summary()
    misses = [r for r in result.results if r.miss or r.detail]
    if as_json:
        sys.stdout.write(json.dumps({
            "summary": summary,
            "confusion": result.confusion(),
            "misses": [{"id": r.note.id, "covered": r.covered, "miss": r.miss, "sub_event_type": r.note.sub_event_type,
                        "location": r.note.location, "kinds": [e.kind for e in r.events], "detail": r.detail}
                       for r in misses],
        }, indent=2, ensure_ascii=False) + "\n")
        return

    def num(v: object) -> str:
        return "n/a" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))

    out.print(f"[bold]frontwatch eval acled {file}[/bold]: {summary['notes']} notes, "
              f"{summary['covered_notes']} covered, {summary['events']} events", highlight=False)
    for key, label in _FIGURES:
        out.print(f"  {label:32} {num(summary[key])}", highlight=False)
    out.print(f"  {'events placed by name only':32} {summary['unplaced_events']} "
              f"(location missed on {summary['unplaced_notes']} notes with such an event)", highlight=False)
    for title, key in (("misses", "misses"), ("covered misses", "covered_misses")):
        m = summary[key]
        out.print(f"  {title:32} " + ", ".join(f"{k} {m.get(k, 0)}" for k in _MISS_ORDER), highlight=False)

    out.print("\n[bold]confusion[/bold]: ACLED sub_event_type -> frontwatch kind of the note's event (notes)")
    conf = result.confusion()
    width = max(len(s) for s in conf) + 2
    for sub, row in conf.items():
        out.print(f"  {sub:{width}}" + ", ".join(f"{k} {v}" for k, v in row.items()), highlight=False, markup=False)

    if not verbose:
        out.print(f"\n{len([r for r in misses if r.miss])} misses (-v lists each with its reason)")
        return
    out.print("\n[bold]misses[/bold]")
    for r in misses:
        n = r.note
        tag = r.miss or "matched"
        out.print(f"{n.id} [{tag}{'' if r.covered else ', not covered'}] ACLED {n.sub_event_type} at "
                  f"{n.location} ({n.admin1 or '?'}); frontwatch {', '.join(e.kind for e in r.events) or 'no event'}",
                  highlight=False, markup=False)
        out.print(f"  {n.text}", highlight=False, markup=False)
        for d in r.detail:
            out.print(f"  {d}", highlight=False, markup=False)
