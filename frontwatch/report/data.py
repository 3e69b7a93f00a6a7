"""What the situation report and the web map show, gathered from a store in one place.

The only module of report/ and web/ that calls the store and fusion, so their interfaces can move
without touching templates or routes; everything it returns is plain JSON-ready data.
"""

from __future__ import annotations

import datetime as dt
import json
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from frontwatch import fusion
from frontwatch.model import ControlState, Event, Report
from frontwatch.store.base import EventFilter, EventRow, Store

MAX_PLACE_EVENTS = 200
STYLE_FILE = Path(__file__).with_name("style.yaml")


@lru_cache(maxsize=1)
def style() -> dict[str, Any]:
    """Controller colours and per-kind symbols/groups (style.yaml)."""
    return yaml.safe_load(STYLE_FILE.read_text(encoding="utf-8"))


def kind_style(kind: str) -> dict[str, str]:
    s = style()
    k = s["kinds"].get(kind) or s["kinds"]["other"]
    g = s["groups"][k["group"]]
    return {"kind": kind, "symbol": k["symbol"], "label": k["label"], "group": k["group"], "colour": g["colour"]}


def place_key(geonames_id: int | None, name: str | None) -> str:
    """The id a place is addressed by in the API and the map: its GeoNames id, else its name."""
    return str(geonames_id) if geonames_id is not None else (name or "")


def event_day(e: Event) -> dt.date:
    return e.event_date or e.date_latest or e.report_date


# --- control: the fusion rules (frontwatch.fusion) -----------------------------------------------


def control_on(store: Store, on: dt.date, place: str | None = None) -> list[ControlState]:
    return fusion.control_on(store, on, place=place)


def explain(store: Store, place: str, on: dt.date) -> str | None:
    try:
        return fusion.explain(store, place, on)
    except (KeyError, LookupError, ValueError):
        return None


# --- reports, days and event cards --------------------------------------------------------------


_DAYS_CACHE: weakref.WeakKeyDictionary[Store, tuple[int, list[dt.date]]] = weakref.WeakKeyDictionary()


def report_days(store: Store) -> list[dt.date]:
    """The days that have reports, cached per store until a new report arrives (reading them all is slow)."""
    rev = store.revision()
    hit = _DAYS_CACHE.get(store)
    if hit is not None and hit[0] == rev:
        return hit[1]
    days = store.report_days()
    _DAYS_CACHE[store] = (rev, days)
    return days


def previous_report_day(store: Store, on: dt.date) -> dt.date | None:
    earlier = [d for d in report_days(store) if d < on]
    return earlier[-1] if earlier else None


class Cards:
    """Event cards (the event plus its report's source, title and link) with the reports cached."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._reports: dict[str, Report | None] = {}
        self._events: dict[str, Event | None] = {}

    def report(self, report_id: str) -> Report | None:
        if report_id not in self._reports:
            self._reports[report_id] = self.store.get_report(report_id)
        return self._reports[report_id]

    def event(self, event_id: str) -> Event | None:
        if event_id not in self._events:
            self._events[event_id] = self.store.get_event(event_id)
        return self._events[event_id]

    def card(self, e: Event) -> dict[str, Any]:
        d = e.to_json_dict()
        r = self.report(e.report_id)
        d["report"] = {
            "source": r.source if r else None,
            "title": r.title if r else None,
            "url": safe_url(r.url) if r else None,
            "date": r.date.isoformat() if r else e.report_date.isoformat(),
        }
        d["day"] = event_day(e).isoformat()
        d["style"] = kind_style(e.kind)
        return d

    def cards(self, event_ids: Iterable[str]) -> list[dict[str, Any]]:
        out = []
        for eid in event_ids:
            e = self.event(eid)
            if e is not None:
                out.append(self.card(e))
        return out


def safe_url(url: str | None) -> str | None:
    """Only http(s) links reach an href: a report's url could be `javascript:`."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def state_dict(s: ControlState) -> dict[str, Any]:
    d = s.model_dump(mode="json")
    d["id"] = place_key(s.geonames_id, s.place)
    d["colour"] = style()["controllers"].get(s.controller, {}).get("colour", "#666")
    if s.reported:  # a change reported but not confirmed: drawn as a ring, never as the state
        d["reported_colour"] = style()["controllers"].get(s.reported, {}).get("colour", "#666")
    return d


# --- changes of hands -----------------------------------------------------------------------------


