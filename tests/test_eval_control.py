"""`frontwatch eval control`: judging the store's timeline against a reference map, on small files
of our own (invented settlements with invented GeoNames ids, so no gazetteer is needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_control_helpers import TOWNS, d, event, report
from typer.testing import CliRunner

from frontwatch.eval_control import evaluate_control, judged_days, read_reference
from frontwatch.model import Extraction
from frontwatch.store import BaselineRow, open_store

OWN = {
    "Zrazkove": (9100001, 48.1000, 36.1000),
    "Pryklad": (9100002, 48.3000, 36.5000),
    "Testove": (9100003, 48.6000, 36.9000),
}

REF = """date,name,held_by,latitude,longitude,population
2024-05-01,Zrazkove,RU,48.1003,36.1004,"4,200"
2024-05-01,Pryklad,UA,48.3000,36.5000,900
2024-05-01,Testove,UA,48.6000,36.9000,300
2024-05-08,Zrazkove,UA,48.1001,36.1002,"4,200"
2024-05-08,Pryklad,UA,48.3000,36.5000,900
2024-05-08,Testove,UA,48.6000,36.9000,300
2024-05-15,Zrazkove,UA,48.1003,36.1004,"4,200"
2024-05-15,Pryklad,UA,48.3000,36.5000,900
2024-05-15,Testove,UA,48.6000,36.9000,300
"""


@pytest.fixture(autouse=True)
def _own_towns(monkeypatch):  # noqa: ANN001, ANN202
    for k, v in OWN.items():
        monkeypatch.setitem(TOWNS, k, v)


def _store(tmp_path: Path, with_reports: bool):  # noqa: ANN202
    store = open_store(str(tmp_path / "fw.db"))
    store.add_baseline([BaselineRow(name, ctl, d("2024-05-01"), OWN[name][0], OWN[name][1], OWN[name][2], "test")
                        for name, ctl in (("Zrazkove", "RU"), ("Pryklad", "UA"), ("Testove", "UA"))])
    if with_reports:
        r1 = report("a1", "2024-05-06", "Russia's defence ministry said its units had pulled out of Zrazkove to "
                    "better positions.", "Wire A")
        e1 = event(r1, "withdrawal", "Zrazkove", "UA", claims=[("Russia's defence ministry", "RU", "claimed")],
                   side="RU")
        r2 = report("a2", "2024-05-07", "Ukraine's general staff said its troops had withdrawn from Pryklad.",
                    "Wire B")
        e2 = event(r2, "withdrawal", "Pryklad", "RU", claims=[("Ukraine's general staff", "UA", "claimed")],
                   side="UA")
        for r, e in ((r1, e1), (r2, e2)):
            store.add_extraction(Extraction(report=r, events=[e]))
    return store


def _ref(tmp_path: Path, text: str = REF) -> Path:
    p = tmp_path / "ref.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_reference_places_by_name_and_position(tmp_path: Path) -> None:
    text = REF + "2024-05-01,Testove,RU,47.2000,34.0000,100\n"  # a second Testove, far away
    places = read_reference(_ref(tmp_path, text))
    names = sorted(p.name for p in places)
    assert names == ["Pryklad", "Testove", "Testove", "Zrazkove"]  # the wobbling Zrazkove is one place
    zr = next(p for p in places if p.name == "Zrazkove")
    assert zr.population == 4200 and zr.states[d("2024-05-08")] == "UA"
    assert judged_days(d("2024-05-01"), d("2024-05-15"), 7) == [d("2024-05-01"), d("2024-05-08"), d("2024-05-15")]


def test_no_reports_scores_exactly_the_floor(tmp_path: Path) -> None:
    with _store(tmp_path, False) as store:
        res = evaluate_control(store, read_reference(_ref(tmp_path)), d("2024-05-01"), d("2024-05-15"), 7)
    s = res.summary()
    assert s["judged"] == 3  # only Zrazkove changed hands, on three judged days
    assert s["floor"] == s["accuracy"] == s["ceiling"] == pytest.approx(1 / 3, abs=1e-3)
    assert s["false_flips"] == 0 and s["reachable"] == 0


def test_captured_and_false_flips_with_why(tmp_path: Path) -> None:
    with _store(tmp_path, True) as store:
        res = evaluate_control(store, read_reference(_ref(tmp_path)), d("2024-05-01"), d("2024-05-15"), 7)
    s = res.summary()
    assert s["floor"] == pytest.approx(1 / 3, abs=1e-3) and s["ceiling"] == 1.0 and s["accuracy"] == 1.0
    assert s["reachable"] == 2 and s["captured"] == 1.0
    # Pryklad was Ukrainian all window: the admission read as news gives it to Russia on two judged days
    assert s["false_flips"] == 2 and s["false_flip_places"] == ["Pryklad"]
    flip = res.false_flips[0]
    assert flip.held_by == "UA" and flip.given == "RU" and flip.day == d("2024-05-08")
    assert flip.why.startswith("Pryklad (GeoNames 9100002) on 2024-05-08: held by Russia")


def test_cli_json_and_text(tmp_path: Path) -> None:
    from frontwatch.cli import app

    _store(tmp_path, True).close()
    ref = _ref(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["eval", "control", str(ref), "--from", "2024-05-01", "--to", "2024-05-15",
                              "--db", str(tmp_path / "fw.db"), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["summary"]["false_flips"] == 2 and data["false_flips"][0]["place"] == "Pryklad"
    res = runner.invoke(app, ["eval", "control", str(ref), "--from", "2024-05-01", "--to", "2024-05-15",
                              "--db", str(tmp_path / "fw.db")])
    assert res.exit_code == 0, res.output
    assert "FALSE FLIP Pryklad on 2024-05-08" in res.stdout and "captured     1.000" in res.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("date,name,held_by\n2024-05-01,Zrazkove,maybe\n", encoding="utf-8")
    res = runner.invoke(app, ["eval", "control", str(bad), "--from", "2024-05-01", "--to", "2024-05-15",
                              "--db", str(tmp_path / "fw.db")])
    assert res.exit_code == 1 and "not UA, RU or contested" in res.output


def test_a_place_listed_twice_with_two_states_is_not_held_all_window(tmp_path: Path) -> None:
    # the list gives Pryklad twice on one day, once Russian: not "held by one side all window"
    text = REF + "2024-05-08,Pryklad,RU,48.3001,36.5001,900\n"
    places = read_reference(_ref(tmp_path, text))
    pryklad = next(p for p in places if p.name == "Pryklad")
    assert pryklad.conflicting == {d("2024-05-08")}
    with _store(tmp_path, True) as store:
        res = evaluate_control(store, places, d("2024-05-01"), d("2024-05-15"), 7, 0)
    assert res.summary()["false_flips"] == 0


def test_misses_are_listed(tmp_path: Path) -> None:
    with _store(tmp_path, True) as store:
        # the reference says Testove changed hands on the 15th and a report names it: reachable, missed
        text = REF.replace("2024-05-15,Testove,UA", "2024-05-15,Testove,RU")
        store.add_extraction(Extraction(report=report("a3", "2024-05-14", "Shells fell on Testove.", "Wire C")))
        res = evaluate_control(store, read_reference(_ref(tmp_path, text)), d("2024-05-01"), d("2024-05-15"), 7, 0)
    assert res.missed() == [{"place": "Testove", "geonames_id": 9100003, "frontwatch_place": "Testove",
                             "days": [{"day": "2024-05-15", "truth": "RU", "baseline": "UA", "frontwatch": "UA"}]}]


def test_misses_show_the_sentences_that_name_them(tmp_path: Path) -> None:
    from frontwatch.cli import app
    from frontwatch.eval_control import naming_sentences

    with _store(tmp_path, True) as store:
        store.add_extraction(Extraction(report=report(
            "a3", "2024-05-14", "Grain stores burned overnight. Shells fell on Testove. Nobody was hurt.", "Wire C")))
        store.add_extraction(Extraction(report=report("a4", "2024-05-20", "Testove was quiet again.", "Wire D")))
        reports = list(store.iter_reports())
    said = naming_sentences({"Testove": {"Testove"}}, {"Testove": d("2024-05-15")}, reports, 3)
    # only the sentence itself, only reports dated by the last missed day
    assert said == {"Testove": [{"date": "2024-05-14", "source": "Wire C", "report_id": "a3",
                                 "sentence": "Shells fell on Testove."}]}
    assert naming_sentences({"Testove": {"Testove"}}, {"Testove": d("2024-05-13")}, reports, 3) == {"Testove": []}
    text = REF.replace("2024-05-15,Testove,UA", "2024-05-15,Testove,RU")
    res = CliRunner().invoke(app, ["eval", "control", str(_ref(tmp_path, text)), "--from", "2024-05-01",
                                   "--to", "2024-05-15", "--db", str(tmp_path / "fw.db"), "--quotes", "2"])
    assert res.exit_code == 0, res.output
    assert "2024-05-14 Wire C: Shells fell on Testove." in res.stdout
    assert "quiet again" not in res.stdout
