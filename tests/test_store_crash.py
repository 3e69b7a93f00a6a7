"""Crash safety of the SQLite store: SIGKILL an ingest midway, then no report is half-stored and a
re-run ends exactly where a clean run does."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from frontwatch.store.sqlite import SQLiteStore
from frontwatch.store.synthetic import synthetic_extraction

N = 2000
KILL_AFTER = 300

# The child stores synthetic extractions one report per transaction, announcing progress.
CHILD = """
import sys
from frontwatch.store.sqlite import SQLiteStore
from frontwatch.store.synthetic import synthetic_extraction
store = SQLiteStore(sys.argv[1])
new = 0
for i in range(int(sys.argv[2])):
    new += store.add_extraction(synthetic_extraction(i)) == "new"
    if i % 25 == 0:
        print(i, flush=True)
store.close()
print("done", new, flush=True)
"""


def ingest(db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(N)], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)


def test_sigkill_midway_then_rerun_equals_clean_run(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    proc = ingest(db)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip().isdigit() and int(line) >= KILL_AFTER:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = dict(con.execute("SELECT report_id, 0 FROM reports").fetchall())
        ev = dict(con.execute("SELECT report_id, COUNT(*) FROM events GROUP BY report_id").fetchall())
        pl = dict(con.execute("SELECT report_id, COUNT(*) FROM place_mentions GROUP BY report_id").fetchall())
        orphans = con.execute("SELECT COUNT(*) FROM events WHERE report_id NOT IN (SELECT report_id FROM reports)"
                              ).fetchone()[0]
    finally:
        con.close()
    assert KILL_AFTER <= len(stored) < N, "the ingest was not killed midway"
    assert orphans == 0
    for rid in stored:  # every stored report has all of its events and places
        ex = synthetic_extraction(int(rid.removeprefix("syn-")))
        assert (ev.get(rid, 0), pl.get(rid, 0)) == (len(ex.events), len(ex.places)), rid

    with SQLiteStore(db) as s:  # opens cleanly after the kill
        assert s.counts()["reports"] == len(stored)

    rerun = ingest(db)
    out, _ = rerun.communicate(timeout=600)
    assert rerun.returncode == 0
    assert out.strip().splitlines()[-1] == f"done {N - len(stored)}"

    clean_db = tmp_path / "clean.db"
    clean = ingest(clean_db)
    out, _ = clean.communicate(timeout=600)
    assert clean.returncode == 0 and out.strip().splitlines()[-1] == f"done {N}"

    with SQLiteStore(db) as a, SQLiteStore(clean_db) as b:
        assert a.counts() == b.counts()
        assert a.counts()["reports"] == N
        assert [e.event_id for e in a.events()] == [e.event_id for e in b.events()]
        assert sorted(a.reports_since(0)) == sorted(b.reports_since(0))
