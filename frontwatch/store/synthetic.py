"""Synthetic extractions built straight from the model (no spaCy): for store tests and benchmarks.

Deterministic: extraction i always has the same report, places and events, so a run can be
repeated and compared; report i has 1 + i % 3 events and 1 + i % 4 place mentions.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from frontwatch.model import (
    Claim,
    ControlChange,
    Event,
    Evidence,
    Extraction,
    Location,
    PlaceMention,
    Report,
    kind_to_acled,
)

TOWNS: list[tuple[str, int, float, float, str]] = [
    ("Izium", 707292, 49.20697, 37.27679, "Kharkiv"),
    ("Balakliia", 712926, 49.45595, 36.84433, "Kharkiv"),
    ("Kupiansk", 703656, 49.71003, 37.61581, "Kharkiv"),
    ("Lyman", 702972, 48.98981, 37.80253, "Donetsk"),
    ("Kherson", 706448, 46.63695, 32.61458, "Kherson"),
]
KINDS = ["territory_regained", "shelling", "air_strike", "withdrawal", "attack_on_civilians", "armed_clash"]
START = dt.date(2022, 9, 6)


def content_hash(text: str, date: dt.date) -> str:
    return hashlib.sha256(f"{date.isoformat()}\n{' '.join(text.split())}".encode()).hexdigest()


def synthetic_report(i: int, text: str | None = None) -> Report:
    day = START + dt.timedelta(days=i % 27)
    town = TOWNS[i % len(TOWNS)][0]
    body = text or (f"Bulletin {i}. Ukrainian forces said they recaptured {town}; artillery hit the outskirts "
                    f"of {town} overnight, the regional governor said.")
    return Report(report_id=f"syn-{i}", date=day, text=body, source=f"Outlet {i % 4}",
                  url=f"https://example.org/{i}", title=f"Bulletin {i}", content_hash=content_hash(body, day),
                  origin=f"synthetic:{i}")


def synthetic_extraction(i: int, text: str | None = None) -> Extraction:
    rep = synthetic_report(i, text)
    places: list[PlaceMention] = []
    for j in range(1 + i % 4):
        name, gid, lat, lon, adm = TOWNS[(i + j) % len(TOWNS)]
        start = rep.text.find(name)
        if j % 4 == 3:  # an unresolved mention: no id, no coordinates
            places.append(PlaceMention(mention="Nowhereville", start=0, end=11, candidates=0, reason="no candidate"))
            continue
        places.append(PlaceMention(mention=name, start=max(start, 0), end=max(start, 0) + len(name), name=name,
                                   geonames_id=gid, latitude=lat, longitude=lon, country="UA", admin1=adm,
                                   feature_code="PPL", geo_precision=1, score=0.9, candidates=2))
    events: list[Event] = []
    for k in range(1 + i % 3):
        kind = KINDS[(i + k) % len(KINDS)]
        et, st = kind_to_acled(kind)
        name, gid, lat, lon, adm = TOWNS[(i + k) % len(TOWNS)]
        dated = (i + k) % 2 == 0
        control = ControlChange(to="UA", from_="RU", extent="full") if kind == "territory_regained" else None
        claims = [Claim(claimant="Andriy Yermak" if k % 2 == 0 else None, side="UA" if k % 2 == 0 else None,
                        via=["Reuters"] if i % 5 == 0 else [], stance="claimed" if k % 2 == 0 else "asserted",
                        quote=rep.text[:60])]
        events.append(Event(
            event_id=hashlib.sha1(f"{rep.report_id}|{k}".encode()).hexdigest()[:16],
            report_id=rep.report_id, report_date=rep.date, kind=kind, event_type=et, sub_event_type=st,
            event_date=rep.date - dt.timedelta(days=1) if dated else None,
            date_earliest=rep.date - dt.timedelta(days=1 if dated else 3),
            date_latest=rep.date - dt.timedelta(days=1) if dated else rep.date,
            date_precision=1 if dated else 2, historical=(i + k) % 7 == 0,
            location=Location(name=name, mention=name, geonames_id=gid, latitude=lat, longitude=lon, country="UA",
                              admin1=adm, feature_code="PPL", geo_precision=1),
            actor1="Military Forces of Ukraine (2019-)", actor1_side="UA",
            actor2="Military Forces of Russia (2000-)", actor2_side="RU",
            fatalities=(i % 3) or None, fatalities_text=f"{i % 3} killed" if i % 3 else None,
            control=control, claims=claims,
            evidence=[Evidence(report_id=rep.report_id, start=0, end=min(len(rep.text), 80), text=rep.text[:80])],
            confidence=0.6, rule=f"synthetic-{kind}"))
    return Extraction(report=rep, places=places, events=events)
