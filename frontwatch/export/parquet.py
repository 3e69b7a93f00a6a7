"""Parquet export (pyarrow): the flat columns of export.common plus the whole Event as JSON.

Claimants and stances are list<string>; claims and evidence keep their structure in event_json.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from frontwatch.export.common import FLAT_COLUMNS, flat_row
from frontwatch.model import Event

BATCH = 5000

_TYPES: dict[str, pa.DataType] = {
    "report_date": pa.date32(), "event_date": pa.date32(), "date_earliest": pa.date32(),
    "date_latest": pa.date32(), "date_precision": pa.int32(), "historical": pa.bool_(),
    "geonames_id": pa.int64(), "latitude": pa.float64(), "longitude": pa.float64(),
    "geo_precision": pa.int32(), "fatalities": pa.int32(), "claimants": pa.list_(pa.string()),
    "stances": pa.list_(pa.string()), "confidence": pa.float64(),
}
SCHEMA = pa.schema([pa.field(c, _TYPES.get(c, pa.string())) for c in FLAT_COLUMNS]
                   + [pa.field("event_json", pa.string(), nullable=False)])


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def write_parquet(events: Iterable[Event], f: IO[bytes] | str) -> int:
    n = 0
    with pq.ParquetWriter(f, SCHEMA, compression="zstd") as writer:
        rows: list[dict[str, Any]] = []
        for ev in events:
            r = flat_row(ev)
            r["event_json"] = json.dumps(ev.to_json_dict(), ensure_ascii=False)
            rows.append(r)
            if len(rows) >= BATCH:
                writer.write_table(_table(rows))
                n += len(rows)
                rows = []
        if rows or n == 0:
            writer.write_table(_table(rows))
            n += len(rows)
    return n
