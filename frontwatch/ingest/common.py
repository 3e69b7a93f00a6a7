"""Shared pieces of the readers: report identity (normalised-text hash), date parsing, safe decoding.

Every reader turns raw bytes into `Report`s with these helpers, so a report reads the same whatever its format.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import hashlib
import re
import unicodedata
from functools import cache
from importlib import resources
from typing import Any

import yaml

from frontwatch.model import Report


class InputError(ValueError):
    """A report (or a whole file) that cannot be read; the message is the one-line rejection reason."""


@cache
def formats() -> dict[str, Any]:
    """The reader tables from formats.yaml (extensions, field names, HTML boilerplate)."""
    text = resources.files("frontwatch.ingest").joinpath("formats.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


# ---------------------------------------------------------------------------------------- identity

# Typographic variants that differ between outlets and copy-pastes of the same text.
_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...",
})
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Text as compared for duplicates: NFC, quotes and dashes folded, invisible marks dropped,
    whitespace collapsed, case folded (the same wire copy is often re-cased in headlines)."""
    t = unicodedata.normalize("NFC", text).translate(_FOLD)
    t = _INVISIBLE.sub("", t)
    return _SPACE.sub(" ", t).strip().casefold()


def content_hash(text: str, date: dt.date | str) -> str:
    """Hash of the normalised text and the report date: equal for the same report whatever its id."""
    day = date.isoformat() if isinstance(date, dt.date) else parse_date(date).isoformat()
    return hashlib.sha256(f"{day}\n{normalise_text(text)}".encode()).hexdigest()[:32]


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    s = _SPACE.sub(" ", str(value)).strip()
    return s or None


def make_report(
    text: str,
    date: dt.date | dt.datetime | str,
    source: str | None = None,
    url: str | None = None,
    title: str | None = None,
    id: str | int | None = None,  # noqa: A002 - the contract's field name
    origin: str | None = None,
) -> Report:
    """A Report with its content hash and id (the input id when given, else a short content hash).

    Raises InputError when the text is empty or the date cannot be read."""
    if text is None or not str(text).strip():
        raise InputError("no report text: the text/body is empty")
    body = normalise_newlines(str(text)).strip()
    day = date if isinstance(date, dt.date) and not isinstance(date, dt.datetime) else parse_date(date)
    chash = content_hash(body, day)
    rid = _clean(id)
    return Report(
        report_id=rid or chash[:16],
        date=day,
        text=body,
        source=_clean(source),
        url=_clean(url),
        title=_clean(title),
        content_hash=chash,
        origin=origin,
    )


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------------------------------- dates

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ]|(?=[+-]\d\d:?\d\d$)|Z$)")
_ISO_BASIC = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:$|T)")
_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:$|[T ])")


def parse_date(value: Any) -> dt.date:
    """The calendar date of an ISO date or datetime (the date part as written, no time-zone shift),
    or of an RFC 822 date as used by RSS. Raises InputError saying what is wrong."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None or not str(value).strip():
        raise InputError("no date: give the report date as YYYY-MM-DD")
    s = str(value).strip()
    m = _ISO.match(s) or _ISO_BASIC.match(s) or _SLASHED.match(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        try:
            return dt.date(y, mo, d)
        except ValueError as exc:
            raise InputError(f"invalid date {s[:40]!r}: {exc}; use a real calendar date as YYYY-MM-DD") from None
    if re.match(r"^[A-Za-z]{3},?\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}|^\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", s):
        try:
            parsed = email.utils.parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            return parsed.date()
    raise InputError(f"invalid date {s[:40]!r}: write it as YYYY-MM-DD (an ISO datetime is fine too)")


# ---------------------------------------------------------------------------------------- decoding

# Leading bytes of common binary formats, to say what a rejected file really is.
_MAGIC = [
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx/.odt)"),
    (b"\x1f\x8b", "a gzip archive: decompress it first"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\x7fELF", "an executable"),
]


def check_binary(data: bytes) -> None:
    """InputError when the bytes are empty or plainly not text (known binary formats, UTF-16, NUL bytes)."""
    if not data.strip():
        raise InputError("empty file: nothing to read")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"binary file: looks like {what}, not a text report")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError("text is UTF-16, not UTF-8: re-save the file as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"binary file: NUL byte at byte {nul}; a text report holds none")


def decode_text(data: bytes, declared: str | None = None) -> str:
    """UTF-8 text of a file (a UTF-8 BOM is fine), or InputError naming the problem and its byte.

    `declared` is an encoding the document itself declares (HTML/XML); it is honoured only when
    the bytes are not valid UTF-8, because such a document is not ambiguous."""
    check_binary(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if declared:
            try:
                codecs.lookup(declared)
                return data.decode(declared)
            except (LookupError, UnicodeDecodeError):
                pass
        raise InputError(utf8_problem(data, exc)) from None


def utf8_problem(data: bytes, exc: UnicodeDecodeError, base: int = 0, line: int | None = None) -> str:
    """One line: which byte is not UTF-8, where (`base`: offset of `data` in its file), what the file probably is."""
    bad = data[exc.start:exc.start + 1]
    line = line if line is not None else data.count(b"\n", 0, exc.start) + 1
    guess = ""
    try:
        data.decode("cp1252")
        guess = "; the file looks like Latin-1/Windows-1252"
    except UnicodeDecodeError:
        pass
    binary = sum(b < 9 or 13 < b < 32 for b in data[:4096]) > 64
    if binary:
        return f"binary file: byte 0x{bad.hex()} at byte {base + exc.start} is not text"
    return (f"not UTF-8 text: byte 0x{bad.hex()} at byte {base + exc.start} (line {line}): {exc.reason}"
            f"{guess}; re-save the file as UTF-8")
