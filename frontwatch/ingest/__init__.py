"""Input side: files and directories of any supported format -> Reports, or one-line Rejections.

One reader module per format (dated_text, records, feed, html); this module picks the reader,
walks directories, enforces the size limit before reading, and never lets one bad file stop a batch.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from frontwatch.ingest.common import (
    InputError,
    content_hash,
    decode_text,
    formats,
    make_report,
    normalise_text,
    parse_date,
)
from frontwatch.model import Rejection, Report

__all__ = [
    "DEFAULT_MAX_BYTES",
    "InputError",
    "bundled_samples_dir",
    "content_hash",
    "input_files",
    "make_report",
    "normalise_text",
    "parse_date",
    "read_file",
    "read_reports",
]

DEFAULT_MAX_BYTES = 5_000_000


def bundled_samples_dir() -> Path:
    """The sample reports shipped inside the package (dated text and JSON Lines)."""
    return Path(__file__).resolve().parent.parent / "data" / "samples"


def _kind(path: Path) -> str | None:
    suffix = path.suffix.lower()
    for kind, exts in formats()["extensions"].items():
        if suffix in exts:
            return kind
    return None


def _skipped_in_directory(path: Path) -> bool:
    skip = formats()["skip_in_directories"]
    return path.name.lower() in skip["names"] or path.suffix.lower() in skip["extensions"]


def input_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The files `read_reports` reads, in order: named files as given, directories walked recursively
    and sorted, hidden files/directories and documentation (README, *.md) skipped inside directories."""
    for p in map(Path, paths):
        if not p.is_dir():
            yield p
            continue
        for root, dirs, files in os.walk(p, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in sorted(files):
                fp = Path(root) / f
                if not f.startswith(".") and not _skipped_in_directory(fp):
                    yield fp


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing what is too large before reading it (and never reading past the limit)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError("no such file or directory") from None
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError("not a regular file (a device, pipe or socket): save the reports to a file")
    if st.st_size > max_bytes:
        raise InputError(
            f"file is {st.st_size:,} bytes, over the size limit of {max_bytes:,}: split it "
            "(JSON Lines splits at any line) or raise the limit with --max-bytes"
        )
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)  # the file may grow between stat and read
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(f"file is over the size limit of {max_bytes:,} bytes: split it or raise --max-bytes")
    return data


def read_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Report | Rejection]:
    """Reports of one file (a file may hold many), each bad one a Rejection; never raises for bad input."""
    path = Path(path)
    name = str(path)
    kind = _kind(path)
    if kind is None:
        known = ", ".join(e for exts in formats()["extensions"].values() for e in exts)
        what = f"extension {path.suffix!r}" if path.suffix else "no extension"
        yield Rejection(origin=name, reason=f"unknown format ({what}): use one of {known}")
        return
    try:
        data = _read_bytes(path, max_bytes)
    except InputError as exc:
        yield Rejection(origin=name, reason=str(exc))
        return
    try:
        yield from _dispatch(kind, data, name, path.suffix.lower())
    except Exception as exc:  # a reader bug must cost one file, not the batch
        yield Rejection(origin=name, reason=f"could not be read ({type(exc).__name__}: {exc}); please report this")


def _dispatch(kind: str, data: bytes, name: str, suffix: str) -> Iterator[Report | Rejection]:
    if kind == "dated_text":
        from frontwatch.ingest.dated_text import read_dated_text

        try:
            text = decode_text(data)
        except InputError as exc:
            yield Rejection(origin=name, reason=str(exc))
            return
        yield from read_dated_text(text, name)
    elif kind == "jsonl":
        from frontwatch.ingest.records import read_jsonl

        yield from read_jsonl(data, name)
    elif kind == "json":
        from frontwatch.ingest.records import read_json

        yield from read_json(data, name)
    elif kind == "csv":
        from frontwatch.ingest.records import read_csv

        yield from read_csv(data, name, suffix)
    elif kind == "feed":
        from frontwatch.ingest.feed import read_feed

        yield from read_feed(data, name)
    elif kind == "html":
        from frontwatch.ingest.html import read_html

        yield from read_html(data, name)
    else:  # a kind added to formats.yaml without a reader
        yield Rejection(origin=name, reason=f"no reader for format {kind!r}")


def read_reports(paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Report | Rejection]:
    """Every report in `paths` (files of any supported format, or directories read recursively),
    in order, lazily; what cannot be read comes as a Rejection naming the file (and line) and why."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for path in input_files(paths):
        yield from read_file(path, max_bytes=max_bytes)
