"""Rule 11: how a contest ends (frontwatch/fusion/RULES.md).

A contested town is settled when the side that fought for it withdraws from around it, or when
the other side repels an assault on it; or, once no fighting inside it has been reported for
`contest_ends.quiet_days` days, by evidence that points one way (one side's attempts to take it,
its attacks on it). None of this evidence ever moves a town one side holds. Towns, numbers and
sentences are the team's own.
"""

from __future__ import annotations

import sys

import pytest
from test_control_helpers import baseline_row, d, event, report, state_on, use_own_towns

from frontwatch.fusion import control_timeline
from frontwatch.fusion.account import explain_place
from frontwatch.fusion.timeline import PlaceInfo, assertion_of, baseline_assertions
from frontwatch.model import Event, Location
from frontwatch.store import BaselineRow

OWN = {"Stepove": (9400001, 47.61, 35.31), "Lisove": (9400002, 50.31, 32.41), "Richkove": (9400003, 48.71, 33.81)}


@pytest.fixture(autouse=True)
def _own(monkeypatch):  # noqa: ANN001, ANN202
    use_own_towns(monkeypatch, OWN, 4000)


def _base(town: str, ctl: str, day: str) -> BaselineRow:
    return baseline_row(OWN, town, ctl, day)


def _ev(rid: str, day: str, text: str, kind: str, town: str, side: str | None, rule: str, source: str,
        claims=None, to: str | None = None, near: bool = False) -> tuple[Event, object]:  # noqa: ANN001
    rep = report(rid, day, text, source)
    ev = event(rep, kind, town, to, claims=claims or [(None, None, "asserted")], side=side)
    ev = ev.model_copy(update={"actor1_side": side, "rule": rule})
    if near:
        loc: Location = ev.location.model_copy(update={"geo_precision": 2})
        ev = ev.model_copy(update={"location": loc})
    return ev, rep


def _states(pairs, base):  # noqa: ANN001, ANN202
    events = [e for e, _ in pairs]
    reports = {r.report_id: r for _, r in pairs}
    out = control_timeline(events, reports, base)
    return next(iter(out.values())) if out else []


_on = state_on


# --- a withdrawal from around a contested town settles it ----------------------------------------
def test_withdrawal_from_around_a_contested_town_gives_it_to_the_other_side() -> None:
    lift = _ev("w1", "2022-06-20", "Russia's defence ministry said it was pulling its units back from around Stepove.",
               "withdrawal", "Stepove", "RU", "withdraw", "Agency A",
               claims=[("Russia's defence ministry", "RU", "claimed")], near=True)
    st = _states([lift], [_base("Stepove", "contested", "2022-06-01")])
    assert _on(st, "2022-06-19").controller == "contested"
    now = _on(st, "2022-06-20")
    assert now.controller == "UA" and now.since == d("2022-06-20")
    assert now.evidence == [lift[0].event_id]


def test_ukrainian_withdrawal_from_around_a_contested_town_gives_it_to_russia() -> None:
    lift = _ev("w2", "2022-07-03", "Ukrainian units fell back from the area around Lisove overnight, the general said.",
               "withdrawal", "Lisove", "UA", "withdraw", "Paper B", claims=[("general", "UA", "claimed")], near=True)
    st = _states([lift], [_base("Lisove", "contested", "2022-06-01")])
    assert _on(st, "2022-07-03").controller == "RU"


@pytest.mark.parametrize("held", ["RU", "UA"])
def test_withdrawal_from_around_a_held_town_never_moves_it(held: str) -> None:
    # "Russian troops pulled back from around Richkove": the area near it, not the town, and never
    # contested evidence against its holder (before rule 11 a "near" change made it contested).
    lift = _ev("w3", "2022-08-11", "Russian troops pulled back from around Richkove, the governor said.",
               "withdrawal", "Richkove", "RU", "withdraw", "Paper C", claims=[("governor", "UA", "claimed")],
               to="UA", near=True)
    other = _ev("w4", "2022-08-12", "Russian forces were seen leaving positions around Richkove.",
                "withdrawal", "Richkove", "RU", "withdraw", "Paper D", to="UA", near=True)
    st = _states([lift, other], [_base("Richkove", held, "2022-06-01")])
    s = _on(st, "2022-08-20")
    assert s.controller == held and s.reported is None


# --- a repelled assault settles a contest ----------------------------------------------------------
@pytest.mark.parametrize(("side", "town"), [("UA", "Stepove"), ("RU", "Lisove"), ("UA", "Richkove")])
def test_a_repelled_assault_on_a_contested_town_settles_it(side: str, town: str) -> None:
    rep = _ev("r1", "2022-06-09", f"Defenders repelled another assault on {town}, officials said.",
              "armed_clash", town, side, "repel", "Wire E", claims=[("officials", side, "claimed")])
    st = _states([rep], [_base(town, "contested", "2022-06-01")])
    assert _on(st, "2022-06-08").controller == "contested"
    now = _on(st, "2022-06-09")
    assert now.controller == side and now.confidence <= 0.65  # one party's word: a weaker state


