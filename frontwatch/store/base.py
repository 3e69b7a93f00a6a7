"""The one store interface: SQLite (default) and PostgreSQL implement it; nothing else touches SQL.

Every write of a report is one transaction: the report, its place mentions and its events
land together or not at all, so a crash mid-ingest never leaves a half-stored report.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from frontwatch.model import Event, Extraction, PlaceMention, Report

AddResult = Literal["new", "duplicate"]


class StoreError(RuntimeError):
    """The database cannot be used: not a frontwatch database, newer schema, server unreachable."""


@dataclass(frozen=True)
class EventFilter:
    since: dt.date | None = None  # event interval overlaps [since, until]; undated events use report_date
    until: dt.date | None = None
    kinds: tuple[str, ...] = ()
    place: str | None = None  # matches location name or mention (case-insensitive) or a GeoNames id
    report_ids: tuple[str, ...] = ()
    claimant: str | None = None  # some claim's claimant equals this (case-insensitive)
    include_historical: bool = True
    limit: int | None = None
    sort_days: tuple[dt.date, ...] = ()  # the event's sort day (event date, else report date) is one of these
    # (i, n): only events whose GeoNames id is i modulo n (of its absolute value), and every event
    # without an id. Lets n processes each read one share of the settlements (a cold control rebuild).
    shard: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class EventRow:
    """An event as stored, for serving: its JSON text as written, the columns a card or a place
    panel needs, and its report's display fields (`report_*`), without parsing the JSON."""

    event_id: str
    report_id: str
    json: str
    kind: str
    event_date: str | None  # ISO days
    date_latest: str | None
    report_date: str
    historical: bool
    place_name: str | None
    geonames_id: int | None
    latitude: float | None
    longitude: float | None
    admin1: str | None
    country: str | None
    has_report: bool
    report_source: str | None
    report_title: str | None
    report_url: str | None
    report_day: str | None
    date_lo: str = ""  # the interval a window filter tests, and the day the store orders by
    date_hi: str = ""
    sort_date: str = ""

    @property
    def day(self) -> str:
        """The event's day: its date, else the last day of its range, else its report's day."""
        return self.event_date or self.date_latest or self.report_date


class EventView:
    """An event as the control rules read it: ids, kind, dates, location, sides, control and claims
    are loaded from the store's columns (Location, ControlChange and Claim records complete);
    any other attribute (evidence, quantities, ...) loads the full Event from the store once."""

    __slots__ = ("event_id", "report_id", "kind", "report_date", "event_date", "date_earliest", "date_latest",
                 "historical", "location", "actor1_side", "actor2_side", "control", "claims", "rule", "_store",
                 "_full")

    def __init__(self, store: Store, event_id: str, report_id: str, kind: str, report_date: dt.date,
                 event_date: dt.date | None, date_earliest: dt.date | None, date_latest: dt.date | None,
                 historical: bool, location: Any, actor1_side: str | None, actor2_side: str | None,
                 control: Any, claims: list, rule: str | None = None) -> None:
        self._store, self._full = store, None
        self.event_id, self.report_id, self.kind = event_id, report_id, kind
        self.report_date, self.event_date = report_date, event_date
        self.date_earliest, self.date_latest, self.historical = date_earliest, date_latest, historical
        self.location, self.actor1_side, self.actor2_side = location, actor1_side, actor2_side
        self.control, self.claims, self.rule = control, claims, rule

    def full(self) -> Event:
        """The whole record: the stored one, with this view's fields (a copy may have changed some)."""
        if self._full is None:
            full = self._store.get_event(self.event_id)
            if full is None:
                raise LookupError(f"event {self.event_id} is no longer stored")
            self._full = full.model_copy(update={n: object.__getattribute__(self, n) for n in _VIEW_FIELDS})
        return self._full

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Any:
        """Like `Event.model_copy`: a view again when only loaded fields change, else a full Event."""
        if deep or any(k.startswith("_") or k not in EventView.__slots__ for k in update or {}):
            return self.full().model_copy(update=update, deep=deep)
        new = EventView.__new__(EventView)
        for name in EventView.__slots__:
            object.__setattr__(new, name, object.__getattribute__(self, name))
        new._full = None
        for name, value in (update or {}).items():
            object.__setattr__(new, name, value)
        return new

    def __getattr__(self, name: str) -> Any:  # only for what the slots do not hold
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.full(), name)

    def __repr__(self) -> str:
        return f"EventView({self.event_id!r}, {self.kind!r}, {self.location!r})"


_VIEW_FIELDS = tuple(n for n in EventView.__slots__ if not n.startswith("_"))


class ClaimVoice(NamedTuple):
    """What the control rules read of a claim: who, for which side, how it was said."""

    claimant: str | None
    side: str | None
    stance: str


