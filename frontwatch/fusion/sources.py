"""Source independence: who is one source, however many outlets print it.

Twenty outlets reprinting one wire story are one source (near-duplicate texts, found by shingled
MinHash with LSH banding over normalised text); a claimant quoted by several outlets is one source.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from frontwatch.fusion.config import rules

_PRIME = np.uint64(4294967311)  # a prime above 2**32: (a*x + b) mod p permutes 32-bit hashes
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_NON_WORD = re.compile(r"[^\w]+")


def normalise_text(text: str) -> list[str]:
    """Words of a text, folded: case, accents, quotes and punctuation never make two copies differ."""
    text = text.translate(_QUOTES)
    if not text.isascii():  # accents only exist outside ASCII: skip the slow path for plain text
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return [w for w in _NON_WORD.split(text.casefold()) if w]


def shingles(text: str, k: int | None = None) -> set[str]:
    """Overlapping k-word windows of the normalised text (the whole text when shorter than k)."""
    k = k or int(rules()["independence"]["shingle_words"])
    words = normalise_text(text)
    if len(words) <= k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


@lru_cache(maxsize=4)
def _perms(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    # Fixed seed: signatures must be comparable across runs (they are cached in the store).
    rng = np.random.default_rng(20220911)
    a = rng.integers(1, 2**31 - 1, size=num_perm, dtype=np.uint64)
    b = rng.integers(0, 2**31 - 1, size=num_perm, dtype=np.uint64)
    return a, b


def minhash(text: str, num_perm: int | None = None) -> np.ndarray:
    """MinHash signature (uint32 array) of a text's shingles; an empty text gets all-max."""
    num_perm = num_perm or int(rules()["independence"]["num_perm"])
    sh = shingles(text)
    if not sh:
        return np.full(num_perm, 2**32 - 1, dtype=np.uint32)
    hashes = np.fromiter(
        (zlib.crc32(s.encode("utf-8")) for s in sh),  # a fast, stable 32-bit hash of each shingle
        dtype=np.uint64, count=len(sh))
    a, b = _perms(num_perm)
    # a < 2**31 and x < 2**32: a*x + b stays below 2**63, so uint64 never overflows.
    values = (hashes[:, None] * a[None, :] + b[None, :]) % _PRIME
    return values.min(axis=0).astype(np.uint32)


def signature_to_str(sig: np.ndarray) -> str:
    return sig.astype("<u4").tobytes().hex()


def signature_from_str(value: str) -> np.ndarray:
    return np.frombuffer(bytes.fromhex(value), dtype="<u4").astype(np.uint32)


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b)) if len(a) == len(b) and len(a) else 0.0


def jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of two texts' shingle sets (for tests and explanations)."""
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


@lru_cache(maxsize=65536)
def _fold_name(name: str) -> str:  # cached: the same few thousand names recur in every event
    words = normalise_text(name.replace("'s ", " ").replace("\u2019s ", " "))
    words = [w for w in words if w not in ("the", "s")]
    return " ".join(words)


@lru_cache(maxsize=1)
def _alias_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, aliases in (rules().get("claimant_aliases") or {}).items():
        out[_fold_name(canonical)] = _fold_name(canonical)
        for a in aliases or []:
            out[_fold_name(a)] = _fold_name(canonical)
    return out


@lru_cache(maxsize=65536)
def claimant_key(name: str) -> str:
    """One key per speaker: "Russia's defence ministry" and "the Russian Ministry of Defence" agree."""
    folded = _fold_name(name)
    return _alias_map().get(folded, folded)


def outlet_key(source: str | None) -> str | None:
    return _fold_name(source) or None if source else None


@dataclass(frozen=True)
class ReportSource:
    """What independence needs to know about one report: its outlet and its text's signature."""

    report_id: str
    outlet: str | None
    signature: np.ndarray

    @classmethod
    def from_text(cls, report_id: str, outlet: str | None, text: str) -> ReportSource:
        return cls(report_id, outlet, minhash(text))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller id wins: cluster names do not depend on the order reports arrive in.
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


def cluster_reports(sources: Iterable[ReportSource]) -> dict[str, str]:
    """report_id -> cluster id; reports in one cluster are one source.

    Near-duplicates are found by LSH banding (only reports sharing a band are compared), then
    confirmed by the estimated Jaccard similarity of the whole signatures.
    """
    cfg = rules()["independence"]
    bands = int(cfg["bands"])
    threshold = float(cfg["threshold"])
    by_outlet = bool(cfg.get("same_outlet_is_one_source", True))
    uf = _UnionFind()
    items = list(sources)
    sigs: dict[str, np.ndarray] = {}
    buckets: dict[tuple[int, bytes], list[str]] = {}
    outlets: dict[str, str] = {}
    for s in items:
        uf.find(s.report_id)
        sigs[s.report_id] = s.signature
        rows = max(1, len(s.signature) // bands)
        for band in range(bands):
            chunk = s.signature[band * rows:(band + 1) * rows]
            if len(chunk):
                buckets.setdefault((band, chunk.tobytes()), []).append(s.report_id)
        ok = outlet_key(s.outlet)
        if by_outlet and ok:
            if ok in outlets:
                uf.union(outlets[ok], s.report_id)
            else:
                outlets[ok] = s.report_id
    checked: set[tuple[str, str]] = set()
    for ids in buckets.values():
        if len(ids) < 2:
            continue
        first = ids[0]
        for other in ids[1:]:
            pair = (first, other) if first < other else (other, first)
            if pair in checked or uf.find(first) == uf.find(other):
                continue
            checked.add(pair)
            if estimate_jaccard(sigs[first], sigs[other]) >= threshold:
                uf.union(first, other)
    return {rid: uf.find(rid) for rid in sigs}


def clusters_from_texts(reports: Mapping[str, tuple[str | None, str]]) -> dict[str, str]:
    """report_id -> cluster id from {report_id: (outlet, text)}."""
    return cluster_reports(ReportSource.from_text(rid, outlet, text) for rid, (outlet, text) in reports.items())
