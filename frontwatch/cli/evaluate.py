"""`frontwatch eval`: score frontwatch against answers someone else wrote.

Three yardsticks, one subcommand each: `gold` (the contract's hand-annotated gold files; also what
`frontwatch eval DIR` runs, as before), `acled` (ACLED-coded notes) and `control` (a reference map
of who held what, day by day).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from typer.core import TyperGroup

from frontwatch.cli.core import err, out
from frontwatch.cli.eval_acled import acled
from frontwatch.cli.eval_control import control


class _DefaultGold(TyperGroup):
    """`frontwatch eval DIR` keeps meaning `frontwatch eval gold DIR`."""

    def parse_args(self, ctx, args):  # noqa: ANN001, ANN201
        first = next((a for a in args if not a.startswith("-")), None)
        if first is not None and first not in self.commands:
            args = ["gold", *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(
    cls=_DefaultGold,
    name="eval",
    help="Score frontwatch against answers: gold files (`eval DIR`), ACLED notes (`eval acled`), "
    "a reference control map (`eval control`).",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@eval_app.command("gold")
def gold(
    gold_dir: Annotated[Path, typer.Argument(help="Directory of *.gold.json files (contract §4).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every miss and extra.")] = False,
) -> None:
    """Score extraction against gold annotation: events P/R/F1, dates, claims, places, control."""
    from frontwatch.eval import evaluate

    try:
        result = evaluate(gold_dir)
    except FileNotFoundError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(2) from None
    summary = result.summary()
    if as_json:
        sys.stdout.write(json.dumps({"summary": summary, "reports": [
            {"report": r.name, "precision": r.precision, "recall": r.recall, "f1": r.f1, "tp": r.tp, "fp": r.fp,
             "fn": r.fn, "forbidden": r.forbidden, "problems": r.problems} for r in result.reports
        ], "control_problems": result.control_problems}, indent=2) + "\n")
        return
    table = Table(title=f"frontwatch eval {gold_dir}")
    for col in ("report", "P", "R", "F1", "forbidden", "dates", "claims", "fields", "places"):
        table.add_column(col, no_wrap=True)

    def frac(a: int, b: int) -> str:
        return f"{a}/{b}" if b else "-"

    for r in result.reports:
        table.add_row(r.name, f"{r.precision:.2f}", f"{r.recall:.2f}", f"{r.f1:.2f}", str(r.forbidden),
                      frac(r.dates_right, r.dates_total), frac(r.claims_right, r.claims_total),
                      frac(r.fields_right, r.fields_total), frac(r.places_right, r.places_total))
    out.print(table)

    def fmt_num(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    for k, v in summary.items():
        out.print(f"{k:18} {v if isinstance(v, int) else fmt_num(v)}", highlight=False)
    problems = [p for r in result.reports for p in (f"{r.name}: {q}" for q in r.problems)] + result.control_problems
    if problems:
        shown = problems if verbose else problems[:15]
        out.print("\n[bold]problems[/bold]" + ("" if verbose else f" (first {len(shown)} of {len(problems)}; -v for all)"))
        for p in shown:
            out.print(f"  {p}", highlight=False, markup=False)


eval_app.command("acled")(acled)
eval_app.command("control")(control)


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")
