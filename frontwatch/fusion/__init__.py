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
import sys
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


_UNPLACED = PlaceInfo("", "")  # a marker: not placed yet


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


def _with_aliases(store, events: Iterable[Event], learned: dict[str, PlaceInfo] | None = None,  # noqa: ANN001
                  remember: bool = True) -> list[Event]:
    """The events, name-only places folded into their settlement (and the alias names remembered
    per settlement, so that recomputing that settlement finds them again; not when `remember` is
    false: another process of a rebuild does that). A resolved event spelling its place another
    way may teach a new alias for older name-only places: those settlements are added to
    `learned` (key -> place) for the caller to recompute."""
    events = list(events)
    locations = {id(ev.location): ev.location for ev in events}  # views share them: each looked at once
    names = {n for loc in locations.values() if (n := name_only(loc))}
    variants: set[str] = set()
    if learned is not None:  # only an update learns new aliases; a rebuild asks about name-only places alone
        variants = {v for ev in events if _placed(ev.location) and ev.location.mention
                    and (v := _fold_name(ev.location.mention)) != _fold_name(ev.location.name or "")}
    if not names and not variants:
        return events
    aliases = _alias_places(store, names | variants)
    if not aliases:
        return events
    if not remember:
        return _aliased_all(events, aliases)
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
    return _aliased_all(events, aliases)


def _aliased_all(events: list[Event], aliases: Mapping[str, PlaceInfo]) -> list[Event]:
    """The events, those at a name-only place of `aliases` placed at its settlement."""
    to: dict[int, PlaceInfo | None] = {}  # per shared Location (all alive in `events` meanwhile)
    out = []
    for ev in events:
        loc = ev.location
        info = to.get(id(loc), _UNPLACED)
        if info is _UNPLACED:
            n = name_only(loc)
            info = to[id(loc)] = aliases.get(n) if n else None
        out.append(ev if info is None else aliased(ev, info))
    return out


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


def _row_at(segs: Sequence[Segment], on: dt.date) -> dict | None:
    """The state in force on `on` of a place's segments, exactly as `_decode_at` reads it back
    from their encoding (None before the first): a rebuild hands `control_on` its day's states
    without parsing the timelines it has just written."""
    import bisect

    i = bisect.bisect_right([s.start for s in segs], on) - 1
    if i < 0:
        return None
    s = segs[i]
    r = s.run
    return {"start": s.start.isoformat(), "controller": r.controller, "since": r.since.isoformat(),
            "confidence": r.confidence(), "evidence": list(r.evidence), "disputed_by": list(r.disputed_by),
            "next": segs[i + 1].start.isoformat() if i + 1 < len(segs) else None,
            "reported": r.pending if r.pending else None,
            "reported_evidence": list(r.pending_evidence) if r.pending else []}


def _events_for_places(store, keys: Iterable[str], hints: Mapping[str, PlaceInfo],  # noqa: ANN001
                       full: bool = False) -> dict[str, list[Event]]:
    """The fusion-kind events of each place key; `full`: whole records, not only what the rules read."""
    from frontwatch.store import EventFilter

    kinds = _fusion_kinds()
    aliases = json.loads(store.get_derived(NS_META).get("aliases", "{}"))
    read = store.events if full else store.fusion_events
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


# An update of at least this many places folds them in two processes (this one and one forked
# child) on a machine with more than one core, unless FRONTWATCH_FUSION_PROCESSES=1 (a cold rebuild
# splits earlier, see `_rebuild`). Each place's timeline depends only on its own events, so the
# split never changes one.
_POOL_MIN_PLACES = 500
_PART: dict[str, object] = {}  # what a forked child folds: set just before the fork, read-only there


def _baseline_by_place(baseline, infos: dict[str, PlaceInfo]) -> dict[str, list[Assertion]]:  # noqa: ANN001
    """The baseline's assertions per place key; places that only the baseline knows are added to
    `infos`. A row without a GeoNames id is matched by name among all `infos`."""
    out: dict[str, list[Assertion]] = {}
    if baseline:
        from frontwatch.fusion.timeline import baseline_assertions

        base, extra = baseline_assertions(baseline, infos)
        for p in extra:
            infos.setdefault(p.key, p)
        for a in base:
            out.setdefault(a.place, []).append(a)
    return out


