"""What every export shares: validation against the contract, flat rows, atomic file output.

An export either writes every record valid or raises naming the bad one; a file is only put in
place when complete, so a failed export never leaves half a file behind.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from frontwatch.model import Event

# report_id -> the report's source (outlet); a Store's `report_source` method fits.
Sources = Mapping[str, str | None] | Callable[[str], str | None]


class ExportError(ValueError):
    """A record failed validation against the contract, or the output cannot take the format."""


def validated(events: Iterable[Event | Mapping[str, Any]]) -> Iterator[Event]:
    """Each record re-validated from its JSON form: an Event built by hand is checked too."""
    for n, ev in enumerate(events, start=1):
        data = ev.model_dump(mode="json", by_alias=True) if isinstance(ev, Event) else ev
        try:
            yield Event.model_validate(data)
        except ValidationError as exc:
            ident = data.get("event_id") if isinstance(data, Mapping) else None
            raise ExportError(f"record {n} (event_id {ident!r}) does not match the contract: {exc}") from exc


def source_lookup(sources: Sources | None) -> Callable[[str], str | None]:
    """A cached report_id -> source function (or one that knows nothing)."""
    if sources is None:
        return lambda _rid: None
    cache: dict[str, str | None] = {}
    get = sources.get if isinstance(sources, Mapping) else sources

    def lookup(rid: str) -> str | None:
        if rid not in cache:
            cache[rid] = get(rid)
        return cache[rid]

    return lookup


def unique(items: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for it in items:
        if it and it.strip():
            seen.setdefault(it.strip(), None)
    return list(seen)


# Flat columns shared by Parquet and GeoJSON properties (and the Spark runner's Parquet):
# enough to query without JSON functions; the whole Event travels alongside as JSON.
FLAT_COLUMNS: list[str] = [
    "event_id", "report_id", "report_date", "kind", "event_type", "sub_event_type", "event_date",
    "date_earliest", "date_latest", "date_precision", "historical", "location_name", "location_mention",
    "geonames_id", "latitude", "longitude", "country", "admin1", "feature_code", "geo_precision",
    "actor1", "actor1_side", "actor2", "actor2_side", "fatalities", "fatalities_text", "control_to",
    "control_from", "control_extent", "claimants", "stances", "confidence",
]


def flat_row(ev: Event) -> dict[str, Any]:
    """One event as flat fields (dates as datetime.date, claimants/stances as lists)."""
    loc, ctl = ev.location, ev.control
    return {
        "event_id": ev.event_id, "report_id": ev.report_id, "report_date": ev.report_date, "kind": ev.kind,
        "event_type": ev.event_type, "sub_event_type": ev.sub_event_type, "event_date": ev.event_date,
        "date_earliest": ev.date_earliest, "date_latest": ev.date_latest, "date_precision": ev.date_precision,
        "historical": ev.historical, "location_name": loc.name, "location_mention": loc.mention,
        "geonames_id": loc.geonames_id, "latitude": loc.latitude, "longitude": loc.longitude,
        "country": loc.country, "admin1": loc.admin1, "feature_code": loc.feature_code,
        "geo_precision": loc.geo_precision, "actor1": ev.actor1, "actor1_side": ev.actor1_side,
        "actor2": ev.actor2, "actor2_side": ev.actor2_side, "fatalities": ev.fatalities,
        "fatalities_text": ev.fatalities_text, "control_to": ctl.to if ctl else None,
        "control_from": ctl.from_ if ctl else None, "control_extent": ctl.extent if ctl else None,
        "claimants": [c.claimant for c in ev.claims if c.claimant],
        "stances": [c.stance for c in ev.claims], "confidence": ev.confidence,
    }


def is_path(out: object) -> bool:
    return isinstance(out, str | os.PathLike)


@contextmanager
def output(out: Path | str | IO[Any], binary: bool = False, newline: str | None = None) -> Iterator[IO[Any]]:
    """A stream to write to: `out` itself, or a temporary file renamed onto the path on success."""
    if not is_path(out):
        if binary and isinstance(out, io.TextIOBase):
            raise ExportError("this format is binary: give a file path or a binary stream, not a text stream")
        yield out  # type: ignore[misc]
        return
    path = Path(out)  # type: ignore[arg-type]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    try:
        if binary:
            with tmp.open("wb") as f:
                yield f
        else:
            with tmp.open("w", encoding="utf-8", newline=newline) as f:
                yield f
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
