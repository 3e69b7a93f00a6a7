"""Reader for saved HTML article pages: the article's main text without boilerplate, date from metadata.

Uses only html.parser; scripts, styles, navigation, headers, footers and asides are dropped, never run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser

from frontwatch.ingest.common import InputError, check_binary, decode_text, formats, make_report, parse_date
from frontwatch.model import Rejection, Report

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
         "track", "wbr"}
# Elements that end a block of text: their text becomes its own paragraph.
_BLOCK = {"p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
          "blockquote", "pre", "figcaption", "figure", "table", "tr", "td", "th", "dd", "dt", "dl", "hr",
          "address", "body", "summary", "details"}
_SPACE = re.compile(r"\s+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


class _Open:
    __slots__ = ("tag", "drop", "soft", "scope")

    def __init__(self, tag: str, drop: bool, soft: bool, scope: str | None) -> None:
        self.tag, self.drop, self.soft, self.scope = tag, drop, soft, scope


class _PageParser(HTMLParser):
    """Collects text blocks tagged with the containers they sit in, and the page's metadata."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        cfg = formats()["html"]
        self.drop_tags = set(cfg["drop_tags"])
        self.drop_markers = [m.lower() for m in cfg["drop_markers"]]
        self.body_markers = [m.lower() for m in cfg["body_markers"]]
        self.stack: list[_Open] = []
        self.blocks: list[tuple[str, frozenset[str], bool]] = []  # text, scopes, inside a soft-boilerplate box
        self.buf: list[str] = []
        self.meta: dict[str, str] = {}
        self.times: list[tuple[str, bool]] = []  # <time datetime>, inside an article
        self.title_tag = ""
        self.h1 = ""
        self.canonical: str | None = None
        self.jsonld: list[str] = []
        self._in_title = False
        self._in_jsonld = False
        self._h1_buf: list[str] | None = None

    # -- helpers
    def _dropping(self) -> bool:
        return any(o.drop for o in self.stack)

    def _flush(self) -> None:
        text = _SPACE.sub(" ", "".join(self.buf)).strip()
        self.buf = []
        if text:
            scopes = frozenset(o.scope for o in self.stack if o.scope)
            soft = any(o.soft for o in self.stack)
            self.blocks.append((text, scopes, soft))

    # -- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").strip().lower()
            if key and a.get("content") and key not in self.meta:
                self.meta[key] = a["content"].strip()
            return
        if tag == "link" and "canonical" in a.get("rel", "").lower() and a.get("href"):
            self.canonical = self.canonical or a["href"].strip()
            return
        if tag == "time" and a.get("datetime"):
            self.times.append((a["datetime"], any(o.scope == "article" for o in self.stack)))
        if a.get("itemprop", "").lower() == "datepublished" and (a.get("datetime") or a.get("content")):
            self.meta.setdefault("datepublished", a.get("datetime") or a.get("content") or "")
        if tag == "title":
            self._in_title = True
        if tag == "script" and "ld+json" in a.get("type", "").lower():
            self._in_jsonld = True
        if tag == "h1" and self._h1_buf is None and not self.h1:
            self._h1_buf = []
        if tag in _VOID:
            if tag in _BLOCK:
                self._flush()
            elif tag == "br":
                self.buf.append(" ")
            return
        if tag in _BLOCK:
            self._flush()
        marks = " ".join((a.get("class", ""), a.get("id", ""), a.get("role", ""))).lower()
        scope = None
        if any(m in marks for m in self.body_markers) or a.get("itemprop", "").lower() == "articlebody":
            scope = "body"
        elif tag == "article":
            scope = "article"
        elif tag == "main" or "main" in a.get("role", "").lower():
            scope = "main"
        drop = tag in self.drop_tags or a.get("aria-hidden") == "true" or "hidden" in a
        tokens = re.split(r"[\s_]+", marks)
        soft = (scope is None and tag not in ("html", "body")
                and any(m in t for t in tokens for m in self.drop_markers))
        self.stack.append(_Open(tag, drop, soft, scope))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "script":
            self._in_jsonld = False
        if tag == "h1" and self._h1_buf is not None:
            self.h1 = _SPACE.sub(" ", "".join(self._h1_buf)).strip()
            self._h1_buf = None
        if tag in _BLOCK:
            self._flush()
        # Tolerate unclosed elements: close back to the matching open tag, ignore stray end tags.
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_tag += data
            return
        if self._in_jsonld:
            self.jsonld.append(data)
            return
        if self._dropping():
            return
        if self._h1_buf is not None:
            self._h1_buf.append(data)
        self.buf.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _jsonld_dates(chunks: list[str]) -> list[str]:
    found: list[str] = []

    def walk(o: object) -> None:
        if isinstance(o, dict):
            for k in ("datePublished", "dateCreated", "dateModified"):
                if isinstance(o.get(k), str):
                    found.append(o[k])
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    for c in chunks:
        try:
            walk(json.loads(c))
        except (json.JSONDecodeError, RecursionError):
            continue
    return found