class FusionEvent:
    """An event as the control rules read it, and nothing more (see `Store.fusion_events`): ids,
    kind, the dates the rules use, location, the acting side, control change, trigger rule and the
    claims as `ClaimVoice`s. Locations, control changes and claim tuples that repeat are shared."""

    __slots__ = ("event_id", "report_id", "kind", "report_date", "event_date", "date_latest", "historical",
                 "location", "actor1_side", "control", "claims", "rule")

    def __init__(self, event_id: str, report_id: str, kind: str, report_date: dt.date, event_date: dt.date | None,
                 date_latest: dt.date | None, historical: bool, location: Any, actor1_side: str | None,
                 control: Any, claims: tuple, rule: str | None = None) -> None:
        self.event_id, self.report_id, self.kind = event_id, report_id, kind
        self.report_date, self.event_date, self.date_latest = report_date, event_date, date_latest
        self.historical, self.location, self.actor1_side = historical, location, actor1_side
        self.control, self.claims, self.rule = control, claims, rule

    @classmethod
    def of(cls, ev: Any) -> FusionEvent:
        """The fields the rules read of a whole Event (or view)."""
        return cls(ev.event_id, ev.report_id, ev.kind, ev.report_date, ev.event_date, ev.date_latest, ev.historical,
                   ev.location, ev.actor1_side, ev.control,
                   tuple(ClaimVoice(c.claimant, c.side, c.stance) for c in ev.claims), getattr(ev, "rule", None))

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> FusionEvent:  # noqa: ARG002
        """A copy with some of its fields changed (as `Event.model_copy` would; only its own fields)."""
        new = FusionEvent.__new__(FusionEvent)
        for name in FusionEvent.__slots__:
            setattr(new, name, getattr(self, name))
        for name, value in (update or {}).items():
            if name not in FusionEvent.__slots__:
                raise AttributeError(f"a FusionEvent holds no {name!r}")
            setattr(new, name, value)
        return new

    def __repr__(self) -> str:
        return f"FusionEvent({self.event_id!r}, {self.kind!r}, {self.location!r})"


@dataclass(frozen=True)
class BaselineRow:
    """A known controller of a settlement on a date, imported by an analyst (control baseline)."""

    place: str
    controller: Literal["UA", "RU", "contested"]
    on: dt.date
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    source: str | None = None

    def settlement(self) -> str:
        """The key of the settlement a row is about: its GeoNames id, else its coordinates, else
        its name. Baseline rows are unique by (settlement, day), never by name alone."""
        if self.geonames_id is not None:
            return f"g{self.geonames_id}"
        if self.latitude is not None and self.longitude is not None:
            return f"c{self.latitude:.4f},{self.longitude:.4f}"
        return "n" + " ".join(self.place.casefold().split())


@dataclass
class BaselineImport:
    """What importing baseline rows did: stored, merged into a row already there (the same
    settlement, day and state), skipped with reasons (reason -> count), and examples of each."""

    stored: int = 0
    merged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, example: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        ex = self.examples.setdefault(reason, [])
        if len(ex) < 5:
            ex.append(example)


