"""Reader for the dated-text format: `date YYYY-MM-DD` first, optional `source`/`url`/`title` lines, then the body.

The body may start on the date line itself (" date 2022-09-11 The quick fall ...") or on a later line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from frontwatch.ingest.common import InputError, make_report, normalise_newlines, parse_date
from frontwatch.model import Rejection, Report

# `date` then the date token, then the rest of the line (an inline body, or nothing).
_DATE_LINE = re.compile(r"date(?:[ \t]*[:=][ \t]*|[ \t]+)(?P<token>\d\S*)[ \t]*(?P<rest>[^\n]*)", re.IGNORECASE)
_HEADER = re.compile(r"(?P<key>source|url|title)[ \t]*[:=]?[ \t]+(?P<value>\S[^\n]*)$", re.IGNORECASE)


def parse_dated_text(text: str, origin: str) -> Report:
    """One report from the text of a dated-text file; InputError with the reason otherwise."""
    text = normalise_newlines(text)
    stripped = text.lstrip()
    m = _DATE_LINE.match(stripped)
    if not m:
        first = stripped.split("\n", 1)[0][:40]
        raise InputError(
            f"no `date YYYY-MM-DD` line at the start (the file begins {first!r}): "
            "add one as the first line, e.g. `date 2022-09-10`"
        )
    token = m.group("token").rstrip(",.;:")
    try:
        day = parse_date(token)
    except InputError as exc:
        raise InputError(f"line 1: {exc}") from None
    rest = m.group("rest").strip()
    after = stripped[m.end():]
    headers: dict[str, str] = {}
    if rest:
        body = rest + after  # inline body: what follows on the date line is the first sentence
    else:
        lines = after.split("\n")
        i = 1 if lines and lines[0] == "" else 0  # the newline that ended the date line
        # Header lines only directly after the date line; a blank line or any other line starts the body.
        while i < len(lines):
            h = _HEADER.match(lines[i].strip())
            key = h.group("key").lower() if h else None
            if not h or key in headers or (key == "url" and not re.match(r"\w+://|www\.", h.group("value"))):
                break
            headers[key] = h.group("value").strip()
            i += 1
        body = "\n".join(lines[i:])
    if not body.strip():
        raise InputError("the report has a date but no text: put the body after the date line")
    return make_report(body, day, source=headers.get("source"), url=headers.get("url"),
                       title=headers.get("title"), origin=origin)


def read_dated_text(text: str, origin: str) -> Iterator[Report | Rejection]:
    try:
        yield parse_dated_text(text, origin)
    except InputError as exc:
        yield Rejection(origin=origin, reason=str(exc))
