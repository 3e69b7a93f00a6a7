"""Places benchmark: gazetteer load (cold build, warm cache), peak memory, mentions per second,
and the place pipeline's cost next to bare spaCy. Prints figures; never asserts them.

Usage: .venv/bin/python bench/bench_places.py [--repeat N]   (texts: ../shared/samples, else built-in)
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent.parent / "shared" / "samples"
FALLBACK = [
    "Shelling hit Kharkiv and Izium overnight; the Kharkiv region governor said Balakliia was calm.",
    "Russian forces withdrew from Lyman after Ukrainian troops took Drobysheve in the Donetsk region.",
    "Kyiv's forces entered Kupiansk on the Oskil river, while Moscow said troops were regrouping.",
]

LOAD_SNIPPET = """
import resource, sys, time
t = time.perf_counter()
from frontwatch.gazetteer.build import load_or_build
index, path, built = load_or_build()
took = time.perf_counter() - t
print(f"{took:.3f} {built} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
"""


def _load_in_child(cache: str) -> tuple[float, bool, float]:
    env = dict(os.environ, FRONTWATCH_CACHE_DIR=cache)
    r = subprocess.run([sys.executable, "-c", LOAD_SNIPPET], env=env, capture_output=True, text=True, check=True)
    took, built, rss = r.stdout.split()
    return float(took), built == "True", float(rss)


def main() -> None:
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 5
    with tempfile.TemporaryDirectory() as cache:
        cold, built, cold_rss = _load_in_child(cache)
        warm, rebuilt, warm_rss = _load_in_child(cache)
    print(f"gazetteer cold build: {cold:.2f} s (peak RSS {cold_rss:.0f} MB, built={built})")
    print(f"gazetteer warm load:  {warm:.2f} s (peak RSS {warm_rss:.0f} MB, rebuilt={rebuilt})")

    from frontwatch.extract.places import find_places
    from frontwatch.gazetteer import get_gazetteer
    from frontwatch.nlp import get_nlp

    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))] if SAMPLES.is_dir() else FALLBACK
    texts = texts * repeat
    nlp = get_nlp()
    gaz = get_gazetteer()
    list(nlp.pipe(texts[:2]))  # warm up
    t = time.perf_counter()
    docs = list(nlp.pipe(texts))
    spacy_s = time.perf_counter() - t
    t = time.perf_counter()
    n = sum(len(find_places(d, gaz)) for d in docs)
    places_s = time.perf_counter() - t
    words = sum(len(d) for d in docs)
    print(f"texts: {len(texts)}, tokens: {words:,}, place mentions: {n:,}")
    print(f"bare spaCy:        {words / spacy_s:,.0f} tokens/s ({spacy_s:.2f} s)")
    print(f"find_places only:  {n / places_s:,.0f} mentions/s ({places_s:.3f} s)")
    ratio = spacy_s / (spacy_s + places_s)
    print(f"spaCy + places:    {words / (spacy_s + places_s):,.0f} tokens/s = {ratio:.2f}x bare spaCy throughput")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
