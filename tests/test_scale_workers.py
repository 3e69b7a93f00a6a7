"""Worker pool (`ingest --workers N`): the same extractions as one process, in input order.

Real spaCy and gazetteer in real worker processes; the bundled samples keep it short.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from frontwatch.ingest import make_report, read_reports
from frontwatch.model import Extraction, Rejection, Report
from frontwatch.pipeline import extract_reports
from frontwatch.scale.workers import WorkerStats, extract_parallel

SAMPLES = Path(__file__).resolve().parents[1] / "frontwatch" / "data" / "samples"


def sample_reports() -> list[Report]:
    reports = [r for r in read_reports([SAMPLES]) if isinstance(r, Report)]
    assert len(reports) >= 5, "the bundled samples should hold several reports"
    return reports


def dumped(items: list[Extraction | Rejection]) -> list[str]:
    return [x.model_dump_json(by_alias=True) for x in items]


def test_two_workers_give_the_single_process_extractions_in_order_and_a_bad_report_is_rejected() -> None:
    good = sample_reports()
    # Longer than the parser accepts (nlp.max_length): a real failure inside a worker.
    too_long = make_report("Shelling reported. " * 110_000, "2022-09-10", id="too-long", origin="big.txt:1")
    reports = [*good[:3], too_long, *good[3:]]
    expected = list(extract_reports(good))
    assert sum(len(x.events) for x in expected) > 0, "the samples should yield events"

    stats = WorkerStats()
    got = list(extract_parallel(reports, workers=2, chunk_size=2, stats=stats))

    assert len(got) == len(reports)
    bad = got[3]
    assert isinstance(bad, Rejection)
    assert bad.origin == "big.txt:1" and "extraction failed" in bad.reason
    rest = [x for i, x in enumerate(got) if i != 3]
    assert [x.report.report_id for x in rest] == [r.report_id for r in good]  # input order
    assert dumped(rest) == dumped(expected)  # same places, same event ids, same JSON
    assert [e.event_id for x in rest for e in x.events] == [e.event_id for x in expected for e in x.events]

    assert len(stats.peak_rss) == 2  # both workers worked, each measured
    assert stats.reports == len(reports)
    assert all(rss > 50_000_000 for rss in stats.peak_rss.values())  # a loaded model, in bytes


def test_one_worker_runs_in_process_with_the_same_result() -> None:
    good = sample_reports()[:4]
    assert dumped(list(extract_parallel(good, workers=1))) == dumped(list(extract_reports(good)))


def test_stopping_early_ends_the_workers() -> None:
    good = sample_reports()
    reports = [r.model_copy(update={"report_id": f"{r.report_id}-{i}"}) for i in range(4) for r in good]
    stats = WorkerStats()
    gen = extract_parallel(reports, workers=2, chunk_size=1, stats=stats)
    first = next(gen)
    assert isinstance(first, Extraction) and first.report.report_id == reports[0].report_id
    gen.close()  # e.g. the store failed: the pool must not keep parsing the rest
    assert stats.reports < len(reports)
    deadline = time.monotonic() + 30
    alive = list(stats.peak_rss)
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if _running(pid)]
        time.sleep(0.2)
    assert not alive, f"worker processes still running: {alive}"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; it only waits for its parent (the forkserver) to reap it.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_chunks_keep_order_and_bound_the_text_parsed_at_once() -> None:
    from frontwatch.pipeline import batches

    sizes = [10, 40_000, 10, 10, 5, 20_000, 20_000, 90_000]
    reports = [make_report("w " * n, "2022-09-10", id=str(i)) for i, n in enumerate(sizes)]
    chunks = list(batches(reports, 3, max_chars=60_000))
    assert [r.report_id for c in chunks for r in c] == [str(i) for i in range(len(sizes))]
    for c in chunks:
        assert len(c) <= 3
        assert len(c) == 1 or sum(len(r.text) for r in c) <= 60_000  # a long article travels alone


def test_one_process_ingest_rejects_the_report_that_fails_and_stores_the_rest(tmp_path: Path) -> None:
    from frontwatch.service import ingest_reports
    from frontwatch.store import open_store

    good = sample_reports()[:3]
    too_long = make_report("Shelling reported. " * 110_000, "2022-09-10", id="too-long", origin="big.txt:1")
    with open_store(str(tmp_path / "one.db")) as store:
        summary = ingest_reports([good[0], too_long, *good[1:]], store, workers=1)
        assert (summary.new, summary.rejected) == (3, 1)
        assert summary.rejections[0].origin == "big.txt:1" and "extraction failed" in summary.rejections[0].reason
        assert all(store.has_report(report_id=r.report_id, content_hash=r.content_hash) for r in good)


def test_the_last_chunks_are_split_small_and_order_is_kept() -> None:
    from frontwatch.scale.workers import _balanced

    reports = [make_report(f"Report number {i}.", "2022-09-10", id=f"r{i}") for i in range(50)]
    chunks = [reports[i:i + 8] for i in range(0, 50, 8)]
    out = list(_balanced(iter(chunks), workers=2))
    assert [r.report_id for c in out for r in c] == [r.report_id for r in reports]
    assert out[:3] == chunks[:3] and all(len(c) <= 2 for c in out[3:]) and len(out) == 3 + 4 + 4 + 4 + 1
    assert list(_balanced(iter([]), workers=2)) == []
