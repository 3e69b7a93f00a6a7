"""The web API's heavy replies, assembled from the stored JSON text, say exactly what the records
say: `/api/events` and `/api/places/{id}` equal the cards built from validated Event records
(`report.data.Cards`, `place_detail`), on SQLite byte for byte, on PostgreSQL as JSON values."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_report_render import build_war_store

from frontwatch.report import data as rd
from frontwatch.store import EventFilter
from frontwatch.store.base import Store
from frontwatch.store.synthetic import START, TOWNS, synthetic_extraction
from frontwatch.web.app import create_app


def _old_events(store: Store, flt: EventFilter) -> list[dict]:
    cards = rd.Cards(store)
    return [cards.card(e) for e in store.events(flt)]


FILTERS = [
    EventFilter(),
    EventFilter(since=START + dt.timedelta(days=3), until=START + dt.timedelta(days=9)),
    EventFilter(since=START + dt.timedelta(days=3), until=START + dt.timedelta(days=9), include_historical=False),
    EventFilter(kinds=("shelling", "territory_regained")),
    EventFilter(place="izium"),
    EventFilter(place=str(TOWNS[2][1]), limit=7),
    EventFilter(claimant="Andriy Yermak", limit=600),
    EventFilter(until=START, since=START),
]


def _fill(store: Store, n: int = 90) -> None:
    for i in range(n):
        store.add_extraction(synthetic_extraction(i))


def test_event_cards_equal_the_validated_records(store: Store) -> None:
    _fill(store)
    for flt in FILTERS:
        old = _old_events(store, flt)
        new = json.loads(rd.events_json(store, flt))
        assert new == old, flt
        if store.url.endswith(".db"):  # SQLite keeps the stored key order: the same bytes
            assert rd.events_json(store, flt) == rd.dumps(old)
    full = _old_events(store, EventFilter())
    assert json.loads(rd.events_json(store, EventFilter(limit=25), offset=40)) == full[40:65]
    assert json.loads(rd.events_json(store, EventFilter(), offset=len(full))) == []


def test_windows_assembled_from_days_equal_the_query(store: Store) -> None:
    from frontwatch.store.base import Store as Base

    _fill(store)
    days = rd.DayCards(max_bytes=60_000)  # small: days are evicted and read again
    version = store.data_version()
    for start in range(-3, 32, 2):
        for width in (0, 6, 13):
            since = START + dt.timedelta(days=start)
            until = since + dt.timedelta(days=width)
            for hist in (True, False):
                flt = EventFilter(since=since, until=until, include_historical=hist, limit=1000)
                assert days.window(store, version, since, until, hist, 1000) == rd.events_json(store, flt)
    assert days.window(store, version, None, None, True, 30, 15) == rd.events_json(store, EventFilter(limit=30), 15)
    assert store.day_spans() == Base.day_spans(store)
    store.add_extraction(synthetic_extraction(500))  # a new version: nothing cached is reused
    flt = EventFilter(since=START, until=START + dt.timedelta(days=30))
    assert days.window(store, store.data_version(), flt.since, flt.until) == rd.events_json(store, flt)
    assert json.loads(days.window(store, store.data_version(), flt.since, flt.until)) == _old_events(store, flt)


def test_generic_rows_equal_the_sql_rows(store: Store) -> None:
    _fill(store, 30)
    for flt in FILTERS:
        sql_rows = [json.loads(rd.card_json(r)) for r in store.event_rows(flt)]
        generic = [json.loads(rd.card_json(r)) for r in Store.event_rows(store, flt)]
        assert sql_rows == generic, flt


def test_place_detail_equals_the_record_path(store: Store) -> None:
    _fill(store)
    for place in ("Izium", str(TOWNS[1][1]), "kherson", "Nowhere at all"):
        for on in (None, START + dt.timedelta(days=5), START + dt.timedelta(days=40)):
            old = rd.place_detail(store, place, on)
            new = rd.place_detail_json(store, place, on)
            if old is None:
                assert new is None
                continue
            assert new is not None and json.loads(new) == old, (place, on)
            assert old["events"] and old["explanation"]
            if store.url.endswith(".db"):
                assert new == rd.dumps(old)


def test_api_replies_equal_before_and_after_a_new_report(tmp_path: Path) -> None:
    db = tmp_path / "war.db"
    build_war_store(db).close()
    from frontwatch.store import open_store

    with TestClient(create_app(str(db))) as c, open_store(str(db)) as ref:
        for params in ({}, {"since": "2022-09-10", "until": "2022-09-11", "include_historical": "false"},
                       {"place": "Kupiansk"}, {"kind": "shelling"}):
            flt = EventFilter(since=dt.date.fromisoformat(params["since"]) if "since" in params else None,
                              until=dt.date.fromisoformat(params["until"]) if "until" in params else None,
                              kinds=(params["kind"],) if "kind" in params else (), place=params.get("place"),
                              include_historical=params.get("include_historical") != "false", limit=1000)
            for _ in range(2):  # computed, then from the reply cache
                assert c.get("/api/events", params=params).json() == _old_events(ref, flt)
        for _ in range(2):
            assert c.get("/api/places/707292", params={"on": "2022-09-11"}).json() == \
                rd.place_detail(ref, "707292", dt.date(2022, 9, 11))
        before = c.get("/api/events").json()
        # A new report changes the store's version: no reply is served stale.
        ref.add_extraction(synthetic_extraction(3))
        after = c.get("/api/events").json()
        assert len(after) > len(before) and after == _old_events(ref, EventFilter(limit=1000))
        assert c.get("/api/places/Izium").json() == rd.place_detail(ref, "Izium")
        assert c.get("/api/meta").json()["counts"] == ref.counts()


@pytest.mark.parametrize("value", ["{}", '{"a":1}', '{"a":1}  '])
def test_card_json_appends_to_any_object(value: str) -> None:
    from frontwatch.store.base import EventRow

    row = EventRow("e", "r", value, "shelling", None, None, "2022-09-01", False, None, None, None, None, None, None,
                   False, None, None, None, None)
    card = json.loads(rd.card_json(row))
    assert card["day"] == "2022-09-01" and card["report"]["date"] == "2022-09-01"
    assert card["style"] == rd.kind_style("shelling") and set(json.loads(value)) <= set(card)


def test_serve_with_two_workers_gives_the_same_replies(tmp_path: Path) -> None:
    """`frontwatch serve --workers 2`: worker processes built by the app factory from the environment."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    from frontwatch.store import open_store

    db = tmp_path / "war.db"
    build_war_store(db).close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("FRONTWATCH_TOKEN", "FRONTWATCH_DB")}
    server = subprocess.Popen([sys.executable, "-m", "frontwatch", "serve", "--db", str(db), "--port", str(port),
                               "--workers", "2"], env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        with open_store(str(db)) as ref, httpx.Client(base_url=base, timeout=30) as c:
            for _ in range(6):  # both workers answer some of these
                assert c.get("/api/events").json() == _old_events(ref, EventFilter(limit=1000))
                assert c.get("/api/places/Izium").json() == rd.place_detail(ref, "Izium")
            assert c.get("/api/meta").json()["writable"] is False
            assert c.post("/api/reports", json={"date": "2022-09-12", "text": "x"}).status_code == 403
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "2 workers" in err
