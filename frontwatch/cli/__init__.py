"""The `frontwatch` command: a thin Typer layer over the library.

Each area registers its commands from its own module (cli/<area>.py) so that the
command line stays one app while its parts live beside each other.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="frontwatch",
    help="Turn dated war reporting into typed, placed, attributed events and a control timeline.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _register_all() -> None:
    import importlib

    for area in ("core", "evaluate", "places", "control", "publish", "scale"):
        try:
            module = importlib.import_module(f"frontwatch.cli.{area}")
        except ModuleNotFoundError as exc:
            if exc.name == f"frontwatch.cli.{area}":
                continue  # that area has no commands yet
            raise
        module.register(app)


_register_all()


def main() -> None:
    app()
