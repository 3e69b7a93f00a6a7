"""The SQL shared by the SQLite and PostgreSQL stores: one implementation, two dialects.

Queries are written once with `?` placeholders (PostgreSQL's subclass turns them into `%s`);
every value goes in as a parameter, never into the SQL text. Subclasses supply the
connection, the write transaction, the migrations and how dates and JSON travel.
"""

from __future__ import annotations

import abc
import datetime as dt
import json
import operator
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from frontwatch.model import ControlChange, Event, Extraction, Location, PlaceMention, Report
from frontwatch.store.base import (
    AddResult,
    BaselineImport,
    BaselineRow,
    ClaimVoice,
    EventFilter,
    EventRow,
    EventView,
    FusionEvent,
    Store,
    StoreError,
)

# Reads are paged by key ("keyset pagination") instead of holding a cursor open, so a long
# export never pins a transaction and a reader can be interleaved with writes on one store.
PAGE = 500
# Long IN (...) lists are split so no statement exceeds SQLite's parameter limit.
IN_CHUNK = 400


def fold(text: str | None) -> str | None:
    """Case-insensitive match key, computed in Python: SQLite's lower() only folds ASCII."""
    return " ".join(text.casefold().split()) if text else None


def event_interval(ev: Event) -> tuple[dt.date, dt.date, dt.date]:
    """(lo, hi, sort) days of an event: its known range, else its day, else the report's day."""
    lo = ev.date_earliest or ev.event_date or ev.report_date
    hi = ev.date_latest or ev.event_date or ev.report_date
    if hi < lo:  # a malformed range must not make the event unfindable
        lo, hi = hi, lo
    return lo, hi, ev.event_date or ev.report_date


