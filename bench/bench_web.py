"""Web API latency under a bounded loopback load: p50/p99 per endpoint, and each as a ratio of the
trivial /api/health baseline measured in the same run (ratios travel between machines; ms do not).

    .venv/bin/python bench/bench_web.py [--requests 2000] [--concurrency 8] [--reports 2000] [--db FILE]
                                        [--workers N]

Builds a database of synthetic extractions (no spaCy) unless --db is given, starts
`frontwatch serve --workers N` (default: one per core) on a free 127.0.0.1 port in a subprocess,
and sends the requests round-robin over the endpoints. The last line is `worst=N`: the larger of
the two heavy endpoints' p99 divided by /api/health's p50, in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_db(path: Path, n: int) -> None:
    from frontwatch.store import open_store
    from frontwatch.store.synthetic import synthetic_extraction

    with open_store(str(path)) as store:
        for i in range(n):
            store.add_extraction(synthetic_extraction(i))


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--reports", type=int, default=2000, help="synthetic reports when no --db is given")
    ap.add_argument("--db", help="an existing frontwatch database to serve instead")
    ap.add_argument("--workers", type=int, default=None, help="server processes (default: serve's, one per core)")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="fw-bench-web-")
    db = Path(args.db) if args.db else Path(tmp.name) / "bench.db"
    if not args.db:
        t0 = time.perf_counter()
        build_db(db, args.reports)
        print(f"built {args.reports} synthetic reports in {time.perf_counter() - t0:.1f}s")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "frontwatch", "serve", "--db", str(db), "--port", str(port)]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    env = {k: v for k, v in os.environ.items() if k != "FRONTWATCH_TOKEN"}
    server = subprocess.Popen(cmd, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("server did not start")
            time.sleep(0.1)
        meta = httpx.get(f"{base}/api/meta").json()
        first, last = dt.date.fromisoformat(meta["first_day"]), dt.date.fromisoformat(meta["last_day"])
        places = [s["id"] for s in httpx.get(f"{base}/api/control", params={"on": last.isoformat()}).json()]
        rnd = random.Random(7)

        def day() -> str:
            return (first + dt.timedelta(days=rnd.randrange((last - first).days + 1))).isoformat()

        endpoints = {
            "/api/health": lambda: ("/api/health", {}),
            "/api/meta": lambda: ("/api/meta", {}),
            "/api/control": lambda: ("/api/control", {"on": day()}),
            "/api/events (7 days)": lambda: ("/api/events", {"until": (d := day()),
                                                              "since": (dt.date.fromisoformat(d) - dt.timedelta(days=6)).isoformat(),
                                                              "include_historical": "false"}),
            "/api/places/{id}": lambda: (f"/api/places/{rnd.choice(places)}", {}),
        }
        names = list(endpoints)
        plan = [(names[i % len(names)], *endpoints[names[i % len(names)]]()) for i in range(args.requests)]
        timings: dict[str, list[float]] = {n: [] for n in names}
        errors = 0

        def worker(chunk: list[tuple[str, str, dict]]) -> list[tuple[str, float, int]]:
            out = []
            with httpx.Client(base_url=base, timeout=60) as client:
                for name, path, params in chunk:
                    t = time.perf_counter()
                    r = client.get(path, params=params)
                    out.append((name, time.perf_counter() - t, r.status_code))
            return out

        chunks = [plan[i::args.concurrency] for i in range(args.concurrency)]
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = [x for part in pool.map(worker, chunks) for x in part]
        wall = time.perf_counter() - t0
        for name, secs, status in results:
            timings[name].append(secs * 1000)
            errors += status != 200
        counts = httpx.get(f"{base}/api/meta").json()["counts"]
    finally:
        server.terminate()
        server.wait(timeout=10)
        tmp.cleanup()

    base_p50 = statistics.median(timings["/api/health"])
    one, five, _ = os.getloadavg()
    print(f"database: {counts['reports']} reports, {counts['events']} events; {args.requests} requests, "
          f"{args.concurrency} concurrent, {wall:.1f}s wall, {args.requests / wall:.0f} req/s, {errors} errors; "
          f"server workers: {args.workers or 'serve default'}; load {one:.2f} (1 min) {five:.2f} (5 min)")
    print(f"{'endpoint':24} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'p50 / health':>13} {'p99 / health p50':>17}")
    for name in names:
        t = timings[name]
        p50 = statistics.median(t)
        print(f"{name:24} {len(t):5d} {p50:8.1f} {percentile(t, 0.99):8.1f} {p50 / base_p50:13.1f} "
              f"{percentile(t, 0.99) / base_p50:17.1f}")
    worst = max(percentile(timings[n], 0.99) for n in ("/api/events (7 days)", "/api/places/{id}")) / base_p50
    print(f"worst={worst:.1f}")


if __name__ == "__main__":
    main()
