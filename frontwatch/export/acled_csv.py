"""ACLED-style CSV export: ACLED's columns in ACLED's order, empty where frontwatch has no value.

Coding tables (country codes, actor "inter" codes) live in frontwatch/data/export/acled.yaml.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections.abc import Callable, Iterable
from importlib import resources
from typing import IO, Any

import yaml

from frontwatch.export.common import unique
from frontwatch.model import DISORDER_TYPE, Event, is_acled_kind

COLUMNS: list[str] = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
    "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]
# Free-text columns: a leading = + - @ would make a spreadsheet run the cell as a formula.
TEXT_COLUMNS = {"actor1", "actor2", "admin1", "location", "source", "notes", "tags"}
NOTE_MAX = 600

STANCE_LEAD = {
    "claimed": "According to", "asserted": "According to", "witnessed": "Witnessed by",
    "hedged": "Unconfirmed, attributed to", "denied": "Denied by",
}
UNNAMED_LEAD = {
    "claimed": "Reportedly", "asserted": "Reported", "witnessed": "Witnessed",
    "hedged": "Unconfirmed reports", "denied": "Denied",
}


@functools.cache
def tables() -> dict[str, Any]:
    text = resources.files("frontwatch").joinpath("data/export/acled.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def inter_code(actor: str | None, side: str | None) -> int | None:
    """ACLED's inter code for an actor: its name's pattern, else its side's default, else none."""
    if not actor:
        return None
    name = actor.casefold()
    for rule in tables()["inter"]:
        if rule["pattern"].casefold() in name:
            return int(rule["code"])
    default = tables().get("side_default", {}).get(side or "")
    return int(default) if default is not None else None


def interaction(i1: int | None, i2: int | None) -> str:
    """ACLED's numeric interaction: both inter codes, lower first; one actor alone is "<code>0"."""
    if i1 is None:
        return ""
    if i2 is None:
        return f"{i1}0"
    a, b = sorted((i1, i2))
    return f"{a}{b}"


def _clean(text: str) -> str:
    return " ".join(text.split())


def notes(ev: Event) -> str:
    """One sentence: who says so (and through whom), then the evidence in quotes."""
    evidence = _clean(ev.evidence[0].text)
    if len(evidence) > NOTE_MAX:
        evidence = evidence[: NOTE_MAX - 1].rstrip() + "…"
    lead = "Reported"
    others: list[str] = []
    for i, c in enumerate(ev.claims):
        who = c.claimant
        if who and c.via:
            who += f" (via {', '.join(c.via)})"
        phrase = f"{STANCE_LEAD[c.stance]} {who}" if who else UNNAMED_LEAD[c.stance]
        if i == 0:
            lead = phrase
        elif who:
            others.append(f"{'denied' if c.stance == 'denied' else 'also ' + c.stance} by {who}")
    note = f'{lead}: "{evidence}"'
    if others:
        note += "; " + "; ".join(others) + "."
    return note


def row(ev: Event, source_of: Callable[[str], str | None]) -> dict[str, Any]:
    loc = ev.location
    day = ev.event_date or ev.date_latest or ev.report_date
    country = tables()["countries"].get((loc.country or "").upper(), {})
    i1, i2 = inter_code(ev.actor1, ev.actor1_side), inter_code(ev.actor2, ev.actor2_side)
    civ = (i2 == 7 or i1 == 7 or ev.kind in tables().get("civilian_targeting_kinds", []))
    sources = unique([source_of(ev.report_id), *(v for c in ev.claims for v in c.via),
                      *(c.claimant for c in ev.claims)])
    tags = [f"frontwatch kind={ev.kind}"]
    tags += [f"stance={s}" for s in unique(c.stance for c in ev.claims)]
    if ev.control and ev.control.to:
        tags.append(f"control={ev.control.to} {ev.control.extent}")
    if ev.historical:
        tags.append("historical")
    if ev.event_date is None:
        tags.append(f"date range={ev.date_earliest or ''}..{ev.date_latest or ''}")
    tags.append(f"confidence={ev.confidence:g}")
    values: dict[str, Any] = {
        "event_id_cnty": ev.event_id,
        "event_date": day.isoformat(),
        "year": day.year,
        "time_precision": ev.date_precision,
        "disorder_type": DISORDER_TYPE.get(ev.event_type, ""),
        "event_type": ev.event_type,
        "sub_event_type": ev.sub_event_type,
        "actor1": ev.actor1,
        "inter1": i1,
        "actor2": ev.actor2,
        "inter2": i2,
        "interaction": interaction(i1, i2),
        "civilian_targeting": "Civilian targeting" if civ else "",
        "iso": country.get("iso"),
        "region": country.get("region"),
        "country": country.get("country") or loc.country,
        "admin1": loc.admin1,
        "location": loc.name or loc.mention,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "geo_precision": loc.geo_precision,
        "source": "; ".join(sources),
        "notes": notes(ev),
        "fatalities": ev.fatalities,
        "tags": "; ".join(tags),
        # ACLED's timestamp is when the row was last changed; a stored event changes only with
        # its report, so the report's day (00:00 UTC) keeps exports reproducible.
        "timestamp": int(dt.datetime.combine(ev.report_date, dt.time(), dt.UTC).timestamp()),
    }
    out: dict[str, Any] = {}
    for col in COLUMNS:
        v = values.get(col)
        if v is None:
            v = ""
        elif col in TEXT_COLUMNS and isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
            v = "'" + v
        out[col] = v
    return out


def write_acled_csv(events: Iterable[Event], f: IO[str], source_of: Callable[[str], str | None]) -> int:
    writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for ev in events:
        if not is_acled_kind(ev.kind):
            continue  # a statement of state ("the Russian-held town of X") is no ACLED event
        writer.writerow(row(ev, source_of))
        n += 1
    return n