# What a fold gives back for `control_on`'s day: per place with a timeline, its display record and
# the state in force that day as `_decode_at` reads it from the cache (None before its first state).
_States = dict[str, tuple[PlaceInfo, "dict | None"]]


def _compute(store, per_place_events: Mapping[str, list[Event]], baseline,  # noqa: ANN001
             on: dt.date | None = None) -> tuple[dict[str, str | None], _States]:
    """Per place key, its encoded timeline (None when it has no state); and, when `on` is given,
    each place's state that day."""
    clusters = _clusters_per_place(store, per_place_events)
    all_events = [ev for evs in per_place_events.values() for ev in evs]
    infos = _place_infos(all_events)
    base_by_place = _baseline_by_place(baseline, infos)
    keys = sorted(k for k in set(per_place_events) | set(base_by_place) if k in infos)
    _PART.update(events=per_place_events, clusters=clusters, base=base_by_place, infos=infos, on=on)
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
            out, states = _fold_part(keys[:cut])
            their_out, their_states = theirs.result()
            out.update(their_out)
            states.update(their_states)
        return out, states
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


def _fold_part(keys: Sequence[str]) -> tuple[dict[str, str | None], _States]:
    """The encoded timelines of these places, from what `_compute` put in `_PART` (pure)."""
    states: _States = {}
    out = _fold_places(keys, _PART["events"], _PART["clusters"], _PART["base"], _PART["infos"],  # type: ignore[arg-type]
                       _PART["on"], states)  # type: ignore[arg-type]
    return out, states


def _fold_places(keys: Sequence[str], per_place_events: Mapping[str, list[Event]],
                 clusters: Mapping[str, Mapping[str, str]], base_by_place: Mapping[str, list[Assertion]],
                 infos: Mapping[str, PlaceInfo], on: dt.date | None = None,
                 states: _States | None = None) -> dict[str, str | None]:
    """The encoded timelines of these places (pure); with `on`, each one's state that day goes
    into `states`."""
    out: dict[str, str | None] = {}
    iso: dict[dt.date, str] = {}
    for key in keys:
        cl = clusters.get(key, {})
        assertions = [a for ev in per_place_events.get(key, []) if (a := assertion_of(ev, cl)) is not None]
        assertions += base_by_place.get(key, [])
        segs = live_segments(assertions)
        if segs:
            info = infos[key]
            out[key] = _encode(info, segs, iso)
            if on is not None and states is not None:
                states[key] = (info, _row_at(segs, on))
        else:
            out[key] = None
    return out


# --- the cold rebuild: every place from nothing, in one or two processes ------------------------
# A cold rebuild of a store of at least this many events is shared by this process and one forked
# child (when `_may_fork`, and the store can be opened again there): each reads and folds its own
# share of the settlements over its own connection, so the reading is split too. A place's
# timeline depends on its own events, the baseline rows about it and, for baseline rows without
# a GeoNames id, the names of all places: the two exchange their places' display records
# (`_place_infos`) before folding, so the split never changes a timeline.
_SPLIT_MIN_EVENTS = 5_000


def _owner(key: str, parts: int) -> int:
    """Which of `parts` processes folds a place: by its GeoNames id (as the store's `shard` filter
    reads them); a place without one (coordinates or a name only), the first."""
    return abs(int(key[1:])) % parts if parts > 1 and key.startswith("g") else 0


def _read_part(store, part: int = 0, parts: int = 1) -> dict[str, list[Event]]:  # noqa: ANN001
    """The fusion-kind events of the places that process `part` of `parts` folds, per place key, in
    event order, name-only places folded into their settlement. Every process reads the events
    without a GeoNames id (a name-only place may stand for a settlement of any share); only the
    first remembers the aliases."""
    from frontwatch.store import EventFilter

    flt = EventFilter(kinds=_fusion_kinds(), shard=(part, parts) if parts > 1 else None)
    per_place: dict[str, list[Event]] = {}
    # The records share one Location per distinct place: each is placed once (all stay alive meanwhile).
    placed: dict[int, PlaceInfo | None] = {}
    for ev in _with_aliases(store, store.fusion_events(flt), remember=part == 0):
        loc = ev.location
        p = placed.get(id(loc), _UNPLACED)
        if p is _UNPLACED:
            p = place_of(loc)
            if p is not None and _owner(p.key, parts) != part:
                p = None  # another process's place
            placed[id(loc)] = p
        if p is not None:
            got = per_place.get(p.key)
            if got is None:
                per_place[p.key] = [ev]
            else:
                got.append(ev)
    return per_place