def control_changes(store: Store, since: dt.date | None, until: dt.date) -> list[dict[str, Any]]:
    """Settlements that changed hands (or became contested) after `since` up to `until`."""
    start = since + dt.timedelta(days=1) if since else dt.date.min
    out = [{"id": place_key(c.geonames_id, c.place), "place": c.place, "latitude": c.latitude,
            "longitude": c.longitude, "from": c.from_controller, "to": c.to_controller,
            "since": c.since.isoformat(), "on": c.on.isoformat(), "confidence": c.confidence,
            "evidence": list(c.evidence), "disputed_by": []}
           for c in fusion.changes(store, start, until)]
    # One line per place: the latest shift in the window is its state now.
    latest = {c["id"]: c for c in out}
    return sorted(latest.values(), key=lambda c: (c["since"], c["place"]))


def place_timeline(store: Store, key: str) -> list[dict[str, Any]]:
    """A settlement's control runs: [{"from", "until", "controller", "evidence", "confidence"}]."""
    runs = next(iter(fusion.timeline(store, key).values()), [])
    return [{"from": s.on.isoformat(), "until": s.until.isoformat() if s.until else None,
             "controller": s.controller, "since": s.since.isoformat() if s.since else None,
             "evidence": s.evidence, "confidence": s.confidence} for s in runs]


# --- the situation report ---------------------------------------------------------------------------


@dataclass
class SituationData:
    on: dt.date
    previous: dt.date | None
    window_start: dt.date
    counts: dict[str, int]
    states: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    events: list[dict[str, Any]]  # non-historical events of the window, as cards
    per_day: list[dict[str, Any]]  # {"day", "groups": {group: n}, "fatalities": n}
    casualties: list[dict[str, Any]]
    displacement: list[dict[str, Any]]
    contested: list[dict[str, Any]]
    totals: dict[str, int] = field(default_factory=dict)
    reported: list[dict[str, Any]] = field(default_factory=list)  # changes reported, not confirmed


def gather_situation(store: Store, on: dt.date, chart_days: int = 30) -> SituationData:
    """Everything `frontwatch report --on DATE` shows."""
    previous = previous_report_day(store, on)
    window_start = (previous + dt.timedelta(days=1)) if previous else on
    cards = Cards(store)
    states = control_on(store, on)
    changes = control_changes(store, previous, on)
    state_by_id = {place_key(s.geonames_id, s.place): s for s in states}
    for c in changes:
        st = state_by_id.get(c["id"])
        if not c["disputed_by"] and st is not None and st.controller == c["to"]:
            c["disputed_by"] = list(st.disputed_by)  # what speaks against the new state, as of `on`
        c["evidence_cards"] = cards.cards(c["evidence"])
        c["disputed_cards"] = cards.cards(c["disputed_by"])

    chart_start = on - dt.timedelta(days=chart_days - 1)
    recent = [e for e in store.events(EventFilter(since=chart_start, until=on)) if not e.historical]
    window = [e for e in recent if window_start <= event_day(e) <= on]
    per_day_groups: dict[dt.date, Counter[str]] = defaultdict(Counter)
    per_day_fat: Counter[dt.date] = Counter()
    for e in recent:
        d = event_day(e)
        if chart_start <= d <= on:
            per_day_groups[d][kind_style(e.kind)["group"]] += 1
            per_day_fat[d] += e.fatalities or 0
    days = sorted(per_day_groups)
    first = days[0] if days else on
    per_day = []
    d = first
    while d <= on:
        per_day.append({"day": d.isoformat(), "groups": dict(per_day_groups.get(d, {})), "fatalities": per_day_fat[d]})
        d += dt.timedelta(days=1)

    window_cards = [cards.card(e) for e in window]
    casualties = [c for c in window_cards if c["fatalities"] or c["quantities"].get("injured")]
    displacement = [c for c in window_cards if c["kind"] in ("displacement", "evacuation", "humanitarian_aid")]

    reported = [{**state_dict(s), "evidence_cards": cards.cards(s.reported_evidence)} for s in states if s.reported]

    contested = []
    for s in states:
        if s.controller != "contested" and not s.disputed_by:
            continue
        evs = cards.cards(list(dict.fromkeys([*s.evidence, *s.disputed_by])))
        contested.append({**state_dict(s), "claims_by_side": claims_by_side(evs)})
    # Events whose own claims disagree (someone denies what another claims) are contested too.
    for c in window_cards:
        stances = {cl["stance"] for cl in c["claims"]}
        sides = {cl["side"] for cl in c["claims"] if cl["side"] in ("UA", "RU")}
        if "denied" in stances or len(sides) > 1:
            key = place_key(c["location"]["geonames_id"], c["location"]["name"])
            if not any(x["id"] == key for x in contested):
                contested.append({"id": key, "place": c["location"]["name"], "controller": None,
                                  "claims_by_side": claims_by_side([c])})

    return SituationData(
        on=on, previous=previous, window_start=window_start, counts=store.counts(),
        states=[state_dict(s) for s in states], changes=changes, events=window_cards, per_day=per_day,
        casualties=casualties, displacement=displacement, contested=contested, reported=reported,
        totals={
            "events": len(window_cards),
            "fatalities": sum(c["fatalities"] or 0 for c in window_cards),
            "injured": int(sum(c["quantities"].get("injured", 0) for c in window_cards)),
            "changes": len(changes),
            "UA": sum(1 for s in states if s.controller == "UA"),
            "RU": sum(1 for s in states if s.controller == "RU"),
            "contested": sum(1 for s in states if s.controller == "contested"),
            "reported": len(reported),
        },
    )


