"""Fusion: who holds each settlement, since when, and on whose word (contract §3).

Pure rules in timeline.py; this module wires them to a Store with an incremental per-place
cache (derived namespace "control.timeline", keyed by place, stamped with the store revision).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel

from frontwatch.fusion.account import explain_from_store
from frontwatch.fusion.config import RULES_PATH, rules
from frontwatch.fusion.sources import ReportSource, _fold_name, cluster_reports
from frontwatch.fusion.timeline import (
    Assertion,
    PlaceInfo,
    Segment,
    _place_infos,
    aliased,
    assertion_of,
    control_timeline,
    live_segments,
    name_only,
    place_of,
)
from frontwatch.model import ControlState, Event, Location

NS_TIMELINE = "control.timeline"
NS_META = "control.meta"
NS_SOURCES = "control.sources"
NS_CLUSTERS = "control.clusters"
# Bump when the rules' code changes meaning: cached timelines are then rebuilt.
RULES_VERSION = "3"
_IN_CHUNK = 300


class ControlShift(BaseModel):
    """A settlement changing hands (or becoming / ceasing to be contested), as known on `on`."""

    place: str
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    on: dt.date
    since: dt.date
    from_controller: str | None
    to_controller: str
    confidence: float
    evidence: list[str]


# --- reading the store --------------------------------------------------------------------
def _fusion_kinds() -> tuple[str, ...]:
    return (*rules()["control_kinds"], "armed_clash")


def _needs_cluster(ev: Event) -> bool:  # noqa: ARG001
    # Every report's cluster is needed: a change of hands must come from independent outlets
    # (rule 10), whoever the report quotes.
    return True


def _clusters_per_place(store, per_place_events: Mapping[str, list[Event]]) -> dict[str, dict[str, str]]:  # noqa: ANN001
    """Clusters are computed among the reports of one place: a place's verdict never depends on
    reports about other places, so recomputing one place is self-contained.

    Each place's clusters are kept (namespace "control.clusters") with a tag of what they depend
    on: the independence settings and the place's report ids. A rules change elsewhere, a
    baseline change or a new report about another place reuses them as they are."""
    indep = json.dumps(rules()["independence"], sort_keys=True) + _signature_params()
    wanted: dict[str, tuple[str, list[str]]] = {}
    for key, evs in per_place_events.items():
        ids = sorted({ev.report_id for ev in evs if _needs_cluster(ev)})
        tag = hashlib.sha1("\n".join([indep, *ids]).encode()).hexdigest()[:20]
        wanted[key] = (tag, ids)
    out: dict[str, dict[str, str]] = {}
    for key, value in store.get_derived(NS_CLUSTERS, wanted).items():
        tag, mapping = json.loads(value)
        if tag == wanted[key][0]:
            out[key] = mapping
    todo = [k for k in wanted if k not in out]
    if not todo:
        return out
    sigs = report_sources(store, {rid for k in todo for rid in wanted[k][1]})
    fresh: dict[str, dict[str, str]] = {}
    for key in todo:
        ids = [r for r in wanted[key][1] if r in sigs]
        fresh[key] = cluster_reports(sigs[r] for r in ids) if len(ids) > 1 else {r: r for r in ids}
    store.put_derived_many(NS_CLUSTERS, ((k, json.dumps([wanted[k][0], v], ensure_ascii=False, separators=(",", ":")))
                                         for k, v in fresh.items()))
    out.update(fresh)
    return out


def _signature_params() -> str:
    cfg = rules()["independence"]
    return f"{int(cfg['shingle_words'])}/{int(cfg['num_perm'])}"


def report_sources(store, report_ids: Iterable[str]) -> dict[str, ReportSource]:  # noqa: ANN001
    """What independence needs of each report (outlet, MinHash signature of its text), kept in the
    store (namespace "control.sources") so that a rules or baseline change, which leaves texts as
    they are, never hashes a text again; only a change of the shingle size or signature length does."""
    from frontwatch.fusion.sources import signature_from_str, signature_to_str

    wanted = set(report_ids)
    params = _signature_params()
    out: dict[str, ReportSource] = {}
    for rid, value in store.get_derived(NS_SOURCES, wanted).items():
        p, outlet, sig = json.loads(value)
        if p == params:
            out[rid] = ReportSource(rid, outlet, signature_from_str(sig))
    missing = wanted - set(out)
    if not missing:
        return out
    fresh: dict[str, ReportSource] = {}
    if len(missing) > 2000:
        for rep in store.iter_reports():
            if rep.report_id in missing:
                fresh[rep.report_id] = ReportSource.from_text(rep.report_id, rep.source, rep.text)
    else:
        for rid in sorted(missing):
            rep = store.get_report(rid)
            if rep is not None:
                fresh[rid] = ReportSource.from_text(rid, rep.source, rep.text)
    store.put_derived_many(NS_SOURCES, ((rid, json.dumps([params, src.outlet, signature_to_str(src.signature)],
                                                         ensure_ascii=False)) for rid, src in fresh.items()))
    out.update(fresh)
    return out


def _fingerprint(store) -> str:  # noqa: ANN001
    h = hashlib.sha256(RULES_VERSION.encode())
    h.update(RULES_PATH.read_bytes())
    for row in store.baseline():
        h.update(repr((row.place, row.controller, row.on, row.geonames_id, row.latitude, row.longitude,
                       row.source)).encode())
    return h.hexdigest()[:16]


# --- one place, one name: name-only places folded into the settlement their spelling stands for
def _alias_places(store, names: Iterable[str]) -> dict[str, PlaceInfo]:  # noqa: ANN001
    """Folded name -> the one settlement that stored events resolve that spelling to (as their
    mention or name); names resolved to no settlement, or to several, are left alone. A settlement
    is a GeoNames one, or a baseline's own village placed by its coordinates (gazetteer/augment.py)."""
    from frontwatch.store import EventFilter

    out: dict[str, PlaceInfo] = {}
    for name in sorted(set(names)):
        found: dict[str, PlaceInfo] = {}
        for ev in store.events(EventFilter(place=name, kinds=_fusion_kinds())):
            loc = ev.location
            if (loc.geonames_id is None and loc.latitude is None) \
                    or name not in (_fold_name(loc.mention or ""), _fold_name(loc.name or "")):
                continue
            p = place_of(loc)
            if p is not None:
                found.setdefault(p.key, p)
        if len(found) == 1:
            out[name] = next(iter(found.values()))
    return out


