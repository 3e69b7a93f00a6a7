"""Dev gold (../shared/gold/dev) scored by frontwatch.eval through the real pipeline: issue 4's bar."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

GOLD = Path(__file__).resolve().parents[2] / "shared" / "gold" / "dev"


def test_dev_gold_events_dates_claims() -> None:
    if not GOLD.is_dir():
        pytest.skip("../shared/gold/dev is absent")
    for module in ("frontwatch.extract.places", "frontwatch.ingest"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not in the repo yet")
    from frontwatch.eval import evaluate

    result = evaluate(GOLD)
    summary = result.summary()
    problems = [p for r in result.reports for p in r.problems]
    assert summary["forbidden_hits"] == 0, problems
    assert summary["event_f1"] >= 0.85, problems
    assert (summary["date_accuracy"] or 0) >= 0.9, problems
    assert (summary["claim_accuracy"] or 0) >= 0.8, problems
