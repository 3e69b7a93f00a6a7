"""Baseline maps: an analyst's known controller per settlement on a date, to start the timeline from.

Reads a CSV (place, controller, date) or GeoJSON polygons of held areas; polygons become rows for
every gazetteer settlement inside them (point-in-polygon, holes respected).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from frontwatch.store.base import BaselineRow

CONTROLLER_WORDS = {"ua": "UA", "ukraine": "UA", "ukrainian": "UA", "ru": "RU", "russia": "RU", "russian": "RU",
                    "occupied": "RU", "contested": "contested", "disputed": "contested", "grey": "contested",
                    "gray": "contested"}

Settlement = tuple[str, int | None, float, float]  # name, geonames id, lat, lon


class BaselineError(ValueError):
    """A baseline file that cannot be read: the message names the file and line."""


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
    out = []
    for i in range(len(gz)):
        p = gz.place(i)
        if p.is_settlement:
            out.append((p.name, p.geonames_id, p.latitude, p.longitude))
    return out


def read_geojson(path: Path, on: dt.date | None = None, controller: str | None = None,
                 settlements: Iterable[Settlement] | None = None, source: str | None = None) -> list[BaselineRow]:
    """Rows for every settlement inside the file's polygons.

    Each feature may carry `controller` and `date` properties; otherwise `controller` (default
    RU: maps of occupied areas are the common case) and `on` apply.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not readable GeoJSON ({exc})") from None
    feats = data.get("features") if data.get("type") == "FeatureCollection" else [data]
    places = list(settlements) if settlements is not None else gazetteer_settlements()
    rows: dict[tuple[str, dt.date], BaselineRow] = {}
    for n, feat in enumerate(feats or [], start=1):
        where = f"{path}: feature {n}"
        props = feat.get("properties") or {}
        ctl = parse_controller(props.get("controller") or controller or "RU", where)
        day_s = props.get("date") or props.get("on")
        try:
            day = dt.date.fromisoformat(day_s) if day_s else on
        except ValueError:
            raise BaselineError(f"{where}: date {day_s!r} is not YYYY-MM-DD") from None
        if day is None:
            raise BaselineError(f"{where}: no date (give the feature a 'date' property or use --date)")
        polys = _polygons(feat.get("geometry") or feat)
        if not polys:
            continue
        x0, y0, x1, y1 = _bbox(polys)
        for name, gid, lat, lon in places:
            if not (x0 <= lon <= x1 and y0 <= lat <= y1):
                continue
            if any(in_polygon(lon, lat, poly) for poly in polys):
                key = (str(gid) if gid else f"{name}@{lat:.4f},{lon:.4f}", day)
                rows[key] = BaselineRow(place=name, controller=ctl, on=day, geonames_id=gid,  # type: ignore[arg-type]
                                        latitude=lat, longitude=lon, source=source or path.name)
    return list(rows.values())


def read_baseline(path: Path, on: dt.date | None = None, controller: str | None = None) -> list[BaselineRow]:
    suffix = path.suffix.casefold()
    if suffix in (".geojson", ".json"):
        return read_geojson(path, on, controller)
    if suffix == ".csv":
        return read_csv(path)
    raise BaselineError(f"{path}: use a .csv (place, controller, date) or a .geojson file")