def _placed(loc: Location) -> bool:
    """A settlement with a GeoNames id, or one placed by its coordinates only (a baseline's own village)."""
    return loc.geonames_id is not None or (loc.latitude is not None and place_of(loc) is not None)


def _with_aliases(store, events: Iterable[Event], learned: dict[str, PlaceInfo] | None = None) -> list[Event]:  # noqa: ANN001
    """The events, name-only places folded into their settlement (and the alias names remembered
    per settlement, so that recomputing that settlement finds them again). A resolved event
    spelling its place another way may teach a new alias for older name-only places: those
    settlements are added to `learned` (key -> place) for the caller to recompute."""
    events = list(events)
    names = {n for ev in events if (n := name_only(ev.location))}
    variants: set[str] = set()
    if learned is not None:  # only an update learns new aliases; a rebuild asks about name-only places alone
        variants = {v for ev in events if _placed(ev.location) and ev.location.mention
                    and (v := _fold_name(ev.location.mention)) != _fold_name(ev.location.name or "")}
    if not names and not variants:
        return events
    aliases = _alias_places(store, names | variants)
    if not aliases:
        return events
    known = json.loads(store.get_derived(NS_META).get("aliases", "{}"))
    fresh = []
    for name, info in aliases.items():
        if name not in known.setdefault(info.key, []):
            known[info.key].append(name)
            fresh.append(name)
            if learned is not None:
                learned[info.key] = info
    if fresh:
        store.put_derived(NS_META, "aliases", json.dumps(known, sort_keys=True))
        store.delete_derived(NS_TIMELINE, [f"n{name}" for name in fresh])  # the place apart is no more
    return [aliased(ev, aliases[n]) if (n := name_only(ev.location)) in aliases else ev for ev in events]


# --- the cache: one JSON value per place ----------------------------------------------------
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)  # json.dumps' output, made once


