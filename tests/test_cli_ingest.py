"""`frontwatch ingest` end to end: good and bad input in one batch, idempotence, crash safety."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FRONTWATCH = [sys.executable, "-m", "frontwatch"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FRONTWATCH, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def write_bad_files(d: Path) -> list[Path]:
    d.mkdir()
    (d / "empty.txt").write_text("")
    (d / "nodate.txt").write_text("Russian forces shelled the town overnight, officials said.\n")
    (d / "baddate.txt").write_text("date 2022-13-45\nTroops entered the village.\n")
    (d / "latin1.txt").write_bytes("date 2022-09-10\nKharkiv caf\xe9 hit by a missile.\n".encode("latin-1"))
    return sorted(d.iterdir())


def test_good_reports_stored_bad_ones_named_and_reingest_adds_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(
        "date 2022-09-10\nsource team test\n\nRussian artillery shelled Kupiansk on Friday, killing two civilians, "
        "the regional governor said. Ukrainian troops recaptured Balakliia, the defence ministry said.\n",
        encoding="utf-8",
    )
    bad = write_bad_files(tmp_path / "bad")
    db = tmp_path / "t.db"
    first = run("ingest", str(good), *map(str, bad), "--db", str(db), "--json", cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    for f in bad:
        assert f.name in first.stderr  # each bad file is named with its reason
    assert len([ln for ln in first.stderr.splitlines() if "rejected" in ln]) == len(bad)
    summary = json.loads(first.stdout[first.stdout.index("{"):])
    assert summary["new"] == 1 and summary["rejected"] == len(bad)
    assert summary["events"] >= 1

    again = run("ingest", str(good), "--db", str(db), "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    summary2 = json.loads(again.stdout[again.stdout.index("{"):])
    assert summary2["new"] == 0 and summary2["duplicate"] == 1

    listed = run("events", "--db", str(db), "--format", "jsonl", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    events = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
    assert len(events) == summary["events"]
    assert {"shelling"} <= {e["kind"] for e in events}


@pytest.mark.skipif(not (SHARED / "samples").is_dir(), reason="../shared/samples not present")
def test_shared_samples_and_four_bad_files(tmp_path: Path) -> None:
    bad = write_bad_files(tmp_path / "bad")
    samples = sorted((SHARED / "samples").glob("*.txt"))
    db = tmp_path / "s.db"
    res = run("ingest", *map(str, samples), *map(str, bad), "--db", str(db), "--json", cwd=tmp_path)
    assert res.returncode == 1
    summary = json.loads(res.stdout[res.stdout.index("{"):])
    assert summary["new"] == len(samples) and summary["rejected"] == 4
    res2 = run("ingest", *map(str, samples), "--db", str(db), "--json", cwd=tmp_path)
    assert json.loads(res2.stdout[res2.stdout.index("{"):])["new"] == 0


def _synthetic_corpus(path: Path, n: int) -> None:
    towns = ["Kupiansk", "Izium", "Balakliia", "Lyman", "Bakhmut", "Kharkiv", "Sumy", "Kherson", "Nikopol", "Vovchansk"]
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            town = towns[i % len(towns)]
            text = (f"Russian forces shelled {town} overnight, killing {i % 5 + 1} civilians, the regional governor said "
                    f"in bulletin number {i}. Ukrainian troops said they had recaptured a village near {town}.")
            f.write(json.dumps({"id": f"syn-{i}", "date": "2022-09-10", "text": text}) + "\n")


def _counts(db: Path) -> tuple[int, int]:
    con = sqlite3.connect(db)
    try:
        return con.execute("select count(*) from reports").fetchone()[0], con.execute("select count(*) from events").fetchone()[0]
    finally:
        con.close()


def test_sigkill_midway_leaves_no_half_report_and_rerun_equals_clean_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    _synthetic_corpus(corpus, 120)
    db = tmp_path / "killed.db"
    proc = subprocess.Popen([*FRONTWATCH, "ingest", str(corpus), "--db", str(db)], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    stored = 0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
        if db.exists():
            try:
                stored = _counts(db)[0]
            except sqlite3.Error:
                continue
            if stored >= 10:
                break
    assert proc.poll() is None, "ingest finished before it could be killed: make the corpus larger"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    reports, _ = _counts(db)
    assert 10 <= reports < 120
    con = sqlite3.connect(db)
    orphans = con.execute("select count(*) from events where report_id not in (select report_id from reports)").fetchone()[0]
    con.close()
    assert orphans == 0

    assert run("ingest", str(corpus), "--db", str(db), cwd=tmp_path).returncode == 0
    clean = tmp_path / "clean.db"
    assert run("ingest", str(corpus), "--db", str(clean), cwd=tmp_path).returncode == 0
    assert _counts(db) == _counts(clean)
    assert _counts(clean)[0] == 120
