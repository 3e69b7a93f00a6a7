"""Readers for record formats holding many reports: JSON Lines, JSON arrays and CSV.

A bad record is rejected with its file and line; the good records around it are still read.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from frontwatch.ingest.common import InputError, check_binary, decode_text, formats, make_report, utf8_problem
from frontwatch.model import Rejection, Report


def _fields() -> dict[str, list[str]]:
    return formats()["fields"]


def _pick(rec: Mapping[str, Any], field: str) -> Any:
    """The first non-empty value among the field's accepted names (keys compared case-insensitively)."""
    lowered = {str(k).strip().lower(): v for k, v in rec.items()}
    for name in _fields()[field]:
        v = lowered.get(name)
        if v is not None and (not isinstance(v, str) or v.strip()):
            return v
    return None


def _names(field: str) -> str:
    return " or ".join(f"`{n}`" for n in _fields()[field][:2])


def record_to_report(rec: Mapping[str, Any], origin: str) -> Report:
    """A Report from one JSON/CSV record; InputError naming the missing or bad field."""
    text = _pick(rec, "text")
    if text is None:
        raise InputError(f"no report text: give it in a {_names('text')} field")
    if not isinstance(text, str):
        raise InputError(f"the text field holds a {type(text).__name__}, not a string")
    date = _pick(rec, "date")
    if date is None:
        raise InputError(f"no date: add a {_names('date')} field as YYYY-MM-DD")
    if not isinstance(date, str):
        raise InputError(f"invalid date {date!r}: write it as a string YYYY-MM-DD")
    rid = _pick(rec, "id")
    if isinstance(rid, (dict, list, bool)):
        raise InputError("the id field must be a string or a number")
    return make_report(text, date, source=_str(_pick(rec, "source")), url=_str(_pick(rec, "url")),
                       title=_str(_pick(rec, "title")), id=rid, origin=origin)


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) else (None if v is None or isinstance(v, (dict, list)) else str(v))


def _one(rec: Any, origin: str) -> Report | Rejection:
    if not isinstance(rec, dict):
        return Rejection(origin=origin, reason=f"not a JSON object but a {type(rec).__name__}: "
                                               "each line must be one {\"date\": ..., \"text\": ...} object")
    try:
        return record_to_report(rec, origin)
    except InputError as exc:
        return Rejection(origin=origin, reason=str(exc))


# ---------------------------------------------------------------------------------------- JSON Lines

def read_jsonl(data: bytes, name: str) -> Iterator[Report | Rejection]:
    """One report per line; each line is decoded on its own so one bad line costs only itself."""
    try:
        check_binary(data)
    except InputError as exc:
        yield Rejection(origin=name, reason=str(exc))
        return
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    lineno = 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        raw, base = data[pos:end], pos
        pos = end + 1
        lineno += 1
        origin = f"{name}:{lineno}"
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Rejection(origin=origin, reason=utf8_problem(raw, exc, base=base, line=lineno))
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejection(origin=origin, reason=f"broken JSON ({exc.msg} at column {exc.colno}): "
                                                  "fix or remove this line")
            continue
        yield _one(rec, origin)


# ---------------------------------------------------------------------------------------- JSON

def read_json(data: bytes, name: str) -> Iterator[Report | Rejection]:
    """A JSON array of report objects, or one object (a whole file holding one report)."""
    try:
        text = decode_text(data)
        doc = json.loads(text)
    except InputError as exc:
        yield Rejection(origin=name, reason=str(exc))
        return
    except json.JSONDecodeError as exc:
        hint = " (one object a line? name the file .jsonl)" if "Extra data" in exc.msg else ""
        yield Rejection(origin=name, reason=f"broken JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}{hint}")
        return
    if isinstance(doc, list):
        for i, rec in enumerate(doc, start=1):
            yield _one(rec, f"{name}:#{i}")
    else:
        yield _one(doc, name)


# ---------------------------------------------------------------------------------------- CSV

_SURROGATE = re.compile("[\udc80-\udcff]")


def _dialect(header_line: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def read_csv(data: bytes, name: str, suffix: str = ".csv") -> Iterator[Report | Rejection]:
    """A header row, then one report per row. Rows holding bytes that are not UTF-8 are rejected alone."""
    try:
        check_binary(data)
    except InputError as exc:
        yield Rejection(origin=name, reason=str(exc))
        return
    # surrogateescape keeps undecodable bytes visible per row instead of failing the whole file.
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    header_line = text.split("\n", 1)[0]
    # Article bodies exceed csv's default 128 KiB field limit; the file size limit bounds them instead.
    csv.field_size_limit(max(csv.field_size_limit(), len(data) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect(header_line, suffix))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        yield Rejection(origin=name, reason=f"no CSV header row ({exc or 'empty'})")
        return
    cols = [h.strip().lower() for h in header]
    if not set(cols) & set(_fields()["text"]):
        shown = ", ".join(c or "''" for c in cols[:8]) + (" ..." if len(cols) > 8 else "")
        yield Rejection(origin=name, reason=f"CSV has no text column (header: {shown}): "
                                            f"name the column holding the report {_names('text')}")
        return
    if not set(cols) & set(_fields()["date"]):
        yield Rejection(origin=name, reason=f"CSV has no date column: add a {_names('date')} column (YYYY-MM-DD)")
        return
    while True:
        start = reader.line_num + 1
        origin = f"{name}:{start}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Rejection(origin=origin, reason=f"broken CSV row ({exc}): check the quoting; the rest of the file is skipped")
            return
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(cols):
            yield Rejection(origin=origin, reason=f"{len(row)} cells for {len(cols)} columns: quote cells holding the delimiter")
            continue
        rec = {c: v for c, v in zip(cols, row, strict=False) if c}
        bad = next((c for c, v in rec.items() if _SURROGATE.search(v)), None)
        if bad is not None:
            ch = _SURROGATE.search(rec[bad]).group()  # type: ignore[union-attr]
            yield Rejection(origin=origin, reason=f"not UTF-8 text: byte 0x{ord(ch) - 0xDC00:02x} in column "
                                                  f"{bad!r} is invalid; re-save the file as UTF-8")
            continue
        yield _one(rec, origin)
