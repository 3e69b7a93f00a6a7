"""Schema versions: an old (version 1) database is migrated in place, its data kept and extended."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from frontwatch.store.base import EventFilter, Store, StoreError
from frontwatch.store.postgres import MIGRATIONS as PG_MIGRATIONS
from frontwatch.store.sqlite import MIGRATIONS, SQLiteStore
from frontwatch.store.synthetic import synthetic_extraction


def test_both_backends_have_the_same_migrations() -> None:
    assert len(MIGRATIONS) == len(PG_MIGRATIONS) >= 2
    assert [len(m) for m in MIGRATIONS] == [len(m) for m in PG_MIGRATIONS]


def test_version_1_database_is_migrated_with_its_data(store_factory: Callable[..., Store]) -> None:
    old = store_factory(migrate_to=1)
    assert old.schema_version() == 1  # type: ignore[attr-defined]
    exs = [synthetic_extraction(i) for i in range(8)]
    # Version 1 had no claims table: store the events as version 1 did (claims only inside the JSON).
    for ex in exs:
        bare = ex.model_copy(update={"events": [e.model_copy(update={"claims": []}) for e in ex.events]})
        assert old.add_extraction(bare) == "new"
    with old._lock, old._write() as cur:  # type: ignore[attr-defined]
        for ex in exs:
            for ev in ex.events:
                cur.execute(old._q("UPDATE events SET json = ? WHERE event_id = ?"),  # type: ignore[attr-defined]
                            (old._json(ev.to_json_dict()), ev.event_id))  # type: ignore[attr-defined]
    counts = old.counts()
    old.close()

    new = store_factory()
    assert new.schema_version() == len(MIGRATIONS)  # type: ignore[attr-defined]
    assert new.counts() == counts
    assert list(new.events()) == sorted((e for ex in exs for e in ex.events),
                                        key=lambda e: (e.event_date or e.report_date, e.report_id, e.event_id))
    # Migration 2 filled the claims table from the JSON: the claimant filter sees old events.
    want = {e.event_id for ex in exs for e in ex.events if any(c.claimant == "Andriy Yermak" for c in e.claims)}
    assert want and {e.event_id for e in new.events(EventFilter(claimant="andriy yermak"))} == want
    # Migration 4 filled the columns the control rules read (feature code, precision, the side a
    # place is taken from) from the JSON: views of old events say what their records say.
    full = list(new.events(EventFilter(kinds=("territory_regained", "shelling", "armed_clash"))))
    views = list(new.event_views(EventFilter(kinds=("territory_regained", "shelling", "armed_clash"))))
    assert any(e.control is not None and e.control.from_ for e in full)
    assert any(e.location.feature_code and e.location.geo_precision for e in full)
    assert [(v.event_id, v.location, v.control, v.claims) for v in views] == \
        [(e.event_id, e.location, e.control, e.claims) for e in full]
    # And the migrated database takes new reports normally.
    assert new.add_extraction(synthetic_extraction(100)) == "new"
    assert new.add_extraction(exs[0]) == "duplicate"
    new.close()
    again = store_factory()  # reopening an up-to-date database changes nothing
    assert again.schema_version() == len(MIGRATIONS)  # type: ignore[attr-defined]


def test_newer_schema_is_refused(store_factory: Callable[..., Store]) -> None:
    s = store_factory()
    with s._lock, s._write() as cur:  # type: ignore[attr-defined]
        cur.execute(s._q("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"),  # type: ignore[attr-defined]
                    (99, "2030-01-01"))
    s.close()
    with pytest.raises(StoreError, match="newer"):
        store_factory()


def test_sqlite_file_settings(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "fw.db"
    with SQLiteStore(path) as s:
        s.add_extraction(synthetic_extraction(1))
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        versions = [r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY version")]
        assert versions == list(range(1, len(MIGRATIONS) + 1))
        row = con.execute("SELECT json FROM events LIMIT 1").fetchone()
        assert json.loads(row[0])["report_id"] == "syn-1"
    finally:
        con.close()


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="junk.db"):
        SQLiteStore(junk)


def test_open_store_dispatch(tmp_path: Path) -> None:
    from frontwatch.store import open_store

    with open_store(str(tmp_path / "a.db")) as s:
        assert isinstance(s, SQLiteStore)
    with open_store(f"sqlite:///{tmp_path / 'b.db'}") as s:
        assert isinstance(s, SQLiteStore) and (tmp_path / "b.db").exists()
