"""Shared fixtures: `store` runs a test on SQLite and on PostgreSQL (FRONTWATCH_TEST_PG_DSN).

Without a DSN the PostgreSQL half is skipped, except in CI (CI=true) where it fails, so a broken
server setup cannot pass unnoticed. Each PostgreSQL test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from frontwatch.gazetteer import Gazetteer, reset_gazetteer
from frontwatch.gazetteer.build import load_or_build
from frontwatch.store.base import Store

PG_ENV = "FRONTWATCH_TEST_PG_DSN"


def _pg_dsn() -> str:
    dsn = os.environ.get(PG_ENV, "").strip()
    if dsn:
        return dsn
    reason = (f"{PG_ENV} is not set: start a server with `bash scripts/pg-test-server.sh start` and export "
              f"its DSN (make test does both)")
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def store_factory(backend: str, tmp_path: Path) -> Iterator[Callable[..., Store]]:
    """Opens (and reopens) one isolated database of the test's backend: factory(**kwargs)."""
    opened: list[Store] = []
    if backend == "sqlite":
        from frontwatch.store.sqlite import SQLiteStore

        path = tmp_path / "test.db"

        def factory(**kwargs: object) -> Store:
            s = SQLiteStore(path, **kwargs)  # type: ignore[arg-type]
            opened.append(s)
            return s

        yield factory
        for s in opened:
            s.close()
        return

    dsn = _pg_dsn()
    import psycopg
    from psycopg import sql

    from frontwatch.store.postgres import PostgresStore

    schema = f"fwtest_{uuid.uuid4().hex[:12]}"

    def pg_factory(**kwargs: object) -> Store:
        s = PostgresStore(dsn, schema=schema, **kwargs)  # type: ignore[arg-type]
        opened.append(s)
        return s

    yield pg_factory
    for s in opened:
        s.close()
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def store(store_factory: Callable[..., Store]) -> Store:
    return store_factory()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A SQLite store only, for tests of other areas that need a database but not both backends."""
    from frontwatch.store.sqlite import SQLiteStore

    s = SQLiteStore(tmp_path / "sqlite.db")
    yield s
    s.close()


@pytest.fixture(scope="module")
def gaz(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    mp = pytest.MonkeyPatch()
    d = tmp_path_factory.mktemp("fwcache")
    mp.setenv("FRONTWATCH_CACHE_DIR", str(d))
    mp.delenv("FRONTWATCH_HOME", raising=False)
    reset_gazetteer()
    index, path, _ = load_or_build()
    yield Gazetteer(index, path)
    mp.undo()
    reset_gazetteer()
