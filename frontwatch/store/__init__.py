"""Storage: one interface (base.Store), SQLite by default, PostgreSQL for teams."""

from frontwatch.store.base import BaselineRow, EventFilter, Store, open_store

__all__ = ["BaselineRow", "EventFilter", "Store", "open_store"]