def _main_text(blocks: list[tuple[str, frozenset[str], bool]]) -> str:
    """Paragraphs of the most specific article container present; soft boilerplate dropped unless nothing is left."""
    for scope in ("body", "article", "main", None):
        chosen = [b for b in blocks if scope is None or scope in b[1]]
        if not chosen:
            continue
        kept = [t for t, _, soft in chosen if not soft] or [t for t, _, _ in chosen]
        return "\n\n".join(kept)
    return ""


def parse_html(data: bytes, origin: str) -> Report:
    check_binary(data)
    declared = _CHARSET.search(data[:4096])
    text = decode_text(data, declared.group(1).decode("ascii", "replace") if declared else None)
    p = _PageParser()
    p.feed(text)
    p.close()
    cfg = formats()["html"]
    candidates = [p.meta[k] for k in cfg["date_meta"] if k in p.meta]
    candidates += _jsonld_dates(p.jsonld)
    candidates += [t for t, in_article in p.times if in_article] + [t for t, _ in p.times]
    candidates += [p.meta[k] for k in cfg["modified_meta"] if k in p.meta]  # last resort
    day = None
    bad: str | None = None
    for c in candidates:
        try:
            day = parse_date(c)
            break
        except InputError as exc:
            bad = bad or str(exc)
    body = _main_text(p.blocks)
    if day is None:
        # A page saved from the dated-text convention: `date YYYY-MM-DD` as its first words.
        m = re.match(r"\s*date[ \t:]+(\d{4}-\d{2}-\d{2})\s*", body, re.IGNORECASE)
        if m:
            day, body = parse_date(m.group(1)), body[m.end():]
    if day is None:
        raise InputError(
            (bad + " in the page metadata") if bad else
            "no publication date in the page (looked for article:published_time, itemprop datePublished, "
            "JSON-LD datePublished, <time datetime>): add <meta property=\"article:published_time\" content=\"YYYY-MM-DD\">"
        )
    if not body.strip():
        raise InputError("no article text found in the page (only navigation, scripts or boilerplate)")
    title = next((p.meta[k] for k in cfg["title_meta"] if k in p.meta), None) or p.h1 or p.title_tag
    source = next((p.meta[k] for k in cfg["source_meta"] if k in p.meta), None)
    url = p.canonical or next((p.meta[k] for k in cfg["url_meta"] if k in p.meta), None)
    return make_report(body, day, source=source, url=url, title=title, origin=origin)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (feed summaries): tags and scripts dropped, paragraphs kept apart."""
    p = _PageParser()
    p.feed(fragment)
    p.close()
    return "\n\n".join(t for t, _, _ in p.blocks)


def read_html(data: bytes, name: str) -> Iterator[Report | Rejection]:
    try:
        yield parse_html(data, name)
    except InputError as exc:
        yield Rejection(origin=name, reason=str(exc))
