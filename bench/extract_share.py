"""Extraction's cost against parsing, in one process, robust to a busy machine.

Per batch (the batches `bench/throughput.py` uses), the CPU seconds of `nlp.pipe` and then of
frontwatch's extraction of the same documents: both see the same load, batch by batch, so the
share holds where wall-clock ratios of two runs minutes apart do not. The last line is
`ratio=N`, parse / (parse + extraction): what `throughput.py`'s one-worker `ratio=` comes to on
a quiet machine, less the ingest's other costs.
Usage: python bench/extract_share.py CORPUS [--limit N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from frontwatch.ingest import read_reports
from frontwatch.model import Report

BATCH_SIZE = 16


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="+")
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args(argv)
    reports = [r for r in read_reports(args.corpus) if isinstance(r, Report)][: args.limit]
    if not reports:
        print("no reports read", file=sys.stderr)
        return 2
    from frontwatch.gazetteer import get_gazetteer
    from frontwatch.nlp import get_nlp
    from frontwatch.pipeline import batches, extract_from_doc, extract_reports

    nlp, gazetteer = get_nlp(), get_gazetteer()
    list(extract_reports(reports[:4], nlp=nlp, gazetteer=gazetteer))  # warm up, untimed
    clock = time.process_time
    parse = extract = 0.0
    events = 0
    for batch in batches(reports, BATCH_SIZE):
        t = clock()
        docs = list(nlp.pipe([r.text for r in batch], batch_size=len(batch)))
        parse += clock() - t
        t = clock()
        events += sum(len(extract_from_doc(d, r, gazetteer).events) for d, r in zip(docs, batch, strict=True))
        extract += clock() - t
    one, five, _ = os.getloadavg()
    print(f"{len(reports)} reports, {events} events: parse {parse:.1f} s CPU, extraction {extract:.2f} s CPU "
          f"({extract / parse:.1%} of parse); load {one:.2f} (1 min) {five:.2f} (5 min)")
    print(f"ratio={parse / (parse + extract):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
