"""GeoJSON export: a FeatureCollection of the events that have coordinates (RFC 7946).

Properties are flat scalars (lists joined with "; ") so QGIS, ArcGIS and web maps read them as
columns; events without coordinates are left out (they have no place on a map).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from frontwatch.export.common import flat_row
from frontwatch.model import Event


def feature(ev: Event) -> dict[str, Any] | None:
    loc = ev.location
    if loc.latitude is None or loc.longitude is None:
        return None
    props: dict[str, Any] = {}
    for key, value in flat_row(ev).items():
        if key in ("latitude", "longitude"):
            continue
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        props[key] = value
    props["claim_quote"] = next((c.quote for c in ev.claims if c.quote), None)
    props["evidence"] = ev.evidence[0].text
    props["rule"] = ev.rule
    return {
        "type": "Feature",
        "id": ev.event_id,
        # RFC 7946: longitude first.
        "geometry": {"type": "Point", "coordinates": [loc.longitude, loc.latitude]},
        "properties": props,
    }


def write_geojson(events: Iterable[Event], f: IO[str]) -> int:
    """Streams the collection feature by feature; returns the number of features written."""
    f.write('{"type": "FeatureCollection", "features": [')
    n = 0
    for ev in events:
        feat = feature(ev)
        if feat is None:
            continue
        f.write(("\n" if n == 0 else ",\n") + json.dumps(feat, ensure_ascii=False))
        n += 1
    f.write("\n]}\n")
    return n
