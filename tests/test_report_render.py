"""Situation report: what changed hands with its evidence, contested claims side by side, casualties,
the chart, self-containment (no CDN) and escaping of hostile report text in HTML and Markdown."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest

from frontwatch.model import (
    Claim,
    ControlChange,
    Event,
    Evidence,
    Extraction,
    Location,
    Report,
    kind_to_acled,
)
from frontwatch.report.render import write_report
from frontwatch.store import Store, open_store

SCRIPT = "<script>alert('x')</script>"
IMG = "<img src=x onerror=alert(1)>"

TOWNS = {
    "Izium": (707292, 49.20697, 37.27679, "Kharkiv"),
    "Kupiansk": (703656, 49.71003, 37.61581, "Kharkiv"),
    "Kharkiv": (706483, 49.98081, 36.25272, "Kharkiv"),
}


def _report(rid: str, day: dt.date, text: str, source: str, url: str | None = None, title: str | None = None) -> Report:
    h = hashlib.sha256(f"{day}|{text}".encode()).hexdigest()
    return Report(report_id=rid, date=day, text=text, source=source, url=url, title=title, content_hash=h)


def _event(rep: Report, n: int, kind: str, town: str, sentence: str, *, day: dt.date | None = None,
           control: ControlChange | None = None, claims: list[Claim] | None = None,
           fatalities: int | None = None, fatalities_text: str | None = None, historical: bool = False,
           quantities: dict[str, float] | None = None) -> Event:
    gid, lat, lon, adm = TOWNS[town]
    start = rep.text.find(sentence)
    assert start >= 0, sentence
    et, st = kind_to_acled(kind)
    day = day or rep.date
    return Event(
        event_id=f"{rep.report_id}-{n}", report_id=rep.report_id, report_date=rep.date, kind=kind,
        event_type=et, sub_event_type=st, event_date=day, date_earliest=day, date_latest=day,
        historical=historical,
        location=Location(name=town, mention=town, geonames_id=gid, latitude=lat, longitude=lon, country="UA",
                          admin1=adm, feature_code="PPL", geo_precision=1),
        fatalities=fatalities, fatalities_text=fatalities_text, control=control, claims=claims or [],
        evidence=[Evidence(report_id=rep.report_id, start=start, end=start + len(sentence), text=sentence)],
        confidence=0.8, quantities=quantities or {},
    )


def build_war_store(path: Path) -> Store:
    """Two report days: Izium RU -> UA (Yermak), Kupiansk entered (contested, denied by Russia),
    shelling with deaths in Kharkiv; one report's strings are hostile HTML."""
    store = open_store(str(path))
    d1, d2 = dt.date(2022, 9, 9), dt.date(2022, 9, 11)

    s1 = "Russia's defence ministry said its forces held Izium."
    r1 = _report("r1", d1, s1, "TASS")
    store.add_extraction(Extraction(report=r1, events=[_event(
        r1, 1, "territory_captured", "Izium", s1, control=ControlChange(to="RU", from_="UA", extent="full"),
        claims=[Claim(claimant="Russia's defence ministry", side="RU", via=["TASS"], stance="claimed", quote=s1)])]))

    a = "Ukrainian troops have recaptured Izium from the Russian army, Andriy Yermak says."
    b = "Ukrainian special forces had entered Kupiansk, the security service said."
    c = "Russian shelling killed three people in Kharkiv, the governor said."
    r2 = _report("r2", d2, " ".join([a, b, c]), "Reuters", url="https://example.org/izium", title="Izium retaken")
    store.add_extraction(Extraction(report=r2, events=[
        _event(r2, 1, "territory_regained", "Izium", a, day=dt.date(2022, 9, 10),
               control=ControlChange(to="UA", from_="RU", extent="full"),
               claims=[Claim(claimant="Andriy Yermak", side="UA", stance="claimed",
                             quote="Ukrainian troops have recaptured Izium from the Russian army")]),
        _event(r2, 2, "entered", "Kupiansk", b, control=ControlChange(to="UA", from_="RU", extent="entered"),
               claims=[Claim(claimant="Security Service of Ukraine", side="UA", stance="claimed", quote=b)]),
        _event(r2, 3, "shelling", "Kharkiv", c, fatalities=3, fatalities_text="killed three people",
               claims=[Claim(claimant="Oleh Syniehubov", side="UA", stance="claimed", quote=c)]),
    ]))

    d = "Moscow denied that Kupiansk had been entered."
    hostile = f"{d} {SCRIPT} {IMG}"
    r3 = _report("r3", d2, hostile, f"Outlet {SCRIPT}", url="javascript:alert(1)", title=f"Title {IMG}")
    store.add_extraction(Extraction(report=r3, events=[_event(
        r3, 1, "entered", "Kupiansk", hostile, control=ControlChange(to="UA", from_="RU", extent="entered"),
        claims=[Claim(claimant=f"Spokesman {IMG}", side="RU", stance="denied", quote=f"{SCRIPT} not entered")])]))
    return store


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    tmp = tmp_path_factory.mktemp("report")
    with build_war_store(tmp / "war.db") as store:
        paths = write_report(store, dt.date(2022, 9, 11), tmp / "out")
    assert [p.suffix for p in paths] == [".html", ".md"] and all(p.exists() for p in paths)
    return paths[0].read_text(encoding="utf-8"), paths[1].read_text(encoding="utf-8")


