"""`frontwatch report` prints the paths it wrote; `serve` refuses a missing database."""

from __future__ import annotations

from pathlib import Path

from test_report_render import build_war_store
from typer.testing import CliRunner

from frontwatch.cli import app


def test_report_command_prints_paths(tmp_path: Path) -> None:
    build_war_store(tmp_path / "war.db").close()
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", "--on", "2022-09-11", "--out", str(out), "--db", str(tmp_path / "war.db")])
    assert result.exit_code == 0, result.output
    printed = [Path(line) for line in result.output.split()]
    assert printed == [out / "situation-2022-09-11.html", out / "situation-2022-09-11.md"]
    assert all(p.exists() for p in printed)


def test_report_and_serve_need_a_database(tmp_path: Path) -> None:
    missing = str(tmp_path / "none.db")
    r = CliRunner().invoke(app, ["report", "--on", "2022-09-11", "--out", str(tmp_path), "--db", missing])
    assert r.exit_code == 2 and "no database" in r.output
    r = CliRunner().invoke(app, ["serve", "--db", missing])
    assert r.exit_code == 2 and not (tmp_path / "none.db").exists()


def test_report_rejects_a_bad_date(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["report", "--on", "11/09/2022", "--out", str(tmp_path)])
    assert r.exit_code != 0
