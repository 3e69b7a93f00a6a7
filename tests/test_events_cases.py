"""The team's own event cases (tests/cases/*.yaml) run through the real pipeline.

Each case is a short report written for frontwatch; see the header of tests/cases/events.yaml.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from frontwatch.eval import claimant_matches
from frontwatch.model import Event, Report

CASES_DIR = Path(__file__).parent / "cases"


def load_cases() -> list[dict]:
    cases: list[dict] = []
    for f in sorted(CASES_DIR.glob("*.yaml")):
        cases.extend(yaml.safe_load(f.read_text(encoding="utf-8")) or [])
    return cases


def _norm(s: str | None) -> str:
    return re.sub(r"[^a-z]", "", (s or "").lower())


def place_is(e: Event, name: str) -> bool:
    if name == "*":
        return True
    want = _norm(name)
    return want in {_norm(e.location.name), _norm(e.location.mention)}


def _date(v) -> dt.date | None:  # noqa: ANN001
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


def mismatches(exp: dict, e: Event) -> list[str]:
    """What an extracted event gets wrong against one expected event (empty: it matches)."""
    bad: list[str] = []
    if "event_date" in exp and e.event_date != _date(exp["event_date"]):
        bad.append(f"event_date {e.event_date} != {exp['event_date']}")
    if "within" in exp:
        lo, hi = (_date(x) for x in exp["within"])
        e_lo, e_hi = e.event_date or e.date_earliest, e.event_date or e.date_latest
        if e_lo is None or e_hi is None or e_lo < lo or e_hi > hi:
            bad.append(f"dates {e_lo}..{e_hi} not within {lo}..{hi}")
    if "historical" in exp and e.historical != exp["historical"]:
        bad.append(f"historical {e.historical}")
    if "fatalities" in exp and e.fatalities != exp["fatalities"]:
        bad.append(f"fatalities {e.fatalities} != {exp['fatalities']}")
    if "actor1_side" in exp and e.actor1_side != exp["actor1_side"]:
        bad.append(f"actor1_side {e.actor1_side}")
    if "precision" in exp and e.location.geo_precision != exp["precision"]:
        bad.append(f"geo_precision {e.location.geo_precision} != {exp['precision']}")
    if "rule" in exp and e.rule != exp["rule"]:
        bad.append(f"rule {e.rule} != {exp['rule']}")
    if "actor1" in exp and e.actor1 != exp["actor1"]:
        bad.append(f"actor1 {e.actor1}")
    if "control" in exp:
        c = e.control
        want = exp["control"]
        if c is None or c.to != want.get("to", c.to) or c.extent != want.get("extent", c.extent):
            bad.append(f"control {c.model_dump(by_alias=True) if c else None}")
    if any(k in exp for k in ("claimant", "stance", "via")):
        def ok(claim) -> bool:  # noqa: ANN001
            if "claimant" in exp and not claimant_matches(exp["claimant"], claim.claimant):
                return False
            if "stance" in exp and claim.stance != exp["stance"]:
                return False
            if exp.get("via") == []:  # "via: []": the claim must come first-hand
                return not claim.via
            return all(any(claimant_matches(v, got) for got in claim.via) for v in exp.get("via", []))
        if not any(ok(c) for c in e.claims):
            bad.append("claims " + "; ".join(f"{c.claimant}/{c.stance}/via={c.via}" for c in e.claims))
    return bad


def check_case(case: dict, events: list[Event]) -> list[str]:
    """Problems of one case's extraction; an empty list means it passes."""
    problems: list[str] = []
    used: set[int] = set()
    for exp in case.get("events") or []:
        cands = [(i, e) for i, e in enumerate(events) if e.kind == exp["kind"] and place_is(e, exp["place"])]
        if not cands:
            got = ", ".join(f"{e.kind}@{e.location.name}" for e in events) or "nothing"
            problems.append(f"missing {exp['kind']} at {exp['place']} (got {got})")
            continue
        scored = sorted(((mismatches(exp, e), i) for i, e in cands), key=lambda x: len(x[0]))
        bad, i = scored[0]
        used.add(i)
        problems.extend(f"{exp['kind']} at {exp['place']}: {b}" for b in bad)
    for rule in case.get("absent") or []:
        for e in events:
            if (rule["kind"] in ("*", e.kind)) and place_is(e, rule["place"]) and (
                "historical" not in rule or e.historical == rule["historical"]
            ) and (not rule.get("moves_control") or e.control is not None):
                problems.append(f"unexpected {e.kind} at {e.location.name} (historical={e.historical})")
    if case.get("only"):
        problems.extend(f"extra {e.kind} at {e.location.name}" for i, e in enumerate(events) if i not in used)
    if "merged" in case:
        m = case["merged"]
        n = sum(1 for e in events if e.kind == m["kind"] and place_is(e, m["place"]))
        if n != m["count"]:
            problems.append(f"{n} events {m['kind']} at {m['place']}, expected {m['count']} after merging")
    return problems


def case_report(case: dict) -> Report:
    date = _date(case["date"])
    return Report(report_id=f"case-{case['id']}", date=date, text=case["text"], content_hash=f"case-{case['id']}",
                  source=case.get("source"))


def run_cases(extract: Callable[[Report], list[Event]]) -> dict[str, list[str]]:
    """Every case's problems, by id (used by this test and by dev scripts with other place finders)."""
    return {c["id"]: check_case(c, extract(case_report(c))) for c in load_cases()}


CASES = load_cases()


def _pipeline() -> Callable[[Report], list[Event]]:
    if importlib.util.find_spec("frontwatch.extract.places") is None:
        pytest.skip("frontwatch.extract.places (the places helper's find_places) is not in the repo yet")
    from frontwatch.pipeline import extract_report

    return lambda report: extract_report(report).events


def test_case_set_is_big_enough() -> None:
    from frontwatch.model import KINDS

    assert len(CASES) >= 40
    kinds = [e["kind"] for c in CASES for e in c.get("events") or []]
    stances = [e["stance"] for c in CASES for e in c.get("events") or [] if "stance" in e]
    for kind in KINDS:
        assert kinds.count(kind) >= 2, kind
    for stance in ("asserted", "claimed", "witnessed", "hedged", "denied"):
        assert stances.count(stance) >= 2, stance


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_event_case(case: dict) -> None:
    extract = _pipeline()
    problems = check_case(case, extract(case_report(case)))
    assert not problems, f"{case['text']}\n  " + "\n  ".join(problems)
