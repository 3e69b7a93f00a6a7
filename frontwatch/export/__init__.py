"""Exports of stored events: JSON Lines, GeoJSON, ACLED-style CSV and Parquet.

`export_events` validates every record against the contract's models before it is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from frontwatch.export.common import ExportError, Sources, output, source_lookup, validated
from frontwatch.model import Event

FORMATS = ("jsonl", "geojson", "acled-csv", "csv", "parquet")


def export_events(
    events: Iterable[Event | Mapping[str, Any]],
    fmt: str,
    out: Path | str | IO[Any],
    *,
    sources: Sources | None = None,
) -> int:
    """Write `events` to `out` (a path, or an open stream: text for jsonl/geojson/csv, binary for
    parquet) and return how many records were written (GeoJSON: events with coordinates).

    `sources` maps report_id -> outlet name (e.g. `store.report_source`) for the ACLED `source`
    column. A path is written to a temporary file and renamed when complete.
    """
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    records = validated(events)
    if fmt == "jsonl":
        from frontwatch.export.jsonl import write_jsonl

        with output(out) as f:
            return write_jsonl(records, f)
    if fmt == "geojson":
        from frontwatch.export.geojson import write_geojson

        with output(out) as f:
            return write_geojson(records, f)
    if fmt in ("acled-csv", "csv"):
        from frontwatch.export.acled_csv import write_acled_csv

        with output(out, newline="") as f:
            return write_acled_csv(records, f, source_lookup(sources))
    from frontwatch.export.parquet import write_parquet

    with output(out, binary=True) as f:
        return write_parquet(records, f)


__all__ = ["FORMATS", "ExportError", "export_events"]
