"""Control through the real pipeline: short dated reports written here, and the dev gold samples."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest

from frontwatch.fusion import control_on, explain
from frontwatch.store import open_store

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _ingest(store, items: list[tuple[str, str, str]]) -> list:  # noqa: ANN001
    from frontwatch.ingest import make_report
    from frontwatch.pipeline import extract_report

    out = []
    for day, text, source in items:
        ex = extract_report(make_report(text, dt.date.fromisoformat(day), source=source))
        store.add_extraction(ex)
        out.extend(ex.events)
    return out


def _state(store, day: str, place: str):  # noqa: ANN001, ANN202
    found = control_on(store, dt.date.fromisoformat(day), place=place)
    return found[0] if found else None


def test_entered_then_admission_then_history_through_the_pipeline(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "p.db")) as store:
        events = _ingest(store, [
            ("2023-05-02", "Ukraine's military said on Tuesday that its troops had entered Vovchansk, but fighting "
                           "continued in the town centre.", "Ukrinform"),
        ])
        assert any(e.kind == "entered" for e in events), "the extractor should see troops entering"
        assert _state(store, "2023-05-02", "Vovchansk").controller == "contested"
        _ingest(store, [("2023-05-06", "Russia's defence ministry said its troops had withdrawn from Vovchansk to "
                                       "more advantageous positions.", "TASS")])
        s = _state(store, "2023-05-06", "Vovchansk")
        assert s.controller == "UA" and s.confidence >= 0.8  # the losing side's admission is strong
        _ingest(store, [("2023-05-20", "Vovchansk, which Russian forces captured in March 2022, was quiet on "
                                       "Saturday, residents said.", "BBC")])
        assert _state(store, "2023-05-21", "Vovchansk").controller == "UA"  # history does not move today's map
        text = explain(store, "Vovchansk", dt.date(2023, 5, 21))
        assert "Russia's defence ministry (Russian side) claimed" in text and "admission" in text
        assert "historical background" in text


def test_claim_then_denial_through_the_pipeline(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "p.db")) as store:
        _ingest(store, [
            ("2023-05-06", "Ukraine's military said on Saturday that its forces had recaptured Vovchansk.",
             "Ukrinform"),
            ("2023-05-07", "Russia's defence ministry denied that Ukrainian troops had recaptured Vovchansk.", "RIA"),
        ])
        assert _state(store, "2023-05-06", "Vovchansk").controller == "UA"
        s = _state(store, "2023-05-07", "Vovchansk")
        assert s.controller == "contested" and s.disputed_by


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742 * math.asin(math.sqrt(a))


def _same(row: dict, s) -> bool:  # noqa: ANN001
    if row.get("geonames_id") is not None and s.geonames_id == row["geonames_id"]:
        return True
    if row.get("latitude") is not None and s.latitude is not None:
        return _km(row["latitude"], row["longitude"], s.latitude, s.longitude) <= row.get("near_km", 10)
    return s.latitude is None and s.place.casefold() == row["place"].casefold()


def test_dev_gold_control_rows(tmp_path: Path) -> None:
    gold_dir = SHARED / "gold" / "dev"
    if not gold_dir.is_dir():
        pytest.skip("../shared/gold/dev is absent")
    from frontwatch.ingest import read_reports
    from frontwatch.model import Report
    from frontwatch.pipeline import extract_report

    golds = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold_dir.glob("*.gold.json"))]
    with open_store(str(tmp_path / "gold.db")) as store:
        for r in read_reports([SHARED / "samples"]):
            if isinstance(r, Report):
                store.add_extraction(extract_report(r))
        wrong = []
        for g in golds:
            for row in g["control"]:
                if row.get("optional"):
                    continue
                states = [s for s in control_on(store, dt.date.fromisoformat(row["on"])) if _same(row, s)]
                got = states[0].controller if states else None
                if got != row["controller"]:
                    wrong.append(f"{row['place']} on {row['on']}: expected {row['controller']}, got {got}")
        assert not wrong, wrong
        text = explain(store, "Izium", dt.date(2022, 9, 11))
        assert "Andriy Yermak" in text and "Ukrainian troops have recaptured Izium" in text


def test_ingest_leaves_the_control_cache_current(tmp_path: Path) -> None:
    """After `ingest`, `control --on` reads the cache: nothing is left to recompute."""
    from frontwatch.fusion import NS_META, refresh
    from frontwatch.ingest import make_report
    from frontwatch.service import ingest_reports

    reports = [make_report("Ukrainian forces recaptured Kupiansk, the governor said.", dt.date(2022, 9, 10),
                           source="Ukrinform")]
    with open_store(str(tmp_path / "c.db")) as store:
        summary = ingest_reports(reports, store)
        assert summary.new == 1 and summary.events >= 1
        assert store.get_derived(NS_META)["revision"] == str(store.revision())
        assert refresh(store) == {"rebuilt": 0, "updated": 0}
        assert [s.controller for s in control_on(store, dt.date(2022, 9, 11), place="Kupiansk")] == ["UA"]
