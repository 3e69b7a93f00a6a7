"""Rule 10, a change must earn it: against the state the map holds, a lone statement from one
outlet makes a place *reported*, not changed; an admission by the losing side, a witnessed report
or two independent sources change it; a large place, or one held long, needs more.

Invented settlements and ids (no gazetteer needed); populations are given by monkeypatching.
"""

from __future__ import annotations

import pytest
from test_control_helpers import baseline_row, d, event, report, run_timeline, state_on, use_own_towns

from frontwatch.fusion.account import explain_place
from frontwatch.fusion.timeline import PlaceInfo, assertion_of, baseline_assertions
from frontwatch.store import BaselineRow

OWN = {"Stepove": (9300001, 47.50, 35.50), "Lisove": (9300002, 50.20, 32.20), "Velykomisto": (9300003, 49.00, 33.00)}
POP = {9300001: 3200, 9300002: 800, 9300003: 640000}


@pytest.fixture(autouse=True)
def _own(monkeypatch):  # noqa: ANN001, ANN202
    use_own_towns(monkeypatch, OWN, lambda gid: POP.get(gid, 0))


def _base(town: str, ctl: str, day: str) -> BaselineRow:
    return baseline_row(OWN, town, ctl, day)


_run = run_timeline


_on = state_on


def test_lone_statement_is_reported_not_a_change() -> None:
    base = [_base("Stepove", "UA", "2024-06-01")]
    r1 = report("s1", "2024-06-10", "Russian forces have taken Stepove, the paper says.", "Evening Courier")
    e1 = event(r1, "territory_captured", "Stepove", "RU", claims=[(None, None, "asserted")])
    # the same outlet saying it again two days later is still one source
    r2 = report("s2", "2024-06-12", "Stepove is now in Russian hands after days of fighting nearby.", "Evening Courier")
    e2 = event(r2, "territory_captured", "Stepove", "RU", claims=[(None, None, "asserted")])
    st = _run([e1, e2], [r1, r2], base)
    s = _on(st, "2024-06-12")
    assert s.controller == "UA" and s.reported == "RU" and s.reported_evidence == [e1.event_id, e2.event_id]
    assert _on(st, "2024-06-09").reported is None


def test_two_independent_outlets_change_it_from_the_first_report() -> None:
    base = [_base("Stepove", "UA", "2024-06-01")]
    r1 = report("s1", "2024-06-10", "Russian forces have taken Stepove, the paper says.", "Evening Courier")
    r2 = report("s2", "2024-06-13", "Stepove fell to Russian troops this week, our correspondent learned.", "Daily Post")
    e1 = event(r1, "territory_captured", "Stepove", "RU", claims=[(None, None, "asserted")])
    e2 = event(r2, "territory_captured", "Stepove", "RU", claims=[(None, None, "asserted")])
    st = _run([e1, e2], [r1, r2], base)
    assert _on(st, "2024-06-12").controller == "UA"
    s = _on(st, "2024-06-13")
    assert s.controller == "RU" and s.reported is None and s.since == d("2024-06-10")
    assert s.evidence == [e1.event_id, e2.event_id]


def test_one_speaker_quoted_by_two_outlets_is_one_source() -> None:
    base = [_base("Lisove", "RU", "2024-06-01")]
    reps = [report(f"q{i}", "2024-06-20", f"{o} reports: Ukraine's army says its soldiers took Lisove. {i}", o)
            for i, o in enumerate(["Morning Wire", "Radio Nord"])]
    evs = [event(r, "territory_regained", "Lisove", "UA", claims=[("Ukraine's army", "UA", "claimed")]) for r in reps]
    s = _on(_run(evs, reps, base), "2024-06-20")
    assert s.controller == "RU" and s.reported == "UA"


