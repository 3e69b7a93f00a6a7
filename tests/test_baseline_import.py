"""Baseline maps: rows keyed by the settlement (never by its name alone), the import's summary,
and DeepStateMap-style GeoJSON read from its names and colours (small files of our own)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from frontwatch.fusion import control_on
from frontwatch.store import BaselineRow, open_store
from frontwatch.store.sqlite import SQLiteStore

DAY = dt.date(2024, 3, 2)


def _rows() -> list[BaselineRow]:
    return [
        BaselineRow("Dubrivka", "UA", DAY, 9200001, 50.10, 30.10, "t"),
        BaselineRow("Dubrivka", "RU", DAY, 9200002, 47.20, 35.30, "t"),  # another village of that name
        BaselineRow("Dubrivka", "contested", DAY, None, 48.90, 37.40, "t"),  # a third, known by position
        BaselineRow("Hai", "RU", DAY, None, None, None, "t"),  # known by name only
        BaselineRow("Hai", "RU", DAY, None, None, None, "t"),  # the same row twice: merged
        BaselineRow("Dubrivka", "RU", DAY, 9200001, 50.10, 30.10, "t"),  # a second state for the first one
    ]


def test_same_named_settlements_keep_their_own_rows(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "fw.db")) as store:
        s = store.import_baseline(_rows())
        assert (s.stored, s.merged) == (4, 1)
        assert s.skipped == {"two states for one settlement on one day (the first is kept)": 1}
        assert "Dubrivka 2024-03-02: UA and RU" in s.examples[next(iter(s.skipped))][0]
        back = {(r.place, r.geonames_id, r.latitude): r.controller for r in store.baseline()}
        assert back == {("Dubrivka", 9200001, 50.10): "UA", ("Dubrivka", 9200002, 47.20): "RU",
                        ("Dubrivka", None, 48.90): "contested", ("Hai", None, None): "RU"}
        # read back with no reports, every row is a place of its own with its own state
        states = sorted((st.place, st.geonames_id or 0, st.controller) for st in control_on(store, DAY))
        assert states == [("Dubrivka", 0, "contested"), ("Dubrivka", 9200001, "UA"), ("Dubrivka", 9200002, "RU"),
                          ("Hai", 0, "RU")]
        again = store.import_baseline(_rows()[:3])
        assert (again.stored, again.merged, again.skipped) == (0, 3, {})
        other = store.import_baseline([BaselineRow("Dubrivka", "UA", DAY, 9200002, 47.20, 35.30, "t2")])
        assert other.stored == 0 and list(other.skipped.values()) == [1]
        assert "already stored with another state" in next(iter(other.skipped))


def test_version_2_baseline_is_keyed_by_settlement_on_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = SQLiteStore(path, migrate_to=2)
    with old._lock, old._write() as cur:
        for place, ctl, gid, lat, lon in (("Dubrivka", "UA", 9200001, 50.1, 30.1),
                                          ("Dubrivka", "RU", None, 47.2, 35.3), ("Hai", "RU", None, None, None)):
            cur.execute("INSERT INTO baseline (place, place_lc, controller, on_date, geonames_id, latitude, longitude,"
                        " source) VALUES (?, ?, ?, ?, ?, ?, ?, 'old')",
                        (place, place.casefold(), ctl, DAY.isoformat(), gid, lat, lon))
    old.close()
    with open_store(str(path)) as store:
        assert len(store.baseline()) == 3
        s = store.import_baseline([BaselineRow("Dubrivka", "RU", DAY, None, 47.2, 35.3, "new"),
                                   BaselineRow("Hai", "RU", DAY, None, None, None, "new"),
                                   BaselineRow("Dubrivka", "UA", DAY, 9200001, 50.1, 30.1, "new")])
        assert (s.stored, s.merged) == (0, 3)  # the migrated rows carry the same settlement keys


# --- DeepStateMap-style GeoJSON: states in names (Ukrainian / English) and colours -------------
import json  # noqa: E402

import pytest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from frontwatch.fusion.baseline import BaselineError, MapRead, colour_state, read_geojson  # noqa: E402

SETTLEMENTS = [
    ("Sadove", 9400001, 46.20, 33.20),  # inside the occupied square
    ("Richne", 9400002, 46.55, 33.55),  # inside the small liberated square within it
    ("Hirske", 9400003, 47.55, 34.55),  # inside the grey (unknown status) square
    ("Polove", 9400004, 48.55, 35.55),  # inside the blue, unnamed-state square
    ("Stolychne", 9400005, 49.90, 36.90),  # outside every area
    ("Ozerne", 9400006, 45.55, 32.55),  # inside the black, stateless square
]


def _square(x: float, y: float, size: float = 1.0) -> list:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def _feature(name: str, fill: str | None, geometry: dict, **props) -> dict:  # noqa: ANN003
    p = {"name": name, "styleUrl": f"#poly-{(fill or '#000000')[1:].upper()}-1200-77-nodesc", **props}
    if fill:
        p["fill"] = fill
    return {"type": "Feature", "properties": p, "geometry": geometry}


def _map(tmp_path: Path, features: list, name: str = "map-2024-03-02.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def _deepstate_like(tmp_path: Path) -> Path:
    return _map(tmp_path, [
        _feature("Окуповано /// Occupied", "#b71c1c", {"type": "Polygon", "coordinates": _square(33.0, 46.0)}),
        _feature("Звільнено 28.02 /// Liberated 28.02", "#2e7d32",
                 {"type": "Polygon", "coordinates": _square(33.5, 46.5, 0.1)}),
        _feature("Статус невідомий /// Unknown status", "#b0a8a0",
                 {"type": "Polygon", "coordinates": _square(34.0, 47.0)}),
        _feature("Відбито 01.03", "#1565c0", {"type": "Polygon", "coordinates": _square(35.0, 48.0)}),  # colour only
        _feature("Острів", "#000000", {"type": "Polygon", "coordinates": _square(32.0, 45.0)}),  # says nothing
        _feature("Напрямок удару /// Direction of attack", None, {"type": "Point", "coordinates": [36.0, 49.0]}),
        _feature("Лінія", None, {"type": "LineString", "coordinates": [[36.0, 49.0], [36.5, 49.5]]}),
    ])


def test_deepstate_style_states_from_names_and_colours(tmp_path: Path) -> None:
    read = MapRead()
    rows = read_geojson(_deepstate_like(tmp_path), settlements=SETTLEMENTS, summary=read)
    got = {r.place: r.controller for r in rows}
    assert got == {"Sadove": "RU", "Richne": "UA", "Hirske": "contested", "Polove": "UA"}
    assert {r.on for r in rows} == {DAY}  # from the file's name
    assert read.settlements == {"RU": 1, "UA": 2, "contested": 1}
    assert read.areas == {"RU": 1, "UA": 2, "contested": 1}
    assert read.skipped == {"not an area (Point)": 1, "not an area (LineString)": 1,
                            "area whose name and colour say no state (give --controller to import it)": 1}
    assert any("taken from the file's name" in n for n in read.notes)
    assert any("overlapping areas" in n for n in read.notes)  # Richne lies in both squares


def test_colours_and_words() -> None:
    assert colour_state({"fill": "#c62828"}) == "RU" and colour_state({"fill": "#ad1457"}) == "RU"
    assert colour_state({"fill": "#388e3c"}) == "UA" and colour_state({"fill": "#0277bd"}) == "UA"
    assert colour_state({"fill": "#9e9e9e"}) == "contested" and colour_state({"fill": "#111111"}) is None
    assert colour_state({"styleUrl": "#poly-1565C0-1200-77"}) == "UA" and colour_state({}) is None
    from frontwatch.fusion.baseline import _name_state

    assert _name_state("Деокуповано 12.05") == "UA"  # not "окуповано" inside it
    assert _name_state("Тимчасово окуповано") == "RU" and _name_state("Taken back 03.04") == "UA"
    assert _name_state("Під питанням") == "contested" and _name_state("Табір 3") is None


def test_a_map_whose_areas_say_no_state_is_refused_unless_controller(tmp_path: Path) -> None:
    path = _map(tmp_path, [_feature("Район 1", None, {"type": "Polygon", "coordinates": _square(33.0, 46.0)}),
                           _feature("Точка", None, {"type": "Point", "coordinates": [33.2, 46.2]})])
    with pytest.raises(BaselineError, match="none of its 1 areas says its state"):
        read_geojson(path, settlements=SETTLEMENTS)
    rows = read_geojson(path, controller="RU", settlements=SETTLEMENTS)
    assert {(r.place, r.controller) for r in rows} == {("Sadove", "RU"), ("Richne", "RU")}


def test_cli_import_prints_states_and_skips(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from frontwatch.cli import app
    from frontwatch.fusion import baseline as bl

    monkeypatch.setattr(bl, "gazetteer_settlements", lambda gazetteer=None: SETTLEMENTS)
    db = str(tmp_path / "m.db")
    res = CliRunner().invoke(app, ["control", "import-baseline", str(_deepstate_like(tmp_path)), "--db", db])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "map areas by state: RU 1, UA 2, contested 1; settlements inside them: RU 1, UA 2, contested 1" in out
    assert "skipped 1: not an area (Point)" in out and "4 baseline rows read: 4 stored" in out
    with open_store(db) as store:
        assert {s.place: s.controller for s in control_on(store, DAY)} == {
            "Sadove": "RU", "Richne": "UA", "Hirske": "contested", "Polove": "UA"}
    bad = _map(tmp_path, [_feature("Район", None, {"type": "Polygon", "coordinates": _square(33.0, 46.0)})], "b.geojson")
    res = CliRunner().invoke(app, ["control", "import-baseline", str(bad), "--db", db, "--date", "2024-03-02"])
    assert res.exit_code == 1 and "give --controller" in " ".join(res.output.split())
