"""`frontwatch eval acled`: run extraction over ACLED-coded notes and compare with ACLED's coding."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def acled(
    file: Annotated[Path, typer.Argument(help="ACLED notes: JSON Lines (id, date, text, ...) or ACLED's export CSV.")],
) -> None:
    """Score event coding and geoparsing against ACLED's own coding of its notes."""
    raise typer.BadParameter("not implemented yet")
