"""Baseline maps: an analyst's known controller per settlement on a date, to start the timeline from.

Reads a CSV (place, controller, date) or GeoJSON polygons of held areas; polygons become rows for
every gazetteer settlement inside them (point-in-polygon, holes respected). An area's state comes
from a `controller` property, else the words of its name, else its fill colour (DeepStateMap's
convention; frontwatch/data/fusion/baseline_map.yaml), else `--controller`.
"""

from __future__ import annotations

import colorsys
import csv
import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from frontwatch.store.base import BaselineRow

CONTROLLER_WORDS = {"ua": "UA", "ukraine": "UA", "ukrainian": "UA", "ru": "RU", "russia": "RU", "russian": "RU",
                    "occupied": "RU", "contested": "contested", "disputed": "contested", "grey": "contested",
                    "gray": "contested"}

Settlement = tuple[str, int | None, float, float]  # name, geonames id, lat, lon


class BaselineError(ValueError):
    """A baseline file that cannot be read: the message names the file and line."""


MAP_RULES_PATH = Path(__file__).resolve().parent.parent / "data" / "fusion" / "baseline_map.yaml"


@lru_cache(maxsize=1)
def map_rules() -> dict[str, Any]:
    with MAP_RULES_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass
class MapRead:
    """What reading a map file found: settlements per state, areas per state, what was skipped
    (reason -> count) with examples, and notes."""

    settlements: dict[str, int] = field(default_factory=dict)
    areas: dict[str, int] = field(default_factory=dict)
    read_from: dict[str, int] = field(default_factory=dict)  # how areas said their state -> count
    skipped: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def skip(self, reason: str, example: str | None = None) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        if example:
            ex = self.examples.setdefault(reason, [])
            if len(ex) < 4 and example not in ex:
                ex.append(example)


def _name_state(name: str) -> str | None:
    """The state an area's name says: stems matched at the start of a word (so "деокуповано" is
    not "окуповано"); None when it says none, or two."""
    low = " ".join(name.casefold().split())
    kept = {state for state, words in (map_rules().get("name_words") or {}).items()
            if any(re.search(r"(?<!\w)" + re.escape(w.casefold()), low) for w in words)}
    return next(iter(kept)) if len(kept) == 1 else None


def _hex(value: Any) -> tuple[float, float, float] | None:
    m = re.search(r"#?\b([0-9a-fA-F]{6})\b", str(value or ""))
    if not m:
        return None
    h = m.group(1)
    return int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255


def colour_state(props: dict) -> str | None:
    """The state an area's fill colour says: grey is contested, red Russian, green or blue Ukrainian."""
    cfg = map_rules()["colours"]
    rgb = None
    for key in cfg["properties"]:
        rgb = _hex(props.get(key))
        if rgb:
            break
    if rgb is None:
        style = re.search(r"poly-([0-9a-fA-F]{6})", str(props.get("styleUrl") or ""))
        rgb = _hex(style.group(1)) if style else None
    if rgb is None:
        return None
    hue, sat, val = colorsys.rgb_to_hsv(*rgb)
    if val < float(cfg["black_below_value"]):
        return None
    if sat < float(cfg["grey_below_saturation"]):
        return "contested"
    deg = hue * 360
    for state, ranges in cfg["hues"].items():
        if any(lo <= deg <= hi for lo, hi in ranges):
            return state
    return None


def area_state(props: dict, where: str) -> tuple[str | None, str]:
    """(state, how it was read) of one map area: a controller property, its name, its colour."""
    if props.get("controller"):
        return parse_controller(props.get("controller"), where), "controller property"
    name = str(props.get("name") or props.get("Name") or props.get("title") or "")
    state = _name_state(name) if name else None
    if state:
        return state, "name"
    state = colour_state(props)
    return (state, "colour") if state else (None, "")


def _ring_area(ring: Sequence[Sequence[float]]) -> float:
    return abs(sum(ring[i][0] * ring[i - 1][1] - ring[i - 1][0] * ring[i][1] for i in range(len(ring)))) / 2


def parse_controller(value: str | None, where: str) -> str:
    key = (value or "").strip().casefold()
    if key in CONTROLLER_WORDS:
        return CONTROLLER_WORDS[key]
    raise BaselineError(f"{where}: controller {value!r} is not UA, RU or contested")


