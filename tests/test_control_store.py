"""Control over a real SQLite store: the per-place cache, incremental updates, baseline import,
the CLI commands and the `why` text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_control_helpers import d, event, report
from typer.testing import CliRunner

from frontwatch.fusion import NS_TIMELINE, changes, control_on, explain, refresh, timeline
from frontwatch.model import Event, Extraction, Report
from frontwatch.store import open_store


def _add(store, rep: Report, *events: Event) -> None:  # noqa: ANN001
    assert store.add_extraction(Extraction(report=rep, events=list(events))) == "new"


@pytest.fixture()
def store(tmp_path: Path):  # noqa: ANN201
    with open_store(str(tmp_path / "fw.db")) as s:
        yield s


def _izium_and_kupiansk(store) -> tuple[Event, Event, Event]:  # noqa: ANN001
    r1 = report("r1", "2022-09-10", "Ukraine's security service said its forces had entered Kupiansk.", "Ukrinform")
    e1 = event(r1, "entered", "Kupiansk", "UA", extent="entered", claims=[("Ukraine's security service", "UA",
                                                                             "claimed")])
    r2 = report("r2", "2022-09-11", "Ukrainian troops have recaptured Izium from the Russian army, Zelenskiy's "
                "chief of staff Andriy Yermak says.", "Reuters")
    e2 = event(r2, "territory_regained", "Izium", "UA", claims=[("Andriy Yermak", "UA", "claimed")])
    r3 = report("r3", "2022-09-11", "Russian rocket fire hit Izium.", "Reuters live")
    e3 = event(r3, "shelling", "Izium", None, claims=[(None, None, "asserted")], side="RU")
    _add(store, r1, e1)
    _add(store, r2, e2)
    _add(store, r3, e3)
    return e1, e2, e3


def test_control_on_store_and_incremental_cache(store) -> None:  # noqa: ANN001
    e1, e2, _ = _izium_and_kupiansk(store)
    got = {s.place: s for s in control_on(store, d("2022-09-11"))}
    assert got["Kupiansk"].controller == "contested" and got["Kupiansk"].evidence == [e1.event_id]
    assert got["Izium"].controller == "UA" and got["Izium"].evidence == [e2.event_id]
    assert [s.place for s in control_on(store, d("2022-09-10"))] == ["Kupiansk"]
    assert refresh(store) == {"rebuilt": 0, "updated": 0}  # warm: nothing to do
    cached = store.get_derived(NS_TIMELINE)
    # a new report about Kupiansk recomputes Kupiansk only
    r4 = report("r4", "2022-09-19", "Russia's defence ministry said its troops had left Kupiansk.", "TASS")
    e4 = event(r4, "withdrawal", "Kupiansk", "UA", claims=[("Russia's defence ministry", "RU", "claimed")], side="RU")
    _add(store, r4, e4)
    assert refresh(store) == {"rebuilt": 0, "updated": 1}
    after = store.get_derived(NS_TIMELINE)
    assert after["g707292"] == cached["g707292"] and after["g703656"] != cached["g703656"]
    kup = control_on(store, d("2022-09-20"), place="Kupiansk")
    assert len(kup) == 1 and kup[0].controller == "UA" and kup[0].since == d("2022-09-19")
    assert control_on(store, d("2022-09-20"), place="703656") == kup
    assert [(c.place, c.from_controller, c.to_controller) for c in changes(store, d("2022-09-12"), d("2022-09-30"))] \
        == [("Kupiansk", "contested", "UA")]
    # the cache and a fresh pure computation agree
    from frontwatch.fusion import control_timeline

    events = list(store.events())
    pure = control_timeline(events, {r.report_id: r for r in store.iter_reports()})
    assert {k: [s.controller for s in v] for k, v in pure.items()} == \
        {k: [s.controller for s in v] for k, v in timeline(store).items()}


def test_why_cites_the_claimant_and_what_would_change(store) -> None:  # noqa: ANN001
    _izium_and_kupiansk(store)
    text = explain(store, "Izium", d("2022-09-11"))
    assert "held by Ukraine (UA) since 2022-09-11" in text
    assert "Andriy Yermak (Ukrainian side) claimed" in text and "Reuters, 2022-09-11" in text
    assert "Ukrainian troops have recaptured Izium" in text
    assert "Russian-side admission" in text  # what would change the verdict
    assert "shell" not in text.split("What would change")[0].casefold()  # shelling is no evidence of control
    assert "no verdict" in explain(store, "Izium", d("2022-09-10"))
    assert "no stored evidence" in explain(store, "Atlantis", d("2022-09-10"))


def test_baseline_csv_and_geojson(store, tmp_path: Path) -> None:  # noqa: ANN001
    from frontwatch.fusion.baseline import BaselineError, read_csv, read_geojson

    csv_path = tmp_path / "base.csv"
    csv_path.write_text("place,controller,date,geonames_id\nIzium,RU,2022-09-01,707292\n"
                        "Kupiansk,occupied,2022-09-01,703656\n", encoding="utf-8")
    rows = read_csv(csv_path)
    assert [(r.place, r.controller) for r in rows] == [("Izium", "RU"), ("Kupiansk", "RU")]
    bad = tmp_path / "bad.csv"
    bad.write_text("place,controller,date\nIzium,maybe,2022-09-01\n", encoding="utf-8")
    with pytest.raises(BaselineError, match="bad.csv:2"):
        read_csv(bad)
    # a square around Izium with a hole around nothing else; Kupiansk lies outside
    square = [[37.0, 49.0], [37.5, 49.0], [37.5, 49.4], [37.0, 49.4], [37.0, 49.0]]
    gj = tmp_path / "occupied.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"date": "2022-09-01"}, "geometry": {"type": "Polygon",
                                                                              "coordinates": [square]}}]}))
    settlements = [("Izium", 707292, 49.20697, 37.27679), ("Kupiansk", 703656, 49.71003, 37.61581)]
    geo_rows = read_geojson(gj, controller="RU", settlements=settlements)
    assert [(r.place, r.controller, r.on) for r in geo_rows] == [("Izium", "RU", d("2022-09-01"))]
    store.add_baseline(geo_rows)
    assert control_on(store, d("2022-09-05"))[0].controller == "RU"
    _izium_and_kupiansk(store)
    got = {s.place: (s.controller, s.reported) for s in control_on(store, d("2022-09-11"))}
    # evidence after the baseline's date overrides it, when it earns the change (rule 10): one
    # party's claim from one outlet is reported, not yet a change of hands
    assert got == {"Izium": ("RU", "UA"), "Kupiansk": ("contested", None)}
    assert {s.place: s.controller for s in control_on(store, d("2022-09-05"))} == {"Izium": "RU"}


def test_cli_control_changes_why(tmp_path: Path) -> None:
    from frontwatch.cli import app

    db = str(tmp_path / "cli.db")
    with open_store(db) as s:
        _izium_and_kupiansk(s)
    runner = CliRunner()
    res = runner.invoke(app, ["control", "--on", "2022-09-11", "--db", db, "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert {r["place"]: r["controller"] for r in rows} == {"Izium": "UA", "Kupiansk": "contested"}
    assert set(rows[0]) == {"place", "geonames_id", "latitude", "longitude", "on", "controller", "since",
                            "confidence", "evidence", "disputed_by", "reported", "reported_evidence"}
    res = runner.invoke(app, ["control", "--on", "2022-09-11", "--db", db, "--format", "geojson"])
    assert json.loads(res.stdout)["features"][0]["geometry"]["type"] == "Point"
    res = runner.invoke(app, ["control", "--on", "2022-09-11", "--db", db, "--place", "Izium"])
    assert res.exit_code == 0 and "Izium" in res.stdout and "Kupiansk" not in res.stdout
    base = tmp_path / "b.csv"
    base.write_text("place,controller,date,geonames_id\nLyman,RU,2022-09-01,704204\n", encoding="utf-8")
    res = runner.invoke(app, ["control", "import-baseline", str(base), "--db", db])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["changes", "--since", "2022-09-01", "--until", "2022-09-30", "--db", db, "-f", "jsonl"])
    assert {json.loads(x)["place"] for x in res.stdout.splitlines()} == {"Izium", "Kupiansk", "Lyman"}
    res = runner.invoke(app, ["why", "Izium", "--on", "2022-09-11", "--db", db])
    assert res.exit_code == 0 and "Yermak" in res.stdout


def _spelt(ev: Event, name: str | None, mention: str, resolved: bool) -> Event:
    loc = ev.location.model_copy(update={"name": name, "mention": mention} if resolved else
                                 {"name": mention, "mention": mention, "geonames_id": None, "latitude": None,
                                  "longitude": None, "feature_code": None, "geo_precision": None})
    return ev.model_copy(update={"location": loc})


def test_a_name_only_place_folds_into_the_settlement_its_spelling_stands_for(store, monkeypatch) -> None:  # noqa: ANN001
    # One town under two spellings: a report the geocoder could not place ("Chervonyi Yar", the
    # old name, no context) and one it placed (the same old name, resolved to Sonyachne).
    from test_control_helpers import TOWNS

    monkeypatch.setitem(TOWNS, "Sonyachne", (9500001, 48.40, 37.10))
    monkeypatch.setitem(TOWNS, "Zelene", (9500002, 47.10, 35.20))
    r1 = report("n1", "2024-07-01", "Russia's defence ministry said its troops had left Chervonyi Yar.", "Wire A")
    e1 = _spelt(event(r1, "withdrawal", "Sonyachne", "UA", claims=[("Russia's defence ministry", "RU", "claimed")],
                      side="RU"), None, "Chervonyi Yar", resolved=False)
    _add(store, r1, e1)
    assert [s.place for s in control_on(store, d("2024-07-01"))] == ["Chervonyi Yar"]  # nothing to fold into yet
    r2 = report("n2", "2024-07-03", "Ukrainian soldiers raised their flag in Chervonyi Yar, near the Donets.", "Wire B")
    e2 = _spelt(event(r2, "territory_regained", "Sonyachne", "UA", claims=[("Wire B", "neutral", "witnessed")]),
                "Sonyachne", "Chervonyi Yar", resolved=True)
    _add(store, r2, e2)  # learnt incrementally: the place apart is folded in
    got = control_on(store, d("2024-07-03"))
    assert [(s.place, s.geonames_id, s.controller) for s in got] == [("Sonyachne", 9500001, "UA")]
    assert got[0].evidence == [e1.event_id, e2.event_id] and got[0].since == d("2024-07-01")
    assert "Sonyachne (GeoNames 9500001)" in explain(store, "Chervonyi Yar", d("2024-07-03"))
    # a spelling that stands for two settlements folds into neither
    r3 = report("n3", "2024-07-04", "Troops left Stavky, the ministry said.", "Wire A")
    e3 = _spelt(event(r3, "withdrawal", "Zelene", "UA", claims=[("Russia's defence ministry", "RU", "claimed")],
                      side="RU"), None, "Stavky", resolved=False)
    r4 = report("n4", "2024-07-04", "Fighters entered Stavky near Sonyachne.", "Wire C")
    e4 = _spelt(event(r4, "entered", "Sonyachne", "UA", extent="entered", claims=[(None, None, "asserted")]),
                "Sonyachne", "Stavky", resolved=True)
    r5 = report("n5", "2024-07-04", "Fighters entered Stavky in the south.", "Wire D")
    e5 = _spelt(event(r5, "entered", "Zelene", "UA", extent="entered", claims=[(None, None, "asserted")]),
                "Zelene", "Stavky", resolved=True)
    for r, e in ((r3, e3), (r4, e4), (r5, e5)):
        _add(store, r, e)
    assert "Stavky" in {s.place for s in control_on(store, d("2024-07-04"))}
    # a full rebuild (the rules' fingerprint changed) folds the same way
    store.delete_derived("control.meta")
    assert {s.place for s in control_on(store, d("2024-07-04"))} == {"Sonyachne", "Zelene", "Stavky"}