def _fold_share(store, per_place: Mapping[str, list[Event]], infos: dict[str, PlaceInfo], baseline,  # noqa: ANN001
                part: int, parts: int, on: dt.date | None = None,
                states: _States | None = None) -> dict[str, str | None]:
    """The encoded timelines of the places of share `part` (`infos`: every place's display record)."""
    base_by_place = _baseline_by_place(baseline, infos)
    keys = sorted(k for k in set(per_place) | set(base_by_place) if k in infos and _owner(k, parts) == part)
    return _fold_places(keys, per_place, _clusters_per_place(store, per_place), base_by_place, infos, on, states)


def _write_timelines(store, computed: Mapping[str, str | None]) -> None:  # noqa: ANN001
    store.put_derived_many(NS_TIMELINE, ((key, value) for key, value in computed.items() if value))


def _rebuild(store, baseline, on: dt.date | None = None) -> tuple[int, _States]:  # noqa: ANN001
    """Every place's timeline from nothing, written to the cache in place of what it held; returns
    how many places were folded and, with `on`, each place's state that day."""
    if _may_fork() and store.can_reopen() and store.counts()["events"] >= _SPLIT_MIN_EVENTS:
        got = _rebuild_in_two(store, baseline, on)
        if got is not None:
            return got
    computed, states = _compute(store, _read_part(store), baseline, on)
    store.delete_derived(NS_TIMELINE)  # (and whatever a failed child wrote)
    _write_timelines(store, computed)
    return len(computed), states


class _ChildFailed(RuntimeError):
    pass


def _exchange_places(baseline) -> bool:  # noqa: ANN001
    """Whether the two processes of a rebuild need each other's place records: only a baseline row
    without a GeoNames id is matched by name among the places of both shares."""
    return any(row.geonames_id is None for row in baseline)