@pytest.mark.parametrize("claims", [
    [("Russia's defence ministry", "RU", "claimed")],  # the losing side admits it
    [("Radio Nord", "neutral", "witnessed")],  # a reporter saw it
])
def test_an_admission_or_a_witness_changes_a_small_place_alone(claims) -> None:  # noqa: ANN001
    base = [_base("Lisove", "RU", "2024-06-01")]
    r1 = report("a1", "2024-06-15", "Russian units left Lisove, the ministry said.", "Radio Nord")
    e1 = event(r1, "withdrawal" if claims[0][1] == "RU" else "territory_regained", "Lisove", "UA", claims=claims,
               side="RU" if claims[0][1] == "RU" else None)
    s = _on(_run([e1], [r1], base), "2024-06-15")
    assert s.controller == "UA" and s.reported is None


def test_a_large_place_needs_more_than_an_admission() -> None:
    base = [_base("Velykomisto", "UA", "2024-06-01")]
    r1 = report("b1", "2024-06-05", "Ukraine's general staff said its troops had pulled out of Velykomisto.",
                "Morning Wire")
    e1 = event(r1, "withdrawal", "Velykomisto", "RU", claims=[("Ukraine's general staff", "UA", "claimed")], side="UA")
    st = _run([e1], [r1], base)
    s = _on(st, "2024-06-05")
    assert s.controller == "UA" and s.reported == "RU"
    r2 = report("b2", "2024-06-06", "Russian flags were raised over Velykomisto's council building.", "Daily Post")
    e2 = event(r2, "territory_captured", "Velykomisto", "RU", claims=[(None, None, "asserted")])
    s = _on(_run([e1, e2], [r1, r2], base), "2024-06-06")
    assert s.controller == "RU" and s.since == d("2024-06-05")


def test_a_place_held_long_needs_more() -> None:
    # held since January: by June a witnessed report alone is not enough, with a second outlet it is
    base = [_base("Stepove", "UA", "2024-01-10")]
    r1 = report("h1", "2024-06-10", "Our reporter saw Russian tanks in the centre of Stepove.", "Radio Nord")
    e1 = event(r1, "territory_captured", "Stepove", "RU", claims=[("Radio Nord", "neutral", "witnessed")])
    assert _on(_run([e1], [r1], base), "2024-06-10").reported == "RU"
    short = [_base("Stepove", "UA", "2024-05-20")]
    assert _on(_run([e1], [r1], short), "2024-06-10").controller == "RU"
    r2 = report("h2", "2024-06-11", "Stepove has been captured by Russian forces, the paper says.", "Daily Post")
    e2 = event(r2, "territory_captured", "Stepove", "RU", claims=[(None, None, "asserted")])
    assert _on(_run([e1, e2], [r1, r2], base), "2024-06-11").controller == "RU"


def test_reaffirmed_holder_clears_the_report_and_a_weak_state_changes_easily() -> None:
    base = [_base("Stepove", "UA", "2024-06-01")]
    r1 = report("w1", "2024-06-10", "Russian forces have taken Stepove, the paper says.", "Evening Courier")
    e1 = event(r1, "territory_captured", "Stepove", "RU", claims=[(None, None, "asserted")])
    r2 = report("w2", "2024-06-14", "Our reporter in Stepove saw Ukrainian soldiers at the market.", "Radio Nord")
    e2 = event(r2, "territory_regained", "Stepove", "UA", claims=[("Radio Nord", "neutral", "witnessed")])
    st = _run([e1, e2], [r1, r2], base)
    assert _on(st, "2024-06-10").reported == "RU"
    s = _on(st, "2024-06-14")
    assert s.controller == "UA" and s.reported is None
    # no map and only one party's word: a contrary statement still moves it (in proportion)
    r3 = report("w3", "2024-06-20", "Russia's army said it now holds Lisove.", "Radio Nord")
    e3 = event(r3, "territory_captured", "Lisove", "RU", claims=[("Russia's army", "RU", "claimed")])
    r4 = report("w4", "2024-06-22", "Ukrainian troops took back Lisove, the paper says.", "Evening Courier")
    e4 = event(r4, "territory_regained", "Lisove", "UA", claims=[(None, None, "asserted")])
    assert _on(_run([e3, e4], [r3, r4], []), "2024-06-22").controller == "UA"