class Store(abc.ABC):
    """A frontwatch database. Use as a context manager, or call close()."""

    url: str

    # --- writing -------------------------------------------------------------------
    @abc.abstractmethod
    def add_extraction(self, extraction: Extraction) -> AddResult:
        """Store a report with its places and events in one transaction; a duplicate (same
        report_id or same content_hash) changes nothing and returns "duplicate"."""

    def replace_extraction(self, extraction: Extraction) -> bool:
        """Put a stored report's places and events anew (read again, e.g. against new baseline
        settlements), in one transaction; False when the report is not stored."""
        raise NotImplementedError(f"{type(self).__name__} cannot replace an extraction")

    @abc.abstractmethod
    def has_report(self, report_id: str | None = None, content_hash: str | None = None) -> bool: ...

    @abc.abstractmethod
    def import_baseline(self, rows: Iterable[BaselineRow]) -> BaselineImport:
        """Add control baseline rows, one per (settlement, day): a row for a settlement and day
        already stored with the same state is merged; with another state it is skipped (the first
        stays), and the summary says so."""

    def add_baseline(self, rows: Iterable[BaselineRow]) -> int:
        """Add control baseline rows (see import_baseline); returns rows stored."""
        return self.import_baseline(rows).stored

    # --- reading -------------------------------------------------------------------
    @abc.abstractmethod
    def get_report(self, report_id: str) -> Report | None: ...

    @abc.abstractmethod
    def iter_reports(self) -> Iterator[Report]: ...

    def report_heads(self, report_ids: Iterable[str]) -> dict[str, tuple[str | None, dt.date | None]]:
        """{report_id: (source, date)} for each id (None, None when not stored), without the texts."""
        out: dict[str, tuple[str | None, dt.date | None]] = {}
        for rid in report_ids:
            rep = self.get_report(rid)
            out[rid] = (rep.source, rep.date) if rep else (None, None)
        return out

    @abc.abstractmethod
    def events(self, flt: EventFilter | None = None) -> Iterator[Event]:
        """Events ordered by (event date or report date, report_id, event_id)."""

    @abc.abstractmethod
    def get_event(self, event_id: str) -> Event | None: ...

    def event_rows(self, flt: EventFilter | None = None, offset: int = 0) -> Iterator[EventRow]:
        """`events(flt)` as stored rows (same order), skipping the first `offset`; SQL stores read
        the JSON text and the report columns in one query instead of validating every record."""
        import itertools
        import json

        from frontwatch.store.sql import event_interval

        reports: dict[str, Report | None] = {}
        for e in itertools.islice(self.events(flt), offset, None):
            if e.report_id not in reports:
                reports[e.report_id] = self.get_report(e.report_id)
            r = reports[e.report_id]
            loc = e.location
            yield EventRow(e.event_id, e.report_id,
                           json.dumps(e.to_json_dict(), ensure_ascii=False, separators=(",", ":")), e.kind,
                           _iso(e.event_date), _iso(e.date_latest), e.report_date.isoformat(), e.historical,
                           loc.name, loc.geonames_id, loc.latitude, loc.longitude, loc.admin1, loc.country,
                           r is not None, r.source if r else None, r.title if r else None, r.url if r else None,
                           r.date.isoformat() if r else None, *(d.isoformat() for d in event_interval(e)))

    def day_spans(self) -> list[tuple[dt.date, dt.date, dt.date]]:
        """(sort day, earliest date_lo, latest date_hi) of the events of each sort day, in order:
        which days' events a window of dates can reach."""
        from frontwatch.store.sql import event_interval

        spans: dict[dt.date, tuple[dt.date, dt.date]] = {}
        for e in self.events():
            lo, hi, sort = event_interval(e)
            old = spans.get(sort)
            spans[sort] = (min(lo, old[0]), max(hi, old[1])) if old else (lo, hi)
        return [(d, lo, hi) for d, (lo, hi) in sorted(spans.items())]

    def event_views(self, flt: EventFilter | None = None) -> Iterator[Event]:
        """`events(flt)` for readers of a few fields (fusion): SQL stores return `EventView`s, which
        read only those columns and load the full record if anything else is asked of them."""
        yield from self.events(flt)

    def fusion_events(self, flt: EventFilter | None = None) -> Iterator[FusionEvent]:
        """`events(flt)` as the control rules read them (`FusionEvent`s, same order): SQL stores
        read only those columns, never the JSON, and build each distinct place, control change and
        claim once."""
        for ev in self.events(flt):
            yield FusionEvent.of(ev)

    def report_days(self) -> list[dt.date]:
        """The days that have reports, in order."""
        return sorted({r.date for r in self.iter_reports()})

    def can_reopen(self) -> bool:
        """Whether `reopen` can give another connection to this database."""
        return False

    def reopen(self) -> Store:
        """Another connection to the same database, for a forked process to read and write with (a
        connection must not cross a fork: open it in the child)."""
        raise StoreError(f"{self.url} cannot be opened a second time")

    @abc.abstractmethod
    def report_source(self, report_id: str) -> str | None:
        """The stored report's `source` (outlet name), without loading its text; for exports."""

    @abc.abstractmethod
    def place_mentions(self, report_id: str | None = None) -> Iterator[tuple[str, PlaceMention]]:
        """(report_id, mention) pairs."""

    @abc.abstractmethod
    def baseline(self) -> list[BaselineRow]: ...

    @abc.abstractmethod
    def counts(self) -> dict[str, int]:
        """{"reports": n, "events": n, "places": n, "baseline": n}."""

    # --- derived data kept by other rooms (e.g. the control timeline cache) ---------
    @abc.abstractmethod
    def put_derived(self, namespace: str, key: str, value: str) -> None:
        """Keep a derived JSON value (fusion's per-place timeline cache, ...)."""

    def put_derived_many(self, namespace: str, items: Iterable[tuple[str, str]]) -> None:
        """Keep many derived values (one transaction in SQL stores)."""
        for key, value in items:
            self.put_derived(namespace, key, value)

    @abc.abstractmethod
    def get_derived(self, namespace: str, keys: Iterable[str] | None = None) -> dict[str, str]:
        """The derived values of a namespace (only those of `keys` when given)."""

    @abc.abstractmethod
    def delete_derived(self, namespace: str, keys: Iterable[str] | None = None) -> None: ...

    @abc.abstractmethod
    def revision(self) -> int:
        """A number that grows with every stored report: lets caches tell what is new."""

    def data_version(self) -> tuple[int, int]:
        """(revision, baseline stamp): changes whenever a report or a baseline row is stored, so a
        cache of anything read from the store (web replies) knows when it is stale."""
        return self.revision(), len(self.baseline())

    @abc.abstractmethod
    def reports_since(self, revision: int) -> list[str]:
        """Ids of the reports stored after `revision`."""

    # --- lifecycle -----------------------------------------------------------------
    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


def open_store(url: str) -> Store:
    """A store for a path (SQLite file) or a postgresql:// URL."""
    if url.startswith(("postgresql://", "postgres://")):
        from frontwatch.store.postgres import PostgresStore

        return PostgresStore(url)
    from frontwatch.store.sqlite import SQLiteStore

    path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
    return SQLiteStore(path)