def _gazetteer():  # noqa: ANN202
    try:
        from frontwatch.gazetteer import get_gazetteer

        return get_gazetteer()
    except Exception:  # noqa: BLE001 - without a gazetteer rows keep only what the file says
        return None


def resolve_name(name: str, gazetteer: Any) -> tuple[int | None, float | None, float | None]:
    """The most populous settlement of that name (Ukraine first), or nothing."""
    if gazetteer is None:
        return None, None, None
    matches = [m.place for m in gazetteer.lookup(name) if m.place.is_settlement]
    if not matches:
        return None, None, None
    best = max(matches, key=lambda p: (p.country == "UA", p.population))
    return best.geonames_id, best.latitude, best.longitude


def read_csv(path: Path, gazetteer: Any = None, source: str | None = None) -> list[BaselineRow]:
    gz = gazetteer if gazetteer is not None else _gazetteer()
    rows: list[BaselineRow] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = {f.strip().casefold(): f for f in reader.fieldnames or []}
        if "place" not in fields or "controller" not in fields or not ({"date", "on"} & set(fields)):
            raise BaselineError(f"{path}:1: need columns place, controller, date")
        for line, raw in enumerate(reader, start=2):
            rec = {k.strip().casefold(): (v or "").strip() for k, v in raw.items() if k is not None}
            where = f"{path}:{line}"
            place = rec.get("place", "")
            if not place:
                raise BaselineError(f"{where}: empty place")
            try:
                on = dt.date.fromisoformat(rec.get("date") or rec.get("on", ""))
            except ValueError:
                raise BaselineError(f"{where}: date {rec.get('date') or rec.get('on')!r} is not YYYY-MM-DD") from None
            gid = int(rec["geonames_id"]) if rec.get("geonames_id") else None
            lat = float(rec["latitude"]) if rec.get("latitude") else None
            lon = float(rec["longitude"]) if rec.get("longitude") else None
            if gid is None and lat is None:
                gid, lat, lon = resolve_name(place, gz)
            rows.append(BaselineRow(place=place, controller=parse_controller(rec.get("controller"), where),  # type: ignore[arg-type]
                                    on=on, geonames_id=gid, latitude=lat, longitude=lon,
                                    source=rec.get("source") or source or path.name))
    return rows


# --- point in polygon ------------------------------------------------------------------------
def _in_ring(x: float, y: float, ring: Sequence[Sequence[float]]) -> bool:
    """Ray casting: odd crossings of a ray to the east mean inside."""
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def in_polygon(lon: float, lat: float, polygon: Sequence[Sequence[Sequence[float]]]) -> bool:
    """GeoJSON Polygon coordinates: the outer ring, then holes."""
    if not polygon or not _in_ring(lon, lat, polygon[0]):
        return False
    return not any(_in_ring(lon, lat, hole) for hole in polygon[1:])


def _polygons(geometry: dict) -> list:
    t = geometry.get("type")
    if t == "Polygon":
        return [geometry["coordinates"]]
    if t == "MultiPolygon":
        return list(geometry["coordinates"])
    if t == "GeometryCollection":
        return [p for g in geometry.get("geometries", []) for p in _polygons(g)]
    return []


def _bbox(polys: list) -> tuple[float, float, float, float]:
    xs = [pt[0] for poly in polys for pt in poly[0]]
    ys = [pt[1] for poly in polys for pt in poly[0]]
    return min(xs), min(ys), max(xs), max(ys)


def gazetteer_settlements(gazetteer: Any = None) -> list[Settlement]:
    gz = gazetteer if gazetteer is not None else _gazetteer()
    if gz is None:
        return []
    countries = set(map_rules().get("countries") or [])
    out = []
    for i in range(len(gz)):
        p = gz.place(i)
        if p.is_settlement and (not countries or p.country in countries):
            out.append((p.name, p.geonames_id, p.latitude, p.longitude))
    return out


def _file_date(path: Path) -> dt.date | None:
    m = re.search(r"(\d{4}-\d{2}-\d{2})", path.name)
    if not m:
        return None
    try:
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        return None