def test_why_says_reported_and_what_would_confirm_it() -> None:
    base = [_base("Velykomisto", "UA", "2024-06-01")]
    r1 = report("y1", "2024-06-08", "Velykomisto has fallen to Russian troops, the paper says.", "Evening Courier")
    e1 = event(r1, "territory_captured", "Velykomisto", "RU", claims=[(None, None, "asserted")])
    info = PlaceInfo("g9300003", "Velykomisto", 9300003, 49.0, 33.0)
    assertions = [assertion_of(e1, {"y1": "y1"})]
    assertions += baseline_assertions(base, {info.key: info})[0]
    text = explain_place(info, assertions, {e1.event_id: e1}, {"y1": ("Evening Courier", d("2024-06-08"))},
                         d("2024-06-09"))
    assert text.startswith("Velykomisto (GeoNames 9300003) on 2024-06-09: held by Ukraine (UA) since 2024-06-01")
    assert "REPORTED, NOT CONFIRMED: 1 report(s) since 2024-06-08 say it is now held by Russia (RU)" in text
    assert "worth 1 of the 3 points" in text and "a large place (640,000 people)" in text
    assert "What would confirm it: a Ukrainian-side admission" in text
    assert "REPORTS a change to RU, waiting for confirmation" in text


def test_report_and_map_data_show_reported_places_as_reported(tmp_path) -> None:  # noqa: ANN001
    from frontwatch.model import Extraction
    from frontwatch.report.data import gather_situation
    from frontwatch.report.render import write_report
    from frontwatch.store import open_store

    with open_store(str(tmp_path / "r.db")) as store:
        store.add_baseline([_base("Stepove", "UA", "2024-06-01")])
        r1 = report("p1", "2024-06-10", "Russian forces have taken Stepove, the paper says.", "Evening Courier")
        e1 = event(r1, "territory_captured", "Stepove", "RU", claims=[(None, None, "asserted")])
        store.add_extraction(Extraction(report=r1, events=[e1]))
        data = gather_situation(store, d("2024-06-10"))
        # the baseline's first day is the only change shown: nothing changed hands to Russia
        assert [c["to"] for c in data.changes] == ["UA"]
        assert data.totals["reported"] == 1 and data.totals["UA"] == 1 and data.totals["RU"] == 0
        st = data.states[0]
        assert st["controller"] == "UA" and st["reported"] == "RU" and st["reported_colour"] != st["colour"]
        html, md = write_report(store, d("2024-06-10"), tmp_path / "out")
    md_text = md.read_text(encoding="utf-8")
    assert "### Stepove: held by Ukraine; reported held by Russia, not confirmed" in md_text
    assert "Stepove: UA to" not in md_text
    assert "reported held by Russia, not confirmed" in html.read_text(encoding="utf-8")


def test_baseline_extra_makes_an_imported_map_count_as_held_long(monkeypatch) -> None:  # noqa: ANN001
    from frontwatch.fusion.config import rules

    monkeypatch.setitem(rules()["earn_change"], "baseline_extra", 1)
    base = [_base("Stepove", "UA", "2024-06-01")]
    reps = [report("x1", "2024-06-10", "Russian forces have taken Stepove, the paper says.", "Evening Courier"),
            report("x2", "2024-06-11", "Stepove fell to Russian troops, our correspondent learned.", "Daily Post")]
    evs = [event(r, "territory_captured", "Stepove", "RU", claims=[(None, None, "asserted")]) for r in reps]
    s = _on(_run(evs, reps, base), "2024-06-11")
    assert s.controller == "UA" and s.reported == "RU"  # two sources: 2 of the 3 points a map's state needs
