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
