"""Statements of state (`held` events): not ACLED events, and voices for the control timeline.

Extraction cases are in tests/cases/states.yaml (run by test_events_cases.py). Here: ACLED exports
and scores skip them; in fusion a statement agreeing with the map confirms it, one against it must
earn the change (rule 10), it takes effect on the report's day and never rewrites earlier days,
and `why` says in words what it is. Invented settlements and ids, as in test_control_earn.py.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from test_control_helpers import baseline_row, d, event, report, run_timeline, state_on, use_own_towns

from frontwatch.eval_acled import Note
from frontwatch.export.acled_csv import write_acled_csv
from frontwatch.fusion import control_timeline
from frontwatch.fusion.account import explain_place
from frontwatch.fusion.timeline import PlaceInfo, assertion_of, baseline_assertions
from frontwatch.model import KINDS, is_acled_kind, kind_to_acled
from frontwatch.store import BaselineRow

OWN = {"Stepove": (9400001, 47.50, 35.50), "Lisove": (9400002, 50.20, 32.20), "Richkove": (9400003, 48.10, 36.40)}


@pytest.fixture(autouse=True)
def _own(monkeypatch):  # noqa: ANN001, ANN202
    use_own_towns(monkeypatch, OWN, 2500)


def _base(town: str, ctl: str, day: str) -> BaselineRow:
    return baseline_row(OWN, town, ctl, day)


_run = run_timeline


_on = state_on


def _held(rep, town: str, holder: str, claims=None):  # noqa: ANN001, ANN202
    return event(rep, "held", town, holder, claims=claims or [(None, None, "asserted")])


# --------------------------------------------------------------------------- not ACLED events
def test_held_is_no_acled_kind() -> None:
    assert not is_acled_kind("held") and is_acled_kind("shelling")
    assert kind_to_acled("held") not in set(KINDS.values())
    r = report("x1", "2024-06-10", "Shelling hit Russian-held Stepove.", "Evening Courier")
    buf = io.StringIO()
    n = write_acled_csv([_held(r, "Stepove", "RU"), event(r, "shelling", "Stepove")], buf, lambda _: None)
    assert n == 1 and "Statement of control" not in buf.getvalue() and "Shelling" in buf.getvalue()


def test_eval_acled_counts_no_statement_of_state() -> None:
    from frontwatch.eval_acled import evaluate_acled

    # Molochansk (Zaporizhzhia) with a point of our own near it; the note states a shelling and
    # describes the town as Russian-held: one event for ACLED, the description is none
    note = Note(id="n1", date=dt.date(2022, 6, 14), sub_event_type="Shelling/artillery/missile attack",
                text="On 13 June 2022, Ukrainian forces shelled Russian-held Molochansk (Zaporizhzhia).",
                location="Molochansk", latitude=47.21, longitude=35.60, covered=True)
    res = evaluate_acled([note])
    kinds = [e.kind for r in res.results for e in r.events]
    assert "held" not in kinds and "shelling" in kinds
    assert res.summary()["events"] == len(kinds)


# --------------------------------------------------------------------------- fusion
def test_statement_agreeing_with_the_map_confirms_it_without_moving_since() -> None:
    base = [_base("Stepove", "UA", "2024-06-01")]
    r1 = report("c1", "2024-06-10", "Aid reached Ukrainian-held Stepove.", "Evening Courier")
    e1 = _held(r1, "Stepove", "UA")
    s = _on(_run([e1], [r1], base), "2024-06-12")
    assert s.controller == "UA" and s.since == d("2024-06-01") and e1.event_id in s.evidence and s.reported is None


def test_lone_contrary_statement_is_reported_two_outlets_flip_it_from_the_first_report() -> None:
    base = [_base("Lisove", "UA", "2024-06-01")]
    r1 = report("f1", "2024-06-10", "Explosions shook Russian-occupied Lisove.", "Evening Courier")
    r2 = report("f2", "2024-06-14", "Lisove remains under Russian control, the paper says.", "Daily Post")
    e1, e2 = _held(r1, "Lisove", "RU"), _held(r2, "Lisove", "RU")
    alone = _on(_run([e1], [r1], base), "2024-06-12")
    assert alone.controller == "UA" and alone.reported == "RU"
    st = _run([e1, e2], [r1, r2], base)
    assert _on(st, "2024-06-13").controller == "UA"
    s = _on(st, "2024-06-14")
    # the change is dated no later than the first statement; nothing before it is rewritten
    assert s.controller == "RU" and s.since == d("2024-06-10")
    assert _on(st, "2024-06-09").controller == "UA" and _on(st, "2024-06-09").reported is None


def test_statement_confirms_a_reported_change_and_settles_a_contest() -> None:
    base = [_base("Richkove", "RU", "2024-06-01"), _base("Stepove", "contested", "2024-06-01")]
    r1 = report("p1", "2024-06-05", "Ukrainian troops retook Richkove, the paper says.", "Evening Courier")
    e1 = event(r1, "territory_regained", "Richkove", "UA", claims=[(None, None, "asserted")], date="2024-06-04")
    r2 = report("p2", "2024-06-09", "Richkove is back in Ukrainian hands.", "Daily Post")
    e2 = _held(r2, "Richkove", "UA")
    out = control_timeline([e1, e2], {r.report_id: r for r in (r1, r2)}, base)
    rich = next(v for v in out.values() if v[0].place == "Richkove")
    assert _on(rich, "2024-06-06").reported == "UA"
    s = _on(rich, "2024-06-09")
    assert s.controller == "UA" and s.since == d("2024-06-04")
    r3 = report("p3", "2024-06-11", "Stepove, a Russian-held village, was shelled.", "Daily Post")
    e3 = _held(r3, "Stepove", "RU")
    s = _on(_run([e3], [r3], [_base("Stepove", "contested", "2024-06-01")]), "2024-06-11")
    assert s.controller == "RU" and s.since == d("2024-06-11")


def test_why_tells_the_statement_in_words() -> None:
    base = [_base("Lisove", "UA", "2024-06-01")]
    text = "Explosions shook the Russian-occupied town of Lisove."
    r1 = report("w1", "2024-06-10", text, "Evening Courier")
    e1 = _held(r1, "Lisove", "RU")
    gid, lat, lon = OWN["Lisove"]
    place = PlaceInfo(f"g{gid}", "Lisove", gid, lat, lon)
    assertions = [assertion_of(e1)]
    base_a, _ = baseline_assertions(base, {place.key: place})
    words = explain_place(place, assertions + base_a, {e1.event_id: e1}, {"w1": ("Evening Courier", r1.date)},
                          d("2024-06-12"))
    assert "described as held by Russia (RU)" in words and "Russian-occupied town of Lisove" in words
    assert "REPORTED, NOT CONFIRMED" in words


def test_a_statement_of_state_is_never_an_admission() -> None:
    # a quoted description the parse gives to a speaker of the losing side counts as a claim (1
    # point), not as an admission (2): one sentence never flips a place alone
    base = [_base("Stepove", "RU", "2024-06-01")]
    r1 = report("a1", "2024-06-10", "'Stepove remains under control of Ukraine,' he said.", "Evening Courier")
    e1 = _held(r1, "Stepove", "UA", claims=[("Russian officials", "RU", "claimed")])
    s = _on(_run([e1], [r1], base), "2024-06-10")
    assert s.controller == "RU" and s.reported == "UA"
    r2 = report("a2", "2024-06-10", "Russian officials said their troops withdrew from Stepove.", "Daily Post")
    e2 = event(r2, "withdrawal", "Stepove", "UA", claims=[("Russian officials", "RU", "claimed")], side="RU")
    assert _on(_run([e2], [r2], base), "2024-06-10").controller == "UA"  # a change of hands admitted still is
