"""Each input format read into Reports: dated text, JSON Lines, JSON, CSV, RSS/Atom feeds, HTML, directories.

Fast: no spaCy; the files are written in tmp_path, the real dated-text sample is read from ../shared when present.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from frontwatch.ingest import bundled_samples_dir, content_hash, input_files, make_report, read_reports
from frontwatch.model import Rejection, Report

SHARED = Path(__file__).resolve().parents[2] / "shared"


def reports(*paths: Path | str, **kw: int) -> list[Report]:
    items = list(read_reports(paths, **kw))
    bad = [str(i) for i in items if isinstance(i, Rejection)]
    assert not bad, bad
    return items  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------- dated text

def test_dated_text_leading_space_and_inline_body(tmp_path: Path) -> None:
    f = tmp_path / "r.txt"
    f.write_text(" date 2022-09-11 The town was retaken, officials said.\n\nA second paragraph.\n", encoding="utf-8")
    [r] = reports(f)
    assert r.date == dt.date(2022, 9, 11)
    assert r.text == "The town was retaken, officials said.\n\nA second paragraph."
    assert r.origin == str(f) and r.source is None and r.title is None
    assert r.report_id == r.content_hash[:16]


def test_dated_text_header_lines_and_body_on_next_lines(tmp_path: Path) -> None:
    f = tmp_path / "r.txt"
    f.write_text("\n\n  date 2022-09-10\nsource Ukrainian defence ministry\nurl https://example.org/a\n"
                 "title Flag raised\n\nTroops raised the flag over the council building.\n", encoding="utf-8")
    [r] = reports(f)
    assert (r.date, r.source, r.url, r.title) == (dt.date(2022, 9, 10), "Ukrainian defence ministry",
                                                  "https://example.org/a", "Flag raised")
    assert r.text == "Troops raised the flag over the council building."


def test_dated_text_body_starting_with_source_word_is_body(tmp_path: Path) -> None:
    f = tmp_path / "r.txt"
    f.write_text("date 2022-09-10\nSources said the bridge was hit.\n", encoding="utf-8")
    [r] = reports(f)
    assert r.text == "Sources said the bridge was hit." and r.source is None


def test_dated_text_iso_datetime_keeps_date_part_and_crlf(tmp_path: Path) -> None:
    f = tmp_path / "r.txt"
    f.write_bytes(b"date 2022-10-01T23:30:00+03:00\r\nLyman was cleared.\r\nSecond line.\r\n")
    [r] = reports(f)
    assert r.date == dt.date(2022, 10, 1) and r.text == "Lyman was cleared.\nSecond line."


def test_script_in_dated_text_is_stored_as_text(tmp_path: Path) -> None:
    body = 'Shelling hit the <b>market</b>. <script>alert("x")</script>'
    f = tmp_path / "r.txt"
    f.write_text(f"date 2022-09-12\n{body}\n", encoding="utf-8")
    g = tmp_path / "r.jsonl"
    g.write_text(json.dumps({"date": "2022-09-12", "text": body}) + "\n", encoding="utf-8")
    for r in reports(f, g):
        assert r.text == body  # kept verbatim: it is data, never markup to run


@pytest.mark.skipif(not (SHARED / "samples").is_dir(), reason="../shared/samples not present")
def test_shared_real_sample_with_leading_space() -> None:
    [r] = reports(SHARED / "samples" / "2022-09-11-kharkiv-counteroffensive.txt")
    assert r.date == dt.date(2022, 9, 11)
    assert r.text.startswith("The quick fall of Izium")
    assert "Balaklia" in r.text


# ---------------------------------------------------------------------------------------- JSON Lines / JSON

def test_jsonl_fields_aliases_and_ids(tmp_path: Path) -> None:
    f = tmp_path / "r.jsonl"
    rows = [
        {"id": "a1", "date": "2022-09-10", "text": "Kupiansk entered.", "source": "TASS", "url": "https://tass.com",
         "title": "T"},
        {"published": "2022-09-11T08:00:00Z", "body": "Izium retaken.", "id": 7},
        {"date": "2022-09-12", "text": "No id here.", "source": None},
    ]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    a, b, c = reports(f)
    assert (a.report_id, a.source, a.url, a.title, a.origin) == ("a1", "TASS", "https://tass.com", "T", f"{f}:1")
    assert (b.report_id, b.date, b.text) == ("7", dt.date(2022, 9, 11), "Izium retaken.")
    assert c.report_id == c.content_hash[:16] and c.origin == f"{f}:3"


def test_jsonl_one_broken_line_among_good_ones(tmp_path: Path) -> None:
    f = tmp_path / "mixed.jsonl"
    good = [json.dumps({"id": f"g{i}", "date": "2022-09-1" + str(i), "text": f"Report {i}."}) for i in range(3)]
    f.write_text("\n".join([good[0], '{"id": "x", "date": "2022-09-10", "text": "cut off', good[1],
                            '{"id": "y", "text": "no date"}', "[1, 2]", good[2]]) + "\n", encoding="utf-8")
    items = list(read_reports([f]))
    assert [i.report_id for i in items if isinstance(i, Report)] == ["g0", "g1", "g2"]
    rej = [i for i in items if isinstance(i, Rejection)]
    assert [r.origin for r in rej] == [f"{f}:2", f"{f}:4", f"{f}:5"]
    assert "broken JSON" in rej[0].reason and "no date" in rej[1].reason and "not a JSON object" in rej[2].reason


def test_jsonl_bad_utf8_line_costs_only_that_line(tmp_path: Path) -> None:
    f = tmp_path / "enc.jsonl"
    f.write_bytes(b'{"date": "2022-09-10", "text": "ok one"}\n{"date": "2022-09-10", "text": "caf\xe9"}\n'
                  b'{"date": "2022-09-11", "text": "ok two"}\n')
    items = list(read_reports([f]))
    assert [type(i).__name__ for i in items] == ["Report", "Rejection", "Report"]
    assert items[1].origin == f"{f}:2" and "UTF-8" in items[1].reason and "line 2" in items[1].reason


def test_json_array(tmp_path: Path) -> None:
    f = tmp_path / "r.json"
    f.write_text(json.dumps([{"date": "2022-09-10", "text": "One."}, {"date": "2022-09-11", "text": "Two."}]))
    assert [r.text for r in reports(f)] == ["One.", "Two."]


# ---------------------------------------------------------------------------------------- CSV

def test_csv_rows_with_quoted_newlines(tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    f.write_text('id,date,source,title,text\n'
                 'c1,2022-09-10,Reuters,T1,"Kupiansk, a rail hub, was entered.\nSecond paragraph."\n'
                 'c2,2022-10-01,RIA Novosti,,Lyman was left.\n', encoding="utf-8")
    a, b = reports(f)
    assert (a.report_id, a.source, a.title, a.text) == ("c1", "Reuters", "T1", "Kupiansk, a rail hub, was entered.\nSecond paragraph.")
    assert (b.report_id, b.date, b.title, b.origin) == ("c2", dt.date(2022, 10, 1), None, f"{f}:4")


def test_csv_semicolon_and_body_column(tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    f.write_text("published;body\n2022-09-10;Balakliia retaken.\n;missing date\n", encoding="utf-8")
    items = list(read_reports([f]))
    assert isinstance(items[0], Report) and items[0].text == "Balakliia retaken."
    assert isinstance(items[1], Rejection) and items[1].origin == f"{f}:3" and "no date" in items[1].reason


# ---------------------------------------------------------------------------------------- feeds

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Example Wire</title>
<item><title>Izium retaken</title><link>https://example.org/izium</link><guid>urn:x:1</guid>
<pubDate>Sat, 10 Sep 2022 21:15:00 +0300</pubDate>
<description>&lt;p&gt;Ukrainian troops &lt;b&gt;recaptured&lt;/b&gt; Izium.&lt;/p&gt;&lt;script&gt;evil()&lt;/script&gt;</description>
</item>
<item><title>No date here</title><description>Text.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title>
<entry><title>Lyman</title><id>tag:x,2022:lyman</id><link rel="alternate" href="https://example.org/lyman"/>
<published>2022-10-01T10:00:00Z</published><updated>2022-10-02T10:00:00Z</updated>
<summary>Short.</summary><content type="html">&lt;p&gt;Russia said its troops left Lyman.&lt;/p&gt;&lt;p&gt;Kyiv said the town was entered.&lt;/p&gt;</content>
</entry></feed>"""


