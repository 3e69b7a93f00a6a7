"""`frontwatch eval control`: judge the store's control timeline against a reference map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def control(
    reference: Annotated[Path, typer.Argument(help="Reference map CSV: date,name,held_by,latitude,longitude.")],
) -> None:
    """Judge the control timeline against a reference map, day by day."""
    raise typer.BadParameter("not implemented yet")
