"""Judge the store's control timeline against a reference map (`frontwatch eval control`).

The reference is the long CSV form `date,name,held_by,latitude,longitude[,population]`: one row
per place per day, `held_by` UA, RU or contested. The figures, as defined for the news windows:

- judged: every listed place whose holder changed inside the window, on each judged day (the
  window's first day, then every `every` days up to its last) on which the list has it;
- floor: the share of judged place-days the baseline alone gets right (the latest baseline row
  on or before the day, as imported into the store);
- ceiling: the floor plus the judged place-days the baseline gets wrong whose place some stored
  report dated on or before that day names (the reference name, or the matched place's name, as a
  whole word in the report's title or text): what reading the news could reach at best;
- accuracy: the share of judged place-days frontwatch's `control --on` gets right;
- captured: of the reachable place-days (baseline wrong, place named), the share frontwatch gets
  right;
- false flips: place-days on a judged day where a place that one side (UA or RU) held on every
  listed day of the window is given another state (contested included).

Reference places are told apart by name and position (rows of one name within 5 km are one place;
the list's coordinates wobble between days); when a place is listed twice on one day, its last row
counts (and a place listed twice on one day with two states is never "held by one side all
window"). A reference place is matched to frontwatch's places by GeoNames id (a baseline row or
gazetteer settlement of that name within 10 km gives the id), else by name near its position,
else by name alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from frontwatch.fusion.sources import _fold_name
from frontwatch.gazetteer.index import haversine_km
from frontwatch.model import ControlState

SAME_PLACE_KM = 5.0
MATCH_KM = 10.0
STATES = ("UA", "RU", "contested")


class ReferenceFileError(ValueError):
    """A reference file that cannot be read: the message names the file and line."""


@dataclass
class RefPlace:
    name: str
    latitude: float | None
    longitude: float | None
    population: int | None = None
    states: dict[dt.date, str] = field(default_factory=dict)
    conflicting: set[dt.date] = field(default_factory=set)  # days listing it twice with two states

    @property
    def label(self) -> str:
        return self.name


def _held(value: str, where: str) -> str:
    v = value.strip()
    low = v.casefold()
    if low in ("ua", "ukraine"):
        return "UA"
    if low in ("ru", "russia", "dpr", "lpr"):
        return "RU"
    if low in ("contested", "disputed"):
        return "contested"
    raise ReferenceFileError(f"{where}: held_by {value!r} is not UA, RU or contested")


def read_reference(path: Path) -> list[RefPlace]:
    """The reference map's places, each with its state per listed day."""
    places: dict[str, list[RefPlace]] = {}
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ReferenceFileError(f"{path}: {exc}") from None
    with fh:
        reader = csv.DictReader(fh)
        fields = {f.strip().casefold() for f in reader.fieldnames or []}
        need = {"date", "name", "held_by"}
        if not need <= fields:
            raise ReferenceFileError(f"{path}:1: need columns date, name, held_by (latitude, longitude, population "
                                 "optional); found {', '.join(sorted(fields)) or 'none'}")
        for line, raw in enumerate(reader, start=2):
            rec = {k.strip().casefold(): (v or "").strip() for k, v in raw.items() if k is not None}
            where = f"{path}:{line}"
            try:
                day = dt.date.fromisoformat(rec["date"])
            except ValueError:
                raise ReferenceFileError(f"{where}: date {rec['date']!r} is not YYYY-MM-DD") from None
            name = rec["name"]
            if not name:
                raise ReferenceFileError(f"{where}: empty name")
            try:
                lat = float(rec["latitude"]) if rec.get("latitude") else None
                lon = float(rec["longitude"]) if rec.get("longitude") else None
            except ValueError:
                raise ReferenceFileError(f"{where}: latitude/longitude are not numbers") from None
            pop_s = (rec.get("population") or "").replace(",", "").replace(" ", "")
            pop = int(float(pop_s)) if pop_s.replace(".", "", 1).isdigit() else None
            held = _held(rec["held_by"], where)
            same = places.setdefault(name, [])
            place = None
            for p in same:
                if lat is None or p.latitude is None or lon is None or p.longitude is None:
                    if (lat is None) == (p.latitude is None):
                        place = p
                        break
                elif haversine_km(lat, lon, p.latitude, p.longitude) <= SAME_PLACE_KM:
                    place = p
                    break
            if place is None:
                place = RefPlace(name, lat, lon, pop)
                same.append(place)
            if place.population is None:
                place.population = pop
            if place.states.get(day, held) != held:
                place.conflicting.add(day)
            place.states[day] = held
    return [p for group in places.values() for p in group]


