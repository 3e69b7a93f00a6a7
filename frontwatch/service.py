"""Ingest orchestration: read -> skip known -> extract -> store, one report per transaction.

Used by the CLI, the web API and `make demo`; it owns no extraction or SQL of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from frontwatch.model import Extraction, Rejection, Report
from frontwatch.store.base import Store

DEFAULT_MAX_BYTES = 5_000_000


@dataclass
class IngestSummary:
    read: int = 0
    new: int = 0
    duplicate: int = 0
    rejected: int = 0
    events: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("read", "new", "duplicate", "rejected", "events")}


def _extractions(reports: list[Report], workers: int) -> Iterator[Extraction | Rejection]:
    """Extractions in input order; a report whose extraction raises becomes a rejection."""
    if workers > 1 and len(reports) > 1:
        from frontwatch.scale.workers import extract_parallel

        yield from extract_parallel(reports, workers)
        return
    from frontwatch.pipeline import batches
    from frontwatch.scale.workers import DEFAULT_CHUNK_SIZE, extract_batch

    # The same bounded batches as the worker pool; one bad report must not stop the batch.
    for batch in batches(reports, DEFAULT_CHUNK_SIZE):
        yield from extract_batch(batch)


def ingest_reports(
    items: Iterable[Report | Rejection],
    store: Store,
    workers: int = 1,
    on_progress: Callable[[int, int], None] | None = None,
    on_rejection: Callable[[Rejection], None] | None = None,
) -> IngestSummary:
    """Store what is new among `items`; `on_progress(done, total)` is called as reports finish."""
    summary = IngestSummary()
    fresh: list[Report] = []
    seen_hashes: set[str] = set()
    for item in items:
        if isinstance(item, Rejection):
            summary.rejected += 1
            summary.rejections.append(item)
            if on_rejection:
                on_rejection(item)
            continue
        summary.read += 1
        # Skip duplicates before extraction: a re-run costs a read, not a parse.
        if item.content_hash in seen_hashes or store.has_report(report_id=item.report_id, content_hash=item.content_hash):
            summary.duplicate += 1
            continue
        seen_hashes.add(item.content_hash)
        fresh.append(item)
    total = len(fresh)
    if on_progress:
        on_progress(0, total)
    for done, ex in enumerate(_extractions(fresh, workers), start=1):
        if isinstance(ex, Rejection):
            summary.rejected += 1
            summary.rejections.append(ex)
            if on_rejection:
                on_rejection(ex)
        elif store.add_extraction(ex) == "new":
            summary.new += 1
            summary.events += len(ex.events)
        else:
            summary.duplicate += 1
        if on_progress:
            on_progress(done, total)
    if summary.new:
        # Keep the control timeline current: only the places the new reports touch are recomputed,
        # so `control --on` reads a warm cache instead of rebuilding from every stored event.
        from frontwatch.fusion import refresh

        refresh(store)
    return summary


def ingest_paths(
    paths: Iterable[str | Path],
    store: Store,
    workers: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_progress: Callable[[int, int], None] | None = None,
    on_rejection: Callable[[Rejection], None] | None = None,
) -> IngestSummary:
    from frontwatch.ingest import read_reports

    return ingest_reports(read_reports(paths, max_bytes=max_bytes), store, workers, on_progress, on_rejection)
