"""Spark runner for corpora that outgrow one machine: the same extraction in `mapPartitions`.

Writes Parquet (one row per report, one row per event) and can load the results into a store.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from frontwatch.export.common import flat_row
from frontwatch.export.parquet import SCHEMA as EVENT_SCHEMA
from frontwatch.model import Event, Extraction, Rejection, Report
from frontwatch.scale.workers import DEFAULT_CHUNK_SIZE

ReadOn = Literal["auto", "driver", "executors"]

# The events Parquet is frontwatch.export's (`export --format parquet` writes the same columns):
# flat columns for querying without JSON functions, plus the whole Event (contract §2) as JSON.
# Here as (name, Spark SQL type) pairs, derived from its pyarrow schema.
_SPARK_TYPES = {"date32[day]": "date", "int32": "int", "int64": "bigint", "bool": "boolean",
                "double": "double", "string": "string", "list<item: string>": "array<string>"}
EVENT_COLUMNS: list[tuple[str, str]] = [(f.name, _SPARK_TYPES[str(f.type)]) for f in EVENT_SCHEMA]

# One row per input report (extracted or rejected): what the load step and re-runs read back,
# so that loading into a database never parses a report twice.
EXTRACTION_COLUMNS: list[tuple[str, str]] = [
    ("report_id", "string"),
    ("report_date", "date"),
    ("content_hash", "string"),
    ("origin", "string"),
    ("status", "string"),  # "extracted" or "rejected"
    ("reason", "string"),  # why it was rejected
    ("n_places", "int"),
    ("n_events", "int"),
    ("extraction_json", "string"),
]


@dataclass
class SparkSummary:
    reports: int = 0
    rejected: int = 0
    events: int = 0
    loaded_new: int = 0
    loaded_duplicate: int = 0
    out_dir: str = ""
    rejections: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            k: getattr(self, k)
            for k in ("reports", "rejected", "events", "loaded_new", "loaded_duplicate", "out_dir")
        }


def event_row(ev: Event) -> tuple:
    """An Event as a row of EVENT_COLUMNS, filled exactly as the Parquet export fills it."""
    row = flat_row(ev)
    row["event_json"] = json.dumps(ev.to_json_dict(), ensure_ascii=False)
    return tuple(row[name] for name, _ in EVENT_COLUMNS)


def _schema(columns: list[tuple[str, str]]):  # noqa: ANN202 - pyspark is imported lazily
    from pyspark.sql.types import StructType, _parse_datatype_string

    schema = StructType()
    for name, typ in columns:
        schema.add(name, _parse_datatype_string(typ), nullable=True)
    return schema


# --- executor side -----------------------------------------------------------------------------
# Items travel as ("report" | "rejection", JSON) pairs: plain strings pickle cheaply and the
# record types are rebuilt by pydantic on the other side.


def _extraction_row(item: Extraction | Rejection, report: Report) -> tuple:
    if isinstance(item, Rejection):
        return (report.report_id, report.date, report.content_hash, report.origin, "rejected", item.reason, 0, 0, None)
    return (
        report.report_id,
        report.date,
        report.content_hash,
        report.origin,
        "extracted",
        None,
        len(item.places),
        len(item.events),
        item.model_dump_json(by_alias=True),
    )


def _rejection_row(rej: Rejection) -> tuple:
    return (None, None, None, rej.origin, "rejected", rej.reason, 0, 0, None)


def _extract_partition(items: Iterable[tuple[str, str]]) -> Iterator[tuple]:
    """mapPartitions body: the model and gazetteer are loaded once per Python worker process
    (Spark reuses workers across partitions, and the loaders cache); reports are parsed in the
    same bounded batches as the worker pool's."""
    from frontwatch.pipeline import batches
    from frontwatch.scale.workers import extract_batch

    rejections: list[Rejection] = []

    def reports() -> Iterator[Report]:
        for kind, payload in items:
            if kind == "rejection":
                rejections.append(Rejection.model_validate_json(payload))
            else:
                yield Report.model_validate_json(payload)

    for batch in batches(reports(), DEFAULT_CHUNK_SIZE):
        for report, res in zip(batch, extract_batch(batch), strict=True):
            yield _extraction_row(res, report)
    for rej in rejections:
        yield _rejection_row(rej)


