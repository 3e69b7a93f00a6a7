"""Reader for saved RSS 2.0, RSS 1.0 (RDF) and Atom feed files: one report per entry.

Parsed with xml.etree from the file only (never fetched); documents declaring entities are refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from frontwatch.ingest.common import InputError, check_binary, make_report, parse_date
from frontwatch.ingest.html import html_to_text
from frontwatch.model import Rejection, Report

# Entry fields by local element name (namespaces ignored), first present wins.
_DATE = ("published", "pubDate", "date", "issued", "created", "updated", "modified")
_CONTENT = ("encoded", "content")  # content:encoded (RSS), content (Atom)
_SUMMARY = ("summary", "description")
_ID = ("guid", "id")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el: ET.Element) -> dict[str, ET.Element]:
    out: dict[str, ET.Element] = {}
    for c in el:
        out.setdefault(_local(c.tag), c)
    return out


def _text(el: ET.Element | None) -> str:
    if el is None:
        return ""
    raw = "".join(el.itertext()).strip()
    # Summaries and content are usually escaped HTML; Atom type="xhtml" gives real child elements.
    if "<" in raw or "&" in raw or len(el):
        return html_to_text(raw if not len(el) else ET.tostring(el, encoding="unicode"))
    return re.sub(r"[ \t]+", " ", raw)


def _link(entry: ET.Element) -> str | None:
    best = None
    for c in entry:
        if _local(c.tag) != "link":
            continue
        href = c.get("href") or (c.text or "").strip()
        if href and c.get("rel", "alternate") == "alternate":
            return href
        best = best or href
    return best


def _entries(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter() if _local(el.tag) in ("item", "entry")]


def read_feed(data: bytes, name: str) -> Iterator[Report | Rejection]:
    try:
        check_binary(data)
    except InputError as exc:
        yield Rejection(origin=name, reason=str(exc))
        return
    head = data[:65536]
    if b"<!ENTITY" in head or b"<!entity" in head:
        # Entity expansion ("billion laughs") is the classic XML bomb; feeds never need entities.
        yield Rejection(origin=name, reason="the feed declares XML entities (<!ENTITY>): refused for safety")
        return
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        yield Rejection(origin=f"{name}:{line}", reason=f"not well-formed XML at line {line}, column {col}: "
                                                        "save the feed again or fix the markup")
        return
    if _local(root.tag) not in ("rss", "feed", "RDF", "channel"):
        yield Rejection(origin=name, reason=f"not an RSS or Atom feed (root element <{_local(root.tag)}>)")
        return
    channel = _children(root).get("channel", root)
    feed_title = _text(_children(channel).get("title")) or None
    entries = _entries(root)
    if not entries:
        yield Rejection(origin=name, reason="the feed holds no <item> or <entry>")
        return
    for n, entry in enumerate(entries, start=1):
        origin = f"{name}:entry {n}"
        kids = _children(entry)
        date_el = next((kids[k] for k in _DATE if k in kids), None)
        title = _text(kids.get("title")) or None
        content = next((_text(kids[k]) for k in _CONTENT if k in kids and _text(kids[k])), "")
        summary = next((_text(kids[k]) for k in _SUMMARY if k in kids and _text(kids[k])), "")
        body = content if len(content) >= len(summary) else summary
        rid = next(((kids[k].text or "").strip() for k in _ID if k in kids), None)
        try:
            if date_el is None or not (date_el.text or "").strip():
                raise InputError("entry has no date (pubDate, published, updated or dc:date)")
            day = parse_date(date_el.text)
            yield make_report(body or title or "", day, source=feed_title, url=_link(entry), title=title,
                              id=rid, origin=origin)
        except InputError as exc:
            yield Rejection(origin=origin, reason=str(exc))