def read_geojson(path: Path, on: dt.date | None = None, controller: str | None = None,
                 settlements: Iterable[Settlement] | None = None, source: str | None = None,
                 summary: MapRead | None = None) -> list[BaselineRow]:
    """Rows for every settlement inside the file's areas, each with its area's state.

    An area's state: its `controller` property, else its name's words, else its fill colour
    (baseline_map.yaml), else `controller`. Points and lines are skipped; so are areas with no
    state, and a file none of whose areas has one is refused unless `controller` is given. A
    settlement inside several areas takes the smallest one's state. The date: a feature's `date`
    property, else `on`, else a YYYY-MM-DD in the file's name.
    """
    summary = summary if summary is not None else MapRead()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not readable GeoJSON ({exc})") from None
    feats = data.get("features") if data.get("type") == "FeatureCollection" else [data]
    default_ctl = parse_controller(controller, f"{path}: --controller") if controller else None
    file_day = _file_date(path)
    areas: list[tuple[str, dt.date, list, str]] = []  # state, day, polygons, label
    unstated = 0
    for n, feat in enumerate(feats or [], start=1):
        where = f"{path}: feature {n}"
        props = feat.get("properties") or {}
        geom = feat.get("geometry") or (feat if feat.get("type") != "Feature" else {})
        label = " ".join(str(props.get("name") or f"feature {n}").split())[:60]
        polys = _polygons(geom)
        if not polys:
            kind = geom.get("type") if isinstance(geom, dict) and geom.get("type") else "no geometry"
            summary.skip(f"not an area ({kind})", label)
            continue
        state, how = area_state(props, where)
        if state is None:
            if default_ctl is None:
                unstated += 1
                summary.skip("area whose name and colour say no state (give --controller to import it)", label)
                continue
            state, how = default_ctl, "--controller"
        day_s = props.get("date") or props.get("on")
        try:
            day = dt.date.fromisoformat(day_s) if day_s else (on or file_day)
        except ValueError:
            raise BaselineError(f"{where}: date {day_s!r} is not YYYY-MM-DD") from None
        if day is None:
            raise BaselineError(f"{where}: no date (give the feature a 'date' property or use --date)")
        summary.areas[state] = summary.areas.get(state, 0) + 1
        summary.read_from[how] = summary.read_from.get(how, 0) + 1
        areas.append((state, day, polys, label))
    if not areas and unstated:
        raise BaselineError(f"{path}: none of its {unstated} areas says its state in a controller property, its "
                            "name or its colour: give --controller UA|RU|contested to import them")
    if on is None and file_day is not None and any(not (f.get("properties") or {}).get("date") for f in feats or []):
        summary.notes.append(f"date {file_day} taken from the file's name (use --date to change it)")
    places = list(settlements) if settlements is not None else gazetteer_settlements()
    best: dict[tuple[str, dt.date], tuple[float, BaselineRow]] = {}
    overlaps = 0
    for state, day, polys, _ in areas:
        x0, y0, x1, y1 = _bbox(polys)
        for name, gid, lat, lon in places:
            if not (x0 <= lon <= x1 and y0 <= lat <= y1):
                continue
            inside = [poly for poly in polys if in_polygon(lon, lat, poly)]
            if not inside:
                continue
            size = min(_ring_area(poly[0]) for poly in inside)
            key = (str(gid) if gid else f"{name}@{lat:.4f},{lon:.4f}", day)
            row = BaselineRow(place=name, controller=state, on=day, geonames_id=gid,  # type: ignore[arg-type]
                              latitude=lat, longitude=lon, source=source or path.name)
            have = best.get(key)
            if have is not None and have[1].controller != state:
                overlaps += 1
            if have is None or size < have[0]:
                best[key] = (size, row)
    if overlaps:
        summary.notes.append(f"{overlaps} settlement(s) lie in overlapping areas of different states: the smallest "
                             "area's state is kept")
    rows = [r for _, r in best.values()]
    for r in rows:
        summary.settlements[r.controller] = summary.settlements.get(r.controller, 0) + 1
    return rows


def read_baseline(path: Path, on: dt.date | None = None, controller: str | None = None,
                  summary: MapRead | None = None) -> list[BaselineRow]:
    suffix = path.suffix.casefold()
    if suffix in (".geojson", ".json"):
        return read_geojson(path, on, controller, summary=summary)
    if suffix == ".csv":
        return read_csv(path)
    raise BaselineError(f"{path}: use a .csv (place, controller, date) or a .geojson file")