def _read_file(path: str, max_bytes: int) -> Iterator[tuple[str, str]]:
    from frontwatch.ingest import read_reports

    for item in read_reports([path], max_bytes=max_bytes):
        kind = "rejection" if isinstance(item, Rejection) else "report"
        yield kind, item.model_dump_json()


def _events_of(row: Any) -> Iterator[tuple]:
    if row["status"] != "extracted" or not row["n_events"]:
        return
    ex = Extraction.model_validate_json(row["extraction_json"])
    for ev in ex.events:
        yield event_row(ev)


def _load_partition(url: str, rows: Iterable[Any]) -> Iterator[tuple[int, int]]:
    """Stores a partition's extractions through the store interface, one connection per partition."""
    from frontwatch.store import open_store

    new = dup = 0
    store = open_store(url)
    try:
        for row in rows:
            if row["status"] != "extracted":
                continue
            if store.add_extraction(Extraction.model_validate_json(row["extraction_json"])) == "new":
                new += 1
            else:
                dup += 1
    finally:
        store.close()
    yield new, dup


# --- driver side -------------------------------------------------------------------------------


def spark_session(master: str = "local[*]", python: str | None = None, app_name: str = "frontwatch"):  # noqa: ANN201
    """A SparkSession set up to run offline: no UI, no package downloads, few shuffle
    partitions, and Python workers running this project's interpreter."""
    from pyspark.sql import SparkSession

    python = python or os.environ.get("FRONTWATCH_SPARK_PYTHON") or sys.executable
    # Both the variable and the setting: the variable is read when the driver starts Python
    # workers in local mode, the setting travels to executors on a cluster.
    os.environ["PYSPARK_PYTHON"] = python
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.pyspark.python", python)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", os.environ.get("FRONTWATCH_SPARK_SHUFFLE_PARTITIONS", "8"))
        .config("spark.driver.memory", os.environ.get("FRONTWATCH_SPARK_DRIVER_MEMORY", "1g"))
        .config("spark.python.worker.reuse", "true")
        .config("spark.sql.session.timeZone", "UTC")
        # Dates as DATE columns, written as they are (no legacy calendar rebasing).
        .config("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED")
        .config("spark.sql.sources.partitionOverwriteMode", "static")
    )
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        # Stay on loopback: no hostname lookups, no firewall prompts, works offline.
        builder = builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(os.environ.get("FRONTWATCH_SPARK_LOG_LEVEL", "ERROR"))
    return spark


def _driver_items(paths: Sequence[str | Path], max_bytes: int) -> list[tuple[str, str]]:
    """Reports read on the driver, duplicates (same content hash) dropped as ingest drops them."""
    from frontwatch.ingest import read_reports

    items: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in read_reports(list(paths), max_bytes=max_bytes):
        if isinstance(item, Rejection):
            items.append(("rejection", item.model_dump_json()))
        elif item.content_hash not in seen:
            seen.add(item.content_hash)
            items.append(("report", item.model_dump_json()))
    return items


def _dedupe_key(item: tuple[str, str]) -> tuple[str, tuple[str, str]]:
    kind, payload = item
    if kind == "rejection":
        return "rejection:" + payload, item
    return "report:" + json.loads(payload)["content_hash"], item


def _first_report(a: tuple[str, str], b: tuple[str, str]) -> tuple[str, str]:
    # Deterministic whichever partition finishes first: keep the smaller report id.
    if a[0] == "report" and b[0] == "report":
        return a if json.loads(a[1])["report_id"] <= json.loads(b[1])["report_id"] else b
    return a