def _built(cls: type, values: dict[str, Any]) -> Any:
    """A record from values read back from the store, every field given (what `model_construct`
    does without its per-call overhead): stored records were validated when they were written."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


class _Days(dict):
    """Stored days read back as dates, each distinct one converted once (None stays None)."""

    def __init__(self, to_date: Any) -> None:
        super().__init__({None: None})
        self._to_date = to_date

    def __missing__(self, value: Any) -> dt.date | None:
        day = self[value] = self._to_date(value)
        return day


class _Shared:
    """The control changes and locations of one read, each distinct one built once and shared by
    every record that has it (they repeat across thousands of events, and are read, never changed)."""

    def __init__(self) -> None:
        self._controls: dict[tuple, Any] = {}
        self._places: dict[tuple, Any] = {}

    def control(self, to: Any, from_: Any, extent: Any) -> Any:
        if extent is None:  # control_extent is set exactly when the event has a control change
            return None
        key = (to, from_, extent)
        ctl = self._controls.get(key)
        if ctl is None:
            ctl = self._controls[key] = _built(ControlChange, {"to": to, "from_": from_, "extent": extent})
        return ctl

    def location(self, name: Any, mention: Any, gid: Any, lat: Any, lon: Any, country: Any, adm: Any, fcode: Any,
                 precision: Any) -> Any:
        key = (name, mention, gid, lat, lon, country, adm, fcode, precision)
        loc = self._places.get(key)
        if loc is None:
            loc = self._places[key] = _built(Location, {
                "name": name, "mention": mention, "geonames_id": gid, "latitude": lat, "longitude": lon,
                "country": country, "admin1": adm, "feature_code": fcode, "geo_precision": precision})
        return loc


class SQLStore(Store):
    """A Store over a DB-API connection; SQLiteStore and PostgresStore fill in the dialect."""

    dialect: str
    migrations: Sequence[Sequence[str]]

    _schema = 10**9  # the schema version the database was opened at (set by the subclass on opening)

    def __init__(self) -> None:
        # One lock per store object: a write transaction and the pages of a read never interleave
        # on the shared connection when the store is used from several threads (web server).
        self._lock = threading.RLock()
        self._closed = False

    # --- dialect hooks ---------------------------------------------------------------
    @abc.abstractmethod
    def _cursor(self) -> Any: ...

    @abc.abstractmethod
    def _write(self) -> AbstractContextManager[Any]:
        """A write transaction (exclusive against other writers) yielding a cursor."""

    def _q(self, sql: str) -> str:
        return sql

    def _date(self, d: dt.date | None) -> Any:
        return d

    def _json(self, data: dict) -> Any:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    def _text(self, s: str | None) -> str | None:
        return s

    def _load_json(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str | bytes) else value

    @staticmethod
    def _to_date(value: Any) -> dt.date | None:
        if value is None or isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value))

    # --- small helpers ---------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"store {self.url} is closed")

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        self._check_open()
        with self._lock:
            cur = self._cursor()
            try:
                cur.execute(self._q(sql), tuple(params))
                rows = cur.fetchall()
                return rows if not rows or type(rows[0]) is tuple else [tuple(r) for r in rows]
            finally:
                cur.close()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    def _migrate(self, cur: Any, target: int | None = None) -> int:
        """Apply the migrations the database lacks (inside the caller's write transaction)."""
        cur.execute(self._q(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"))
        cur.execute(self._q("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
        current = int(cur.fetchone()[0])
        latest = len(self.migrations) if target is None else target
        if current > len(self.migrations):
            raise StoreError(f"{self.url}: database schema version {current} is newer than this frontwatch "
                             f"(knows {len(self.migrations)}): upgrade frontwatch")
        for version in range(current + 1, latest + 1):
            for statement in self.migrations[version - 1]:
                cur.execute(statement)
            cur.execute(self._q("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"),
                        (version, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
        return max(current, latest)

    def schema_version(self) -> int:
        row = self._one("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        return int(row[0]) if row else 0

    # --- writing -------------------------------------------------------------------
    def has_report(self, report_id: str | None = None, content_hash: str | None = None) -> bool:
        if report_id is None and content_hash is None:
            return False
        return self._one("SELECT 1 FROM reports WHERE report_id = ? OR content_hash = ? LIMIT 1",
                         (report_id, content_hash)) is not None

    def add_extraction(self, extraction: Extraction) -> AddResult:
        self._check_open()
        rep = extraction.report
        with self._lock, self._write() as cur:
            # Checked inside the write transaction: another writer cannot slip in between.
            cur.execute(self._q("SELECT 1 FROM reports WHERE report_id = ? OR content_hash = ?"),
                        (rep.report_id, rep.content_hash))
            if cur.fetchone() is not None:
                return "duplicate"
            cur.execute(self._q(
                "INSERT INTO reports (report_id, content_hash, report_date, source, url, title, origin, text, "
                "stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                (rep.report_id, rep.content_hash, self._date(rep.date), self._text(rep.source), self._text(rep.url),
                 self._text(rep.title), self._text(rep.origin), self._text(rep.text),
                 dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
            self._insert_places(cur, rep.report_id, extraction.places)
            if extraction.events:
                self._insert_events(cur, extraction.events)
        return "new"

    def replace_extraction(self, extraction: Extraction) -> bool:
        self._check_open()
        rid = extraction.report.report_id
        with self._lock, self._write() as cur:
            cur.execute(self._q("SELECT 1 FROM reports WHERE report_id = ?"), (rid,))
            if cur.fetchone() is None:
                return False
            cur.execute(self._q("DELETE FROM claims WHERE event_id IN (SELECT event_id FROM events WHERE report_id = ?)"),
                        (rid,))
            cur.execute(self._q("DELETE FROM events WHERE report_id = ?"), (rid,))
            cur.execute(self._q("DELETE FROM place_mentions WHERE report_id = ?"), (rid,))
            self._insert_places(cur, rid, extraction.places)
            if extraction.events:
                self._insert_events(cur, extraction.events)
        return True

    def _insert_places(self, cur: Any, report_id: str, places: Sequence[PlaceMention]) -> None:
        if places:
            cur.executemany(self._q(
                "INSERT INTO place_mentions (report_id, idx, mention, mention_lc, name, name_lc, start_char, "
                "end_char, geonames_id, latitude, longitude, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                [(report_id, i, self._text(p.mention), fold(p.mention), self._text(p.name), fold(p.name),
                  p.start, p.end, p.geonames_id, p.latitude, p.longitude,
                  self._json(p.model_dump(mode="json", by_alias=True)))
                 for i, p in enumerate(places)])

    def _insert_events(self, cur: Any, events: Sequence[Event]) -> None:
        # One statement per table (executemany: a single round trip in PostgreSQL's pipeline).
        # An event id twice in one extraction, or already stored by another report (a hash
        # collision): the first one stands. Checked under the write lock, so it cannot race.
        fresh: dict[str, tuple[int, Event]] = {}
        for seq, ev in enumerate(events):
            fresh.setdefault(ev.event_id, (seq, ev))
        ids = list(fresh)
        for i in range(0, len(ids), IN_CHUNK):
            chunk = ids[i:i + IN_CHUNK]
            cur.execute(self._q(f"SELECT event_id FROM events WHERE event_id IN ({', '.join('?' * len(chunk))})"),
                        chunk)
            for (taken,) in cur.fetchall():
                fresh.pop(taken, None)
        if not fresh:
            return
        rows = []
        for seq, ev in fresh.values():
            lo, hi, sort = event_interval(ev)
            loc, ctl = ev.location, ev.control
            rows.append((
                ev.event_id, ev.report_id, seq, ev.kind, ev.event_type, ev.sub_event_type,
                self._date(ev.report_date), self._date(ev.event_date), self._date(ev.date_earliest),
                self._date(ev.date_latest), self._date(lo), self._date(hi), self._date(sort), ev.date_precision,
                ev.historical, self._text(loc.name), self._text(loc.mention), fold(loc.name), fold(loc.mention),
                loc.geonames_id, loc.latitude, loc.longitude, loc.country, self._text(loc.admin1),
                self._text(ev.actor1), ev.actor1_side, self._text(ev.actor2), ev.actor2_side, ev.fatalities,
                ctl.to if ctl else None, ctl.extent if ctl else None, ev.confidence, self._json(ev.to_json_dict()),
                self._text(loc.feature_code), loc.geo_precision, ctl.from_ if ctl else None, ev.rule))
        names = ("event_id, report_id, seq, kind, event_type, sub_event_type, report_date, event_date, date_earliest, "
                 "date_latest, date_lo, date_hi, sort_date, date_precision, historical, place_name, place_mention, "
                 "place_name_lc, place_mention_lc, geonames_id, latitude, longitude, country, admin1, actor1, "
                 "actor1_side, actor2, actor2_side, fatalities, control_to, control_extent, confidence, json, "
                 "feature_code, geo_precision, control_from, rule")
        n = 37
        if self._schema < 4:  # a store held at an older schema (tests of the migrations): its columns only
            names, n = names.rsplit(", feature_code", 1)[0], 33
            rows = [r[:n] for r in rows]
        cur.executemany(self._q(f"INSERT INTO events ({names}) VALUES ({', '.join('?' * n)})"), rows)
        claims = [(ev.event_id, i, self._text(c.claimant), fold(c.claimant), c.side, c.stance,
                   self._text(json.dumps(c.via, ensure_ascii=False)), self._text(c.quote))
                  for _, ev in fresh.values() for i, c in enumerate(ev.claims)]
        if claims:
            cur.executemany(self._q(
                "INSERT INTO claims (event_id, idx, claimant, claimant_lc, side, stance, via, quote) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"), claims)

    def import_baseline(self, rows: Iterable[BaselineRow]) -> BaselineImport:
        self._check_open()
        summary = BaselineImport()
        mine: set[tuple[str, str]] = set()
        with self._lock, self._write() as cur:
            for r in rows:
                key, day = r.settlement(), self._date(r.on)
                cur.execute(self._q("SELECT controller, place FROM baseline WHERE settlement = ? AND on_date = ?"),
                            (key, day))
                have = cur.fetchone()
                if have is None:
                    cur.execute(self._q(
                        "INSERT INTO baseline (place, place_lc, settlement, controller, on_date, geonames_id, "
                        "latitude, longitude, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                        (self._text(r.place), fold(r.place), key, r.controller, day, r.geonames_id,
                         r.latitude, r.longitude, self._text(r.source)))
                    summary.stored += 1
                    mine.add((key, str(day)))
                elif have[0] == r.controller:
                    summary.merged += 1
                elif (key, str(day)) in mine:
                    summary.skip("two states for one settlement on one day (the first is kept)",
                                 f"{r.place} {r.on}: {have[0]} and {r.controller}")
                else:
                    summary.skip("already stored with another state for that day (the stored row is kept)",
                                 f"{r.place} {r.on}: stored {have[0]}, given {r.controller}")
        return summary

    # --- reading -------------------------------------------------------------------
    _REPORT_COLS = "revision, report_id, report_date, text, source, url, title, content_hash, origin"

    def _report(self, row: tuple) -> Report:
        _, rid, day, text, source, url, title, chash, origin = row
        return Report(report_id=rid, date=self._to_date(day), text=text, source=source, url=url, title=title,
                      content_hash=chash, origin=origin)

    def get_report(self, report_id: str) -> Report | None:
        row = self._one(f"SELECT {self._REPORT_COLS} FROM reports WHERE report_id = ?", (report_id,))
        return self._report(row) if row else None

    def report_heads(self, report_ids: Iterable[str]) -> dict[str, tuple[str | None, dt.date | None]]:
        ids = sorted(set(report_ids))
        out: dict[str, tuple[str | None, dt.date | None]] = dict.fromkeys(ids, (None, None))
        for i in range(0, len(ids), IN_CHUNK):
            chunk = ids[i:i + IN_CHUNK]
            for rid, source, day in self._all(f"SELECT report_id, source, report_date FROM reports WHERE report_id "
                                              f"IN ({', '.join('?' * len(chunk))})", chunk):
                out[rid] = (source, self._to_date(day))
        return out

    def report_source(self, report_id: str) -> str | None:
        row = self._one("SELECT source FROM reports WHERE report_id = ?", (report_id,))
        return row[0] if row else None

    def iter_reports(self) -> Iterator[Report]:
        last = 0
        while True:
            rows = self._all(f"SELECT {self._REPORT_COLS} FROM reports WHERE revision > ? ORDER BY revision LIMIT ?",
                             (last, PAGE))
            yield from (self._report(r) for r in rows)
            if len(rows) < PAGE:
                return
            last = rows[-1][0]

    def _event(self, value: Any) -> Event:
        return Event.model_validate(self._load_json(value))

    # How the kind filter names the column. SQLite: `+e.kind`, which keeps the planner off the kind
    # index: a kind matches a large share of the events, and walking that index means sorting every
    # match again for each keyset page (quadratic on a database not yet analysed); the order index,
    # or a place's, does the paging.
    _KIND = "+e.kind"

    def _event_where(self, flt: EventFilter) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if flt.since is not None:
            where.append("e.date_hi >= ?")
            params.append(self._date(flt.since))
        if flt.until is not None:
            where.append("e.date_lo <= ?")
            params.append(self._date(flt.until))
        if flt.kinds:
            where.append(f"{self._KIND} IN ({', '.join('?' * len(flt.kinds))})")
            params.extend(flt.kinds)
        if flt.report_ids:
            where.append(f"e.report_id IN ({', '.join('?' * len(flt.report_ids))})")
            params.extend(flt.report_ids)
        if flt.place:
            key = fold(flt.place.strip())
            cond = "e.place_name_lc = ? OR e.place_mention_lc = ?"
            params.extend([key, key])
            if flt.place.strip().isdigit():
                cond += " OR e.geonames_id = ?"
                params.append(int(flt.place.strip()))
            where.append(f"({cond})")
        if flt.claimant:
            where.append("EXISTS (SELECT 1 FROM claims c WHERE c.event_id = e.event_id AND c.claimant_lc = ?)")
            params.append(fold(flt.claimant))
        if not flt.include_historical:
            where.append("e.historical = ?")
            params.append(False)
        if flt.sort_days:
            where.append(f"e.sort_date IN ({', '.join('?' * len(flt.sort_days))})")
            params.extend(self._date(d) for d in flt.sort_days)
        if flt.shard is not None:
            i, n = (int(v) for v in flt.shard)
            where.append(f"(e.geonames_id IS NULL OR {self._mod('ABS(e.geonames_id)', n)} = ?)")
            params.append(i)
        return where, params

    def _mod(self, expr: str, n: int) -> str:
        """SQL for `expr` modulo the integer `n`."""
        return f"({expr} % {int(n)})"

    def _event_pages(self, flt: EventFilter, columns: str, joins: str = "", offset: int = 0) -> Iterator[list[tuple]]:
        """Pages of rows `(sort_date, report_id, event_id, *columns)` in event order (keyset paging)."""
        where, params = self._event_where(flt)
        remaining = flt.limit
        last: tuple | None = None
        while remaining is None or remaining > 0:
            page = PAGE if remaining is None else min(PAGE, remaining)
            conds = list(where)
            page_params = list(params)
            if last is not None:
                conds.append("(e.sort_date, e.report_id, e.event_id) > (?, ?, ?)")
                page_params.extend(last)
            sql = (f"SELECT e.sort_date, e.report_id, e.event_id, {columns} FROM events e{joins}"
                   + (" WHERE " + " AND ".join(conds) if conds else "")
                   + " ORDER BY e.sort_date, e.report_id, e.event_id LIMIT ?")
            page_params.append(page)
            if offset and last is None:
                sql += " OFFSET ?"
                page_params.append(offset)
            rows = self._all(sql, page_params)
            if rows:
                yield rows
            if remaining is not None:
                remaining -= len(rows)
            if len(rows) < page:
                return
            last = rows[-1][:3]

    def events(self, flt: EventFilter | None = None) -> Iterator[Event]:
        for rows in self._event_pages(flt or EventFilter(), "e.json"):
            for r in rows:
                yield self._event(r[3])

    def event_views(self, flt: EventFilter | None = None) -> Iterator[Event]:
        from frontwatch.model import Claim

        # Every field a view holds is a column (migration 4): no row's JSON is parsed.
        cols = ("e.kind, e.report_date, e.event_date, e.date_earliest, e.date_latest, e.historical, e.place_name, "
                "e.place_mention, e.geonames_id, e.latitude, e.longitude, e.country, e.admin1, e.feature_code, "
                "e.geo_precision, e.actor1_side, e.actor2_side, e.control_to, e.control_from, e.control_extent, e.rule")
        # Places, controls and days repeat across thousands of events: each distinct one is built
        # once per call and shared (the views are read, never changed).
        days = _Days(self._to_date)
        shared = _Shared()

        def claim(claimant: Any, side: Any, stance: Any, via: Any, quote: Any) -> Claim:
            return _built(Claim, {"claimant": claimant, "side": side,
                                  "via": json.loads(via) if via and via != "[]" else [], "stance": stance,
                                  "quote": quote})

        for rows, claims in self._view_batches(flt or EventFilter(), cols, claim):
            get_claims = claims.get
            for (_, rid, eid, kind, rdate, edate, early, late, hist, name, mention, gid, lat, lon, country, adm,
                 fcode, precision, side1, side2, to, from_, extent, rule) in rows:
                loc = shared.location(name, mention, gid, lat, lon, country, adm, fcode, precision)
                yield EventView(self, eid, rid, kind, days[rdate], days[edate], days[early], days[late], bool(hist),
                                loc, side1, side2, shared.control(to, from_, extent), get_claims(eid) or [], rule)

    def fusion_events(self, flt: EventFilter | None = None) -> Iterator[FusionEvent]:
        # Only the columns the control rules read (not the JSON, nor what a view adds for others:
        # the earliest date, country, region, second actor, the claims' quotes and channels).
        cols = ("e.kind, e.report_date, e.event_date, e.date_latest, e.historical, e.place_name, e.place_mention, "
                "e.geonames_id, e.latitude, e.longitude, e.feature_code, e.geo_precision, e.actor1_side, "
                "e.control_to, e.control_from, e.control_extent, e.rule")
        days = _Days(self._to_date)
        shared = _Shared()
        voices: dict[tuple, ClaimVoice] = {}
        lists: dict[tuple, tuple] = {(): ()}  # each distinct list of claims, one tuple

        def claim(claimant: Any, side: Any, stance: Any) -> ClaimVoice:
            key = (claimant, side, stance)
            got = voices.get(key)
            if got is None:
                got = voices[key] = ClaimVoice(claimant, side, stance)
            return got

        flt = flt or EventFilter()
        scanned = self._scanned(flt, cols, ("claimant", "side", "stance"))
        if scanned is not None:  # one pass over the joined rows: an event's rows are consecutive
            n = 3 + len(cols.split(","))  # where the claim's columns start
            last: tuple | None = None
            got: list = []
            for r in scanned:
                if last is None or r[2] != last[2]:
                    if last is not None:
                        yield self._fusion_event(last, got, days, shared, lists)
                    last, got = r, []
                if r[n] is not None:
                    got.append(claim(r[n + 1], r[n + 2], r[n + 3]))
            if last is not None:
                yield self._fusion_event(last, got, days, shared, lists)
            return
        for rows, claims in self._view_batches(flt, cols, claim, ("claimant", "side", "stance")):
            for r in rows:
                yield self._fusion_event(r, claims.get(r[2]) or [], days, shared, lists)

    @staticmethod
    def _fusion_event(r: tuple, claims: list, days: Any, shared: _Shared, lists: dict) -> FusionEvent:
        """`fusion_events`' record of one scanned row (and its claims)."""
        (_, rid, eid, kind, rdate, edate, late, hist, name, mention, gid, lat, lon, fcode, precision, side1,
         to, from_, extent, rule) = r[:20]  # (the event's columns: `fusion_events`' cols)
        ctl = shared.control(to, from_, extent)
        loc = shared.location(name, mention, gid, lat, lon, None, None, fcode, precision)
        got = tuple(claims)
        cl = lists.get(got)
        if cl is None:
            cl = lists[got] = got
        return FusionEvent(eid, rid, kind, days[rdate], days[edate], days[late], bool(hist), loc, side1, ctl, cl, rule)

    # Whether a read of every event (of some kinds) may scan the table in storage order and sort the
    # rows here: SQLite compares text as UTF-8 bytes, which Python's order of strings agrees with.
    _SORT_HERE = True

    def _scanned(self, flt: EventFilter, cols: str, claim_cols: Sequence[str]) -> list[tuple] | None:
        """For a read of the whole store, or of a shard of it (some kinds), the rows
        `(sort_date, report_id, event_id, *cols, claim idx, *claim_cols)` of one scan of the events,
        each joined to its claims (one row per claim, or one row with no claim), sorted here in
        event order and, within an event, by the claims' order; None for any other read."""
        import dataclasses

        if not (self._SORT_HERE
                and dataclasses.replace(flt, kinds=(), include_historical=True, shard=None) == EventFilter()):
            return None
        where, params = self._event_where(flt)
        rows = self._all(f"SELECT e.sort_date, e.report_id, e.event_id, {cols}, c.idx, "
                         + ", ".join(f"c.{c}" for c in claim_cols)
                         + " FROM events e LEFT JOIN claims c ON c.event_id = e.event_id"
                         + (" WHERE " + " AND ".join(where) if where else ""), params)
        rows.sort(key=operator.itemgetter(0, 1, 2, 3 + len(cols.split(","))))
        return rows

    def _view_batches(self, flt: EventFilter, cols: str, claim: Any,
                      claim_cols: Sequence[str] = ("claimant", "side", "stance", "via", "quote"),
                      ) -> Iterator[tuple[list[tuple], dict[str, list]]]:
        """Batches of event rows `(sort_date, report_id, event_id, *cols)` in event order, each with its
        events' claims (event_id -> `claim(*claim_cols)` in order). A read of the whole store, or of a shard of it
        (a cold control rebuild), is one scan of the table, sorted here, and one pass over the claims
        of the events it read: walking the order index fetches every row out of place, and paging
        asks for the claims page by page."""
        rows = self._scanned(flt, cols, claim_cols)
        if rows is not None:
            n = 3 + len(cols.split(","))
            events: list[tuple] = []
            claims: dict[str, list] = {}
            last, got = None, []
            for r in rows:
                if r[2] != last:
                    last, got = r[2], []
                    events.append(r[:n])
                    claims[last] = got
                if r[n] is not None:
                    got.append(claim(*r[n + 1:]))
            if events:
                yield events, claims
            return
        for rows in self._event_pages(flt, cols):
            claims = {}
            ids = [r[2] for r in rows]
            for i in range(0, len(ids), IN_CHUNK):
                chunk = ids[i:i + IN_CHUNK]
                for eid, *values in self._all(
                        f"SELECT event_id, {', '.join(claim_cols)} FROM claims WHERE event_id IN "
                        f"({', '.join('?' * len(chunk))}) ORDER BY event_id, idx", chunk):
                    claims.setdefault(eid, []).append(claim(*values))
            yield rows, claims

    # The stored JSON as text (PostgreSQL's JSONB gives it back in its own key order).
    _JSON_TEXT = "e.json"

    def event_rows(self, flt: EventFilter | None = None, offset: int = 0) -> Iterator[EventRow]:
        cols = (f"{self._JSON_TEXT}, e.kind, e.event_date, e.date_latest, e.report_date, e.historical, "
                "e.place_name, e.geonames_id, e.latitude, e.longitude, e.admin1, e.country, "
                "r.source, r.title, r.url, r.report_date, e.date_lo, e.date_hi")
        joins = " LEFT JOIN reports r ON r.report_id = e.report_id"
        iso = self._iso
        for rows in self._event_pages(flt or EventFilter(), cols, joins, offset):
            for (sort, rid, eid, js, kind, edate, latest, rdate, hist, pname, gid, lat, lon, adm, country,
                 source, title, url, rep_date, lo, hi) in rows:
                yield EventRow(eid, rid, js if isinstance(js, str) else json.dumps(js, ensure_ascii=False),
                               kind, iso(edate), iso(latest), iso(rdate), bool(hist), pname, gid, lat, lon, adm,
                               country, rep_date is not None, source, title, url, iso(rep_date), iso(lo), iso(hi),
                               iso(sort))

    @staticmethod
    def _iso(value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return value.isoformat()

    def day_spans(self) -> list[tuple[dt.date, dt.date, dt.date]]:
        rows = self._all("SELECT sort_date, MIN(date_lo), MAX(date_hi) FROM events GROUP BY sort_date ORDER BY 1")
        return [(self._to_date(d), self._to_date(lo), self._to_date(hi)) for d, lo, hi in rows]

    def report_days(self) -> list[dt.date]:
        return [self._to_date(r[0]) for r in self._all("SELECT DISTINCT report_date FROM reports ORDER BY 1")]

    def get_event(self, event_id: str) -> Event | None:
        row = self._one("SELECT json FROM events WHERE event_id = ?", (event_id,))
        return self._event(row[0]) if row else None

    def place_mentions(self, report_id: str | None = None) -> Iterator[tuple[str, PlaceMention]]:
        last = 0
        while True:
            if report_id is None:
                rows = self._all("SELECT id, report_id, json FROM place_mentions WHERE id > ? ORDER BY id LIMIT ?",
                                 (last, PAGE))
            else:
                rows = self._all("SELECT id, report_id, json FROM place_mentions WHERE report_id = ? AND id > ? "
                                 "ORDER BY id LIMIT ?", (report_id, last, PAGE))
            for _, rid, value in rows:
                yield rid, PlaceMention.model_validate(self._load_json(value))
            if len(rows) < PAGE:
                return
            last = rows[-1][0]

    def baseline(self) -> list[BaselineRow]:
        rows = self._all("SELECT place, controller, on_date, geonames_id, latitude, longitude, source FROM baseline "
                         "ORDER BY on_date, place, controller")
        return [BaselineRow(place=p, controller=c, on=self._to_date(d), geonames_id=g, latitude=la, longitude=lo,
                            source=s) for p, c, d, g, la, lo, s in rows]

    def counts(self) -> dict[str, int]:
        row = self._one("SELECT (SELECT COUNT(*) FROM reports), (SELECT COUNT(*) FROM events), "
                        "(SELECT COUNT(*) FROM place_mentions), (SELECT COUNT(*) FROM baseline)")
        assert row is not None
        return dict(zip(("reports", "events", "places", "baseline"), (int(v) for v in row), strict=True))

    # --- derived data --------------------------------------------------------------
    def put_derived(self, namespace: str, key: str, value: str) -> None:
        self._check_open()
        with self._lock, self._write() as cur:
            cur.execute(self._q(
                "INSERT INTO derived (namespace, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value"),
                (namespace, key, self._text(value)))

    def put_derived_many(self, namespace: str, items: Iterable[tuple[str, str]]) -> None:
        self._check_open()
        rows = [(namespace, k, self._text(v)) for k, v in items]
        if not rows:
            return
        with self._lock, self._write() as cur:
            cur.executemany(self._q(
                "INSERT INTO derived (namespace, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value"), rows)

    def get_derived(self, namespace: str, keys: Iterable[str] | None = None) -> dict[str, str]:
        if keys is None:
            return dict(self._all("SELECT key, value FROM derived WHERE namespace = ? ORDER BY key", (namespace,)))
        ks = sorted(set(keys))
        out: dict[str, str] = {}
        for i in range(0, len(ks), IN_CHUNK):
            chunk = ks[i:i + IN_CHUNK]
            out.update(self._all(f"SELECT key, value FROM derived WHERE namespace = ? AND key IN "
                                 f"({', '.join('?' * len(chunk))})", (namespace, *chunk)))
        return dict(sorted(out.items()))

    def delete_derived(self, namespace: str, keys: Iterable[str] | None = None) -> None:
        self._check_open()
        with self._lock, self._write() as cur:
            if keys is None:
                cur.execute(self._q("DELETE FROM derived WHERE namespace = ?"), (namespace,))
                return
            ks = list(keys)
            for i in range(0, len(ks), IN_CHUNK):
                chunk = ks[i:i + IN_CHUNK]
                cur.execute(self._q(f"DELETE FROM derived WHERE namespace = ? AND key IN ({', '.join('?' * len(chunk))})"),
                            (namespace, *chunk))

    def revision(self) -> int:
        row = self._one("SELECT COALESCE(MAX(revision), 0) FROM reports")
        return int(row[0]) if row else 0

    def data_version(self) -> tuple[int, int]:
        row = self._one("SELECT (SELECT COALESCE(MAX(revision), 0) FROM reports), "
                        "(SELECT COALESCE(MAX(id), 0) FROM baseline)")
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def reports_since(self, revision: int) -> list[str]:
        return [r[0] for r in self._all("SELECT report_id FROM reports WHERE revision > ? ORDER BY revision",
                                        (revision,))]
