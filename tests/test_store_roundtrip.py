"""Store behaviour on both backends: round trip, idempotence, atomicity, filters, derived data."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest

from frontwatch.model import Claim, Event, Evidence, Extraction
from frontwatch.store.base import BaselineRow, EventFilter, Store
from frontwatch.store.synthetic import content_hash, synthetic_extraction, synthetic_report

HOSTILE = ('Officials said <script>alert("x")</script> & <b>Kupiansk</b> was hit; '
           "«Куп'янськ» — “quoted” \u2019s \\n back\\slash 100% ? $1 %s {0}")


def _hostile_extraction(i: int = 9001) -> Extraction:
    ex = synthetic_extraction(i, text=HOSTILE)
    ev = ex.events[0].model_copy(update={
        "evidence": [Evidence(report_id=ex.report.report_id, start=0, end=len(HOSTILE), text=HOSTILE)],
        "claims": [Claim(claimant="Oleh <Syniehubov>", side="UA", via=["TASS", "<i>RIA</i>"], stance="claimed",
                         quote=HOSTILE)],
        "fatalities_text": "<script>",
    })
    return ex.model_copy(update={"events": [ev]})


def test_round_trip_report_places_events(store: Store) -> None:
    ex = _hostile_extraction()
    assert store.add_extraction(ex) == "new"
    assert store.get_report(ex.report.report_id) == ex.report
    assert list(store.iter_reports()) == [ex.report]
    assert [m for _, m in store.place_mentions(ex.report.report_id)] == ex.places
    assert [e for e in store.events()] == ex.events
    got = store.get_event(ex.events[0].event_id)
    assert got == ex.events[0]
    assert got is not None and got.evidence[0].text == HOSTILE and got.claims[0].quote == HOSTILE
    assert store.report_source(ex.report.report_id) == ex.report.source
    assert store.get_report("nope") is None and store.get_event("nope") is None
    assert store.counts() == {"reports": 1, "events": 1, "places": len(ex.places), "baseline": 0}


def test_duplicates_change_nothing(store_factory: Callable[..., Store]) -> None:
    store = store_factory()
    exs = [synthetic_extraction(i) for i in range(20)]
    assert [store.add_extraction(e) for e in exs] == ["new"] * 20
    before, rev = store.counts(), store.revision()
    assert [store.add_extraction(e) for e in exs] == ["duplicate"] * 20
    # Same text and date under another id, and the same id with other text: both duplicates.
    same_text = exs[0].model_copy(update={"report": exs[0].report.model_copy(update={"report_id": "other-id"})})
    assert store.add_extraction(same_text) == "duplicate"
    other = synthetic_report(0, text="a different text")
    same_id = Extraction(report=other, places=[], events=[])
    assert store.add_extraction(same_id) == "duplicate"
    assert store.counts() == before and store.revision() == rev
    assert store.has_report(report_id="syn-3") and store.has_report(content_hash=exs[4].report.content_hash)
    assert not store.has_report(report_id="syn-999") and not store.has_report()
    store.close()
    reopened = store_factory()
    assert reopened.add_extraction(exs[5]) == "duplicate"
    assert reopened.counts() == before


def test_failed_report_stores_nothing_and_store_goes_on(store: Store) -> None:
    ex = synthetic_extraction(2)  # three events
    # The last event names a report that does not exist: the database refuses it mid-transaction.
    bad_ev = ex.events[-1].model_copy(update={"report_id": "missing-report"})
    bad = ex.model_copy(update={"events": [*ex.events[:-1], bad_ev]})
    with pytest.raises(Exception):  # noqa: B017 - the driver's own integrity error
        store.add_extraction(bad)
    assert store.counts() == {"reports": 0, "events": 0, "places": 0, "baseline": 0}
    assert not store.has_report(report_id=ex.report.report_id)
    assert store.add_extraction(ex) == "new"
    assert store.counts()["events"] == 3


def test_same_event_id_twice_in_one_report_keeps_the_first(store: Store) -> None:
    ex = synthetic_extraction(1)
    twin = ex.events[0].model_copy(update={"kind": "other"})
    assert store.add_extraction(ex.model_copy(update={"events": [ex.events[0], twin]})) == "new"
    assert [e.kind for e in store.events()] == [ex.events[0].kind]


def test_event_id_already_held_by_another_report_keeps_the_stored_one(store: Store) -> None:
    a, b = synthetic_extraction(1), synthetic_extraction(2)
    store.add_extraction(a)
    clash = b.events[0].model_copy(update={"event_id": a.events[0].event_id})
    assert store.add_extraction(b.model_copy(update={"events": [clash, *b.events[1:]]})) == "new"
    assert store.get_event(a.events[0].event_id) == a.events[0]
    assert store.counts()["events"] == len(a.events) + len(b.events) - 1


def _interval(e: Event) -> tuple[dt.date, dt.date]:
    return (e.date_earliest or e.event_date or e.report_date, e.date_latest or e.event_date or e.report_date)


def test_filters_and_order(store: Store) -> None:
    exs = [synthetic_extraction(i) for i in range(300)]  # 600 events: more than one page
    for ex in exs:
        store.add_extraction(ex)
    every = [e for ex in exs for e in ex.events]
    got = list(store.events())
    assert len(got) == len(every) == len({e.event_id for e in got})
    keys = [((e.event_date or e.report_date), e.report_id, e.event_id) for e in got]
    assert keys == sorted(keys)

    def ids(flt: EventFilter) -> set[str]:
        return {e.event_id for e in store.events(flt)}

    since, until = dt.date(2022, 9, 12), dt.date(2022, 9, 14)
    want = {e.event_id for e in every if _interval(e)[1] >= since and _interval(e)[0] <= until}
    assert ids(EventFilter(since=since, until=until)) == want and 0 < len(want) < len(every)
    assert ids(EventFilter(since=since)) == {e.event_id for e in every if _interval(e)[1] >= since}
    assert ids(EventFilter(until=until)) == {e.event_id for e in every if _interval(e)[0] <= until}
    assert ids(EventFilter(kinds=("shelling", "withdrawal"))) == {
        e.event_id for e in every if e.kind in ("shelling", "withdrawal")}
    izium = {e.event_id for e in every if e.location.name == "Izium"}
    assert ids(EventFilter(place="izium")) == izium
    assert ids(EventFilter(place=" IZIUM ")) == izium
    assert ids(EventFilter(place="707292")) == izium
    assert ids(EventFilter(place="Atlantis")) == set()
    assert ids(EventFilter(report_ids=("syn-4", "syn-5"))) == {
        e.event_id for e in every if e.report_id in ("syn-4", "syn-5")}
    assert ids(EventFilter(claimant="ANDRIY YERMAK")) == {
        e.event_id for e in every if any(c.claimant == "Andriy Yermak" for c in e.claims)}
    assert ids(EventFilter(include_historical=False)) == {e.event_id for e in every if not e.historical}
    combo = EventFilter(since=since, kinds=("shelling",), place="Kupiansk")
    assert ids(combo) == {e.event_id for e in every if e.kind == "shelling" and e.location.name == "Kupiansk"
                          and _interval(e)[1] >= since}
    limited = list(store.events(EventFilter(limit=507)))
    assert [e.event_id for e in limited] == [e.event_id for e in got[:507]]
    assert list(store.events(EventFilter(limit=0))) == []


def test_place_mentions_revision_and_reports_since(store: Store) -> None:
    assert store.revision() == 0 and store.reports_since(0) == []
    exs = [synthetic_extraction(i) for i in range(6)]
    for ex in exs[:3]:
        store.add_extraction(ex)
    rev = store.revision()
    assert rev > 0
    for ex in exs[3:]:
        store.add_extraction(ex)
    assert store.revision() > rev
    assert store.reports_since(rev) == ["syn-3", "syn-4", "syn-5"]
    assert store.reports_since(store.revision()) == []
    pairs = list(store.place_mentions())
    assert pairs == [(ex.report.report_id, p) for ex in exs for p in ex.places]
    unresolved = [p for _, p in pairs if p.geonames_id is None]
    assert unresolved and all(p.latitude is None for p in unresolved)


def test_baseline_idempotent(store: Store) -> None:
    rows = [BaselineRow(place="Izium", controller="RU", on=dt.date(2022, 9, 1), geonames_id=707292,
                        latitude=49.2, longitude=37.3, source="ISW map"),
            BaselineRow(place="Kharkiv", controller="UA", on=dt.date(2022, 9, 1))]
    assert store.add_baseline(rows) == 2
    assert store.add_baseline(rows) == 0
    assert store.add_baseline([BaselineRow(place="Izium", controller="contested", on=dt.date(2022, 9, 1))]) == 1
    got = store.baseline()
    assert len(got) == 3 and rows[0] in got and rows[1] in got
    assert store.counts()["baseline"] == 3


def test_derived_values(store: Store) -> None:
    store.put_derived("control", "707292", '{"a": 1}')
    store.put_derived("control", "707292", '{"a": 2}')
    store.put_derived("control", "712926", "<script>")
    store.put_derived("other", "k", "v")
    assert store.get_derived("control") == {"707292": '{"a": 2}', "712926": "<script>"}
    store.delete_derived("control", ["707292"])
    assert store.get_derived("control") == {"712926": "<script>"}
    store.delete_derived("control")
    assert store.get_derived("control") == {} and store.get_derived("other") == {"k": "v"}
    store.delete_derived("other", [f"k{i}" for i in range(1000)])  # more keys than one IN list holds
    assert store.get_derived("other") == {"k": "v"}


def test_two_writers_overlapping_sets(store_factory: Callable[..., Store]) -> None:
    """Two connections ingest overlapping batches at once: every report once, none lost."""
    a, b = store_factory(), store_factory()
    results: dict[str, list[str]] = {}

    def run(name: str, s: Store, idx: range) -> None:
        results[name] = [s.add_extraction(synthetic_extraction(i)) for i in idx]

    threads = [threading.Thread(target=run, args=("a", a, range(0, 60))),
               threading.Thread(target=run, args=("b", b, range(30, 90)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["a"].count("new") + results["b"].count("new") == 90
    assert a.counts()["reports"] == 90
    assert a.counts()["events"] == sum(len(synthetic_extraction(i).events) for i in range(90))
    assert sorted(a.reports_since(0)) == sorted(f"syn-{i}" for i in range(90))


def test_text_with_nul_is_stored(store: Store) -> None:
    text = "date\x00 marker: Izium was shelled."
    ex = synthetic_extraction(77, text=text)
    assert store.add_extraction(ex) == "new"
    got = store.get_report(ex.report.report_id)
    assert got is not None and len(got.text) == len(text)  # PostgreSQL swaps NUL for U+FFFD, same offsets
    assert got.content_hash == content_hash(text, ex.report.date)
