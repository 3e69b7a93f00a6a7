"""Benchmark: `control --on` over 100,000 stored events about ~2,000 settlements.

Builds a temporary SQLite store from synthetic reports (some syndicated copies), then times
control_on built from nothing (first use: no derived data at all), cold (cache rebuilt from the
events after a rules or baseline change), warm (cached) and after one new report (incremental),
next to a bare SELECT of every event's JSON in the same process.
The last line is `cold=N`: the cold rebuild / the bare SELECT.
Usage: .venv/bin/python bench/bench_control.py [--events N] [--places N] [--keep DB] [--profile]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from frontwatch.model import (
    Claim,
    ControlChange,
    Event,
    Evidence,
    Extraction,
    Location,
    Report,
    kind_to_acled,
)

START = dt.date(2022, 2, 24)
CLAIMANTS = [("Russia's defence ministry", "RU"), ("Igor Konashenkov", "RU"), ("Hanna Malyar", "UA"),
             ("Ukraine's general staff", "UA"), ("Volodymyr Zelenskiy", "UA"), ("ISW", "neutral"), (None, None)]
OUTLETS = ["Reuters", "AP", "AFP", "BBC", "Kyiv Independent", "TASS", "RIA Novosti", "Ukrinform", "Meduza", "CNN"]
WORDS = ["troops", "forces", "village", "town", "front", "line", "artillery", "positions", "advance", "retreat", "river", "bridge", "road", "officials", "said", "reported", "according", "ministry", "defence", "army", "brigade", "assault", "counteroffensive"]


def make_extraction(i: int, rng: random.Random, places: list[tuple[str, int, float, float]], per_report: int,
                    texts: list[str]) -> Extraction:
    day = START + dt.timedelta(days=rng.randrange(365))
    if texts and rng.random() < 0.1:  # a syndicated copy of an earlier story
        text = texts[rng.randrange(len(texts))] + f" ({OUTLETS[i % len(OUTLETS)]})"
    else:
        text = " ".join(rng.choice(WORDS) for _ in range(60)) + f" story {i}."
        texts.append(text)
    rid = f"b{i}"
    rep = Report(report_id=rid, date=day, text=text, source=OUTLETS[i % len(OUTLETS)],
                 content_hash=hashlib.sha256(f"{i}{day}{text}".encode()).hexdigest())
    evs = []
    for k in range(per_report):
        name, gid, lat, lon = places[rng.randrange(len(places))]
        r = rng.random()
        kind = ("territory_regained" if r < 0.2 else "territory_captured" if r < 0.35 else "withdrawal" if r < 0.45
                else "entered" if r < 0.5 else "armed_clash" if r < 0.6 else "shelling")
        side = "UA" if kind == "territory_regained" else "RU" if kind == "territory_captured" else rng.choice(["UA", "RU"])
        control = None
        if kind in ("territory_regained", "territory_captured"):
            control = ControlChange(to=side, **{"from": "RU" if side == "UA" else "UA"},
                                    extent=rng.choice(["full", "full", "full", "partial"]))
        elif kind == "withdrawal":
            control = ControlChange(to="RU" if side == "UA" else "UA", **{"from": side})
        elif kind == "entered":
            control = ControlChange(to=side, **{"from": "RU" if side == "UA" else "UA"}, extent="entered")
        claimant, cside = CLAIMANTS[rng.randrange(len(CLAIMANTS))]
        stance = rng.choice(["claimed", "claimed", "asserted", "witnessed", "hedged", "denied"]) if claimant else \
            rng.choice(["asserted", "hedged"])
        et, st = kind_to_acled(kind)
        evs.append(Event(
            event_id=f"{rid}-{k}", report_id=rid, report_date=day, kind=kind, event_type=et, sub_event_type=st,
            event_date=day - dt.timedelta(days=rng.randrange(2)), historical=rng.random() < 0.03,
            location=Location(name=name, mention=name, geonames_id=gid, latitude=lat, longitude=lon, country="UA",
                              feature_code="PPL", geo_precision=1),
            actor1_side=side, control=control,
            claims=[Claim(claimant=claimant, side=cside, stance=stance, quote=text[:80])],  # type: ignore[arg-type]
            evidence=[Evidence(report_id=rid, start=0, end=80, text=text[:80])]))
    return Extraction(report=rep, events=evs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--places", type=int, default=2_000)
    ap.add_argument("--per-report", type=int, default=4)
    ap.add_argument("--keep", help="reuse / keep this database file")
    ap.add_argument("--profile", action="store_true", help="print where the cold rebuild spends its time")
    args = ap.parse_args()
    from frontwatch.fusion import NS_CLUSTERS, NS_META, NS_SOURCES, NS_TIMELINE, control_on, refresh
    from frontwatch.store import open_store

    rng = random.Random(7)
    places = [(f"Settlement {j}", 800_000 + j, 46.0 + rng.random() * 6, 30.0 + rng.random() * 9)
              for j in range(args.places)]
    tmp = tempfile.TemporaryDirectory()
    db = args.keep or str(Path(tmp.name) / "bench.db")
    n_reports = args.events // args.per_report
    store = open_store(db)
    if store.counts()["events"] < args.events:
        t0 = time.perf_counter()
        texts: list[str] = []
        for i in range(n_reports):
            store.add_extraction(make_extraction(i, rng, places, args.per_report, texts))
        print(f"setup: stored {n_reports} reports / {n_reports * args.per_report} events in "
              f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    counts = store.counts()
    print(f"store: {counts['reports']} reports, {counts['events']} events, {args.places} settlements")
    on = START + dt.timedelta(days=300)

    t0 = time.perf_counter()
    con = sqlite3.connect(db)
    rows = con.execute("SELECT json FROM events").fetchall()
    con.close()
    t_select = time.perf_counter() - t0
    t0 = time.perf_counter()
    n = sum(1 for _ in store.events())
    t_events = time.perf_counter() - t0
    print(f"baseline: bare SELECT of all {len(rows)} event rows {t_select:.3f} s; "
          f"store.events() as Event records ({n}) {t_events:.3f} s")

    for ns in (NS_META, NS_TIMELINE, NS_SOURCES, NS_CLUSTERS):
        store.delete_derived(ns)
    t0 = time.perf_counter()
    control_on(store, on)
    t_first = time.perf_counter() - t0
    # A rules or baseline change: the cached timelines are stale, what only depends on the
    # reports' texts and the independence settings (signatures, per-place clusters) is not.
    store.delete_derived(NS_META)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t0 = time.perf_counter()
    states = control_on(store, on)
    t_cold = time.perf_counter() - t0
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    t0 = time.perf_counter()
    states2 = control_on(store, on)
    t_warm = time.perf_counter() - t0
    assert [s.controller for s in states] == [s.controller for s in states2]
    texts = []
    i = counts["reports"] + 1
    new = make_extraction(i, rng, places, args.per_report, texts)
    while not any(e.control is not None for e in new.events):  # a report that does touch control
        i += 1
        new = make_extraction(i, rng, places, args.per_report, texts)
    store.add_extraction(new)
    t0 = time.perf_counter()
    info = refresh(store)
    states3 = control_on(store, on)
    t_incr = time.perf_counter() - t0
    share = {c: sum(1 for s in states if s.controller == c) for c in ("UA", "RU", "contested")}
    # `frontwatch ingest` refreshes the cache for the places its reports touch, so the warm figure is
    # what `control --on` costs after any ingest; the cold one only follows a rules or baseline change.
    print(f"control_on after ingest (warm cache):     {t_warm:.3f} s ({t_warm / t_select:.2f}x bare SELECT)")
    print(f"control_on built from nothing (first use): {t_first:.3f} s ({t_first / t_select:.1f}x bare SELECT)")
    print(f"control_on cold (rules/baseline changed): {t_cold:.3f} s ({t_cold / t_select:.1f}x bare SELECT)")
    print(f"one new report, incremental refresh:      {t_incr:.3f} s (recomputed {info['updated']} places)")
    print(f"states on {on}: {len(states3)} settlements {share}")
    one, five, _ = os.getloadavg()
    print(f"load {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} cores")
    store.close()
    tmp.cleanup()
    print(f"cold={t_cold / t_select:.1f}")


if __name__ == "__main__":
    main()
