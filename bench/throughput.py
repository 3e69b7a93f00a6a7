"""Throughput bench: reports per second for bare spaCy, frontwatch with 1 and N workers, Spark.

Usage: python bench/throughput.py CORPUS [--limit N] [--workers 2] [--rounds 2] [--no-spark]
The last two lines are `scaling=<N workers / 1 worker>` and `ratio=<frontwatch 1 worker / bare
spaCy>`; figures go to bench/RESULTS.md. "Bare spaCy" is the model package as published
(`load_model(fast=False)`): frontwatch's own pipeline runs two of its components through faster
loops with the same output (frontwatch/spacy_speed.py), which is part of what the ratio measures.

On a shared two-core machine a run's speed drifts with what else runs, so the three runs are
repeated in `--rounds` rounds, the order reversed every other round (bare, 1, N; then N, 1, bare),
and each figure is the median of the rounds' own ratios: a ratio compares runs that sat next to
each other in time. The table sums the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from frontwatch.ingest import read_reports
from frontwatch.model import Report
from frontwatch.scale.workers import WorkerStats, extract_parallel, peak_rss_bytes

BATCH_SIZE = 16  # frontwatch.pipeline.extract_reports' default: both sides batch alike


@dataclass
class Row:
    name: str
    reports: int
    seconds: float | None
    peak_rss: str
    note: str = ""

    @property
    def rate(self) -> float | None:
        return self.reports / self.seconds if self.seconds else None


def mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} cores"


def bare_spacy(nlp, reports: list[Report]) -> float:  # noqa: ANN001
    """nlp.pipe of the model as published (no frontwatch loop swapped in) over the same bounded
    batches that frontwatch parses (pipeline.batches)."""
    from frontwatch.pipeline import batches

    t = time.perf_counter()
    for batch in batches(reports, BATCH_SIZE):
        for _ in nlp.pipe([r.text for r in batch], batch_size=len(batch)):
            pass
    return time.perf_counter() - t


def frontwatch_one(reports: list[Report], nlp, gazetteer) -> tuple[float, int]:  # noqa: ANN001
    from frontwatch.pipeline import extract_reports

    t = time.perf_counter()
    events = sum(len(x.events) for x in extract_reports(reports, nlp=nlp, gazetteer=gazetteer, batch_size=BATCH_SIZE))
    return time.perf_counter() - t, events


def frontwatch_workers(reports: list[Report], workers: int) -> tuple[float, int, WorkerStats]:
    stats = WorkerStats()
    t = time.perf_counter()  # includes starting the workers and loading their models
    events = sum(len(getattr(x, "events", ())) for x in extract_parallel(reports, workers, stats=stats))
    return time.perf_counter() - t, events, stats


def spark_run(reports: list[Report], master: str) -> tuple[float | None, int, str]:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return None, 0, "skipped: pyspark is not installed (pip install -e '.[spark]')"
    from frontwatch.scale.spark import spark_extract, spark_session

    with tempfile.TemporaryDirectory(prefix="fw-bench-") as tmp:
        src = Path(tmp) / "reports.jsonl"
        with src.open("w", encoding="utf-8") as f:
            for r in reports:
                row = {"id": r.report_id, "date": r.date.isoformat(), "text": r.text,
                       "source": r.source, "url": r.url, "title": r.title}
                f.write(json.dumps(row) + "\n")
        try:
            spark = spark_session(master)
        except Exception as exc:  # no Java, most often
            return None, 0, f"skipped: Spark did not start ({type(exc).__name__}: {str(exc)[:120]})"
        try:
            t = time.perf_counter()  # the JVM is up; this is reading, extracting and writing Parquet
            summary = spark_extract([src], Path(tmp) / "out", master=master, spark=spark)
            return time.perf_counter() - t, summary.events, ""
        finally:
            spark.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="+", help="report files or directories (any input format)")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N reports")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2, help="rounds of the three runs (figures: median of the rounds)")
    ap.add_argument("--no-spark", action="store_true", help="leave out the Spark run")
    args = ap.parse_args(argv)

    reports = [r for r in read_reports(args.corpus) if isinstance(r, Report)]
    if args.limit:
        reports = reports[: args.limit]
    if not reports:
        print("no reports read", file=sys.stderr)
        return 2
    texts = [r.text for r in reports]
    chars = sum(map(len, texts))
    print(f"{len(reports)} reports, {chars / len(reports):.0f} characters each on average", flush=True)
    print(f"before: {load()}", flush=True)

    from frontwatch.gazetteer import get_gazetteer
    from frontwatch.nlp import get_nlp, load_model
    from frontwatch.pipeline import extract_reports

    nlp, gazetteer = get_nlp(), get_gazetteer()
    stock = load_model(fast=False)  # "bare spaCy": the model package as published
    list(extract_reports(reports[:4], nlp=nlp, gazetteer=gazetteer))  # warm both paths up, untimed
    bare_spacy(stock, reports[:4])

    rounds = max(1, args.rounds)
    secs_of: dict[str, list[float]] = {"bare": [], "one": [], "many": []}
    events = events_n = 0
    stats = WorkerStats()
    for k in range(rounds):
        order = ["bare", "one", "many"] if k % 2 == 0 else ["many", "one", "bare"]
        for run in order:
            if run == "bare":
                secs = bare_spacy(stock, reports)
                print(f"  round {k + 1}: bare spaCy: {secs:.1f} s", flush=True)
            elif run == "one":
                secs, events = frontwatch_one(reports, nlp, gazetteer)
                print(f"  round {k + 1}: frontwatch 1 worker: {secs:.1f} s, {events} events", flush=True)
            else:
                secs, events_n, stats = frontwatch_workers(reports, args.workers)
                print(f"  round {k + 1}: frontwatch {args.workers} workers: {secs:.1f} s", flush=True)
                print(f"    {stats.summary()}", flush=True)
            secs_of[run].append(secs)
    n = len(reports) * rounds
    rows: list[Row] = [
        Row("bare spaCy (nlp.pipe)", n, sum(secs_of["bare"]), mib(peak_rss_bytes()),
            "in-process peak: batches of at most 16 reports and 60,000 characters"),
        # This process parsed in (a) and (b): its peak is what one in-process worker needs.
        Row("frontwatch, 1 worker", n, sum(secs_of["one"]), mib(peak_rss_bytes()),
            f"{events} events; peak of this process, (a) included"),
    ]
    per_worker = ", ".join(mib(v) for v in stats.peak_rss.values())
    rows.append(Row(f"frontwatch, {args.workers} workers", n, sum(secs_of["many"]), f"max {mib(stats.max_peak_rss)}",
                    f"{events_n} events; per worker {per_worker} (last round); includes start-up"))
    # each round's own ratios: runs next to each other in time
    scalings = [one / many for one, many in zip(secs_of["one"], secs_of["many"], strict=True)]
    ratios = [bare / one for bare, one in zip(secs_of["bare"], secs_of["one"], strict=True)]
    print("  per round: scaling " + ", ".join(f"{x:.2f}" for x in scalings)
          + "; ratio " + ", ".join(f"{x:.2f}" for x in ratios), flush=True)

    if args.no_spark:
        rows.append(Row("Spark local[2]", len(reports), None, "-", "skipped: --no-spark"))
    else:
        secs_s, events_s, why = spark_run(reports, "local[2]")  # one round: a separate engine, not a ratio
        note = why or f"{events_s} events; JVM start-up not counted, Parquet writing counted"
        rows.append(Row("Spark local[2]", len(reports), secs_s, "n/a (Python workers under the JVM)", note))
        print(f"  Spark local[2]: {why or f'{secs_s:.1f} s'}", flush=True)
    after = load()

    spacy_rate, one_rate = rows[0].rate, rows[1].rate
    print()
    print("| run | reports | seconds | reports/s | / bare spaCy | / 1 worker | peak RSS | notes |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        if r.rate is None:
            print(f"| {r.name} | {r.reports} | - | - | - | - | {r.peak_rss} | {r.note} |")
            continue
        print(f"| {r.name} | {r.reports} | {r.seconds:.1f} | {r.rate:.2f} | {r.rate / spacy_rate:.2f} "
              f"| {r.rate / one_rate:.2f} | {r.peak_rss} | {r.note} |")
    print()
    print(f"before: see above; after: {after}")
    print(f"scaling={statistics.median(scalings):.2f}")
    print(f"ratio={statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