def _encode(place: PlaceInfo, segs: Sequence[Segment], iso: dict[dt.date, str] | None = None) -> str:
    """A place's timeline as one JSON value; `iso`: days already written out (shared by a rebuild)."""
    iso = {} if iso is None else iso
    rows = []
    prev_ev: tuple[str, ...] = ()
    prev_dis: tuple[str, ...] = ()
    for s in segs:
        r = s.run
        ev, dis = r.evidence, r.disputed_by
        # Evidence mostly grows by appending: store only what is new since the previous segment.
        # (Tuples are written as JSON arrays, exactly as lists are.)
        ev_keep = len(prev_ev) if ev is prev_ev or ev[:len(prev_ev)] == prev_ev else 0
        dis_keep = len(prev_dis) if dis is prev_dis or dis[:len(prev_dis)] == prev_dis else 0
        start = iso.get(s.start)
        if start is None:
            start = iso[s.start] = s.start.isoformat()
        since = iso.get(r.since)
        if since is None:
            since = iso[r.since] = r.since.isoformat()
        row = [start, r.controller, since, r.confidence(), ev_keep, ev[ev_keep:], dis_keep, dis[dis_keep:]]
        if r.pending:
            row += [r.pending, r.pending_evidence]
        rows.append(row)
        prev_ev, prev_dis = ev, dis
    return _ENCODER.encode({"p": [place.name, place.geonames_id, place.latitude, place.longitude], "s": rows})


def _decode_at(value: str, key: str, on: dt.date | None) -> tuple[PlaceInfo, list[dict]]:
    """The place and its decoded segments (only the one in force on `on` when given)."""
    import bisect

    data = json.loads(value)
    name, gid, lat, lon = data["p"]
    place = PlaceInfo(key, name, gid, lat, lon)
    rows = data["s"]
    if on is not None:
        iso = on.isoformat()
        i = bisect.bisect_right([r[0] for r in rows], iso) - 1
        wanted = [i] if i >= 0 else []
    else:
        wanted = list(range(len(rows)))
    out = []
    for i in wanted:
        ev: list[str] = []
        dis: list[str] = []
        # walk back the chain of inherited prefixes
        chain = [i]
        while chain[-1] > 0 and (rows[chain[-1]][4] or rows[chain[-1]][6]):
            chain.append(chain[-1] - 1)
        for j in reversed(chain):
            r = rows[j]
            ev = ev[:r[4]] + r[5]
            dis = dis[:r[6]] + r[7]
        r = rows[i]
        out.append({"start": r[0], "controller": r[1], "since": r[2], "confidence": r[3], "evidence": ev,
                    "disputed_by": dis, "next": rows[i + 1][0] if i + 1 < len(rows) else None,
                    "reported": r[8] if len(r) > 8 else None, "reported_evidence": r[9] if len(r) > 9 else []})
    return place, out


def _events_for_places(store, keys: Iterable[str], hints: Mapping[str, PlaceInfo],  # noqa: ANN001
                       full: bool = False) -> dict[str, list[Event]]:
    """The fusion-kind events of each place key; `full`: whole records, not views of what the rules read."""
    from frontwatch.store import EventFilter

    kinds = _fusion_kinds()
    aliases = json.loads(store.get_derived(NS_META).get("aliases", "{}"))
    read = store.events if full else store.event_views
    out: dict[str, list[Event]] = {}
    for key in keys:
        info = hints[key]
        probe = str(info.geonames_id) if info.geonames_id is not None else info.name
        evs = []
        for ev in read(EventFilter(place=probe, kinds=kinds)):
            p = place_of(ev.location)
            if p is not None and p.key == key:
                evs.append(ev)
        for name in aliases.get(key, ()):  # name-only places folded into this one
            evs += [aliased(ev, info) for ev in store.events(EventFilter(place=name, kinds=kinds))
                    if name_only(ev.location) == name]
        out[key] = evs
    return out


# A rebuild of at least this many places folds them in two processes (this one and one forked
# child) on a machine with more than one core, unless FRONTWATCH_FUSION_PROCESSES=1. Each place's
# timeline depends only on its own events, so the split never changes one. On by default since a
# quiet 2-core machine measured it faster (bench/RESULTS.md); on a loaded one it gained nothing.
_POOL_MIN_PLACES = 500
_PART: dict[str, object] = {}  # what a forked child folds: set just before the fork, read-only there


