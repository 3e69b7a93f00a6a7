"""The control cache's cold rebuild reads less (only the columns the rules read, kept source
signatures and per-place clusters) and must give exactly the states of the full path: every event
validated as an Event, every report's text hashed again, clusters computed afresh."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path

import pytest

from frontwatch import fusion
from frontwatch.fusion.config import rules
from frontwatch.fusion.sources import ReportSource, cluster_reports
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
from frontwatch.store import BaselineRow, EventFilter, open_store
from frontwatch.store.base import FusionEvent, Store

DAY0 = dt.date(2023, 3, 1)
OUTLETS = ["Wire One", "Daily Two", "Radio Three", None]
SPEAKERS = [("Army spokesman Petro Kovalenko", "UA"), ("Defence ministry in Moscow", "RU"), ("Monitor group", "neutral"),
            (None, None)]


def _places(rng: random.Random) -> list[Location]:
    out = []
    for j in range(14):
        if j % 7 == 5:  # a village the gazetteer lacks: name only
            out.append(Location(name=f"Hamlet {j}", mention=f"Hamlet {j}"))
        elif j % 7 == 6:  # near a town only
            out.append(Location(name=f"Town {j}", mention=f"near Town {j}", geonames_id=600_000 + j, latitude=47.0 + j / 10,
                                longitude=35.0, feature_code="PPL", geo_precision=2))
        else:
            out.append(Location(name=f"Town {j}", mention=f"Town {j}", geonames_id=600_000 + j, latitude=47.0 + j / 10,
                                longitude=35.0 + rng.random(), country="UA", admin1="Region", feature_code="PPLA",
                                geo_precision=1))
    return out


def _extraction(i: int, rng: random.Random, places: list[Location], texts: list[str]) -> Extraction:
    day = DAY0 + dt.timedelta(days=rng.randrange(40))
    if texts and rng.random() < 0.25:  # a reprint of an earlier story
        text = texts[rng.randrange(len(texts))] + f" (copy {i})"
    else:
        text = " ".join(rng.choice(["troops", "held", "town", "shelling", "river", "bridge", "north", "said"])
                        for _ in range(40)) + f" item {i}."
        texts.append(text)
    rep = Report(report_id=f"t{i}", date=day, text=text, source=OUTLETS[i % len(OUTLETS)],
                 content_hash=hashlib.sha256(f"{i}|{text}".encode()).hexdigest())
    events = []
    for k in range(1 + i % 3):
        loc = places[rng.randrange(len(places))]
        kind = rng.choice(["territory_regained", "territory_captured", "withdrawal", "entered", "armed_clash",
                           "shelling"])
        side = rng.choice(["UA", "RU"])
        control = None
        if kind in ("territory_regained", "territory_captured", "withdrawal", "entered"):
            other = "RU" if side == "UA" else "UA"
            control = ControlChange(to=side, **{"from": other},
                                    extent="entered" if kind == "entered" else rng.choice(["full", "full", "partial"]))
        if kind == "withdrawal" and rng.random() < 0.3:  # "pulled back from around X": no side gains it
            control = None
        # the trigger's rule: how a contest ends (rule 11) reads it
        rule = rng.choice([None, "repel", "attack", "capture"]) if kind in ("armed_clash", "withdrawal") else None
        claims = []
        for _ in range(rng.randrange(3)):
            who, cside = SPEAKERS[rng.randrange(len(SPEAKERS))]
            claims.append(Claim(claimant=who, side=cside, via=["Wire One"] if rng.random() < 0.3 else [],
                                stance=rng.choice(["claimed", "asserted", "witnessed", "hedged", "denied"]),
                                quote=text[:50]))
        et, st = kind_to_acled(kind)
        dated = rng.random() < 0.7
        events.append(Event(
            event_id=f"t{i}-{k}", report_id=rep.report_id, report_date=day, kind=kind, event_type=et,
            sub_event_type=st, event_date=day - dt.timedelta(days=rng.randrange(3)) if dated else None,
            date_latest=None if dated else day - dt.timedelta(days=1), historical=rng.random() < 0.05,
            location=loc, actor1_side=side, control=control, claims=claims, rule=rule,
            evidence=[Evidence(report_id=rep.report_id, start=0, end=50, text=text[:50])]))
    return Extraction(report=rep, events=events)


def _build(path: Path, n: int = 160, seed: int = 11) -> Store:
    return _fill(open_store(str(path)), n, seed)


def _fill(store: Store, n: int = 160, seed: int = 11) -> Store:
    rng = random.Random(seed)
    places = _places(rng)
    texts: list[str] = []
    for i in range(n):
        store.add_extraction(_extraction(i, rng, places, texts))
    store.add_baseline([BaselineRow(place="Town 2", controller="RU", on=DAY0 + dt.timedelta(days=10),
                                    geonames_id=600_002), BaselineRow(place="Hamlet 5", controller="UA", on=DAY0)])
    return store


def _reference_clusters(store, per_place):  # noqa: ANN001, ANN202
    out = {}
    for key, evs in per_place.items():
        ids = sorted({ev.report_id for ev in evs if fusion._needs_cluster(ev)})
        srcs = [ReportSource.from_text(r, rep.source, rep.text) for r in ids if (rep := store.get_report(r))]
        out[key] = cluster_reports(srcs) if len(srcs) > 1 else {s.report_id: s.report_id for s in srcs}
    return out


@pytest.fixture
def reference(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """`fusion.refresh` as it was: full Event records, texts hashed and clustered every time."""

    def run(store: Store) -> dict[str, str]:
        with monkeypatch.context() as m:
            m.setattr(fusion, "_clusters_per_place", _reference_clusters)
            m.setattr(store, "event_views", store.events)
            m.setattr(store, "fusion_events", store.events)
            store.delete_derived(fusion.NS_META)
            fusion.refresh(store)
        return store.get_derived(fusion.NS_TIMELINE)

    return run


def _states(store: Store, cold: bool = False) -> list[list[dict]]:
    """`control_on` on days across the window; `cold`: each right after a rules change (the states
    then come from the rebuild itself, not from reading the cache back)."""
    days = [DAY0 + dt.timedelta(days=d) for d in range(-1, 45, 4)]
    out = []
    for d in days:
        if cold:
            store.delete_derived(fusion.NS_META)
        out.append([s.model_dump(mode="json") for s in fusion.control_on(store, d)])
    return out


def test_cold_rebuild_equals_the_full_path(tmp_path: Path, reference) -> None:  # noqa: ANN001
    ref_store, store = _build(tmp_path / "ref.db"), _build(tmp_path / "new.db")
    expected = reference(ref_store)
    assert len(expected) > 8
    fusion.refresh(store)  # first use: nothing kept yet
    assert store.get_derived(fusion.NS_TIMELINE) == expected
    assert store.get_derived(fusion.NS_CLUSTERS) and store.get_derived(fusion.NS_SOURCES)
    store.delete_derived(fusion.NS_META)  # a rules or baseline change: signatures and clusters are reused
    assert fusion.refresh(store)["rebuilt"] > 0
    assert store.get_derived(fusion.NS_TIMELINE) == expected
    assert _states(store) == _states(ref_store)
    assert _states(store, cold=True) == _states(ref_store)
    assert store.get_derived(fusion.NS_TIMELINE) == expected
    for asked in ("Town 1", "600006", "hamlet 5", "Nowhere"):  # one place, asked right after a change
        store.delete_derived(fusion.NS_META)
        cold = fusion.control_on(store, DAY0 + dt.timedelta(days=30), asked)
        assert cold == fusion.control_on(ref_store, DAY0 + dt.timedelta(days=30), asked)
        assert (asked == "Nowhere") == (not cold)
    # New reports: the incremental refresh equals a full rebuild by the old path.
    rng, texts = random.Random(5), []
    places = _places(random.Random(11))
    for i in range(500, 520):
        ex = _extraction(i, rng, places, texts)
        store.add_extraction(ex)
        ref_store.add_extraction(ex)
    assert fusion.refresh(store)["updated"] > 0
    assert store.get_derived(fusion.NS_TIMELINE) == reference(ref_store)
    # A baseline change rebuilds, reusing the clusters, and still agrees.
    row = BaselineRow(place="Town 3", controller="UA", on=DAY0 + dt.timedelta(days=20), geonames_id=600_003)
    store.add_baseline([row])
    ref_store.add_baseline([row])
    assert fusion.refresh(store)["rebuilt"] > 0
    assert store.get_derived(fusion.NS_TIMELINE) == reference(ref_store)
    assert _states(store) == _states(ref_store)


def test_kept_clusters_follow_the_independence_settings(tmp_path: Path, reference,  # noqa: ANN001
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    store = _build(tmp_path / "a.db", n=120, seed=3)
    fusion.refresh(store)
    kept = store.get_derived(fusion.NS_CLUSTERS)
    indep = dict(rules()["independence"])
    monkeypatch.setitem(rules(), "independence", {**indep, "threshold": 0.05, "same_outlet_is_one_source": False})
    store.delete_derived(fusion.NS_META)
    fusion.refresh(store)
    assert store.get_derived(fusion.NS_CLUSTERS) != kept  # recomputed under the new settings
    ref = _build(tmp_path / "b.db", n=120, seed=3)
    assert store.get_derived(fusion.NS_TIMELINE) == reference(ref)


def test_event_views_read_what_the_records_say(store: Store) -> None:
    _fill(store, n=60)
    flt = EventFilter(kinds=("territory_regained", "entered", "armed_clash"))
    full = list(store.events(flt))
    views = list(store.event_views(flt))
    assert [v.event_id for v in views] == [e.event_id for e in full]
    for v, e in zip(views, full, strict=True):
        for name in ("report_id", "kind", "report_date", "event_date", "date_earliest", "date_latest", "historical",
                     "location", "actor1_side", "actor2_side", "control", "claims"):
            assert getattr(v, name) == getattr(e, name), (e.event_id, name)
        assert v.evidence == e.evidence and v.event_type == e.event_type  # anything else: the full record
    v, e = views[0], full[0]
    e0 = e
    moved = v.location.model_copy(update={"name": "Elsewhere", "geonames_id": 1})
    copy = v.model_copy(update={"location": moved})
    assert copy.location.name == "Elsewhere" and v.location == e.location and copy.claims == e.claims
    again = copy.model_copy(update={"fatalities": 7})  # not a view field: a full Event, the copy's fields kept
    assert again.fatalities == 7 and again.location.name == "Elsewhere" and again.evidence == e.evidence
    assert copy.model_dump() == e.model_copy(update={"location": moved}).model_dump()
    # What the rules read, and nothing more: the same fields, claims as (claimant, side, stance).
    light = list(store.fusion_events(flt))
    assert [v.event_id for v in light] == [e.event_id for e in full]
    for v, e in zip(light, full, strict=True):
        for name in ("report_id", "kind", "report_date", "event_date", "date_latest", "historical", "actor1_side",
                     "control", "rule"):
            assert getattr(v, name) == getattr(e, name), (e.event_id, name)
        for name in ("name", "mention", "geonames_id", "latitude", "longitude", "feature_code", "geo_precision"):
            assert getattr(v.location, name) == getattr(e.location, name), (e.event_id, name)
        assert v.claims == tuple((c.claimant, c.side, c.stance) for c in e.claims)
        assert v.claims == FusionEvent.of(e).claims
    assert any(len(v.claims) > 1 for v in light) and any(not v.claims for v in light)
    moved_light = light[0].model_copy(update={"location": moved})
    assert moved_light.location is moved and moved_light.claims is light[0].claims and light[0].location == e0.location
    with pytest.raises(AttributeError):
        light[0].model_copy(update={"fatalities": 7})


def test_explanations_equal_the_full_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _build(tmp_path / "x.db", n=120)
    fusion.refresh(store)
    asked = ["600000", "Town 1", "hamlet 5", "600006", "Town 2", "Nowhere"]
    days = [DAY0 + dt.timedelta(days=d) for d in (0, 12, 30)]
    new = [fusion.explain(store, p, d) for p in asked for d in days]
    with monkeypatch.context() as m:
        m.setattr(store, "event_views", store.events)
        m.setattr(store, "fusion_events", store.events)
        m.setattr(store, "report_heads", lambda ids: Store.report_heads(store, ids))
        old = [fusion.explain(store, p, d) for p in asked for d in days]
    assert new == old and any("Independent sources" in t for t in new)


def _split_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Records the shares this process reads (the forked child records its own, unseen here)."""
    calls: list[tuple[int, int]] = []
    read = fusion._read_part

    def recording(store, part=0, parts=1):  # noqa: ANN001, ANN202
        calls.append((part, parts))
        return read(store, part, parts)

    monkeypatch.setattr(fusion, "_read_part", recording)
    monkeypatch.setattr(fusion, "_SPLIT_MIN_EVENTS", 1)
    return calls