def test_rss_feed_entries_and_dateless_entry(tmp_path: Path) -> None:
    f = tmp_path / "wire.rss"
    f.write_text(RSS, encoding="utf-8")
    items = list(read_reports([f]))
    r, rej = items
    assert isinstance(r, Report) and isinstance(rej, Rejection)
    assert (r.date, r.title, r.url, r.source, r.report_id) == (dt.date(2022, 9, 10), "Izium retaken",
                                                               "https://example.org/izium", "Example Wire", "urn:x:1")
    assert r.text == "Ukrainian troops recaptured Izium." and "evil" not in r.text
    assert rej.origin == f"{f}:entry 2" and "no date" in rej.reason


def test_atom_feed_prefers_content_and_published(tmp_path: Path) -> None:
    f = tmp_path / "wire.atom"
    f.write_text(ATOM, encoding="utf-8")
    [r] = reports(f)
    assert (r.date, r.url, r.report_id, r.source) == (dt.date(2022, 10, 1), "https://example.org/lyman",
                                                      "tag:x,2022:lyman", "Atom Wire")
    assert r.text == "Russia said its troops left Lyman.\n\nKyiv said the town was entered."


def test_feed_with_entities_and_broken_xml_rejected(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><rss>&b;</rss>')
    broken = tmp_path / "broken.xml"
    broken.write_text("<rss><channel><item><title>x</item></channel></rss>")
    a, b = list(read_reports([bomb, broken]))
    assert "ENTITY" in a.reason
    assert isinstance(b, Rejection) and "not well-formed XML" in b.reason and b.origin.startswith(str(broken))


# ---------------------------------------------------------------------------------------- HTML

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Site | Kupiansk entered</title>
<meta property="og:site_name" content="Example News">
<meta property="og:title" content="Ukrainian troops enter Kupiansk">
<meta property="article:published_time" content="2022-09-10T18:02:00+03:00">
<link rel="canonical" href="https://example.org/kupiansk">
<script>var tracking = "Izium captured by aliens";</script><style>p{color:red}</style>
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<div class="cookie-banner">We use cookies.</div>
<article>
 <h1>Ukrainian troops enter Kupiansk</h1>
 <div class="share-bar">Share on Facebook</div>
 <p>Ukrainian soldiers entered the centre of Kupiansk on Saturday,&nbsp;officials said.</p>
 <p>Fighting continued on the eastern bank<br>of the Oskil river.</p>
 <aside>Read more: unrelated story</aside>
 <script>document.write("injected")</script>
</article>
<footer>Copyright Example News</footer>
</body></html>"""


def test_html_article_text_without_boilerplate_and_meta_date(tmp_path: Path) -> None:
    f = tmp_path / "page.html"
    f.write_text(PAGE, encoding="utf-8")
    [r] = reports(f)
    assert r.date == dt.date(2022, 9, 10)
    assert (r.title, r.source, r.url) == ("Ukrainian troops enter Kupiansk", "Example News", "https://example.org/kupiansk")
    assert r.text == ("Ukrainian troops enter Kupiansk\n\nUkrainian soldiers entered the centre of Kupiansk on Saturday, "
                      "officials said.\n\nFighting continued on the eastern bank of the Oskil river.")
    for junk in ("aliens", "injected", "cookies", "Share on", "Home", "Read more", "Copyright", "color"):
        assert junk not in r.text


@pytest.mark.parametrize("head_or_body", [
    '<meta itemprop="datePublished" content="2022-10-02">',
    '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2022-10-02T09:00:00Z"}</script>',
    '<meta name="pubdate" content="2022-10-02">',
])
def test_html_date_sources(tmp_path: Path, head_or_body: str) -> None:
    f = tmp_path / "p.htm"
    f.write_text(f"<html><head>{head_or_body}</head><body><main><p>Lyman was cleared.</p></main></body></html>")
    [r] = reports(f)
    assert r.date == dt.date(2022, 10, 2) and r.text == "Lyman was cleared."


def test_html_time_element_and_no_date(tmp_path: Path) -> None:
    f = tmp_path / "t.html"
    f.write_text('<html><body><article><time datetime="2022-09-30">Friday</time><p>Yampil retaken.</p></article></body></html>')
    [r] = reports(f)
    assert r.date == dt.date(2022, 9, 30) and r.text.endswith("Yampil retaken.")
    g = tmp_path / "nodate.html"
    g.write_text("<html><body><p>Text without a date.</p></body></html>")
    [rej] = list(read_reports([g]))
    assert isinstance(rej, Rejection) and "no publication date" in rej.reason and "article:published_time" in rej.reason


# ---------------------------------------------------------------------------------------- directories, identity

def test_directory_recursive_sorted_skipping_hidden_and_docs(tmp_path: Path) -> None:
    d = tmp_path / "in"
    (d / "b" / "c").mkdir(parents=True)
    (d / ".git").mkdir()
    (d / "b" / "c" / "z.txt").write_text("date 2022-09-12\nDeep.\n")
    (d / "a.txt").write_text("date 2022-09-10\nTop.\n")
    (d / "b" / "m.jsonl").write_text('{"date": "2022-09-11", "text": "Middle."}\n')
    (d / ".hidden.txt").write_text("date 2022-09-10\nHidden.\n")
    (d / ".git" / "x.txt").write_text("date 2022-09-10\nGit.\n")
    (d / "README.md").write_text("# notes\n")
    assert [r.text for r in reports(d)] == ["Top.", "Middle.", "Deep."]
    assert [p.name for p in input_files([d])] == ["a.txt", "m.jsonl", "z.txt"]


def test_same_text_and_date_same_hash_whatever_the_id(tmp_path: Path) -> None:
    a = make_report("Ukrainian troops “recaptured”   Izium.\n", "2022-09-11", id="one")
    b = make_report("ukrainian troops \"recaptured\" Izium.", dt.date(2022, 9, 11), id="two", source="other")
    c = make_report("Ukrainian troops recaptured Izium.", "2022-09-12")
    assert a.content_hash == b.content_hash != c.content_hash
    assert (a.report_id, b.report_id) == ("one", "two")
    assert content_hash("Ukrainian troops “recaptured” Izium.", "2022-09-11T10:00:00") == a.content_hash
    f = tmp_path / "same.jsonl"
    f.write_text(json.dumps({"id": "x", "date": "2022-09-11", "text": "Izium retaken."}) + "\n"
                 + json.dumps({"id": "y", "date": "2022-09-11", "text": "Izium  retaken. "}) + "\n")
    g = tmp_path / "same.txt"
    g.write_text("date 2022-09-11 Izium retaken.")
    assert len({r.content_hash for r in reports(f, g)}) == 1
    again = reports(g)
    assert again[0].report_id == reports(g)[0].report_id  # ids without an input id are stable


def test_bundled_samples_parse_in_range() -> None:
    d = bundled_samples_dir()
    items = reports(d)
    assert len(items) >= 8
    assert {p.suffix for p in input_files([d])} == {".txt", ".jsonl"}
    for r in items:
        assert dt.date(2022, 9, 6) <= r.date <= dt.date(2022, 10, 2), r.origin
        assert 120 <= len(r.text.split()) <= 350, r.origin
        assert r.title and r.source
    assert len({r.content_hash for r in items}) == len(items)
    assert (d / "README.md").is_file()


def test_html_declared_charset_and_body_fallback(tmp_path: Path) -> None:
    f = tmp_path / "cp1251.html"
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            '<meta name="date" content="2022-09-12"></head><body><div id="menu"><a>Home</a></div>'
            "<div class=\"story\"><p>Ukrainian units reached Vovchansk \u2014 \u00abofficials\u00bb said.</p></div>"
            '<div class="footer-wrap">All rights reserved</div></body></html>')
    f.write_bytes(page.encode("cp1251"))
    [r] = reports(f)
    assert r.text == "Ukrainian units reached Vovchansk \u2014 \u00abofficials\u00bb said."


def test_dated_text_with_utf8_bom(tmp_path: Path) -> None:
    f = tmp_path / "bom.txt"
    f.write_bytes("\ufeffdate 2022-09-10\nKupiansk.\n".encode())
    [r] = reports(f)
    assert r.text == "Kupiansk." and r.date == dt.date(2022, 9, 10)