SIDE_ORDER = ("UA", "RU", "neutral", None)


def claims_by_side(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who said what, one column per side: [{"side", "claims": [{claimant, stance, quote, kind, ...}]}]."""
    cols: dict[str | None, list[dict[str, Any]]] = {s: [] for s in SIDE_ORDER}
    for c in cards:
        claims = c["claims"] or [{"claimant": None, "side": None, "via": [], "stance": "asserted", "quote": None}]
        for cl in claims:
            cols.setdefault(cl["side"], []).append({
                "claimant": cl["claimant"], "via": cl["via"], "stance": cl["stance"],
                "quote": cl["quote"] or (c["evidence"][0]["text"] if c["evidence"] else None),
                "kind": c["kind"], "day": c["day"], "control": c["control"], "report": c["report"],
                "event_id": c["event_id"],
            })
    return [{"side": s, "claims": v} for s, v in cols.items() if v]


# --- the web map's place panel ----------------------------------------------------------------------


def place_detail(store: Store, place: str, on: dt.date | None = None) -> dict[str, Any] | None:
    """A settlement's control timeline, its events with evidence, and fusion's explanation."""
    events = list(store.events(EventFilter(place=place)))
    if not events:
        return None
    cards = Cards(store)
    loc = next((e.location for e in events if e.location.latitude is not None), events[0].location)
    key = place_key(loc.geonames_id, loc.name)
    days = sorted({event_day(e) for e in events if not e.historical} | {e.report_date for e in events})
    if on is None:
        on = days[-1]
    timeline = place_timeline(store, key)
    current = next((s for s in control_on(store, on, place=key) if place_key(s.geonames_id, s.place) == key), None)
    return {
        "id": key, "name": loc.name, "geonames_id": loc.geonames_id, "latitude": loc.latitude,
        "longitude": loc.longitude, "admin1": loc.admin1, "country": loc.country,
        "on": on.isoformat(), "state": state_dict(current) if current else None,
        "timeline": timeline, "events_total": len(events),
        # The newest events: a busy city's whole history would make the panel unusable.
        "events": [cards.card(e) for e in events[-MAX_PLACE_EVENTS:]],
        "explanation": explain(store, key, on),
    }


# --- the web API's heavy replies, assembled from the stored JSON ------------------------------------
# Events are stored as JSON text: a card is that text with its report's fields appended, so no
# record is parsed, validated or re-encoded. The output is the same as `Cards.card` encoded with
# `dumps` (same keys in the same order on SQLite; PostgreSQL's JSONB keeps its own key order).


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=256)
def _style_json(kind: str) -> str:
    return dumps(kind_style(kind))


def card_json(row: EventRow) -> str:
    """`Cards.card` of a stored event, as JSON text, from its stored row."""
    if row.has_report:
        rep = {"source": row.report_source, "title": row.report_title, "url": safe_url(row.report_url),
               "date": row.report_day}
    else:
        rep = {"source": None, "title": None, "url": None, "date": row.report_date}
    head = row.json.rstrip()[:-1]  # the object without its closing brace
    sep = "" if head.rstrip().endswith("{") else ","
    return (f'{head}{sep}"report":{dumps(rep)},"day":"{row.day}","style":{_style_json(row.kind)}}}')


def events_json(store: Store, flt: EventFilter, offset: int = 0) -> str:
    """The cards of `store.events(flt)` after the first `offset`, as one JSON array."""
    return "[" + ",".join(card_json(r) for r in store.event_rows(flt, offset)) + "]"


def place_detail_json(store: Store, place: str, on: dt.date | None = None) -> str | None:
    """`place_detail` as JSON text, the event cards assembled from the stored rows."""
    rows = list(store.event_rows(EventFilter(place=place)))
    if not rows:
        return None
    loc = next((r for r in rows if r.latitude is not None), rows[0])
    key = place_key(loc.geonames_id, loc.place_name)
    if on is None:
        on = dt.date.fromisoformat(max({r.day for r in rows if not r.historical} | {r.report_date for r in rows}))
    timeline = place_timeline(store, key)
    current = next((s for s in control_on(store, on, place=key) if place_key(s.geonames_id, s.place) == key), None)
    head = {
        "id": key, "name": loc.place_name, "geonames_id": loc.geonames_id, "latitude": loc.latitude,
        "longitude": loc.longitude, "admin1": loc.admin1, "country": loc.country,
        "on": on.isoformat(), "state": state_dict(current) if current else None,
        "timeline": timeline, "events_total": len(rows),
    }
    cards = ",".join(card_json(r) for r in rows[-MAX_PLACE_EVENTS:])
    return f'{dumps(head)[:-1]},"events":[{cards}],"explanation":{dumps(explain(store, key, on))}}}'


class DayCards:
    """Event cards bucketed by the day the store orders events by, for windows of days.

    The map's slider asks for overlapping windows (seven days up to the chosen one): each day's
    cards are read and assembled once per store version, and any window is the concatenation of
    its days' cards that overlap it, in the store's order. Thread-safe; bounded in bytes.
    """

    def __init__(self, max_bytes: int = 96 * 2**20) -> None:
        import threading
        from collections import OrderedDict

        self._days: OrderedDict[tuple[Any, str], list[tuple[str, str, bool, str]]] = OrderedDict()
        self._spans: tuple[Any, list[tuple[str, str, str]]] | None = None
        self._lock = threading.Lock()
        self._bytes = 0
        self.max_bytes = max_bytes

    def _day_spans(self, store: Store, version: Any) -> list[tuple[str, str, str]]:
        spans = self._spans
        if spans is None or spans[0] != version:
            spans = (version, [(d.isoformat(), lo.isoformat(), hi.isoformat()) for d, lo, hi in store.day_spans()])
            self._spans = spans
        return spans[1]

    def warm(self, store: Store, version: Any) -> Counter[str]:
        """Read every day's cards (as many as the size bound keeps); returns events per place id."""
        places: Counter[str] = Counter()
        days = [d for d, _, _ in self._day_spans(store, version)]
        for i in range(0, len(days), 300):
            chunk = tuple(dt.date.fromisoformat(d) for d in days[i:i + 300])
            fresh: dict[str, list[tuple[str, str, bool, str]]] = {}
            for r in store.event_rows(EventFilter(sort_days=chunk)):
                fresh.setdefault(r.sort_date, []).append((r.date_lo, r.date_hi, r.historical, card_json(r)))
                places[place_key(r.geonames_id, r.place_name)] += 1
            self._keep(version, fresh)
        return places

    def _keep(self, version: Any, fresh: dict[str, list[tuple[str, str, bool, str]]]) -> None:
        with self._lock:
            for d, cards in fresh.items():
                self._days[(version, d)] = cards
                self._bytes += 64 + sum(len(c[3]) for c in cards)
            while self._bytes > self.max_bytes and len(self._days) > 1:
                _, old = self._days.popitem(last=False)
                self._bytes -= 64 + sum(len(c[3]) for c in old)

    def window(self, store: Store, version: Any, since: dt.date | None, until: dt.date | None,
               include_historical: bool = True, limit: int | None = None, offset: int = 0) -> str:
        """`events_json(store, EventFilter(since, until, include_historical, limit), offset)`."""
        lo_q = since.isoformat() if since else ""
        hi_q = until.isoformat() if until else "9999-12-31"
        days = [d for d, lo, hi in self._day_spans(store, version) if hi >= lo_q and lo <= hi_q]
        with self._lock:
            have = {d: self._days[(version, d)] for d in days if (version, d) in self._days}
            for d in have:
                self._days.move_to_end((version, d))
        missing = [d for d in days if d not in have]
        if missing:
            fresh: dict[str, list[tuple[str, str, bool, str]]] = {d: [] for d in missing}
            for i in range(0, len(missing), 300):
                chunk = tuple(dt.date.fromisoformat(d) for d in missing[i:i + 300])
                for r in store.event_rows(EventFilter(sort_days=chunk)):
                    fresh[r.sort_date].append((r.date_lo, r.date_hi, r.historical, card_json(r)))
            have.update(fresh)
            self._keep(version, fresh)
        out = [card for d in days for lo, hi, hist, card in have[d]
               if hi >= lo_q and lo <= hi_q and (include_historical or not hist)]
        end = None if limit is None else offset + limit
        return "[" + ",".join(out[offset:end]) + "]"