def judged_days(since: dt.date, until: dt.date, every: int) -> list[dt.date]:
    if every < 1:
        raise ValueError("every must be at least 1 day")
    out = []
    day = since
    while day <= until:
        out.append(day)
        day += dt.timedelta(days=every)
    return out


# --- matching reference places to frontwatch's ------------------------------------------------
@dataclass(frozen=True)
class _Known:
    """A place frontwatch (or its baseline) knows: id, name, position."""

    geonames_id: int | None
    name: str
    latitude: float | None
    longitude: float | None


def _near(ref: RefPlace, lat: float | None, lon: float | None, km: float = MATCH_KM) -> bool:
    if ref.latitude is None or ref.longitude is None or lat is None or lon is None:
        return False
    return haversine_km(ref.latitude, ref.longitude, lat, lon) <= km


def reference_id(ref: RefPlace, baseline: Sequence, gazetteer=None) -> int | None:  # noqa: ANN001
    """The GeoNames id of a reference place: a same-named baseline row near it, else the nearest
    same-named gazetteer settlement within MATCH_KM."""
    key = _fold_name(ref.name)
    best: tuple[float, int] | None = None
    for row in baseline:
        if row.geonames_id is None or _fold_name(row.place) != key:
            continue
        if _near(ref, row.latitude, row.longitude):
            d = haversine_km(ref.latitude, ref.longitude, row.latitude, row.longitude)  # type: ignore[arg-type]
            if best is None or d < best[0]:
                best = (d, row.geonames_id)
    if best is not None:
        return best[1]
    if gazetteer is None or ref.latitude is None:
        return None
    for m in gazetteer.lookup(ref.name):
        p = m.place
        if p.is_settlement and p.geonames_id and _near(ref, p.latitude, p.longitude):
            d = haversine_km(ref.latitude, ref.longitude, p.latitude, p.longitude)  # type: ignore[arg-type]
            if best is None or d < best[0]:
                best = (d, p.geonames_id)
    return best[1] if best else None


def match_state(ref: RefPlace, gid: int | None, states: Sequence[ControlState]) -> ControlState | None:
    """frontwatch's state for a reference place: by GeoNames id, else by name near its position,
    else by name alone (a place frontwatch knows only by name)."""
    if gid is not None:
        for s in states:
            if s.geonames_id == gid:
                return s
    key = _fold_name(ref.name)
    named = [s for s in states if _fold_name(s.place) == key and (gid is None or s.geonames_id is None)]
    near = [s for s in named if _near(ref, s.latitude, s.longitude)]
    if near:
        return min(near, key=lambda s: haversine_km(ref.latitude, ref.longitude, s.latitude, s.longitude))  # type: ignore[arg-type]
    loose = [s for s in named if s.latitude is None]
    return loose[0] if len(loose) == 1 else None


def baseline_state(ref: RefPlace, gid: int | None, baseline: Sequence, day: dt.date) -> str | None:
    """The baseline's controller for a reference place on `day` (its latest row on or before it)."""
    key = _fold_name(ref.name)
    rows = []
    for row in baseline:
        if row.on > day:
            continue
        by_id = gid is not None and row.geonames_id == gid
        by_name = (gid is None or row.geonames_id is None) and _fold_name(row.place) == key and (
            row.latitude is None or ref.latitude is None or _near(ref, row.latitude, row.longitude))
        if by_id or by_name:
            rows.append(row)
    if not rows:
        return None
    return max(rows, key=lambda r: r.on).controller


