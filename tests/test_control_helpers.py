"""Small builders for control tests: dated reports and the events they carry, built directly."""

from __future__ import annotations

import datetime as dt
import hashlib

from frontwatch.model import Claim, ControlChange, Event, Evidence, Location, Report, kind_to_acled

TOWNS = {
    "Izium": (707292, 49.20697, 37.27679),
    "Kupiansk": (703656, 49.71003, 37.61581),
    "Balakliia": (712926, 49.45595, 36.84433),
    "Lyman": (704204, 48.99012, 37.80843),
    "Kyiv": (703448, 50.4547, 30.5238),
}


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def report(rid: str, date: str, text: str, source: str | None = None) -> Report:
    return Report(report_id=rid, date=d(date), text=text, source=source,
                  content_hash=hashlib.sha256(f"{date}{text}".encode()).hexdigest())


def event(rep: Report, kind: str, town: str, to: str | None = None, extent: str = "full",
          claims: list[tuple[str | None, str | None, str]] | None = None, via: list[str] | None = None,
          date: str | None = None, earliest: str | None = None, historical: bool = False, n: int = 0,
          side: str | None = None) -> Event:
    """claims: (claimant, side, stance) triples; `to` the side that gains control."""
    gid, lat, lon = TOWNS[town]
    et, st = kind_to_acled(kind)
    control = ControlChange(to=to, **{"from": {"UA": "RU", "RU": "UA"}[to]}, extent=extent) if to else None
    cl = [Claim(claimant=c, side=s, stance=st_, via=via or [], quote=rep.text) for c, s, st_ in (claims or [])]
    day = d(date) if date else None
    return Event(
        event_id=hashlib.sha1(f"{rep.report_id}|{kind}|{town}|{n}".encode()).hexdigest()[:16],
        report_id=rep.report_id, report_date=rep.date, kind=kind, event_type=et, sub_event_type=st,
        event_date=day, date_earliest=d(earliest) if earliest else (day or rep.date), date_latest=day or rep.date,
        historical=historical,
        location=Location(name=town, mention=town, geonames_id=gid, latitude=lat, longitude=lon, country="UA",
                          feature_code="PPL", geo_precision=1),
        actor1_side=side or to, control=control, claims=cl,
        evidence=[Evidence(report_id=rep.report_id, start=0, end=len(rep.text), text=rep.text)])


def baseline_row(own: dict, town: str, ctl: str, day: str):  # noqa: ANN201
    """A baseline row for one of a test module's own towns ({name: (geonames id, lat, lon)})."""
    from frontwatch.store import BaselineRow

    gid, lat, lon = own[town]
    return BaselineRow(place=town, controller=ctl, on=d(day), geonames_id=gid, latitude=lat, longitude=lon)


def run_timeline(events, reports, base):  # noqa: ANN001, ANN201
    """The one place's control states from these events, reports and baseline rows."""
    from frontwatch.fusion import control_timeline

    out = control_timeline(events, {r.report_id: r for r in reports}, base)
    return next(iter(out.values()))


def state_on(states, day: str):  # noqa: ANN001, ANN201
    """The state in force on `day` (the last one that began on or before it), or None."""
    found = None
    for s in states:
        if s.on <= d(day):
            found = s
    return found


def use_own_towns(monkeypatch, own: dict, population) -> None:  # noqa: ANN001
    """Make a test module's own towns known to `event()` and give them a population: a number for
    all, or a function of the GeoNames id."""
    import sys

    for k, v in own.items():
        monkeypatch.setitem(TOWNS, k, v)
    pop = population if callable(population) else (lambda gid: population)
    # frontwatch.fusion.timeline the module (the package also exports a function of that name)
    monkeypatch.setattr(sys.modules["frontwatch.fusion.timeline"], "population_of", pop)