def test_rebuild_in_two_processes_equals_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The places split between this process and a forked child, each reading its own share, give
    exactly the timelines of one process, the first use and a rebuild after a baseline change alike."""
    one, two = _build(tmp_path / "one.db", n=200, seed=4), _build(tmp_path / "two.db", n=200, seed=4)
    monkeypatch.setenv("FRONTWATCH_FUSION_PROCESSES", "1")
    fusion.refresh(one)
    monkeypatch.setenv("FRONTWATCH_FUSION_PROCESSES", "2")
    if not fusion._may_fork():
        pytest.skip("no fork here (one core, or other threads running)")
    calls = _split_calls(monkeypatch)
    fusion.refresh(two)
    assert calls == [(0, 2)]  # this process read the first share only; the child read the other
    assert two.get_derived(fusion.NS_TIMELINE) == one.get_derived(fusion.NS_TIMELINE)
    assert {fusion._owner(k, 2) for k in two.get_derived(fusion.NS_TIMELINE)} == {0, 1}
    row = BaselineRow(place="Town 4", controller="RU", on=DAY0 + dt.timedelta(days=15), geonames_id=600_004)
    for store in (one, two):
        store.add_baseline([row])
    monkeypatch.setenv("FRONTWATCH_FUSION_PROCESSES", "1")
    fusion.refresh(one)
    monkeypatch.setenv("FRONTWATCH_FUSION_PROCESSES", "2")
    fusion.refresh(two)
    assert two.get_derived(fusion.NS_TIMELINE) == one.get_derived(fusion.NS_TIMELINE)
    assert _states(two) == _states(one)
    assert _states(two, cold=True) == _states(one)  # the states the two processes hand back
    assert two.get_derived(fusion.NS_TIMELINE) == one.get_derived(fusion.NS_TIMELINE)


def _namesake_places() -> list[Location]:
    """Two settlements of one name (ids of either share), a name-only spelling of a resolved
    settlement, a name-only village, a place known by coordinates only (and a name-only spelling of
    it), and plain towns."""
    out = [Location(name="Ridgeford", mention="Ridgeford", geonames_id=610_001, latitude=47.52, longitude=36.11,
                    feature_code="PPL", geo_precision=1),
           Location(name="Ridgeford", mention="Ridgeford", geonames_id=610_002, latitude=48.71, longitude=33.42,
                    feature_code="PPL", geo_precision=1),
           Location(name="Millbrook", mention="Millbrook", geonames_id=610_003, latitude=47.10, longitude=37.30,
                    feature_code="PPL", geo_precision=1),
           Location(name="Lakeside", mention="Lakeside", geonames_id=610_005, latitude=47.90, longitude=35.20,
                    feature_code="PPLA3", geo_precision=1),
           Location(name="Lakeside", mention="Lakeside"),  # the same spelling, unresolved: an alias
           Location(name="Stonebridge", mention="Stonebridge"),  # unresolved everywhere
           Location(name="Pinecrest", mention="Pinecrest", latitude=46.81, longitude=34.55, feature_code="PPL",
                    geo_precision=1),
           Location(name="Pinecrest", mention="Pinecrest")]  # a spelling of the place known by its position
    out += [Location(name=f"Town {j}", mention=f"Town {j}", geonames_id=600_000 + j, latitude=47.0 + j / 10,
                     longitude=35.0, feature_code="PPL", geo_precision=1) for j in range(8)]
    return out


def test_two_processes_keep_namesakes_aliases_and_unnamed_baseline_rows(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same-named settlements in both shares, a name-only spelling folded into a settlement of the
    child's share and baseline rows without an id (matched by name and position among ALL places,
    so a row naming both namesakes stays apart): one process and two give the same timelines."""
    rng, texts, places = random.Random(21), [], _namesake_places()
    for i in range(240):
        store.add_extraction(_extraction(i, rng, places, texts))
    store.add_baseline([
        BaselineRow(place="Ridgeford", controller="UA", on=DAY0 + dt.timedelta(days=5), latitude=47.53,
                    longitude=36.10),  # near the first namesake only
        BaselineRow(place="Ridgeford", controller="RU", on=DAY0 + dt.timedelta(days=8)),  # either: neither
        BaselineRow(place="Millbrook", controller="RU", on=DAY0 + dt.timedelta(days=3)),
        BaselineRow(place="Lakeside", controller="UA", on=DAY0)])
    monkeypatch.setenv("FRONTWATCH_FUSION_PROCESSES", "1")
    fusion.refresh(store)
    expected, states = store.get_derived(fusion.NS_TIMELINE), _states(store)
    aliases = store.get_derived(fusion.NS_META)["aliases"]
    assert {"g610001", "g610002", "g610003", "g610005", "nridgeford", "nstonebridge"} <= set(expected)
    assert "nlakeside" not in expected and "lakeside" in aliases
    assert "npinecrest" not in expected and "pinecrest" in aliases
    monkeypatch.setenv("FRONTWATCH_FUSION_PROCESSES", "2")
    if not fusion._may_fork():
        pytest.skip("no fork here (one core, or other threads running)")
    calls = _split_calls(monkeypatch)
    store.delete_derived(fusion.NS_META)
    assert fusion.refresh(store)["rebuilt"] == len(expected)
    assert calls == [(0, 2)]
    assert store.get_derived(fusion.NS_TIMELINE) == expected
    assert store.get_derived(fusion.NS_META)["aliases"] == aliases
    assert _states(store) == states
    assert _states(store, cold=True) == states


