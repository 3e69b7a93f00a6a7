"""The one store interface: SQLite (default) and PostgreSQL implement it; nothing else touches SQL.

Every write of a report is one transaction: the report, its place mentions and its events
land together or not at all, so a crash mid-ingest never leaves a half-stored report.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

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

    @abc.abstractmethod
    def events(self, flt: EventFilter | None = None) -> Iterator[Event]:
        """Events ordered by (event date or report date, report_id, event_id)."""

    @abc.abstractmethod
    def get_event(self, event_id: str) -> Event | None: ...

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

    @abc.abstractmethod
    def get_derived(self, namespace: str) -> dict[str, str]: ...

    @abc.abstractmethod
    def delete_derived(self, namespace: str, keys: Iterable[str] | None = None) -> None: ...

    @abc.abstractmethod
    def revision(self) -> int:
        """A number that grows with every stored report: lets caches tell what is new."""

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


def open_store(url: str) -> Store:
    """A store for a path (SQLite file) or a postgresql:// URL."""
    if url.startswith(("postgresql://", "postgres://")):
        from frontwatch.store.postgres import PostgresStore

        return PostgresStore(url)
    from frontwatch.store.sqlite import SQLiteStore

    path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
    return SQLiteStore(path)
