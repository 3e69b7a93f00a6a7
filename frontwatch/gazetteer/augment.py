"""A store's own settlements as places the geocoder knows: the baseline's villages the gazetteer lacks.

A baseline row names a settlement (its GeoNames id, else its coordinates); when the loaded gazetteer
does not hold it, a report naming that village would resolve to nothing or to a namesake far away,
and the map would keep the baseline's state forever. `with_places` returns a gazetteer that also
holds such settlements, built per store at ingest and never written to the shared cache: it shares
nothing mutable with the loaded one.

A baseline place is an ordinary candidate (a populated place of unknown size, in the country and
region of the nearest gazetteer settlement, and near a border in the regions of its neighbours
too): the ranking, the abstention on ties and the cues apply
to it as to any village. It has the row's GeoNames id when the row has one, else none: its
coordinates are the row's, so the control timeline keys its events as it keys the row (by id, else
by coordinates). A row whose settlement the gazetteer holds (its id, or a same-named settlement
within SAME_PLACE_KM) adds nothing.
"""

from __future__ import annotations

import functools
import re
from array import array
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from frontwatch.gazetteer.build import TIER_ALT, TIER_NAME
from frontwatch.gazetteer.index import Gazetteer, Place, haversine_km
from frontwatch.gazetteer.names import fold

# A same-named gazetteer settlement this close is the baseline's settlement (the lists people keep
# place a village a few km from where GeoNames does); the geocoder's next-door distance.
SAME_PLACE_KM = 10.0
# The nearest gazetteer settlement within this distance lends its country and region ...
REGION_FROM_KM = 60.0
# ... and the regions of the settlements within this distance are regions it may lie in too (a
# village near a border: the nearest neighbour may be across it).
BORDER_KM = 12.0
_PAREN = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<alt>[^()]+)\)\s*$")


class ExtraPlace(NamedTuple):
    """A settlement to add: display name, other names, GeoNames id (0 for none), coordinates."""

    name: str
    alternates: tuple[str, ...]
    geonames_id: int
    latitude: float
    longitude: float


def _names(place: str) -> tuple[str, tuple[str, ...]]:
    """"Bile (Snake Island)": a parenthesis gives another name of the place."""
    m = _PAREN.match(place.strip())
    if m:
        return m.group("name").strip(), (m.group("alt").strip(),)
    return " ".join(place.split()), ()


def baseline_places(rows: Iterable[Any], gazetteer: Gazetteer) -> tuple[ExtraPlace, ...]:
    """The settlements of baseline rows (objects with place, geonames_id, latitude, longitude) that
    the gazetteer does not hold, once each, in a stable order. Rows without coordinates are left
    out: there is nowhere to put them."""
    out: dict[str, ExtraPlace] = {}
    for r in rows:
        gid, lat, lon = r.geonames_id, r.latitude, r.longitude
        if lat is None or lon is None:
            continue
        if gid is not None and gazetteer.by_geonames_id(int(gid)) is not None:
            continue
        name, alternates = _names(r.place)
        if not fold(name):
            continue
        if _held(gazetteer, (name, *alternates), lat, lon):
            continue
        # The control timeline's key of the row: its id, else its coordinates.
        key = f"g{gid}" if gid is not None else f"c{lat:.4f},{lon:.4f}"
        out.setdefault(key, ExtraPlace(name, alternates, int(gid or 0), float(lat), float(lon)))
    return tuple(sorted(out.values(), key=lambda p: (fold(p.name), p.latitude, p.longitude, p.geonames_id)))


def _held(gazetteer: Gazetteer, names: Sequence[str], lat: float, lon: float) -> bool:
    """Does the gazetteer hold a settlement of one of these names (or their Russian-style
    respellings) within SAME_PLACE_KM?"""
    for n in names:
        for m in [*gazetteer.lookup(n), *gazetteer.respelled(n)]:
            p = m.place
            if p.is_settlement and haversine_km(lat, lon, p.latitude, p.longitude) <= SAME_PLACE_KM:
                return True
    return False


