"""The gold scoring rules of contract §4, on events built by hand (no extraction involved)."""

from __future__ import annotations

import datetime as dt

from frontwatch.eval import (
    ReportScore,
    claimant_matches,
    date_correct,
    forbidden_hit,
    score_events,
    score_places,
)
from frontwatch.model import Claim, ControlChange, Event, Evidence, Location, PlaceMention

D = dt.date.fromisoformat


def make_event(kind: str, name: str, gid: int | None, lat: float | None, lon: float | None, **kw) -> Event:
    return Event(
        event_id=f"{kind}-{name}", report_id="r1", report_date=D("2022-09-11"), kind=kind,
        event_type="x", sub_event_type="y", location=Location(name=name, geonames_id=gid, latitude=lat, longitude=lon),
        evidence=[Evidence(report_id="r1", start=0, end=4, text="text")], **kw,
    )


GOLD = {
    "events": [
        {"id": "a", "kind": "territory_regained", "location": {"name": "TownA", "geonames_id": 1, "latitude": 49.0, "longitude": 37.0},
         "date_earliest": "2022-09-06", "date_latest": "2022-09-11", "control": {"to": "UA", "from": "RU", "extent": "full"},
         "claims": [{"claimant": "Andriy Example", "side": "UA", "stance": "claimed"}]},
        {"id": "b", "kind": "territory_regained", "location": {"name": "Townb", "latitude": 49.5, "longitude": 37.5},
         "notes": "Either territory_regained or armed_clash matches."},
        {"id": "c", "kind": "withdrawal", "optional": True, "location": {"name": "Townc", "geonames_id": 3}},
    ],
    "forbidden": [{"kind": "*", "location": {"name": "Capital", "geonames_id": 9}, "historical": False}],
}


def test_kind_allowed_by_notes_and_coordinates_within_near_km_match() -> None:
    s = ReportScore("r")
    events = [
        make_event("territory_regained", "Townnn", 1, None, None, event_date=D("2022-09-10"),
                   control=ControlChange(to="UA", **{"from": "RU"}), claims=[Claim(claimant="Example", stance="claimed")]),
        make_event("armed_clash", "B", None, 49.52, 37.51),  # ~2.5 km away, kind allowed by the notes
    ]
    score_events(GOLD, events, s)
    assert (s.tp, s.fp, s.fn) == (2, 0, 0)
    assert s.dates_right == s.dates_total == 1
    assert s.claims_right == s.claims_total == 1


def test_forbidden_and_duplicate_events_are_false_positives_and_optional_ones_neutral() -> None:
    s = ReportScore("r")
    events = [
        make_event("withdrawal", "Capital", 9, 50.0, 30.0),
        make_event("territory_regained", "A", 1, None, None),
        make_event("territory_regained", "A", 1, None, None),  # unmerged second copy
        make_event("withdrawal", "C", 3, None, None),
        make_event("withdrawal", "C", 3, None, None),
    ]
    score_events(GOLD, events, s)
    assert s.forbidden == 1
    assert (s.tp, s.fp, s.fn) == (1, 2, 1)


def test_historical_forbidden_rule_lets_historical_events_through() -> None:
    rule = GOLD["forbidden"][0]
    assert forbidden_hit(rule, make_event("withdrawal", "Capital", 9, 50.0, 30.0))
    assert not forbidden_hit(rule, make_event("withdrawal", "Capital", 9, 50.0, 30.0, historical=True))


def test_date_range_must_lie_inside_gold_range() -> None:
    g = {"date_earliest": "2022-09-06", "date_latest": "2022-09-11"}
    assert date_correct(g, make_event("x", "A", 1, 0, 0, date_earliest=D("2022-09-08"), date_latest=D("2022-09-11")))
    assert not date_correct(g, make_event("x", "A", 1, 0, 0, date_earliest=D("2022-09-01"), date_latest=D("2022-09-11")))
    assert date_correct({"event_date": "2022-09-10"}, make_event("x", "A", 1, 0, 0, event_date=D("2022-09-10")))
    assert date_correct({}, make_event("x", "A", 1, 0, 0)) is None


def test_claimant_names_match_on_token_subsets() -> None:
    assert claimant_matches("Russia's defence ministry", "the Russian defense ministry")
    assert claimant_matches("Andriy Yermak", "Yermak")
    assert claimant_matches(None, None)
    assert not claimant_matches(None, "TASS")
    assert not claimant_matches("Andriy Yermak", "Hanna Malyar")


def test_place_scoring_absent_place_must_stay_unresolved() -> None:
    gold = [
        {"mention": "Villagex", "name": "Villagex", "latitude": 49.6, "longitude": 36.6, "near_km": 25, "absent_from_bundled": True},
        {"mention": "Citya", "name": "Citya", "geonames_id": 5, "latitude": 50.0, "longitude": 36.0},
    ]
    good = [PlaceMention(mention="Villagex", start=0, end=8), PlaceMention(mention="Citya", start=10, end=15,
            geonames_id=5, latitude=50.0, longitude=36.0)]
    s = ReportScore("r")
    score_places(gold, good, s)
    assert (s.places_right, s.places_total) == (2, 2)
    far = [PlaceMention(mention="Villagex", start=0, end=8, geonames_id=77, latitude=48.0, longitude=28.0)]
    s = ReportScore("r")
    score_places(gold, far, s)
    assert s.places_right == 0
