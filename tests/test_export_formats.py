"""Exports: JSON Lines, GeoJSON, ACLED CSV and Parquet, from the store of either backend."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from frontwatch.export import ExportError, export_events
from frontwatch.model import DISORDER_TYPE, KINDS, Claim, Event, Evidence, Location
from frontwatch.store.base import Store
from frontwatch.store.synthetic import synthetic_extraction

ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities",
    "tags", "timestamp",
]
SCRIPT = '<script>alert("boom")</script> and =HYPERLINK("http://evil") “quotes” Куп\'янськ'


def events_sample() -> list[Event]:
    evs = [e for i in range(12) for e in synthetic_extraction(i).events]
    ex = synthetic_extraction(500, text=SCRIPT)
    hostile = ex.events[0].model_copy(update={
        "evidence": [Evidence(report_id=ex.report.report_id, start=0, end=len(SCRIPT), text=SCRIPT)],
        "claims": [Claim(claimant="=cmd|' /C calc'!A0", stance="denied", quote=SCRIPT)],
    })
    unplaced = evs[1].model_copy(update={"event_id": "unplaced", "location": Location(name="Somewhere",
                                                                                      mention="Somewhere")})
    return [*evs, hostile, unplaced]


@pytest.fixture
def stored(store: Store) -> tuple[Store, list[Event]]:
    for i in range(12):
        store.add_extraction(synthetic_extraction(i))
    ex = synthetic_extraction(500, text=SCRIPT)
    ex = ex.model_copy(update={"events": [events_sample()[-2]]})
    store.add_extraction(ex)
    return store, list(store.events())


def test_jsonl_round_trip_from_store(stored: tuple[Store, list[Event]], tmp_path: Path) -> None:
    store, evs = stored
    out = tmp_path / "e.jsonl"
    assert export_events(store.events(), "jsonl", out) == len(evs)
    back = [Event.model_validate_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert back == evs
    # Stored and exported as text, unchanged (JSON escapes only its quotes).
    assert any(e.evidence[0].text == SCRIPT for e in back)
    assert json.dumps(SCRIPT, ensure_ascii=False)[1:-1] in out.read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*.part"))


def test_acled_csv_columns_and_values(stored: tuple[Store, list[Event]], tmp_path: Path) -> None:
    store, evs = stored
    out = tmp_path / "acled.csv"
    assert export_events(store.events(), "acled-csv", out, sources=store.report_source) == len(evs)
    with out.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ACLED_COLUMNS
        rows = list(reader)
    assert len(rows) == len(evs)
    for ev, row in zip(evs, rows, strict=True):
        assert row["event_id_cnty"] == ev.event_id
        assert (row["event_type"], row["sub_event_type"]) in set(KINDS.values())
        assert row["disorder_type"] == DISORDER_TYPE[row["event_type"]]
        day = ev.event_date or ev.date_latest
        assert row["event_date"] == day.isoformat() and row["year"] == str(day.year)
        assert row["time_precision"] == str(ev.date_precision)
        assert (row["iso"], row["region"], row["country"]) == ("804", "Europe", "Ukraine")
        assert row["inter1"] == "1" and row["inter2"] == "1" and row["interaction"] == "11"
        assert row["assoc_actor_1"] == row["admin2"] == row["source_scale"] == ""
        assert row["fatalities"] == ("" if ev.fatalities is None else str(ev.fatalities))
        assert float(row["latitude"]) == ev.location.latitude
        assert row["source"].startswith(store.report_source(ev.report_id) or "")
        assert " ".join(ev.evidence[0].text.split())[:40] in row["notes"]
        for c in ev.claims:
            if c.claimant and not c.claimant.startswith("="):
                assert c.claimant in row["notes"] and c.claimant in row["source"]
        assert (row["civilian_targeting"] == "Civilian targeting") == (ev.kind == "attack_on_civilians")
    hostile = rows[[e.event_id for e in evs].index(events_sample()[-2].event_id)]
    assert '<script>alert("boom")</script>' in hostile["notes"]
    assert hostile["notes"].startswith("Denied by")
    assert not any(v.startswith("=") for v in hostile.values())  # no spreadsheet formulas


def test_csv_alias_and_undated_event() -> None:
    evs = events_sample()
    undated = next(e for e in evs if e.event_date is None)
    buf = io.StringIO()
    assert export_events([undated], "csv", buf) == 1
    row = next(csv.DictReader(io.StringIO(buf.getvalue())))
    assert row["event_date"] == undated.date_latest.isoformat()
    assert row["time_precision"] == str(undated.date_precision) == "2"


def test_geojson_is_valid(tmp_path: Path) -> None:
    evs = events_sample()
    out = tmp_path / "e.geojson"
    n = export_events(evs, "geojson", out)
    placed = [e for e in evs if e.location.latitude is not None]
    assert n == len(placed) == len(evs) - 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == n
    for feat, ev in zip(data["features"], placed, strict=True):
        assert feat["type"] == "Feature" and feat["id"] == ev.event_id
        geom = feat["geometry"]
        assert geom["type"] == "Point" and len(geom["coordinates"]) == 2
        lon, lat = geom["coordinates"]
        assert (lon, lat) == (ev.location.longitude, ev.location.latitude)
        assert -180 <= lon <= 180 and -90 <= lat <= 90 and not math.isnan(lon)
        assert all(v is None or isinstance(v, str | int | float | bool) for v in feat["properties"].values())
        assert feat["properties"]["kind"] == ev.kind
    assert any(f["properties"]["evidence"] == SCRIPT for f in data["features"])
    empty = io.StringIO()
    assert export_events([], "geojson", empty) == 0
    assert json.loads(empty.getvalue()) == {"type": "FeatureCollection", "features": []}


def test_parquet_reads_back(tmp_path: Path) -> None:
    evs = events_sample()
    out = tmp_path / "e.parquet"
    assert export_events(evs, "parquet", out) == len(evs)
    table = pq.read_table(out)
    assert table.num_rows == len(evs)
    assert table.column_names[:3] == ["event_id", "report_id", "report_date"]
    assert [Event.model_validate_json(s) for s in table.column("event_json").to_pylist()] == evs
    assert table.column("claimants").to_pylist()[-2] == ["=cmd|' /C calc'!A0"]
    assert table.column("report_date").to_pylist()[0] == evs[0].report_date
    empty = tmp_path / "empty.parquet"
    assert export_events([], "parquet", empty) == 0 and pq.read_table(empty).num_rows == 0
    with pytest.raises(ExportError, match="binary"):
        export_events(evs, "parquet", io.StringIO())
    raw = io.BytesIO()
    assert export_events(evs, "parquet", raw) == len(evs)


def test_invalid_records_are_refused_and_no_file_is_left(tmp_path: Path) -> None:
    good = events_sample()[0].to_json_dict()
    bad = dict(good, event_id="bad-one", evidence=[])  # the contract needs at least one evidence span
    out = tmp_path / "x.jsonl"
    with pytest.raises(ExportError, match="bad-one"):
        export_events([good, bad], "jsonl", out)
    assert not out.exists() and not list(tmp_path.iterdir())
    # A hand-built Event that skipped validation is checked too.
    sneaky = Event.model_construct(**{**events_sample()[0].__dict__, "kind": None})
    with pytest.raises(ExportError):
        export_events([sneaky], "jsonl", io.StringIO())
    with pytest.raises(ExportError, match="unknown export format"):
        export_events([], "xlsx", io.StringIO())
    assert export_events([good], "JSONL", io.StringIO()) == 1  # dicts are accepted and validated


def test_parquet_columns_match_the_spark_runner() -> None:
    spark = pytest.importorskip("frontwatch.scale.spark")
    from frontwatch.export.parquet import SCHEMA

    assert [name for name, _ in spark.EVENT_COLUMNS] == SCHEMA.names