def test_a_repelled_assault_never_moves_a_held_town() -> None:
    rep = _ev("r2", "2022-06-09", "Russian forces repelled a Ukrainian attack on Stepove, Moscow said.",
              "armed_clash", "Stepove", "RU", "repel", "Wire F", claims=[("Russia's defence ministry", "RU", "claimed")])
    st = _states([rep], [_base("Stepove", "UA", "2022-06-01")])
    assert _on(st, "2022-06-30").controller == "UA"


# --- a contest that goes quiet ends with the side its evidence points to --------------------------
def _attempt(rid: str, day: str, town: str, side: str, source: str) -> tuple[Event, object]:
    return _ev(rid, day, f"Troops kept trying to capture {town}, which guards the road south.", "armed_clash",
               town, side, "capture", source)


def test_attempts_to_take_a_town_then_quiet_leave_it_to_the_defender() -> None:
    a = _attempt("q1", "2022-06-05", "Stepove", "RU", "Paper G")
    st = _states([a], [_base("Stepove", "contested", "2022-06-01")])
    assert _on(st, "2022-06-14").controller == "contested"  # not yet ten quiet days
    s = _on(st, "2022-06-15")
    assert s.controller == "UA" and s.since == d("2022-06-15") and s.confidence <= 0.65
    assert s.evidence == [a[0].event_id]


def test_fighting_inside_keeps_the_contest_alive() -> None:
    a = _attempt("q2", "2022-06-05", "Lisove", "UA", "Paper H")
    fight = _ev("q3", "2022-06-12", "Street battles raged in Lisove on Sunday.", "armed_clash", "Lisove", None,
                "clash_noun", "Paper I")
    st = _states([a, fight], [_base("Lisove", "contested", "2022-06-01")])
    assert _on(st, "2022-06-20").controller == "contested"
    assert _on(st, "2022-06-22").controller == "RU"  # attempts by Ukraine: Russia holds it


def test_no_knowledge_from_the_future_for_a_quiet_contest() -> None:
    # A fight on the 12th reported only on the 25th: on the 15th the contest had been quiet for ten
    # days and ended; once the report is known it is alive again until ten days after the fight.
    a = _attempt("q4", "2022-06-05", "Richkove", "RU", "Paper J")
    rep = report("q5", "2022-06-25", "Fighting in Richkove on June 12 left the school in ruins.", "Paper K")
    late = event(rep, "armed_clash", "Richkove", None, claims=[(None, None, "asserted")], date="2022-06-12")
    late = late.model_copy(update={"rule": "clash_noun"})
    st = _states([a, (late, rep)], [_base("Richkove", "contested", "2022-06-01")])
    assert _on(st, "2022-06-15").controller == "UA"
    assert _on(st, "2022-06-25").controller == "UA"  # 2022-06-22 had passed: ended again


@pytest.mark.parametrize("other", ["entered", "attempt"])
def test_evidence_pointing_both_ways_keeps_it_contested(other: str) -> None:
    a = _attempt("q6", "2022-06-05", "Stepove", "RU", "Paper L")
    if other == "entered":
        b = _ev("q7", "2022-06-06", "Russian troops entered Stepove from the east.", "entered", "Stepove", "RU",
                "enter", "Paper M", to="RU")
        b = (b[0].model_copy(update={"control": b[0].control.model_copy(update={"extent": "entered"})}), b[1])
    else:
        b = _attempt("q8", "2022-06-06", "Stepove", "UA", "Paper N")
    st = _states([a, b], [_base("Stepove", "contested", "2022-06-01")])
    assert _on(st, "2022-07-30").controller == "contested"


def test_attempts_never_move_a_held_town() -> None:
    a = _attempt("q9", "2022-06-05", "Lisove", "UA", "Paper O")
    st = _states([a], [_base("Lisove", "UA", "2022-06-01")])
    assert all(s.controller == "UA" for s in st)


def test_rule_11_off_keeps_contests(monkeypatch) -> None:  # noqa: ANN001
    from frontwatch.fusion.config import rules

    timeline = sys.modules["frontwatch.fusion.timeline"]

    monkeypatch.setitem(rules()["contest_ends"], "enabled", False)
    timeline._contest_rules.cache_clear()
    timeline._settings.cache_clear()
    try:
        a = _attempt("q10", "2022-06-05", "Stepove", "RU", "Paper P")
        st = _states([a], [_base("Stepove", "contested", "2022-06-01")])
        assert _on(st, "2022-07-30").controller == "contested"
    finally:
        monkeypatch.undo()
        timeline._contest_rules.cache_clear()
        timeline._settings.cache_clear()


def test_why_tells_how_the_contest_ended() -> None:
    a = _attempt("q11", "2022-06-05", "Stepove", "RU", "Paper Q")
    info = PlaceInfo("g9400001", "Stepove", 9400001, 47.61, 35.31)
    assertions = [assertion_of(a[0])]
    base, _ = baseline_assertions([_base("Stepove", "contested", "2022-06-01")], {info.key: info})
    text = explain_place(info, assertions + base, {a[0].event_id: a[0]}, {"q11": ("Paper Q", d("2022-06-05"))},
                         d("2022-06-20"))
    assert "held by Ukraine (UA) since 2022-06-15" in text
    assert "no fighting inside it reported for 10 days" in text
    assert "an attempt to take it or an attack on it by the Russian side" in text