def test_a_failed_child_leaves_the_rebuild_to_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _build(tmp_path / "f.db", n=80, seed=6)
    monkeypatch.setenv("FRONTWATCH_FUSION_PROCESSES", "1")
    fusion.refresh(store)
    expected = store.get_derived(fusion.NS_TIMELINE)
    monkeypatch.setenv("FRONTWATCH_FUSION_PROCESSES", "2")
    if not fusion._may_fork():
        pytest.skip("no fork here (one core, or other threads running)")
    calls = _split_calls(monkeypatch)

    def broken(store):  # noqa: ANN001, ANN202
        raise RuntimeError("no second connection")

    monkeypatch.setattr(type(store), "reopen", broken)
    store.delete_derived(fusion.NS_META)
    fusion.refresh(store)
    assert calls == [(0, 2), (0, 1)]  # its share, then everything alone
    assert store.get_derived(fusion.NS_TIMELINE) == expected


def test_two_processes_without_unnamed_baseline_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A baseline whose rows all have a GeoNames id: the two processes fold without exchanging their
    places (only a row without an id needs them) and give the timelines of one process; a child
    that fails then still leaves the rebuild to this process."""
    def fill(store: Store) -> Store:
        rng, texts, places = random.Random(8), [], _places(random.Random(8))
        for i in range(180):
            store.add_extraction(_extraction(i, rng, places, texts))
        store.add_baseline([BaselineRow(place="Town 3", controller="RU", on=DAY0 + dt.timedelta(days=6),
                                        geonames_id=600_003)])
        return store

    one, two = fill(open_store(str(tmp_path / "one.db"))), fill(open_store(str(tmp_path / "two.db")))
    assert not fusion._exchange_places(two.baseline())
    monkeypatch.setenv("FRONTWATCH_FUSION_PROCESSES", "1")
    fusion.refresh(one)
    expected, states = one.get_derived(fusion.NS_TIMELINE), _states(one)
    monkeypatch.setenv("FRONTWATCH_FUSION_PROCESSES", "2")
    if not fusion._may_fork():
        pytest.skip("no fork here (one core, or other threads running)")
    calls = _split_calls(monkeypatch)
    fusion.refresh(two)
    assert calls == [(0, 2)]
    assert two.get_derived(fusion.NS_TIMELINE) == expected
    assert {fusion._owner(k, 2) for k in expected} == {0, 1}
    assert _states(two, cold=True) == states
    monkeypatch.setattr(type(two), "reopen", lambda store: (_ for _ in ()).throw(RuntimeError("no connection")))
    two.delete_derived(fusion.NS_META)
    calls.clear()
    fusion.refresh(two)
    assert calls == [(0, 2), (0, 1)]
    assert two.get_derived(fusion.NS_TIMELINE) == expected


def test_two_processes_by_default_unless_told_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset, the rebuild may fork on a machine with two cores and one thread; 1 (or 0) never forks,
    nor does a process running other threads or a one-core machine."""
    import os
    import threading

    monkeypatch.delenv("FRONTWATCH_FUSION_PROCESSES", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert fusion._may_fork() == (threading.active_count() == 1)
    for off in ("1", "0"):
        monkeypatch.setenv("FRONTWATCH_FUSION_PROCESSES", off)
        assert not fusion._may_fork()
    monkeypatch.setenv("FRONTWATCH_FUSION_PROCESSES", "2")
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not fusion._may_fork()
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(threading, "active_count", lambda: 3)
    assert not fusion._may_fork()


def test_one_piece_of_evidence_is_decided_as_a_group_of_one() -> None:
    """The fold's shortcut for a day with one assertion gives the verdict of the general rule (6)
    for every kind of evidence: full, partial and clash, supported, denied or both, strong or weak
    voices, a side entering a place it holds, withdrawals from around a place, after any state."""
    import importlib
    import itertools

    tl = importlib.import_module("frontwatch.fusion.timeline")  # (the package's `timeline` is a function)

    day = DAY0 + dt.timedelta(days=3)

    def voice(cat: str) -> tl.Voice:
        return tl.Voice(f"c:{cat}", cat, 0.0 if cat == "denied" else 0.5, cat, None, "claimed")

    voice_sets = [("claim",), ("denied",), ("claim", "denied"), ("witnessed", "denied"), ("admission",), ("hedged",),
                  ("denied", "denied"), ("asserted", "hedged"), ("asserted", "denied"), ("neutral_claim", "denied")]
    priors = [None, tl.Run("UA", day - dt.timedelta(days=9)), tl.Run("RU", day, strong_over_denial=True),
              tl.Run("contested", day - dt.timedelta(days=2)), tl.Run("RU", day, established=True)]
    checked = 0
    for outcome, side, cats, clash, holds_only, prev in itertools.product(
            ("UA", "RU", "contested"), ("UA", "RU", None), voice_sets, (False, True), (False, True), priors):
        a = tl.Assertion(place="g1", outcome=outcome, side=side, t=day, known=day, event_id="e1", report_id="r1",
                         voices=tuple(voice(c) for c in cats), kind="armed_clash" if clash else "territory_captured",
                         clash=clash, holds=side if holds_only else None, settles=holds_only, holds_only=holds_only)
        assert tl._decide_one(a, prev) == tl._decide_many([a], prev), (outcome, side, cats, clash, holds_only, prev)
        assert tl.decide_group([a], prev) == tl._decide_many([a], prev)
        checked += 1
    assert checked == 3 * 3 * len(voice_sets) * 2 * 2 * len(priors)


def test_place_records_count_each_shared_location_once(tmp_path: Path) -> None:
    """`_place_infos` places each shared Location once: the same records as placing event by event
    (the most frequent name, ties to the later name; the first coordinates seen), whether events
    share their locations (light reads) or each has its own (full records)."""
    import importlib
    from dataclasses import replace

    tl = importlib.import_module("frontwatch.fusion.timeline")

    def one_by_one(events):  # noqa: ANN001, ANN202
        names: dict = {}
        first: dict = {}
        for ev in events:
            p = tl.place_of(ev.location)
            if p is None:
                continue
            first.setdefault(p.key, p)
            if p.latitude is not None and first[p.key].latitude is None:
                first[p.key] = replace(first[p.key], latitude=p.latitude, longitude=p.longitude)
            names.setdefault(p.key, {}).setdefault(p.name, 0)
            names[p.key][p.name] += 1
        return {k: replace(p, name=max(names[k].items(), key=lambda kv: (kv[1], kv[0]))[0]) for k, p in first.items()}

    store = _build(tmp_path / "p.db", n=90, seed=9)
    for events in (list(store.events()), list(store.fusion_events())):
        assert tl._place_infos(events) == one_by_one(events) and len(one_by_one(events)) > 8
    spelled = [Location(name="Oakfield", mention="Oakfield", geonames_id=620_001, feature_code="PPL", geo_precision=1),
               Location(name="Oak Field", mention="Oak Field", geonames_id=620_001, latitude=47.3, longitude=36.2,
                        feature_code="PPL", geo_precision=1),
               Location(name="Oakfield", mention="Oakfield", geonames_id=620_001, latitude=47.4, longitude=36.3,
                        feature_code="PPL", geo_precision=1)]
    order = [spelled[0], spelled[1], spelled[0], spelled[1], spelled[2], spelled[1], spelled[1]]  # 4 to 3
    events = [FusionEvent(f"q{i}", "q1", "territory_captured", DAY0, DAY0, None, False, loc, "RU", None, ())
              for i, loc in enumerate(order)]
    got = tl._place_infos(events)
    assert got == one_by_one(events)
    assert got["g620001"].name == "Oak Field" and got["g620001"].latitude == 47.3