def spark_extract(
    input_paths: Sequence[str | Path],
    out_dir: str | Path,
    master: str = "local[*]",
    pg_url: str | None = None,
    *,
    read_on: ReadOn = "auto",
    max_bytes: int = 5_000_000,
    partitions: int | None = None,
    python: str | None = None,
    spark: Any = None,
) -> SparkSummary:
    """Extract every report under `input_paths` with Spark and write Parquet under `out_dir`:
    `extractions/` (one row per report, EXTRACTION_COLUMNS) and `events/` (EVENT_COLUMNS).

    `read_on`: "driver" reads all reports in the driver and ships them out (fine up to a few
    hundred thousand reports); "executors" reads each file on an executor (for archives of many
    files); "auto" picks executors when there are many more files than cores.
    `pg_url`: also store the extractions (a postgresql:// URL is loaded from the executors in
    parallel, one connection per partition; anything else, e.g. a SQLite path, by the driver).
    `spark`: an existing SparkSession to use (left running); otherwise one is made and stopped.
    """
    out = Path(out_dir).resolve()
    own_session = spark is None
    if own_session:
        spark = spark_session(master, python=python)
    sc = spark.sparkContext
    try:
        from frontwatch.ingest import input_files

        files = [str(f) for f in input_files(input_paths)]
        parallelism = sc.defaultParallelism
        if read_on == "auto":
            read_on = "executors" if len(files) > 4 * parallelism else "driver"

        if read_on == "driver":
            items = _driver_items(input_paths, max_bytes)
            n = max(1, len(items))
            # Several partitions per core balance uneven article lengths (the model stays loaded
            # in each reused Python worker); big corpora get ~200 reports a partition so that a
            # failed task costs little to redo.
            slices = partitions or max(1, min(n, max(4 * parallelism, math.ceil(n / 200))))
            source = sc.parallelize(items, slices)
        else:
            slices = partitions or max(2 * parallelism, math.ceil(len(files) / 4))
            source = (
                sc.parallelize(files, max(1, min(len(files), slices)))
                .flatMap(functools.partial(_read_file, max_bytes=max_bytes))
                .map(_dedupe_key)
                .reduceByKey(_first_report, numPartitions=slices)  # also spreads one big file
                .values()
            )

        extracted = source.mapPartitions(_extract_partition)
        ext_path = out / "extractions"
        spark.createDataFrame(extracted, _schema(EXTRACTION_COLUMNS)).write.mode("overwrite").parquet(str(ext_path))

        ext_df = spark.read.parquet(str(ext_path))
        events = ext_df.rdd.flatMap(_events_of)
        ev_path = out / "events"
        spark.createDataFrame(events, _schema(EVENT_COLUMNS)).write.mode("overwrite").parquet(str(ev_path))

        summary = SparkSummary(out_dir=str(out))
        from pyspark.sql import functions as F

        counts = ext_df.groupBy("status").agg(F.count("*").alias("n"), F.sum("n_events").alias("ev")).collect()
        for row in counts:
            if row["status"] == "extracted":
                summary.reports = int(row["n"])
                summary.events = int(row["ev"] or 0)
            else:
                summary.rejected = int(row["n"])
        if summary.rejected:
            summary.rejections = [
                f"{r['origin']}: {r['reason']}"
                for r in ext_df.where(F.col("status") == "rejected").select("origin", "reason").limit(1000).collect()
            ]

        if pg_url:
            _load(ext_df, pg_url, summary)
        return summary
    finally:
        if own_session:
            spark.stop()


def _load(ext_df: Any, url: str, summary: SparkSummary) -> None:
    extracted = ext_df.where("status = 'extracted'").select("extraction_json", "status")
    if url.startswith(("postgresql://", "postgres://")):
        totals = extracted.rdd.mapPartitions(functools.partial(_load_partition, url)).collect()
        summary.loaded_new += sum(t[0] for t in totals)
        summary.loaded_duplicate += sum(t[1] for t in totals)
        return
    # An embedded database has one writer: the driver streams the rows to it.
    for new, dup in _load_partition(url, extracted.toLocalIterator()):
        summary.loaded_new += new
        summary.loaded_duplicate += dup


def load_extractions(out_dir: str | Path, url: str, master: str = "local[*]", *, spark: Any = None) -> SparkSummary:
    """Store the extractions of an earlier `spark_extract` run (its `extractions/` Parquet) in a
    database, without parsing anything again. Idempotent: stored reports count as duplicates."""
    own_session = spark is None
    if own_session:
        spark = spark_session(master)
    try:
        summary = SparkSummary(out_dir=str(Path(out_dir).resolve()))
        _load(spark.read.parquet(str(Path(out_dir).resolve() / "extractions")), url, summary)
        return summary
    finally:
        if own_session:
            spark.stop()


def read_events(out_dir: str | Path) -> list[Event]:
    """The events a run wrote, without Spark (pyarrow), in event_id order."""
    import pyarrow.parquet as pq

    table = pq.read_table(Path(out_dir) / "events", columns=["event_json"])
    evs = [Event.model_validate(json.loads(s)) for s in table.column("event_json").to_pylist()]
    return sorted(evs, key=lambda e: e.event_id)


