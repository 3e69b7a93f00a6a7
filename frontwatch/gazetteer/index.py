"""The loaded gazetteer: places by folded name, with typo-tolerant lookup and admin1 names.

Everything here reads the compiled index (build.py); nothing reloads the GeoNames JSON.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from frontwatch.gazetteer.build import TIER_BARE_REGION, TIER_GENERATED, TIER_NAME, load_or_build
from frontwatch.gazetteer.names import fold

SETTLEMENT_CLASSES = {"P"}
REGION_CODES = {"ADM1", "ADM2", "ADM3", "RGN", "PCLI", "PCL", "PCLD", "PCLF", "PCLS", "PCLIX", "TERR"}


@dataclass(frozen=True)
class Place:
    index: int
    geonames_id: int | None
    name: str
    latitude: float
    longitude: float
    country: str
    admin1_code: str
    admin1: str | None
    feature_class: str
    feature_code: str
    population: int
    # Other first-level regions a store's own village may lie in (one near a border, whose
    # neighbours lie in two regions: gazetteer/augment.py); empty for the gazetteer's places.
    also_admin1: tuple[str, ...] = ()

    @property
    def regions(self) -> frozenset[tuple[str, str]]:
        """(country, admin1 code) of every region the place may lie in."""
        if not self.also_admin1:
            return frozenset(((self.country, self.admin1_code),))
        return frozenset(((self.country, self.admin1_code), *((self.country, c) for c in self.also_admin1)))

    @property
    def is_settlement(self) -> bool:
        return self.feature_class == "P"

    @property
    def is_region(self) -> bool:
        return self.feature_class in ("A", "L") and not self.is_country

    @property
    def is_country(self) -> bool:
        return self.feature_code.startswith("PCL")

    @property
    def is_water(self) -> bool:
        return self.feature_class == "H"

    @property
    def geo_precision(self) -> int:
        return 1 if self.feature_class in ("P", "S", "T", "H") else 3


@dataclass(frozen=True)
class Match:
    """A place a name can stand for, and how the name belongs to it."""

    place: Place
    tier: int            # build.TIER_*: name, alternate, generated transliteration, bare region name
    distance: int = 0    # edit distance for typo matches
    key: str = ""        # the folded name as written, for typo matches


class Gazetteer:
    def __init__(self, index: dict, path: Path | None = None, built: bool = False):
        self._ix = index
        self.path = path
        self.built = built
        self._keys: dict[str, int | tuple[int, ...]] = index["keys"]
        self._first_words: dict[str, int] = index["first_words"]
        self._by_first: dict[str, list[str]] | None = None
        self._respelled: dict[str, list[Match]] = {}
        self._fuzzy: dict[tuple[str, int], tuple[Match, ...]] = {}
        self._by_id: dict[int, int] | None = None
        # Places from this index on are a store's own settlements (gazetteer/augment.py), else None.
        self.overlay_start: int | None = None
        self._also: dict[int, tuple[str, ...]] = index.get("also_admin1") or {}

    # ------------------------------------------------------------------ places
    def __len__(self) -> int:
        return len(self._ix["names"])

    def place(self, i: int) -> Place:
        ix = self._ix
        cc, code = ix["country"][i], ix["admin1"][i]
        gid = ix["ids"][i]
        return Place(i, gid or None, ix["names"][i], ix["lat"][i], ix["lon"][i], cc, code,
                     ix["admin1_names"].get(f"{cc}.{code}") if code else None,
                     ix["fclass"][i], ix["fcode"][i], ix["population"][i],
                     self._also.get(i, ()) if self._also else ())

    def by_geonames_id(self, gid: int) -> Place | None:
        if self._by_id is None:
            self._by_id = {g: i for i, g in enumerate(self._ix["ids"]) if g}
        i = self._by_id.get(gid)
        return self.place(i) if i is not None else None

    def admin1_name(self, country: str, code: str) -> str | None:
        return self._ix["admin1_names"].get(f"{country}.{code}")

    def admin1_region(self, country: str, code: str) -> Place | None:
        i = self._ix["admin1_place"].get(f"{country}.{code}")
        return self.place(i) if i is not None else None

    def region_seat(self, p: Place) -> Place | None:
        """The administrative centre of a first-level region (regions.yaml `seat`), None for others."""
        if not p.feature_code.startswith("ADM1"):
            return None
        i = self._ix.get("admin1_seat", {}).get(f"{p.country}.{p.admin1_code}")
        return self.place(i) if i is not None else None

    # ------------------------------------------------------------------ names
    def max_words(self, first_key: str) -> int:
        """How many words the longest name starting with this folded word has (1 if none)."""
        return self._first_words.get(first_key, 1)

    def has_key(self, key: str) -> bool:
        return key in self._keys

    def lookup_key(self, key: str) -> list[Match]:
        enc = self._keys.get(key)
        if enc is None:
            return []
        encs = (enc,) if isinstance(enc, int) else enc
        return [Match(self.place(e >> 2), e & 3) for e in encs]

    def lookup(self, text: str) -> list[Match]:
        return self.lookup_key(fold(text))

    def respelled(self, text: str) -> list[Match]:
        """Places whose name is this Russian-style spelling respelled the Ukrainian way
        (data/gazetteer/respell.yaml): "Krasnogorovka" -> Krasnohorivka. A place's own name so
        found is a generated name (tier 2); another name of it keeps its tier."""
        from frontwatch.gazetteer.names import respellings

        cached = self._respelled.get(text)
        if cached is not None:
            return cached
        out: list[Match] = []
        seen: set[int] = set()
        for variant in respellings(text, _respell_rules()):
            for m in self.lookup_key(fold(variant)):
                if m.place.index not in seen and m.tier != TIER_BARE_REGION:
                    seen.add(m.place.index)
                    # its own name respelled is a generated name; another name of it stays one
                    out.append(Match(m.place, TIER_GENERATED if m.tier in (TIER_NAME, TIER_GENERATED) else m.tier))
        if len(self._respelled) > 50_000:
            self._respelled.clear()
        self._respelled[text] = out
        return out

    def fuzzy(self, text: str, limit: int = 20) -> list[Match]:
        """Names within edit distance 1 (5-7 letters) or 2 (8+ letters); nothing for shorter names.
        Kept per name: the same unknown names (people, units) come back in report after report."""
        key = fold(text)
        n = len(key.replace(" ", ""))
        if n < 5:
            return []
        cached = self._fuzzy.get((key, limit))
        if cached is None:
            if len(self._fuzzy) > 50_000:
                self._fuzzy.clear()
            cached = self._fuzzy[(key, limit)] = tuple(self._fuzzy_search(key, n, limit))
        return list(cached)

    def _fuzzy_search(self, key: str, n: int, limit: int) -> list[Match]:
        k = 1 if n <= 7 else 2
        if self._by_first is None:
            by: dict[str, list[str]] = {}
            for name in self._keys:
                by.setdefault(name[:1], []).append(name)
            self._by_first = by
        # A reporter's typo rarely hits the first letter; searching by it keeps this fast.
        choices = self._by_first.get(key[:1], [])
        out: list[Match] = []
        seen: set[int] = set()
        for name, dist, _ in process.extract(key, choices, scorer=Levenshtein.distance, score_cutoff=k,
                                             limit=limit):
            if name == key:
                continue
            for m in self.lookup_key(name):
                if m.place.index not in seen and m.tier in (TIER_NAME, TIER_GENERATED, 1):
                    seen.add(m.place.index)
                    out.append(Match(m.place, m.tier, int(dist), key))
        return out

    def info(self) -> dict:
        ix = self._ix
        from collections import Counter

        return {
            "path": str(self.path) if self.path else None,
            "places": len(ix["names"]),
            "names": len(self._keys),
            "countries": len(set(ix["country"])),
            "by_feature_class": dict(Counter(ix["fclass"])),
            "top_countries": dict(Counter(ix["country"]).most_common(6)),
            "admin1_names": len(ix["admin1_names"]),
        }


@functools.lru_cache(maxsize=1)
def _respell_rules() -> list[tuple[str, str]]:
    from frontwatch.gazetteer.build import load_yaml

    return [(a, b) for a, b in (load_yaml("respell.yaml") or {}).get("rules", [])]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


__all__ = ["Gazetteer", "Match", "Place", "haversine_km", "load_or_build", "TIER_BARE_REGION", "REGION_CODES",
           "SETTLEMENT_CLASSES"]


def polyline_km(lat: float, lon: float, points: list[tuple[float, float]]) -> float:
    """Distance in km from a point to a line through `points` (flat projection: fine to a few km
    over a region's extent)."""
    k = math.cos(math.radians(lat))
    best = math.inf
    prev: tuple[float, float] | None = None
    for plat, plon in points:
        x, y = (plon - lon) * 111.32 * k, (plat - lat) * 110.57
        if prev is None:
            best = math.hypot(x, y)
        else:
            ax, ay = prev
            dx, dy = x - ax, y - ay
            t = max(0.0, min(1.0, -(ax * dx + ay * dy) / ((dx * dx + dy * dy) or 1.0)))
            best = min(best, math.hypot(ax + t * dx, ay + t * dy))
        prev = (x, y)
    return best