# --- which places the news names, and from when -------------------------------------------------
def first_named(names: dict[str, set[str]], reports: Iterable) -> dict[str, dt.date]:
    """For each key, the earliest report date whose title or text names one of its names (whole
    words, as written)."""
    by_name: dict[str, set[str]] = {}
    for k, ns in names.items():
        for n in ns:
            if n.strip():
                by_name.setdefault(n.strip(), set()).add(k)
    if not by_name:
        return {}
    alts = sorted(by_name, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in alts) + r")(?!\w)")
    out: dict[str, dt.date] = {}
    for rep in reports:
        day = rep.date
        if day is None:
            continue
        text = f"{rep.title or ''}\n{rep.text}"
        for hit in set(pattern.findall(text)):
            for k in by_name.get(hit, ()):
                if k not in out or day < out[k]:
                    out[k] = day
    return out


def naming_sentences(names: dict[str, set[str]], until: dict[str, dt.date], reports: Iterable,
                     limit: int = 3) -> dict[str, list[dict]]:
    """For each key, the first `limit` sentences (with report date and source) that name one of its
    names in reports dated on or before `until[key]`: what the news said of a missed place, to
    tell a reading miss (the text says who holds it) from a silent one (the place is only named)."""
    by_name: dict[str, set[str]] = {}
    for k, ns in names.items():
        for n in ns:
            if n.strip():
                by_name.setdefault(n.strip(), set()).add(k)
    out: dict[str, list[dict]] = {k: [] for k in names}
    if not by_name or limit <= 0:
        return out
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in sorted(by_name, key=len, reverse=True))
                         + r")(?!\w)")
    for rep in sorted(reports, key=lambda r: (r.date or dt.date.max, r.report_id)):
        if rep.date is None:
            continue
        for hit in pattern.finditer(rep.text):
            wanted = [k for k in by_name[hit.group(0)] if rep.date <= until[k] and len(out[k]) < limit]
            if not wanted:
                continue
            start = max(rep.text.rfind(". ", 0, hit.start()), rep.text.rfind("\n", 0, hit.start())) + 1
            ends = [e for e in (rep.text.find(". ", hit.end()), rep.text.find("\n", hit.end())) if e >= 0]
            end = min(ends) + 1 if ends else len(rep.text)
            sentence = " ".join(rep.text[start:end].split())
            for k in wanted:
                if all(q["sentence"] != sentence for q in out[k]):
                    out[k].append({"date": rep.date.isoformat(), "source": rep.source or "", "report_id": rep.report_id,
                                   "sentence": sentence[:400]})
    return out


def quote_misses(missed: list[dict], reports: Iterable, limit: int) -> list[dict]:
    """`ControlEval.missed()` rows, each with `named_in`: the first `limit` sentences naming the
    place (its reference name or frontwatch's) in reports dated by its last missed day."""
    names = {m["place"]: {m["place"]} | ({m["frontwatch_place"]} if m["frontwatch_place"] else set())
             for m in missed}
    until = {m["place"]: max(dt.date.fromisoformat(x["day"]) for x in m["days"]) for m in missed}
    said = naming_sentences(names, until, reports, limit)
    return [{**m, "named_in": said.get(m["place"], [])} for m in missed]


# --- the judgement -------------------------------------------------------------------------
@dataclass
class Judged:
    place: str
    day: dt.date
    truth: str
    baseline: str | None
    frontwatch: str | None
    named: bool
    geonames_id: int | None = None
    frontwatch_place: str | None = None
    held_all_window: str | None = None  # UA / RU when one side held it on every listed day

    @property
    def reachable(self) -> bool:
        return self.baseline != self.truth and self.named


@dataclass
class FalseFlip:
    place: str
    day: dt.date
    held_by: str
    given: str
    geonames_id: int | None
    frontwatch_place: str
    why: str = ""


