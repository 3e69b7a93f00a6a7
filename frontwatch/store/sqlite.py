"""The default store: one SQLite file in WAL mode, with a versioned schema and migrations.

Opening an older database migrates it in place; every report is one transaction.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from frontwatch.store.base import StoreError
from frontwatch.store.sql import SQLStore, fold

# Migration N (1-based) is MIGRATIONS[N-1]: a list of SQL statements, applied in one
# transaction together with its schema_version row. Never edit a released migration:
# append a new one (and its PostgreSQL twin in postgres.py).
MIGRATIONS: list[list[str]] = [
    # 1: reports, their place mentions and events, the control baseline, derived caches.
    [
        """CREATE TABLE reports (
            revision INTEGER PRIMARY KEY AUTOINCREMENT,
            report_id TEXT NOT NULL UNIQUE,
            content_hash TEXT NOT NULL UNIQUE,
            report_date TEXT NOT NULL,
            source TEXT, url TEXT, title TEXT, origin TEXT,
            text TEXT NOT NULL,
            stored_at TEXT NOT NULL)""",
        """CREATE TABLE place_mentions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            mention TEXT NOT NULL, mention_lc TEXT, name TEXT, name_lc TEXT,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL,
            geonames_id INTEGER, latitude REAL, longitude REAL,
            json TEXT NOT NULL,
            UNIQUE (report_id, idx))""",
        "CREATE INDEX place_mentions_geonames ON place_mentions (geonames_id)",
        """CREATE TABLE events (
            event_id TEXT PRIMARY KEY,
            report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL, event_type TEXT NOT NULL, sub_event_type TEXT NOT NULL,
            report_date TEXT NOT NULL, event_date TEXT, date_earliest TEXT, date_latest TEXT,
            date_lo TEXT NOT NULL, date_hi TEXT NOT NULL, sort_date TEXT NOT NULL,
            date_precision INTEGER, historical INTEGER NOT NULL,
            place_name TEXT, place_mention TEXT, place_name_lc TEXT, place_mention_lc TEXT,
            geonames_id INTEGER, latitude REAL, longitude REAL, country TEXT, admin1 TEXT,
            actor1 TEXT, actor1_side TEXT, actor2 TEXT, actor2_side TEXT,
            fatalities INTEGER, control_to TEXT, control_extent TEXT, confidence REAL,
            json TEXT NOT NULL)""",
        "CREATE INDEX events_order ON events (sort_date, report_id, event_id)",
        "CREATE INDEX events_report ON events (report_id)",
        "CREATE INDEX events_kind ON events (kind)",
        "CREATE INDEX events_dates ON events (date_lo, date_hi)",
        "CREATE INDEX events_place_name ON events (place_name_lc)",
        "CREATE INDEX events_place_mention ON events (place_mention_lc)",
        "CREATE INDEX events_geonames ON events (geonames_id)",
        """CREATE TABLE baseline (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            place TEXT NOT NULL, place_lc TEXT,
            controller TEXT NOT NULL CHECK (controller IN ('UA', 'RU', 'contested')),
            on_date TEXT NOT NULL,
            geonames_id INTEGER, latitude REAL, longitude REAL, source TEXT,
            UNIQUE (place, on_date, controller))""",
        """CREATE TABLE derived (
            namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (namespace, key))""",
    ],
    # 2: claims as rows (who claimed what), filled from the claims already inside event JSON.
    [
        """CREATE TABLE claims (
            event_id TEXT NOT NULL REFERENCES events(event_id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            claimant TEXT, claimant_lc TEXT, side TEXT, stance TEXT NOT NULL, via TEXT NOT NULL, quote TEXT,
            PRIMARY KEY (event_id, idx))""",
        "CREATE INDEX claims_claimant ON claims (claimant_lc)",
        """INSERT INTO claims (event_id, idx, claimant, claimant_lc, side, stance, via, quote)
           SELECT e.event_id, CAST(c.key AS INTEGER), json_extract(c.value, '$.claimant'),
                  fw_fold(json_extract(c.value, '$.claimant')), json_extract(c.value, '$.side'),
                  COALESCE(json_extract(c.value, '$.stance'), 'asserted'),
                  COALESCE(json_extract(c.value, '$.via'), '[]'), json_extract(c.value, '$.quote')
           FROM events e, json_each(e.json, '$.claims') c""",
    ],
    # 3: baseline rows keyed by the settlement (GeoNames id, else coordinates, else name), not by
    # its name: two settlements of one name both keep their rows.
    [
        """CREATE TABLE baseline_v3 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            place TEXT NOT NULL, place_lc TEXT,
            settlement TEXT NOT NULL,
            controller TEXT NOT NULL CHECK (controller IN ('UA', 'RU', 'contested')),
            on_date TEXT NOT NULL,
            geonames_id INTEGER, latitude REAL, longitude REAL, source TEXT,
            UNIQUE (settlement, on_date))""",
        """INSERT OR IGNORE INTO baseline_v3 (id, place, place_lc, settlement, controller, on_date, geonames_id,
                                              latitude, longitude, source)
           SELECT id, place, place_lc,
                  CASE WHEN geonames_id IS NOT NULL THEN 'g' || geonames_id
                       WHEN latitude IS NOT NULL AND longitude IS NOT NULL
                            THEN 'c' || printf('%.4f,%.4f', latitude, longitude)
                       ELSE 'n' || COALESCE(place_lc, fw_fold(place)) END,
                  controller, on_date, geonames_id, latitude, longitude, source
           FROM baseline ORDER BY id""",
        "DROP TABLE baseline",
        "ALTER TABLE baseline_v3 RENAME TO baseline",
    ],
    # 4: the last fields the control rules read of an event as columns (the place's feature code
    # and precision, the side a control change takes a place from, the trigger rule), so that reading events for
    # the rules parses no JSON; filled from the JSON for the events already stored.
    [
        "ALTER TABLE events ADD COLUMN feature_code TEXT",
        "ALTER TABLE events ADD COLUMN geo_precision INTEGER",
        "ALTER TABLE events ADD COLUMN control_from TEXT",
        "ALTER TABLE events ADD COLUMN rule TEXT",
        """UPDATE events SET feature_code = json_extract(json, '$.location.feature_code'),
                             geo_precision = json_extract(json, '$.location.geo_precision'),
                             control_from = json_extract(json, '$.control.from'),
                             rule = json_extract(json, '$.rule')""",
    ],
]


class SQLiteStore(SQLStore):
    """A frontwatch database in one SQLite file (`:memory:` for a throwaway one)."""

    dialect = "sqlite"
    migrations = MIGRATIONS

    def __init__(self, path: str | Path, *, migrate_to: int | None = None) -> None:
        """`migrate_to` stops the schema at an older version (tests of the migrations only)."""
        super().__init__()
        self.path = str(path)
        self.url = self.path
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._con = self._connect()
        try:
            with self._write() as cur:
                self._schema = self._migrate(cur, migrate_to)
        except sqlite3.DatabaseError as exc:
            self._con.close()
            raise StoreError(f"{self.path}: not a usable frontwatch database ({exc})") from exc

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is exactly a report.
        # check_same_thread=False: the web server shares one store between threads (guarded by _lock).
        con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        try:
            # The migrations fold names exactly as Python does when it writes them.
            con.create_function("fw_fold", 1, fold, deterministic=True)
            con.execute("PRAGMA busy_timeout = 30000")
            con.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                con.execute("PRAGMA journal_mode = WAL")
            # NORMAL in WAL mode: a killed process never corrupts or half-writes; only a power cut
            # can lose the last commits, and the database stays consistent even then.
            con.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            con.close()
            raise StoreError(f"{self.path}: not a usable frontwatch database ({exc})") from exc
        return con

    def can_reopen(self) -> bool:
        return self.path != ":memory:"

    def reopen(self) -> SQLiteStore:
        if not self.can_reopen():
            return super().reopen()  # type: ignore[return-value]
        other = SQLiteStore.__new__(SQLiteStore)
        SQLStore.__init__(other)
        other.path = other.url = self.path
        other._con = other._connect()
        other._schema = self._schema  # the schema this one is at (it was checked on opening)
        return other

    def _cursor(self) -> Any:
        return self._con.cursor()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Cursor]:
        # BEGIN IMMEDIATE takes the write lock at once: the duplicate check and the inserts that
        # follow see no other writer, even from another process.
        cur = self._con.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            if self._con.in_transaction:
                cur.execute("ROLLBACK")
            raise
        else:
            cur.execute("COMMIT")
        finally:
            cur.close()

    def _date(self, d: Any) -> Any:
        return d.isoformat() if d is not None else None

    def close(self) -> None:
        if self._closed:
            return
        with self._lock:
            self._closed = True
            with contextlib.suppress(sqlite3.Error):
                self._con.execute("PRAGMA optimize")  # keeps the planner's statistics fresh, cheaply
            self._con.close()
