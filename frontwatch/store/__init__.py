"""Storage: one interface (base.Store), SQLite by default, PostgreSQL for teams."""

from frontwatch.store.base import BaselineImport, BaselineRow, EventFilter, Store, StoreError, open_store

__all__ = ["BaselineImport", "BaselineRow", "EventFilter", "Store", "StoreError", "open_store"]