@dataclass
class ControlEval:
    since: dt.date
    until: dt.date
    days: list[dt.date]
    judged: list[Judged]
    false_flips: list[FalseFlip]
    unmatched: list[str]

    def missed(self) -> list[dict]:
        """The reachable place-days frontwatch gets wrong, one line per place: what the list says,
        what frontwatch says (the recall side, for reading the misses)."""
        by_place: dict[str, list[Judged]] = {}
        for j in self.judged:
            if j.reachable and j.frontwatch != j.truth:
                by_place.setdefault(j.place, []).append(j)
        return [{"place": p, "geonames_id": js[0].geonames_id, "frontwatch_place": js[0].frontwatch_place,
                 "days": [{"day": j.day.isoformat(), "truth": j.truth, "baseline": j.baseline,
                           "frontwatch": j.frontwatch} for j in js]}
                for p, js in sorted(by_place.items(), key=lambda kv: (-len(kv[1]), kv[0].casefold()))]

    def summary(self) -> dict:
        n = len(self.judged)
        floor = sum(j.baseline == j.truth for j in self.judged)
        reach = [j for j in self.judged if j.reachable]
        right = sum(j.frontwatch == j.truth for j in self.judged)
        got = sum(j.frontwatch == j.truth for j in reach)
        flip_places = sorted({f.place for f in self.false_flips})

        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 3) if b else None

        return {"from": self.since.isoformat(), "to": self.until.isoformat(),
                "days": [d.isoformat() for d in self.days], "judged": n,
                "floor": ratio(floor, n), "ceiling": ratio(floor + len(reach), n), "accuracy": ratio(right, n),
                "captured": ratio(got, len(reach)), "reachable": len(reach), "captured_n": got,
                "false_flips": len(self.false_flips), "false_flip_places": flip_places,
                "unmatched_places": len(self.unmatched)}


def evaluate_control(store, reference: Sequence[RefPlace], since: dt.date, until: dt.date, every: int = 7,  # noqa: ANN001
                     why_lines: int = 8, gazetteer=None) -> ControlEval:  # noqa: ANN001
    """Judge the store's `control --on` states on each judged day against the reference."""
    from frontwatch.fusion import control_on, explain

    days = judged_days(since, until, every)
    baseline = store.baseline()
    ids = {id(r): reference_id(r, baseline, gazetteer) for r in reference}
    states_on = {d: control_on(store, d) for d in days}
    in_window = {id(r): {d: s for d, s in r.states.items() if since <= d <= until} for r in reference}
    changed = [r for r in reference if len(set(in_window[id(r)].values())) > 1]
    # held by one side the whole window: one state on every listed day (a day listing the place
    # twice with two states says nothing certain)
    steady = {id(r): next(iter(set(in_window[id(r)].values()))) for r in reference
              if len(set(in_window[id(r)].values())) == 1 and set(in_window[id(r)].values()) <= {"UA", "RU"}
              and not any(since <= d <= until for d in r.conflicting)}
    # which places the news names: the reference name and the name of the place matched to it
    names: dict[str, set[str]] = {}
    for r in changed:
        ns = {r.name}
        for d in days:
            s = match_state(r, ids[id(r)], states_on[d])
            if s is not None:
                ns.add(s.place)
        names[str(id(r))] = ns
    named_from = first_named(names, store.iter_reports())
    judged: list[Judged] = []
    unmatched: set[str] = set()
    for r in changed:
        gid = ids[id(r)]
        found = False
        for d in days:
            truth = r.states.get(d)
            if truth is None:
                continue
            s = match_state(r, gid, states_on[d])
            base = baseline_state(r, gid, baseline, d)
            found = found or s is not None or base is not None
            first = named_from.get(str(id(r)))
            judged.append(Judged(r.name, d, truth, base, s.controller if s else None,
                                 first is not None and first <= d, gid, s.place if s else None))
        if not found and any(d in r.states for d in days):
            unmatched.add(r.name)
    flips: list[FalseFlip] = []
    for r in reference:
        held = steady.get(id(r))
        if held is None:
            continue
        gid = ids[id(r)]
        for d in days:
            if d not in r.states:
                continue
            s = match_state(r, gid, states_on[d])
            if s is not None and s.controller != held:
                flips.append(FalseFlip(r.name, d, held, s.controller, s.geonames_id, s.place))
    if why_lines:
        for f in flips:
            text = explain(store, str(f.geonames_id) if f.geonames_id else f.frontwatch_place, f.day)
            f.why = "\n".join(text.splitlines()[:why_lines])
    flips.sort(key=lambda f: (f.place.casefold(), f.day))
    return ControlEval(since, until, days, judged, flips, sorted(unmatched))