class _Grid:
    """Gazetteer settlements by half-degree cell, for the nearest one to a point."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        ix = gazetteer._ix  # noqa: SLF001 - the index's own arrays, read once
        self.cells: dict[tuple[int, int], list[int]] = {}
        for i, fclass in enumerate(ix["fclass"]):
            if fclass == "P":
                self.cells.setdefault((int(ix["lat"][i] * 2), int(ix["lon"][i] * 2)), []).append(i)
        self.gazetteer = gazetteer

    def region(self, lat: float, lon: float) -> tuple[str, str, tuple[str, ...]]:
        """(country, admin1 code, other admin1 codes) of a point: the nearest settlement's, and
        those of the settlements within BORDER_KM in the same country; ("", "", ()) if none is near."""
        ix = self.gazetteer._ix  # noqa: SLF001
        cy, cx = int(lat * 2), int(lon * 2)
        near: list[tuple[float, int]] = []
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for i in self.cells.get((cy + dy, cx + dx), ()):
                    d = haversine_km(lat, lon, ix["lat"][i], ix["lon"][i])
                    if d <= REGION_FROM_KM:
                        near.append((d, i))
        if not near:
            return "", "", ()
        near.sort()
        first = near[0][1]
        cc, code = ix["country"][first], ix["admin1"][first]
        also = sorted({ix["admin1"][i] for d, i in near if d <= BORDER_KM and ix["country"][i] == cc} - {code, ""})
        return cc, code, tuple(also)


@functools.lru_cache(maxsize=2)
def _grid(gazetteer: Gazetteer) -> _Grid:
    return _Grid(gazetteer)


def with_places(gazetteer: Gazetteer, places: Sequence[ExtraPlace]) -> Gazetteer:
    """The gazetteer with these settlements added (itself when there are none). The loaded index is
    copied, never changed: the shared gazetteer and its cache file stay as they were."""
    if not places:
        return gazetteer
    return _with_places(gazetteer, tuple(places))


@functools.lru_cache(maxsize=4)
def _with_places(gazetteer: Gazetteer, places: tuple[ExtraPlace, ...]) -> Gazetteer:
    ix = gazetteer._ix  # noqa: SLF001
    new = dict(ix)
    for name in ("names", "country", "admin1", "fclass", "fcode"):
        new[name] = list(ix[name])
    for name, code in (("ids", "q"), ("lat", "d"), ("lon", "d"), ("population", "q")):
        new[name] = array(code, ix[name])
    keys = dict(ix["keys"])
    first_words = dict(ix["first_words"])
    grid = _grid(gazetteer)
    start = len(ix["names"])
    also_admin1: dict[int, tuple[str, ...]] = {}
    for k, p in enumerate(places):
        i = start + k
        cc, code, also = grid.region(p.latitude, p.longitude)
        if also:
            also_admin1[i] = also
        new["ids"].append(p.geonames_id)
        new["names"].append(p.name)
        new["lat"].append(p.latitude)
        new["lon"].append(p.longitude)
        new["country"].append(cc)
        new["admin1"].append(code)
        new["fclass"].append("P")
        new["fcode"].append("PPL")
        new["population"].append(0)
        for n, tier in [(p.name, TIER_NAME), *((a, TIER_ALT) for a in p.alternates)]:
            key = fold(n)
            if len(key) < 2:
                continue
            enc = i * 4 + tier
            have = keys.get(key)
            keys[key] = enc if have is None else tuple(sorted({*((have,) if isinstance(have, int) else have), enc}))
            words = key.split(" ")
            if len(words) > 1:
                first_words[words[0]] = max(first_words.get(words[0], 1), len(words))
    new["keys"], new["first_words"], new["also_admin1"] = keys, first_words, also_admin1
    out = Gazetteer(new, None, False)
    out.overlay_start = start
    return out


def is_overlay(gazetteer: Gazetteer, place: Place) -> bool:
    """Is this place one of a store's own settlements (not the gazetteer's)?"""
    start = getattr(gazetteer, "overlay_start", None)
    return start is not None and place.index >= start


def store_gazetteer(store: Any, gazetteer: Gazetteer | None = None) -> tuple[Gazetteer, tuple[ExtraPlace, ...]]:
    """The gazetteer for reading reports into `store`: the loaded one plus the baseline's settlements
    it lacks; and those settlements (for worker processes, which build the same gazetteer)."""
    if gazetteer is None:
        from frontwatch.gazetteer import get_gazetteer

        gazetteer = get_gazetteer()
    places = baseline_places(store.baseline(), gazetteer)
    return with_places(gazetteer, places), places