def test_change_of_hands_since_previous_report_day_with_evidence(written: tuple[str, str]) -> None:
    html, md = written
    assert "the previous report day, 2022-09-09" in html
    section = html.split("What changed hands", 1)[1].split("<h2>Map", 1)[0]
    assert "Izium" in section and "held by Ukraine" in section
    assert "Andriy Yermak" in section and "recaptured Izium" in section
    assert "### Izium" in md and "Andriy Yermak" in md


def test_contested_claims_side_by_side(written: tuple[str, str]) -> None:
    html, _ = written
    section = html.split("Contested claims", 1)[1].split("<h2>", 1)[0]
    assert "Kupiansk" in section
    assert "Ukrainian side" in section and "Russian side" in section
    assert "Security Service of Ukraine" in section and "denies" in section


def test_casualties_chart_and_map(written: tuple[str, str]) -> None:
    html, md = written
    assert re.search(r"<b>3</b>killed", html)
    assert "killed three people" in html and "killed three people" in md
    assert "<svg" in html and "fatalities (right axis)" in html
    assert 'id="map"' in html and "FW.placeLayer" in html


def test_report_is_self_contained(written: tuple[str, str]) -> None:
    html, _ = written
    # No external script, stylesheet, image or font: the page must open offline.
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", html, re.I)
    assert not re.search(r"<link[^>]*href=", html, re.I)
    hosts = {u.lower() for u in re.findall(r"https?://([^/\s\"'<>]+)", html)}
    assert not {h for h in hosts if any(w in h for w in ("cdn", "unpkg", "jsdelivr", "googleapis"))}
    assert "L.map(" in html  # Leaflet is inlined
    assert '"type":"FeatureCollection"' in html  # and the borders with it


def test_hostile_report_text_is_escaped_in_html(written: tuple[str, str]) -> None:
    html, _ = written
    assert SCRIPT not in html and IMG not in html
    assert "<img" not in html.lower()
    assert "onerror=alert" not in html.replace("&lt;img src=x onerror=alert(1)&gt;", "").replace(
        "\\u003cimg src=x onerror=alert(1)\\u003e", "")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript:' not in html.lower()
    # Inside the map's JSON the same strings are \u-escaped so they cannot close the <script>.
    assert "\\u003cscript\\u003ealert" in html


def test_hostile_report_text_is_escaped_in_markdown(written: tuple[str, str]) -> None:
    _, md = written
    assert SCRIPT not in md and "<img" not in md
    assert "&lt;script&gt;" in md and "&lt;img src=x onerror=alert(1)&gt;" in md
    assert "javascript:" not in md


def test_report_on_empty_database(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "empty.db")) as store:
        html_path, md_path = write_report(store, dt.date(2022, 9, 11), tmp_path / "out")
    html = html_path.read_text(encoding="utf-8")
    assert "No settlement changed hands" in html and "No casualties reported" in html
    assert md_path.read_text(encoding="utf-8").startswith("# Situation report, 2022-09-11")
