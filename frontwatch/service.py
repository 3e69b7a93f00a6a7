"""Ingest orchestration: read -> skip known -> extract -> store, one report per transaction.

Used by the CLI, the web API and `make demo`; it owns no extraction or SQL of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from frontwatch.model import Extraction, Rejection, Report
from frontwatch.store.base import BaselineImport, BaselineRow, Store

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


def _extractions(reports: list[Report], workers: int, store: Store) -> Iterator[Extraction | Rejection]:
    """Extractions in input order; a report whose extraction raises becomes a rejection. Places are
    read against the gazetteer plus the store's own baseline settlements it lacks."""
    if not reports:
        return
    from frontwatch.gazetteer.augment import store_gazetteer

    gazetteer, extra = store_gazetteer(store)
    if workers > 1 and len(reports) > 1:
        from frontwatch.scale.workers import extract_parallel

        yield from extract_parallel(reports, workers, extra_places=extra)
        return
    from frontwatch.pipeline import batches
    from frontwatch.scale.workers import DEFAULT_CHUNK_SIZE, _load_parts, extract_batch

    nlp, _ = _load_parts()
    # The same bounded batches as the worker pool; one bad report must not stop the batch.
    for batch in batches(reports, DEFAULT_CHUNK_SIZE):
        yield from extract_batch(batch, nlp, gazetteer)


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
    for done, ex in enumerate(_extractions(fresh, workers, store), start=1):
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


@dataclass
class Reread:
    """What importing a baseline did to the reports already stored: how many of the baseline's
    settlements the gazetteer lacks (read as places from now on), how many of those are new with
    this import, and the stored reports naming a new one that were read again (with their events)."""

    settlements: int = 0
    new: int = 0
    reports: int = 0
    events: int = 0


def import_baseline(store: Store, rows: Iterable[BaselineRow]) -> tuple[BaselineImport, Reread]:
    """Store baseline rows (`Store.import_baseline`: what was stored, merged and skipped), then read
    again the stored reports that name a settlement of theirs the gazetteer lacks
    (`reread_for_baseline`)."""
    from frontwatch.gazetteer.augment import store_gazetteer

    _, before = store_gazetteer(store)
    summary = store.import_baseline(rows)
    return summary, reread_for_baseline(store, before)


def reread_for_baseline(store: Store, before: tuple = (), on_progress: Callable[[int, int], None] | None = None,
                        ) -> Reread:
    """After a baseline import: read again the stored reports that name one of its settlements the
    gazetteer lacks and that `before` (the store's own settlements before the import) did not hold,
    so a village a report named before its baseline row existed still gets that report's evidence.
    A report names a settlement when its text has the name as written, or when one of its stored
    place mentions is a spelling of it (a Russian-style one included)."""
    import re

    from frontwatch.gazetteer.augment import store_gazetteer
    from frontwatch.gazetteer.names import fold

    gazetteer, extra = store_gazetteer(store)
    had = set(before)
    fresh = {i for i, p in enumerate(extra) if p not in had}
    out = Reread(settlements=len(extra), new=len(fresh))
    if not fresh or not store.counts()["reports"]:
        return out
    start = gazetteer.overlay_start or 0
    wanted = {start + i for i in fresh}
    names = sorted({n for i in fresh for n in (extra[i].name, *extra[i].alternates)}, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
    ids: set[str] = set()
    seen: dict[str, bool] = {}
    for rid, m in store.place_mentions():
        key = fold(m.mention)
        hit = seen.get(key)
        if hit is None:
            hit = seen[key] = any(x.place.index in wanted
                                  for x in [*gazetteer.lookup_key(key), *gazetteer.respelled(m.mention)])
        if hit:
            ids.add(rid)
    reports = [r for r in store.iter_reports() if r.report_id in ids or pattern.search(r.text)]
    if not reports:
        return out
    from frontwatch.pipeline import batches
    from frontwatch.scale.workers import DEFAULT_CHUNK_SIZE, _load_parts, extract_batch

    nlp, _ = _load_parts()
    done = 0
    if on_progress:
        on_progress(0, len(reports))
    for batch in batches(reports, DEFAULT_CHUNK_SIZE):
        for ex in extract_batch(batch, nlp, gazetteer):
            done += 1
            if isinstance(ex, Extraction) and store.replace_extraction(ex):
                out.reports += 1
                out.events += len(ex.events)
            if on_progress:
                on_progress(done, len(reports))
    from frontwatch.fusion import NS_META, refresh

    if out.reports:
        # Events changed under stored reports, not new ones: the control cache is rebuilt whole.
        store.delete_derived(NS_META, ["fingerprint"])
    refresh(store)
    return out
