"""Worker processes for `ingest --workers N`: the model loaded once per worker, results in input order.

The parent keeps the only store connection (one writer); workers only parse and extract.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from frontwatch.model import Extraction, Rejection, Report
from frontwatch.pipeline import batches

# Reports per task: large enough for nlp.pipe to batch, small enough that the pipe back to the
# parent stays short and the last chunk does not leave one worker idle for long.
DEFAULT_CHUNK_SIZE = 8
# Chunks in flight per worker: keeps every worker busy while bounding how much of a large
# corpus sits in memory (Pool.imap would read the whole input up front).
IN_FLIGHT_PER_WORKER = 3

# Per worker process: the model and gazetteer, loaded once by `_init_worker`.
_PARTS: dict[str, Any] = {}


@dataclass
class WorkerStats:
    """What the pool measured: peak resident memory (bytes) of each worker process, by pid."""

    peak_rss: dict[int, int] = field(default_factory=dict)
    reports: int = 0

    @property
    def max_peak_rss(self) -> int:
        return max(self.peak_rss.values(), default=0)


def peak_rss_bytes() -> int:
    """This process's peak resident set size (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _load_parts() -> tuple[Any, Any]:
    if not _PARTS:
        from frontwatch.gazetteer import get_gazetteer
        from frontwatch.nlp import get_nlp

        _PARTS["nlp"] = get_nlp()
        _PARTS["gazetteer"] = get_gazetteer()
    return _PARTS["nlp"], _PARTS["gazetteer"]


def _init_worker() -> None:
    _load_parts()


def _failed(report: Report, exc: BaseException) -> Rejection:
    return Rejection(
        origin=report.origin or report.report_id, reason=f"extraction failed: {type(exc).__name__}: {exc}"
    )


def extract_batch(reports: list[Report], nlp: Any = None, gazetteer: Any = None) -> list[Extraction | Rejection]:
    """`pipeline.extract_reports` over one batch; if it raises, each report again on its own so
    that one bad report becomes a Rejection and the rest of the batch still comes out."""
    from frontwatch.pipeline import extract_report, extract_reports

    if nlp is None or gazetteer is None:
        nlp, gazetteer = _load_parts()
    try:
        return list(extract_reports(reports, nlp=nlp, gazetteer=gazetteer))
    except Exception:
        out: list[Extraction | Rejection] = []
        for r in reports:
            try:
                out.append(extract_report(r, nlp=nlp, gazetteer=gazetteer))
            except Exception as exc:
                out.append(_failed(r, exc))
        return out


def _work(chunk: list[Report]) -> tuple[int, int, list[Extraction | Rejection]]:
    results = extract_batch(chunk)
    return os.getpid(), peak_rss_bytes(), results


def _context() -> mp.context.BaseContext:
    # forkserver: workers start from a clean interpreter (no inherited store connection, threads
    # or half-loaded model) but faster than spawn; spawn where forkserver does not exist.
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    return mp.get_context(method)


def extract_parallel(
    reports: Iterable[Report],
    workers: int,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    stats: WorkerStats | None = None,
) -> Iterator[Extraction | Rejection]:
    """Extractions of `reports` in input order, computed by `workers` processes.

    The same as `pipeline.extract_reports` report for report, except that a report whose
    extraction raises comes out as a Rejection instead of stopping the run. With workers <= 1
    it runs in this process. `stats`, if given, receives each worker's peak memory.
    """
    stats = stats if stats is not None else WorkerStats()
    if workers <= 1:
        nlp, gazetteer = _load_parts()
        for chunk in batches(reports, chunk_size):
            yield from extract_batch(chunk, nlp, gazetteer)
            stats.reports += len(chunk)
        stats.peak_rss[os.getpid()] = peak_rss_bytes()
        return

    # ProcessPoolExecutor rather than multiprocessing.Pool: a worker killed by the OOM killer
    # raises BrokenProcessPool here instead of leaving the parent waiting forever.
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_init_worker) as pool:
        pending: deque[Future] = deque()
        chunks = batches(reports, chunk_size)
        limit = workers * IN_FLIGHT_PER_WORKER

        def fill() -> None:
            while len(pending) < limit:
                chunk = next(chunks, None)
                if chunk is None:
                    return
                pending.append(pool.submit(_work, chunk))

        try:
            fill()
            while pending:
                pid, rss, results = pending.popleft().result()
                fill()  # hand out the next chunk before the caller spends time storing these
                stats.peak_rss[pid] = max(rss, stats.peak_rss.get(pid, 0))
                stats.reports += len(results)
                yield from results
        finally:
            # The caller may stop early (an error while storing, Ctrl-C): drop queued work.
            for fut in pending:
                fut.cancel()