def _compute(store, per_place_events: Mapping[str, list[Event]], baseline) -> dict[str, str | None]:  # noqa: ANN001
    """Per place key, its encoded timeline (None when it has no state)."""
    clusters = _clusters_per_place(store, per_place_events)
    all_events = [ev for evs in per_place_events.values() for ev in evs]
    infos = _place_infos(all_events)
    base_by_place: dict[str, list[Assertion]] = {}
    if baseline:
        from frontwatch.fusion.timeline import baseline_assertions

        base, extra = baseline_assertions(baseline, infos)
        for p in extra:
            infos.setdefault(p.key, p)
        for a in base:
            base_by_place.setdefault(a.place, []).append(a)
    keys = sorted(k for k in set(per_place_events) | set(base_by_place) if k in infos)
    _PART.update(events=per_place_events, clusters=clusters, base=base_by_place, infos=infos)
    try:
        if len(keys) < _POOL_MIN_PLACES or not _may_fork():
            return _fold_part(keys)
        # Two halves of about as many events each; the child takes the second.
        total = sum(len(per_place_events.get(k, ())) for k in keys)
        acc, cut = 0, len(keys)
        for i, k in enumerate(keys):
            acc += len(per_place_events.get(k, ()))
            if acc * 2 >= total:
                cut = i + 1
                break
        import concurrent.futures
        import multiprocessing

        with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            theirs = pool.submit(_fold_part, keys[cut:])
            out = _fold_part(keys[:cut])
            out.update(theirs.result())
        return out
    finally:
        _PART.clear()


def _may_fork() -> bool:
    import multiprocessing
    import os
    import threading

    # Unset or empty: as many as the cores allow (two); 0 or 1: one process.
    if os.environ.get("FRONTWATCH_FUSION_PROCESSES", "").strip() in ("0", "1") or (os.cpu_count() or 1) < 2:
        return False
    # Forking a process that runs other threads (a web server's pool) could copy a held lock.
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def _fold_part(keys: Sequence[str]) -> dict[str, str | None]:
    """The encoded timelines of these places, from what `_compute` put in `_PART` (pure)."""
    per_place_events, clusters = _PART["events"], _PART["clusters"]
    base_by_place, infos = _PART["base"], _PART["infos"]
    out: dict[str, str | None] = {}
    iso: dict[dt.date, str] = {}
    for key in keys:
        cl = clusters.get(key, {})  # type: ignore[attr-defined]
        assertions = [a for ev in per_place_events.get(key, []) if (a := assertion_of(ev, cl)) is not None]  # type: ignore[attr-defined]
        assertions += base_by_place.get(key, [])  # type: ignore[attr-defined]
        segs = live_segments(assertions)
        out[key] = _encode(infos[key], segs, iso) if segs else None  # type: ignore[index]
    return out


