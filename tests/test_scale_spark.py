"""Spark runner on local[2]: the same events as one process for the same 50 reports, Parquet
in the export's columns, and the extractions loaded into a store (SQLite, and PostgreSQL in CI).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pytest

from frontwatch.ingest import read_reports
from frontwatch.model import Report

REPO = Path(__file__).resolve().parents[1]
SHARED_NEWS = REPO.parent / "shared" / "data" / "news-2022-08-20_31.jsonl"
SAMPLES = REPO / "frontwatch" / "data" / "samples"
N = 50

pytestmark = pytest.mark.spark


def _need_spark() -> None:
    """Skip without pyspark or Java on a developer's machine; in CI a missing one is a failure."""
    missing = None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing = "pyspark is not installed (pip install -e '.[test]')"
    if missing is None and not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        missing = "no Java runtime (apt-get install openjdk-17-jre-headless)"
    if missing:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Spark test cannot run in CI: {missing}", pytrace=False)
        pytest.skip(missing)


def write_input(path: Path) -> Path:
    """50 reports as JSON Lines: the first 50 news articles when ../shared is there, else the
    bundled samples repeated, each copy made distinct (own id and text) so none is a duplicate."""
    if SHARED_NEWS.exists():
        with SHARED_NEWS.open(encoding="utf-8") as src:
            lines = [line for _, line in zip(range(N), src, strict=False)]
        path.write_text("".join(lines), encoding="utf-8")
        return path
    samples = [r for r in read_reports([SAMPLES]) if isinstance(r, Report)]
    rows = []
    for i in range(N):
        r = samples[i % len(samples)]
        rows.append({"id": f"{r.report_id}-copy{i}", "date": r.date.isoformat(),
                     "text": f"{r.text}\n\n(Copy {i} for the Spark test.)", "source": r.source})
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def spark():  # noqa: ANN201
    _need_spark()
    from frontwatch.scale.spark import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()


def _pg_url() -> tuple[str, str] | None:
    """A URL into a fresh schema of the test server (FRONTWATCH_TEST_PG_DSN), or None."""
    dsn = os.environ.get("FRONTWATCH_TEST_PG_DSN", "").strip()
    if not dsn:
        return None
    import psycopg
    from psycopg import sql

    schema = f"fwspark_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    # libpq `options` put every executor's connection into that schema.
    return dsn + ("&" if "?" in dsn else "?") + f"options=-csearch_path%3D{schema}", schema


def _drop_schema(schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(os.environ["FRONTWATCH_TEST_PG_DSN"], autocommit=True) as con:
        con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def test_spark_events_equal_single_process_events(spark, tmp_path: Path) -> None:  # noqa: ANN001
    import pyarrow.parquet as pq

    from frontwatch.export.parquet import SCHEMA
    from frontwatch.pipeline import extract_reports
    from frontwatch.scale.spark import load_extractions, read_events, spark_extract
    from frontwatch.store import open_store

    src = write_input(tmp_path / "reports.jsonl")
    reports = [r for r in read_reports([src]) if isinstance(r, Report)]
    assert len(reports) == N
    expected = sorted(
        json.dumps(e.to_json_dict(), sort_keys=True) for x in extract_reports(reports) for e in x.events
    )
    assert expected, "the reports should yield events"

    pg = _pg_url()
    out = tmp_path / "out"
    try:
        summary = spark_extract([src], out, pg_url=pg[0] if pg else None, spark=spark)
        assert (summary.reports, summary.rejected, summary.events) == (N, 0, len(expected))

        got = sorted(json.dumps(e.to_json_dict(), sort_keys=True) for e in read_events(out))
        assert got == expected  # same event ids, same JSON

        table = pq.read_table(out / "events")
        assert table.schema.names == SCHEMA.names  # the export's Parquet columns
        assert sorted(table.column("event_id").to_pylist()) == sorted(json.loads(e)["event_id"] for e in expected)

        if pg:  # loaded by the executors, one connection per partition
            assert (summary.loaded_new, summary.loaded_duplicate) == (N, 0)
            with open_store(pg[0]) as store:
                stored = sorted(e.event_id for e in store.events())
            assert stored == sorted(json.loads(e)["event_id"] for e in expected)
    finally:
        if pg:
            _drop_schema(pg[1])

    # The same output loaded into SQLite by the driver, without parsing again; then idempotent.
    db = tmp_path / "spark.db"
    first = load_extractions(out, str(db), spark=spark)
    assert (first.loaded_new, first.loaded_duplicate) == (N, 0)
    again = load_extractions(out, str(db), spark=spark)
    assert (again.loaded_new, again.loaded_duplicate) == (0, N)
    with open_store(str(db)) as store:
        stored = sorted(json.dumps(e.to_json_dict(), sort_keys=True) for e in store.events())
    assert stored == expected


def test_cli_spark_extract_help_and_missing_input(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from frontwatch.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["spark", "extract", "--help"])
    assert res.exit_code == 0 and "--master" in res.output and "--pg" in res.output
    res = runner.invoke(app, ["spark", "extract", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2  # a bad argument, reported before any JVM starts
