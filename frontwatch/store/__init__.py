"""Storage: one interface (base.Store), SQLite by default, PostgreSQL for teams."""

from frontwatch.store.base import BaselineRow, EventFilter, Store, StoreError, open_store

__all__ = ["BaselineRow", "EventFilter", "Store", "StoreError", "open_store"]
