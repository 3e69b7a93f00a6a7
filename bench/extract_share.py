"""frontwatch's cost against bare spaCy, in one process, robust to a busy machine.

Per batch (the batches `bench/throughput.py` uses), the CPU seconds of the model as published
(`nlp.pipe`, "bare spaCy"), of frontwatch's own pipeline on the same texts (the same model, two
components run through faster loops with the same output: frontwatch/spacy_speed.py) and of
frontwatch's extraction of its documents. The three see the same load, batch by batch, so the
figures hold where wall-clock ratios of runs minutes apart do not. The last line is `ratio=N`,
bare parse / (frontwatch parse + extraction): what `throughput.py`'s one-worker `ratio=` comes
to on a quiet machine, less the ingest's other costs. The line before it gives extraction's
share of frontwatch's own parse.
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
    from frontwatch.nlp import get_nlp, load_model
    from frontwatch.pipeline import batches, extract_from_doc, extract_reports

    nlp, gazetteer, stock = get_nlp(), get_gazetteer(), load_model(fast=False)
    list(extract_reports(reports[:4], nlp=nlp, gazetteer=gazetteer))  # warm up, untimed
    list(stock.pipe([r.text for r in reports[:4]]))
    clock = time.process_time
    bare = parse = extract = 0.0
    events = 0
    for batch in batches(reports, BATCH_SIZE):
        texts = [r.text for r in batch]
        t = clock()
        for _ in stock.pipe(texts, batch_size=len(batch)):
            pass
        bare += clock() - t
        t = clock()
        docs = list(nlp.pipe(texts, batch_size=len(batch)))
        parse += clock() - t
        t = clock()
        events += sum(len(extract_from_doc(d, r, gazetteer).events) for d, r in zip(docs, batch, strict=True))
        extract += clock() - t
    one, five, _ = os.getloadavg()
    print(f"{len(reports)} reports, {events} events: bare spaCy {bare:.1f} s CPU, frontwatch's parse {parse:.1f} s "
          f"({parse / bare:.1%} of bare), extraction {extract:.2f} s ({extract / parse:.1%} of frontwatch's parse); "
          f"load {one:.2f} (1 min) {five:.2f} (5 min)")
    print(f"extraction share: parse / (parse + extraction) = {parse / (parse + extract):.3f}")
    print(f"ratio={bare / (parse + extract):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