def _rebuild_in_two(store, baseline, on: dt.date | None) -> tuple[int, _States] | None:  # noqa: ANN001
    """`_rebuild` in this process (share 0) and a forked child (share 1), each writing its own
    share's timelines; None when the child failed (the caller then rebuilds in one process)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe()
    child = ctx.Process(target=_rebuild_child, args=(store, baseline, on, there), daemon=True)
    for stream in (sys.stdout, sys.stderr):  # the child flushes what it inherits: never print twice
        with contextlib.suppress(Exception):
            stream.flush()
    child.start()
    there.close()

    def receive() -> object:
        try:
            status, value = here.recv()
        except (EOFError, OSError) as exc:
            raise _ChildFailed(f"the second process ended early ({exc!r})") from exc
        if status != "ok":
            raise _ChildFailed(str(value))
        return value

    done = False
    exchange = _exchange_places(baseline)
    try:
        per_place = _read_part(store, 0, 2)
        infos = _place_infos(ev for evs in per_place.values() for ev in evs)
        # The child's places first: each side sends only after the other read.
        theirs = receive() if exchange else {}
        # The old timelines go before the child may write: it does only after this message.
        store.delete_derived(NS_TIMELINE)
        try:
            here.send(infos if exchange else None)
        except OSError as exc:
            raise _ChildFailed(f"the second process ended early ({exc!r})") from exc
        states: _States = {}
        out = _fold_share(store, per_place, {**infos, **theirs}, baseline, 0, 2, on, states)  # type: ignore[dict-item]
        del per_place, infos, theirs  # freed while the child may still be folding
        _write_timelines(store, out)  # while the child folds (or writes) its own share
        n, their_states = receive()  # type: ignore[misc]
        states.update(their_states)
        done = True
    except _ChildFailed as exc:
        import logging

        logging.getLogger(__name__).warning("control rebuild: %s; rebuilding in one process", exc)
        return None
    finally:
        here.close()
        # Having sent its states the child only closes its connection and exits: no need to wait
        # for that (the next fork, or this process's exit, reaps it).
        child.join(0 if done else 10)
        if not done and child.is_alive():
            child.terminate()
            child.join()
    return len(out) + n, states


def _rebuild_child(store, baseline, on: dt.date | None, conn) -> None:  # noqa: ANN001
    """Share 1 of a rebuild, in the forked child: its own connection, reading, folding and writing
    its places; it sends back how many and their states on `on`."""
    own = None
    try:
        own = store.reopen()
        per_place = _read_part(own, 1, 2)
        infos = _place_infos(ev for evs in per_place.values() for ev in evs)
        exchange = _exchange_places(baseline)
        if exchange:
            conn.send(("ok", infos))
            infos = {**conn.recv(), **infos}
        states: _States = {}
        out = _fold_share(own, per_place, infos, baseline, 1, 2, on, states)
        if not exchange:
            conn.recv()  # the parent has emptied the cache
        _write_timelines(own, out)
        conn.send(("ok", (len(out), states)))  # its connection closes after (`close` may tidy up)
    except BaseException:  # noqa: BLE001 - reported to the parent, which rebuilds alone
        import traceback

        with contextlib.suppress(Exception):
            conn.send(("error", traceback.format_exc()))
    finally:
        if own is not None:
            own.close()
        conn.close()


@contextlib.contextmanager
def _no_cycle_collection() -> Iterable[None]:
    """The cyclic garbage collector paused: a rebuild makes a few hundred thousand small records
    (event records, assertions, runs) that form no cycles and stay alive until it ends, and
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
        return _refresh(store)[0]


def _refresh(store, on: dt.date | None = None) -> tuple[dict[str, int], _States | None]:  # noqa: ANN001
    """`refresh`; after a rebuild, with `on`, also every place's state that day (else None)."""
    from frontwatch.store import EventFilter

    meta = store.get_derived(NS_META)
    rev = store.revision()
    fp = _fingerprint(store)
    baseline = store.baseline()
    if meta.get("fingerprint") != fp or "revision" not in meta:
        store.delete_derived(NS_META, ["aliases"])
        n, states = _rebuild(store, baseline, on)
        store.put_derived(NS_META, "fingerprint", fp)
        store.put_derived(NS_META, "revision", str(rev))
        return {"rebuilt": n, "updated": 0}, (states if on is not None else None)
    cached_rev = int(meta["revision"])
    if cached_rev >= rev:
        return {"rebuilt": 0, "updated": 0}, None
    new_ids = store.reports_since(cached_rev)
    touched: dict[str, PlaceInfo] = {}
    for i in range(0, len(new_ids), _IN_CHUNK):
        chunk = tuple(new_ids[i:i + _IN_CHUNK])
        for ev in _with_aliases(store, store.fusion_events(EventFilter(report_ids=chunk, kinds=_fusion_kinds())),
                                touched):
            p = place_of(ev.location)
            if p is not None:
                touched.setdefault(p.key, p)
    if touched:
        per_place = _events_for_places(store, touched, touched)
        computed, _ = _compute(store, per_place, baseline)
        store.put_derived_many(NS_TIMELINE, ((key, value) for key, value in computed.items() if value))
        store.delete_derived(NS_TIMELINE, [key for key, value in computed.items() if not value])
    store.put_derived(NS_META, "revision", str(rev))
    return {"rebuilt": 0, "updated": len(touched)}, None


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
    with _no_cycle_collection():
        _, fresh = _refresh(store, on)
    out: list[ControlState] = []
    if fresh is not None:  # just rebuilt: each place's state that day came with its timeline
        for key in sorted(fresh):
            info, row = fresh[key]
            if row is not None and (place is None or _matches(place, key, info)):
                out.append(_state(info, row, on))
    for key, value in store.get_derived(NS_TIMELINE).items() if fresh is None else ():
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