@contextlib.contextmanager
def _no_cycle_collection() -> Iterable[None]:
    """The cyclic garbage collector paused: a rebuild makes a few hundred thousand small records
    (event views, claims, assertions, runs) that form no cycles and stay alive until it ends, and
    the collector would walk all of them again and again (a third of a cold rebuild's time).
    Reference counting still frees everything; collection resumes as it was afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def refresh(store) -> dict[str, int]:  # noqa: ANN001
    """Bring the per-place cache up to the store's revision; returns what it did.

    A full rebuild when the rules or the baseline changed; otherwise only the places touched by
    reports stored since the cached revision are recomputed.
    """
    with _no_cycle_collection():
        return _refresh(store)


_UNPLACED = PlaceInfo("", "")  # a marker: not placed yet


def _refresh(store) -> dict[str, int]:  # noqa: ANN001
    from frontwatch.store import EventFilter

    meta = store.get_derived(NS_META)
    rev = store.revision()
    fp = _fingerprint(store)
    baseline = store.baseline()
    if meta.get("fingerprint") != fp or "revision" not in meta:
        per_place: dict[str, list[Event]] = {}
        store.delete_derived(NS_META, ["aliases"])
        # Views share one Location per distinct place: each is placed once (all stay alive meanwhile).
        placed: dict[int, PlaceInfo | None] = {}
        for ev in _with_aliases(store, store.event_views(EventFilter(kinds=_fusion_kinds()))):
            loc = ev.location
            p = placed.get(id(loc), _UNPLACED)
            if p is _UNPLACED:
                p = placed[id(loc)] = place_of(loc)
            if p is not None:
                got = per_place.get(p.key)
                if got is None:
                    per_place[p.key] = [ev]
                else:
                    got.append(ev)
        computed = _compute(store, per_place, baseline)
        store.delete_derived(NS_TIMELINE)
        store.put_derived_many(NS_TIMELINE, ((key, value) for key, value in computed.items() if value))
        store.put_derived(NS_META, "fingerprint", fp)
        store.put_derived(NS_META, "revision", str(rev))
        return {"rebuilt": len(computed), "updated": 0}
    cached_rev = int(meta["revision"])
    if cached_rev >= rev:
        return {"rebuilt": 0, "updated": 0}
    new_ids = store.reports_since(cached_rev)
    touched: dict[str, PlaceInfo] = {}
    for i in range(0, len(new_ids), _IN_CHUNK):
        chunk = tuple(new_ids[i:i + _IN_CHUNK])
        for ev in _with_aliases(store, store.event_views(EventFilter(report_ids=chunk, kinds=_fusion_kinds())), touched):
            p = place_of(ev.location)
            if p is not None:
                touched.setdefault(p.key, p)
    if touched:
        per_place = _events_for_places(store, touched, touched)
        computed = _compute(store, per_place, baseline)
        store.put_derived_many(NS_TIMELINE, ((key, value) for key, value in computed.items() if value))
        store.delete_derived(NS_TIMELINE, [key for key, value in computed.items() if not value])
    store.put_derived(NS_META, "revision", str(rev))
    return {"rebuilt": 0, "updated": len(touched)}


def _matches(place: str, key: str, info: PlaceInfo) -> bool:
    q = place.strip()
    if q.isdigit():
        return info.geonames_id == int(q)
    return q == key or _fold_name(q) == _fold_name(info.name)


def _state(info: PlaceInfo, row: dict, on: dt.date) -> ControlState:
    return ControlState(place=info.name, geonames_id=info.geonames_id, latitude=info.latitude,
                        longitude=info.longitude, on=on, controller=row["controller"],
                        since=dt.date.fromisoformat(row["since"]), confidence=row["confidence"],
                        evidence=row["evidence"], disputed_by=row["disputed_by"], reported=row.get("reported"),
                        reported_evidence=row.get("reported_evidence") or [])


def control_on(store, on: dt.date, place: str | None = None) -> list[ControlState]:  # noqa: ANN001
    """The state of every settlement any stored evidence touches, as known on `on` (contract §3)."""
    refresh(store)
    out: list[ControlState] = []
    for key, value in store.get_derived(NS_TIMELINE).items():
        if place is not None:
            info, _ = _decode_at(value, key, dt.date.min)
            if not _matches(place, key, info):
                continue
        info, rows = _decode_at(value, key, on)
        if rows:
            out.append(_state(info, rows[0], on))
    out.sort(key=lambda s: (s.place.casefold(), s.geonames_id or 0))
    return out


def timeline(store, place: str | None = None) -> dict[str, list[ControlState]]:  # noqa: ANN001
    """Every place's states as known day by day (`on` = the day it became known)."""
    refresh(store)
    out: dict[str, list[ControlState]] = {}
    for key, value in store.get_derived(NS_TIMELINE).items():
        info, rows = _decode_at(value, key, None)
        if place is not None and not _matches(place, key, info):
            continue
        states = []
        for r in rows:
            until = dt.date.fromisoformat(r["next"]) - dt.timedelta(days=1) if r["next"] else None
            s = _state(info, r, dt.date.fromisoformat(r["start"]))
            states.append(s.model_copy(update={"until": until}))
        out[key] = states
    return out


def changes(store, since: dt.date, until: dt.date) -> list[ControlShift]:  # noqa: ANN001
    """Settlements whose controller changed between `since` and `until` (by the day it became known)."""
    out: list[ControlShift] = []
    for states in timeline(store).values():
        prev: ControlState | None = None
        for s in states:
            if since <= s.on <= until and (prev is None or prev.controller != s.controller):
                out.append(ControlShift(place=s.place, geonames_id=s.geonames_id, latitude=s.latitude,
                                        longitude=s.longitude, on=s.on, since=s.since or s.on,
                                        from_controller=prev.controller if prev else None,
                                        to_controller=s.controller, confidence=s.confidence, evidence=s.evidence))
            prev = s
    out.sort(key=lambda c: (c.on, c.place.casefold()))
    return out


def explain(store, place: str, on: dt.date) -> str:  # noqa: ANN001
    """Plain-language account of a settlement's state on `on`: event by event, with quotes."""
    refresh(store)  # also learns which name-only places fold into which settlement
    return explain_from_store(store, place, on)


__all__ = ["ControlShift", "changes", "control_on", "control_timeline", "explain", "refresh", "timeline"]
