"""Worker processes for `ingest --workers N`: the model loaded once per worker, results in input order.

The parent keeps the only store connection (one writer); workers only parse and extract.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
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
# Chunks done or in flight that may wait behind a slow older one (input order), per worker.
MAX_AHEAD_PER_WORKER = 12
# The last chunks (per worker) are split small so that the workers finish together.
TAIL_CHUNKS_PER_WORKER = 2

# Per worker process: the model and gazetteer, loaded once by `_init_worker`.
_PARTS: dict[str, Any] = {}


@dataclass
class WorkerStats:
    """What the pool measured: peak resident memory (bytes) of each worker process, by pid; and
    where the time went (wall clock, from the pool's start): when each worker began its first
    chunk (start-up), finished its last one (the tail), and how long it spent extracting."""

    peak_rss: dict[int, int] = field(default_factory=dict)
    reports: int = 0
    first_start: dict[int, float] = field(default_factory=dict)
    last_end: dict[int, float] = field(default_factory=dict)
    busy: dict[int, float] = field(default_factory=dict)
    cpu: dict[int, float] = field(default_factory=dict)  # CPU seconds of each worker's chunks
    wall: float = 0.0
    start_method: str = ""

    def record(self, pid: int, rss: int, began: float, ended: float, t0: float, cpu: float = 0.0) -> None:
        self.cpu[pid] = self.cpu.get(pid, 0.0) + cpu
        self.peak_rss[pid] = max(rss, self.peak_rss.get(pid, 0))
        self.first_start[pid] = min(began - t0, self.first_start.get(pid, float("inf")))
        self.last_end[pid] = max(ended - t0, self.last_end.get(pid, 0.0))
        self.busy[pid] = self.busy.get(pid, 0.0) + (ended - began)

    def summary(self) -> str:
        """One line: start-up, busy share, tail, and what a perfect split would have taken."""
        if not self.busy:
            return "no worker statistics"
        n = len(self.busy)
        perfect = sum(self.busy.values()) / n
        return (f"{n} workers ({self.start_method}): first chunk began after "
                f"{', '.join(f'{v:.1f}' for v in sorted(self.first_start.values()))} s; busy "
                f"{', '.join(f'{v:.1f}' for v in sorted(self.busy.values()))} s of {self.wall:.1f} s wall "
                f"(CPU {', '.join(f'{v:.1f}' for v in sorted(self.cpu.values()))} s); "
                f"last chunks ended {', '.join(f'{v:.1f}' for v in sorted(self.last_end.values()))} s; "
                f"a perfect split of the busy time: {perfect:.1f} s")

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


def _init_worker(extra_places: tuple = ()) -> None:
    """Load the model and the gazetteer; with `extra_places` (a store's own settlements,
    gazetteer/augment.py) this worker reads reports against the gazetteer plus those."""
    nlp, gazetteer = _load_parts()
    if extra_places:
        from frontwatch.gazetteer.augment import with_places

        _PARTS["gazetteer"] = with_places(gazetteer, extra_places)


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


def _work(chunk: list[Report]) -> tuple[int, int, float, float, float, list[Extraction | Rejection]]:
    began, cpu = time.time(), time.process_time()
    results = extract_batch(chunk)
    return os.getpid(), peak_rss_bytes(), began, time.time(), time.process_time() - cpu, results


def _context() -> mp.context.BaseContext:
    # A parent that already holds the loaded model and runs no other thread forks its workers:
    # they start at once, sharing the model's memory copy-on-write, instead of each loading it.
    # Otherwise forkserver: workers start from a clean interpreter (no inherited store
    # connection, threads or half-loaded model) but faster than spawn; spawn where neither exists.
    methods = mp.get_all_start_methods()
    if "fork" in methods and _model_loaded() and threading.active_count() == 1:
        return mp.get_context("fork")
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


def _model_loaded() -> bool:
    from frontwatch.gazetteer import get_gazetteer
    from frontwatch.nlp import get_nlp

    return get_nlp.cache_info().currsize > 0 and get_gazetteer.cache_info().currsize > 0


def _balanced(chunks: Iterable[list[Report]], workers: int) -> Iterator[list[Report]]:
    """The chunks in order, the last few split into pairs of reports: the run then ends with every
    worker finishing at about the same time instead of one parsing a whole chunk alone."""
    window: deque[list[Report]] = deque()
    for chunk in chunks:
        window.append(chunk)
        if len(window) > TAIL_CHUNKS_PER_WORKER * workers:
            yield window.popleft()
    for chunk in window:
        for i in range(0, len(chunk), 2):
            yield chunk[i:i + 2]


def extract_parallel(
    reports: Iterable[Report],
    workers: int,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    stats: WorkerStats | None = None,
    extra_places: tuple = (),
) -> Iterator[Extraction | Rejection]:
    """Extractions of `reports` in input order, computed by `workers` processes.

    The same as `pipeline.extract_reports` report for report, except that a report whose
    extraction raises comes out as a Rejection instead of stopping the run. With workers <= 1
    it runs in this process. `stats`, if given, receives each worker's peak memory. `extra_places`
    are settlements to read places against besides the gazetteer's (a store's baseline villages).
    """
    stats = stats if stats is not None else WorkerStats()
    if workers <= 1:
        nlp, gazetteer = _load_parts()
        if extra_places:
            from frontwatch.gazetteer.augment import with_places

            gazetteer = with_places(gazetteer, extra_places)
        for chunk in batches(reports, chunk_size):
            yield from extract_batch(chunk, nlp, gazetteer)
            stats.reports += len(chunk)
        stats.peak_rss[os.getpid()] = peak_rss_bytes()
        return

    # ProcessPoolExecutor rather than multiprocessing.Pool: a worker killed by the OOM killer
    # raises BrokenProcessPool here instead of leaving the parent waiting forever.
    t0 = time.time()
    ctx = _context()
    stats.start_method = ctx.get_start_method()
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(tuple(extra_places),)) as pool:
        pending: deque[Future] = deque()  # in input order: done ones wait here for their turn
        chunks = _balanced(batches(reports, chunk_size), workers)
        running = workers * IN_FLIGHT_PER_WORKER
        ahead = max(running, workers * MAX_AHEAD_PER_WORKER)

        def fill() -> None:
            # Keep every worker fed whatever the oldest chunk is doing (a long article must not
            # leave the others idle), while bounding the results held back for the input order.
            unfinished = sum(1 for f in pending if not f.done())
            while unfinished < running and len(pending) < ahead:
                chunk = next(chunks, None)
                if chunk is None:
                    return
                pending.append(pool.submit(_work, chunk))
                unfinished += 1

        try:
            fill()
            while pending:
                if not pending[0].done():
                    wait([f for f in pending if not f.done()], return_when=FIRST_COMPLETED)
                    fill()
                    continue
                pid, rss, began, ended, cpu, results = pending.popleft().result()
                fill()  # hand out the next chunk before the caller spends time storing these
                stats.record(pid, rss, began, ended, t0, cpu)
                stats.reports += len(results)
                yield from results
        finally:
            # The caller may stop early (an error while storing, Ctrl-C): drop queued work.
            for fut in pending:
                fut.cancel()
            stats.wall = time.time() - t0
