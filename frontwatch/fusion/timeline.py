"""The control rules: from dated, attributed events to who holds each settlement, since when.

Pure functions over Event records (plus what independence needs to know about each report);
frontwatch/fusion/RULES.md states every rule in words, and rules.yaml holds the weights.

Rules, in the order they are applied:

1. Only settlements get a controller (GeoNames feature class P, or geo_precision 1; "near X"
   with geo_precision 2 can only make X contested). Regions (geo_precision 3) never do.
2. Only events of the control kinds (territory_regained, territory_captured, withdrawal,
   entered) with a `control.to` move a controller. Shelling or strikes never do. An armed clash
   inside a settlement lowers the confidence of its state (configurable).
3. Each claim of an event is a voice, scored by what kind of statement it is: an admission by
   the side that loses (claimant side == control.from), a witnessed report, a report in its own
   voice (asserted), a neutral party's claim, one party's claim, a hedged report, a denial.
4. Independence: a named claimant is one source however many outlets quote it; unnamed or own-
   voice statements are the source of their report's cluster, where near-duplicate texts and
   the same outlet are one cluster. Confidence is a noisy-or over independent sources only.
5. Dates: a change takes effect on the event's `date_latest` (else event_date, else the report
   date): the day by which it had surely happened. The state on D uses only events reported on
   or before D (no knowledge from the future). `since` is the effective date of the first
   evidence of the current run of one controller.
6. Events are grouped by effective date. Within a day: "entered"/"partial" give contested
   unless full control is established by an establishing voice (admission, witnessed,
   asserted, neutral claim); UA and RU full claims against each other give contested with
   `disputed_by`, unless only one of them is established; a denial makes a claim contested
   unless the claim rests on an admission or a witnessed report. "Entered"/"partial" by the
   side that already holds a place changes nothing.
7. Across days: newer evidence about a later date supersedes older; evidence agreeing with the
   current controller adds to its confidence without moving `since`. A state resting only on
   one party's claims is weaker: its confidence never exceeds `weak_cap`.
8. Historical events never set the state on or after their report's news window; they only
   fill the past in a hindsight timeline.
9. A baseline row sets the state from its date, overriding all evidence dated on or before it;
   evidence after its date overrides the baseline.
10. A change against the state a place holds must earn it: the voices for the new state, counted
   once per independent source (one report cluster, one speaker), must reach `earn_change.need`
   points (an admission or a witnessed report 2, any other statement 1, a hedge 0), more for a
   large place or one held long. Until then the state stands and the change is *reported*
   (`pending`), waiting for confirmation; later voices for the same change add up.
11. How a contest ends: a contested place is held by side B when the side A that fought for it
   withdraws from around it, or when B repels an assault on it (at once); or when the fighting
   inside it has not been reported for `contest_ends.quiet_days` days and the evidence of the
   contest points one way (A's attempts to take it, A's attacks on it): then B holds it, as a
   weaker state. Such evidence never moves a place that one side holds.
"""

from __future__ import annotations

import bisect
import datetime as dt
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from frontwatch.fusion.config import rules
from frontwatch.fusion.sources import _fold_name, claimant_key, cluster_reports
from frontwatch.gazetteer.augment import SAME_PLACE_KM
from frontwatch.gazetteer.index import haversine_km
from frontwatch.model import ControlState, Event, Location

Outcome = Literal["UA", "RU", "contested"]
_OTHER = {"UA": "RU", "RU": "UA"}


@dataclass(frozen=True)
class _Settings:
    """The rules' values that the hot loops read, looked up once."""

    prefixes: tuple[str, ...]
    establishing: frozenset[str]
    over_denial: frozenset[str]
    denial_penalty: float
    clash_penalty: float
    weak_cap: float
    contested_cap: float
    max_confidence: float
    weak_against_established: str
    quiet_days: int


@lru_cache(maxsize=1)
def _settings() -> _Settings:
    r = rules()
    return _Settings(tuple(r["settlement_feature_prefixes"]), frozenset(r["establishing"]),
                     frozenset(r["strong_over_denial"]), float(r["denial_penalty"]),
                     float(r["armed_clash"]["penalty"]), float(r["weak_cap"]), float(r["contested_cap"]),
                     float(r["max_confidence"]), str(r["weak_claim_against_established"]),
                     int((r.get("contest_ends") or {}).get("quiet_days", 0)) if _contest_rules() else 0)


@lru_cache(maxsize=1)
def _contest_rules() -> dict | None:
    """Rule 11's word classes (trigger rule names), or None when it is off."""
    c = rules().get("contest_ends") or {}
    if not c.get("enabled"):
        return None
    return {"attempt": frozenset(c.get("attempt_rules") or ()), "attack": frozenset(c.get("attack_rules") or ()),
            "repel": frozenset(c.get("repel_rules") or ())}


# --- places -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlaceInfo:
    key: str
    name: str
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None


def place_key(gid: int | None, lat: float | None, lon: float | None, name: str | None) -> str | None:
    """geonames id, else coordinates rounded to ~1 km, else the folded name."""
    if gid is not None:
        return f"g{gid}"
    if lat is not None and lon is not None:
        d = int(rules()["coordinate_decimals"])
        return f"c{round(lat, d):.{d}f},{round(lon, d):.{d}f}"
    if name:
        folded = _fold_name(name)
        return f"n{folded}" if folded else None
    return None


def settlement_precision(loc: Location) -> int | None:
    """1 when the location is a settlement, 2 when only near one, None when not a settlement."""
    return _precision(loc.geo_precision, loc.feature_code, loc.latitude, loc.geonames_id, loc.name)


@lru_cache(maxsize=65536)
def _precision(geo_precision: int | None, feature_code: str | None, lat: float | None, gid: int | None,
               name: str | None) -> int | None:
    if geo_precision == 3:
        return None
    if feature_code and not feature_code.upper().startswith(_settings().prefixes):
        return None
    if geo_precision is None and lat is None and gid is None and not name:
        return None
    # A name-only place (a village the gazetteer lacks) counts: the extractor emits those only for a
    # trigger's own argument, and its key is the folded name.
    return 2 if geo_precision == 2 else 1


def place_of(loc: Location) -> PlaceInfo | None:
    return _place_of(loc.geo_precision, loc.feature_code, loc.latitude, loc.longitude, loc.geonames_id, loc.name,
                     loc.mention)


@lru_cache(maxsize=65536)
def _place_of(geo_precision: int | None, feature_code: str | None, lat: float | None, lon: float | None,
              gid: int | None, name: str | None, mention: str | None) -> PlaceInfo | None:
    # Cached: the same place recurs in thousands of events and this runs several times for each.
    if _precision(geo_precision, feature_code, lat, gid, name or mention) is None:
        return None
    key = place_key(gid, lat, lon, name or mention)
    if key is None:
        return None
    return PlaceInfo(key, name or mention or key, gid, lat, lon)


def name_only(loc: Location) -> str | None:
    """The folded name of a place known only by name (no id, no coordinates), else None."""
    if loc.geonames_id is not None or loc.latitude is not None:
        return None
    folded = _fold_name(loc.name or loc.mention or "")
    return folded or None


def aliased(ev: Event, place: PlaceInfo) -> Event:
    """The event placed at `place`: a name-only place folded into the resolved settlement that the
    same spelling stands for elsewhere in the store (one place, one name on the map)."""
    loc = ev.location.model_copy(update={"name": place.name, "geonames_id": place.geonames_id,
                                         "latitude": place.latitude, "longitude": place.longitude,
                                         "feature_code": ev.location.feature_code or "PPL",
                                         "geo_precision": ev.location.geo_precision or 1})
    return ev.model_copy(update={"location": loc})


# --- voices and assertions ----------------------------------------------------------------
@dataclass(frozen=True)
class Voice:
    """One claim of one event, scored: who said it (source key), what kind of statement it is."""

    source: str
    category: str  # admission | witnessed | asserted | neutral_claim | claim | hedged | baseline | denied
    weight: float
    claimant: str | None = None
    side: str | None = None
    stance: str | None = None


@dataclass(frozen=True)
class Assertion:
    """What one event (or baseline row) says about one settlement's controller."""

    place: str
    outcome: Outcome
    side: str | None  # the side that gains (or enters, for contested evidence)
    t: dt.date  # effective date
    known: dt.date  # report date: from when anyone could know it
    event_id: str | None
    report_id: str | None
    voices: tuple[Voice, ...]
    kind: str
    historical: bool = False
    baseline: bool = False
    clash: bool = False
    cluster: str | None = None  # the report's source cluster (near-duplicates and one outlet are one)
    population: int = 0  # the settlement's population in the gazetteer (0 when unknown)
    # Rule 11: the side this evidence says holds the place while it is contested ("A tried to take
    # X": B), whether it settles the contest at once (a withdrawal from around X, a repelled
    # assault) or only after a quiet spell, and whether it says nothing else (a withdrawal from
    # around a place is never a change of hands by itself).
    holds: str | None = None
    settles: bool = False
    holds_only: bool = False

    @property
    def available(self) -> dt.date:
        return max(self.t, self.known)

    # Computed once per assertion: the fold asks for them at every step that replays its day.
    support_voices: tuple[Voice, ...] = field(init=False, repr=False, compare=False)  # all but the denials
    denies: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        support = tuple(v for v in self.voices if v.category != "denied")
        object.__setattr__(self, "support_voices", support)
        object.__setattr__(self, "denies", len(support) < len(self.voices))

    @classmethod
    def _of(cls, place: str, outcome: Outcome, side: str | None, t: dt.date, known: dt.date, event_id: str | None,
            report_id: str | None, voices: tuple[Voice, ...], kind: str, historical: bool, clash: bool,
            cluster: str | None, population: int, holds: str | None = None, settles: bool = False,
            holds_only: bool = False) -> Assertion:
        """An event's assertion, made as `Assertion(...)` would make it without the frozen
        dataclass's field-by-field setting (one per stored event in a rebuild)."""
        a = object.__new__(cls)
        # (no denial, the usual case: the voices themselves, scanned without a generator)
        support = tuple(v for v in voices if v.category != "denied") if "denied" in map(_CATEGORY, voices) else voices
        a.__dict__.update(place=place, outcome=outcome, side=side, t=t, known=known, event_id=event_id,
                          report_id=report_id, voices=voices, kind=kind, historical=historical, baseline=False,
                          clash=clash, cluster=cluster, population=population, support_voices=support,
                          denies=len(support) < len(voices), holds=holds, settles=settles, holds_only=holds_only)
        return a


# Voices repeat (one speaker, one outlet's cluster, one kind of statement): each distinct one is
# made once. A Voice is immutable and compared by value, so sharing one is invisible.
_voice = lru_cache(maxsize=65536)(Voice)
_CATEGORY = operator.attrgetter("category")
_BASELINE = operator.attrgetter("baseline")


def _category(stance: str, claim_side: str | None, claimant: str | None, to: str | None, losing: str | None) -> str:
    if stance == "denied":
        return "denied"
    if stance == "hedged":
        return "hedged"
    if claim_side is not None and losing is not None and claim_side == losing and claim_side != "neutral":
        return "admission"  # the side that loses says so: the strongest evidence there is
    if stance == "witnessed":
        return "witnessed"
    if stance == "asserted" and claimant is None:
        return "asserted"
    if claim_side == "neutral":
        return "neutral_claim"
    return "claim"


@lru_cache(maxsize=65536)
def population_of(gid: int | None) -> int:
    """The settlement's population in the gazetteer (0 when unknown or without a gazetteer)."""
    if gid is None:
        return 0
    try:
        from frontwatch.gazetteer import get_gazetteer

        place = get_gazetteer().by_geonames_id(gid)
    except Exception:  # noqa: BLE001 - no gazetteer: every place counts as small
        return 0
    return int(place.population or 0) if place is not None else 0


def effective_date(ev: Event) -> dt.date:
    """The day from which the state change surely holds: date_latest, else event_date, else report date."""
    day = ev.date_latest or ev.event_date or ev.report_date
    return min(day, ev.report_date) if ev.report_date else day


@lru_cache(maxsize=65536)
def _placed(geo_precision: int | None, feature_code: str | None, lat: float | None, lon: float | None,
            gid: int | None, name: str | None, mention: str | None) -> tuple[PlaceInfo | None, int | None]:
    """`place_of` and `settlement_precision` of one location (the fields as they take them)."""
    return (_place_of(geo_precision, feature_code, lat, lon, gid, name, mention),
            _precision(geo_precision, feature_code, lat, gid, name))


@lru_cache(maxsize=65536)
def _claim_voice(claimant: str | None, claim_side: str | None, stance: str, side: str | None, losing: str | None,
                 state_kind: bool, cluster: str | None) -> Voice:
    """One claim's voice (`cluster`: its report's, for a claim without a claimant; else None).
    Cached: claims repeat across events, and the rules are read once per process (as `_settings`)."""
    cat = _category(stance, claim_side, claimant, side, losing)
    if cat == "admission" and state_kind:
        cat = "claim"  # a description of who holds a place is no admission, whoever words it
    if claimant:
        src = "c:" + claimant_key(claimant)
    else:
        src = f"r:{cluster}" + (f":{claim_side}" if stance == "claimed" and claim_side else "")
    weight = 0.0 if cat == "denied" else float(rules()["strength"][cat])
    return _voice(src, cat, weight, claimant, claim_side, stance)


def assertion_of(ev: Event, cluster_of: Mapping[str, str] | None = None) -> Assertion | None:
    """What an event says about a settlement's controller, or None when it says nothing."""
    cfg = rules()
    loc = ev.location
    place, precision = _placed(loc.geo_precision, loc.feature_code, loc.latitude, loc.longitude, loc.geonames_id,
                               loc.name, loc.mention)
    if place is None:
        return None
    clash = False
    holds, settles, holds_only = None, False, False
    contest = _contest_rules()
    if ev.kind == "armed_clash":
        effect = cfg["armed_clash"]["effect"]
        if effect == "ignore" or precision != 1:
            return None
        outcome: Outcome = "contested"
        side = ev.actor1_side if ev.actor1_side in ("UA", "RU") else None
        losing = None
        clash = effect == "penalty"
        rule = getattr(ev, "rule", None)
        if contest is not None and side is not None and rule:
            if rule in contest["repel"]:  # "B repelled an assault on X": B holds X
                holds, settles = side, True
            elif rule in contest["attempt"] or rule in contest["attack"]:  # "A tried to take X": not A's
                holds = _OTHER[side]
    elif ev.kind in cfg["control_kinds"]:
        withdrawing = ev.actor1_side if ev.kind == "withdrawal" and ev.actor1_side in ("UA", "RU") else None
        if contest is not None and withdrawing is not None and (
                precision == 2 or ev.control is None or ev.control.to not in ("UA", "RU")):
            # "A pulled back from around X" (or left X, no side named as gaining it): a contest for X
            # is over, B holds it; by itself never a change of hands (rule 11).
            side, losing, outcome = _OTHER[withdrawing], withdrawing, _OTHER[withdrawing]
            holds, settles, holds_only = side, True, True
        else:
            if ev.control is None or ev.control.to not in ("UA", "RU"):
                return None
            side = ev.control.to
            losing = ev.control.from_ or _OTHER[side]
            full = ev.control.extent == "full" and not (precision == 2 and cfg["near_is_contested"])
            outcome = side if full else "contested"
    else:
        return None
    cluster = (cluster_of or {}).get(ev.report_id, ev.report_id)
    claims = ev.claims
    if claims:
        state_kind = ev.kind in cfg.get("state_kinds", ())
        voices = tuple([_claim_voice(c.claimant, c.side, c.stance, side, losing, state_kind,
                                     None if c.claimant else cluster) for c in claims])
    else:  # no attribution at all: the report's own voice
        voices = (_voice(f"r:{cluster}", "asserted", float(cfg["strength"]["asserted"]), None, None, "asserted"),)
    return Assertion._of(place.key, outcome, side, effective_date(ev), ev.report_date, ev.event_id, ev.report_id,
                         voices, ev.kind, ev.historical, clash, cluster, population_of(place.geonames_id),
                         holds, settles, holds_only)


# --- runs: the state as the fold goes along ---------------------------------------------------
@dataclass(frozen=True)
class Run:
    """One controller held from `since`, with everything that supports or disputes it."""

    controller: Outcome
    since: dt.date
    sources: Mapping[str, float] = field(default_factory=dict)  # independent source -> best weight
    established: bool = False
    strong_over_denial: bool = False
    evidence: tuple[str, ...] = ()
    disputed_by: tuple[str, ...] = ()
    penalty: float = 1.0
    baseline: bool = False
    # A change reported against this state that has not yet earned it (rule 10): the state it
    # would become, from when, the voices behind it (cluster, source, category) and their events.
    pending: Outcome | None = None
    pending_since: dt.date | None = None
    pending_voices: tuple[tuple[str, str, str], ...] = ()
    pending_evidence: tuple[str, ...] = ()
    # Rule 11, while contested: the last day fighting inside was reported, the side the evidence of
    # the contest says holds the place ("both" when it points both ways) and that evidence.
    alive_on: dt.date | None = None
    lean: str | None = None
    lean_evidence: tuple[str, ...] = ()
    lean_sources: Mapping[str, float] = field(default_factory=dict)
    ended: str | None = None  # how a contest ended under rule 11: "settled" or "quiet"

    def confidence(self) -> float:
        cfg = _settings()
        miss = 1.0
        for w in self.sources.values():
            miss *= 1.0 - w
        conf = 1.0 - miss
        if self.controller == "contested":
            conf = min(conf, cfg.contested_cap)
        elif not self.established:
            conf = min(conf, cfg.weak_cap)
        conf = min(conf * self.penalty, cfg.max_confidence)
        return round(max(conf, 0.01), 2)


def _replace(run: Run, **changes: object) -> Run:
    """`dataclasses.replace` for a Run without its per-call introspection (the fold calls it for
    most days): a Run has no __post_init__ and no init-only fields, so a copy of its fields is it."""
    new = object.__new__(Run)
    d = new.__dict__
    d.update(run.__dict__)
    d.update(changes)
    return new


def _sources(voices: Iterable[Voice], into: Mapping[str, float] | None = None) -> dict[str, float]:
    out = dict(into or {})
    for v in voices:
        if v.category != "denied" and v.weight > out.get(v.source, 0.0):
            out[v.source] = v.weight
    return out


def _ids(assertions: Iterable[Assertion]) -> tuple[str, ...]:
    if type(assertions) is tuple and len(assertions) < 2:  # (most days: one piece of evidence, or none)
        return (assertions[0].event_id,) if assertions and assertions[0].event_id else ()
    seen: dict[str, None] = {}
    for a in assertions:
        if a.event_id:
            seen.setdefault(a.event_id, None)
    return tuple(seen)


def _merge_ids(a: tuple[str, ...], b: Iterable[str]) -> tuple[str, ...]:
    extra = [x for x in b if x not in a]
    return a + tuple(extra) if extra else a


@dataclass(slots=True)  # (not frozen: made once per place and day, and never changed)
class GroupVerdict:
    outcome: Outcome | None  # None: the group changes nothing
    support: tuple[Assertion, ...] = ()
    disputed: tuple[Assertion, ...] = ()
    voices: tuple[Voice, ...] = ()
    penalty: float = 1.0
    inherit: bool = False  # contested because the current state is denied: keep its evidence


def _strong(assertions: Iterable[Assertion], kinds: Sequence[str]) -> bool:
    return any(v.category in kinds for a in assertions for v in a.voices)


_NOTHING = GroupVerdict(None)


def _decide_one(a: Assertion, prev: Run | None) -> GroupVerdict:
    """`decide_group` of a day with one piece of evidence, not a baseline row (most days of most
    places): the same verdicts, without sorting one assertion into lists."""
    cfg = _settings()
    if a.holds_only:
        return _NOTHING
    if a.clash:
        return GroupVerdict(None, penalty=cfg.clash_penalty)
    o = a.outcome
    support = a.support_voices
    if o == "contested":
        if prev is not None and a.side is not None and prev.controller == a.side:
            return _NOTHING
        return GroupVerdict(o, (a,), (a,) if a.denies else (), support) if support else _NOTHING
    if support:
        if not a.denies:
            return GroupVerdict(o, (a,), (), support)
        if _strong((a,), cfg.over_denial):
            return GroupVerdict(o, (a,), (a,), support, cfg.denial_penalty)
        return GroupVerdict("contested", (a,), (a,), support)
    # only a denial: it matters when it denies the state held
    if a.denies and prev is not None and prev.controller == o:
        if prev.strong_over_denial:
            return GroupVerdict(o, (), (a,), (), cfg.denial_penalty)
        return GroupVerdict("contested", (), (a,), (), inherit=True)
    return _NOTHING


def decide_group(group: Sequence[Assertion], prev: Run | None) -> GroupVerdict:
    """What the evidence of one effective day says, given the state before it (rule 6)."""
    if len(group) == 1 and not group[0].baseline:
        return _decide_one(group[0], prev)
    return _decide_many(group, prev)


def _decide_many(group: Sequence[Assertion], prev: Run | None) -> GroupVerdict:
    cfg = _settings()
    establishing = cfg.establishing
    over_denial = cfg.over_denial
    penalty = 1.0
    base = [a for a in group if a.baseline]
    if base:  # the analyst's map is authoritative on its own date
        return GroupVerdict(base[-1].outcome, tuple(base), (), tuple(v for a in base for v in a.voices), 1.0)
    sup: dict[str, list[Assertion]] = {"UA": [], "RU": [], "contested": []}
    den: dict[str, list[Assertion]] = {"UA": [], "RU": [], "contested": []}
    for a in group:
        if a.holds_only:
            continue
        if a.clash:
            penalty *= cfg.clash_penalty
            continue
        # Entering or half-taking a place one already holds is no news of a contest.
        if a.outcome == "contested" and prev is not None and a.side is not None and prev.controller == a.side:
            continue
        if a.support_voices:
            sup[a.outcome].append(a)
        if a.denies:
            den[a.outcome].append(a)

    def voices(assertions: Sequence[Assertion]) -> tuple[Voice, ...]:
        if len(assertions) == 1:
            return assertions[0].support_voices
        return tuple(v for a in assertions for v in a.support_voices)

    full = [o for o in ("UA", "RU") if sup[o]]
    if len(full) == 2:
        ua, ru = (_strong(sup[o], establishing) for o in ("UA", "RU"))
        if ua != ru:
            win, lose = ("UA", "RU") if ua else ("RU", "UA")
            return GroupVerdict(win, tuple(sup[win]), tuple(sup[lose] + den[win]), voices(sup[win]),
                                penalty * cfg.denial_penalty)
        return GroupVerdict("contested", tuple(sup["UA"] + sup["contested"]), tuple(sup["RU"] + den["UA"] + den["RU"]),
                            voices(sup["UA"] + sup["RU"] + sup["contested"]), penalty)
    if len(full) == 1:
        o = full[0]
        if den[o]:
            if _strong(sup[o], over_denial):
                return GroupVerdict(o, tuple(sup[o]), tuple(den[o]), voices(sup[o]),
                                    penalty * cfg.denial_penalty)
            return GroupVerdict("contested", tuple(sup[o] + sup["contested"]), tuple(den[o]),
                                voices(sup[o] + sup["contested"]), penalty)
        if sup["contested"] and not _strong(sup[o], establishing):
            return GroupVerdict("contested", tuple(sup["contested"] + sup[o]), (),
                                voices(sup["contested"] + sup[o]), penalty)
        return GroupVerdict(o, tuple(sup[o]), (), voices(sup[o]), penalty)
    if sup["contested"]:
        return GroupVerdict("contested", tuple(sup["contested"]), tuple(den["contested"]),
                            voices(sup["contested"]), penalty)
    # Only denials: they matter when they deny the state we hold.
    if prev is not None and prev.controller in ("UA", "RU") and den[prev.controller]:
        if prev.strong_over_denial:
            return GroupVerdict(prev.controller, (), tuple(den[prev.controller]), (),
                                penalty * cfg.denial_penalty)
        return GroupVerdict("contested", (), tuple(den[prev.controller]), (), penalty, inherit=True)
    return GroupVerdict(None, penalty=penalty)


def earn_points(voices: Iterable[tuple[str, str, str]]) -> float:
    """What a set of voices (cluster, source, category) is worth towards changing a place's state
    (rule 10): each counts once per independent source, where one report cluster (an outlet and
    its near-copies) and one speaker are each one source however often they repeat."""
    points = rules()["earn_change"]["points"]
    used_clusters: set[str] = set()
    used_sources: set[str] = set()
    total = 0.0
    for cluster, source, cat in sorted(voices, key=lambda v: (-float(points.get(v[2], 0)), v)):
        p = float(points.get(cat, 0))
        if p <= 0 or cluster in used_clusters or source in used_sources:
            continue
        used_clusters.add(cluster)
        used_sources.add(source)
        total += p
    return total


def earn_needed(prev: Run, t: dt.date, population: int) -> tuple[float, list[str]]:
    """How many points a change against `prev` needs on day `t`, and why more than the base."""
    e = rules()["earn_change"]
    # In proportion: a state resting only on one party's claims is overturned more easily.
    need = float(e["need"] if prev.established else e["need_against_weak"])
    why: list[str] = []
    if population >= int(e["large_population"]):
        need += float(e["large_extra"])
        why.append(f"a large place ({population:,} people)")
    if (t - prev.since).days >= int(e["long_held_days"]):
        need += float(e["long_extra"])
        why.append(f"held since {prev.since}")
    elif prev.baseline and float(e.get("baseline_extra", 0)):
        # how long a map's state had held before its date is unknown: it counts as held long
        need += float(e["baseline_extra"])
        why.append("a state from the imported map")
    return need, why


def _voice_rows(support: Iterable[Assertion]) -> tuple[tuple[str, str, str], ...]:
    return tuple((a.cluster or a.report_id or a.event_id or "", v.source, v.category)
                 for a in support for v in a.voices if v.category != "denied")


def _must_earn(prev: Run | None, outcome: str) -> bool:
    if prev is None or not rules()["earn_change"]["enabled"]:
        return False
    if prev.controller == "contested":
        return bool(rules()["earn_change"]["from_contested"])
    return True


def decay_on(run: Run | None) -> dt.date | None:
    """The day a contest ends for want of reported fighting (rule 11), or None: a contested state
    whose evidence points one way, `quiet_days` after the last fighting inside was reported."""
    if run is None or run.controller != "contested" or run.lean not in ("UA", "RU"):
        return None
    quiet = _settings().quiet_days
    if quiet <= 0:
        return None
    return max(run.alive_on or run.since, run.since) + dt.timedelta(days=quiet)


def decayed(run: Run, on: dt.date) -> Run:
    """The state after a contest has ended for want of fighting: the side it leaned to, weaker."""
    return Run(run.lean, on, dict(run.lean_sources), False, False, run.lean_evidence,  # type: ignore[arg-type]
               ended="quiet")


def _contest(prev: Run | None, s: Run, t: dt.date, group: Sequence[Assertion]) -> Run:
    """Rule 11 on one day's evidence: settle a contest, or note what keeps it alive and which way
    its evidence points. A place one side holds is never moved by this evidence."""
    if s.controller != "contested":
        return s
    new_run = prev is None or prev.controller != "contested" or s.since == t and s.alive_on is None
    inside = [a for a in group if a.outcome == "contested" and not a.clash and not a.holds_only
              and a.support_voices and not (prev is not None and a.side == prev.controller)]
    settle = [a for a in group if a.settles and a.holds and a.support_voices]
    sides = {a.holds for a in settle}
    if not new_run and not inside and len(sides) == 1:
        side = sides.pop()
        voices = tuple(v for a in settle for v in a.support_voices)
        cfg = _settings()
        return Run(side, t, _sources(voices), any(v.category in cfg.establishing for v in voices),  # type: ignore[arg-type]
                   any(v.category in cfg.over_denial for v in voices), _ids(settle), ended="settled")
    alive = new_run or bool(inside) or any(a.clash for a in group)
    lean, evidence, sources = (None, (), {}) if new_run else (s.lean, s.lean_evidence, s.lean_sources)
    leaning = [a for a in group if a.holds and a.support_voices]
    for a in leaning:
        lean = a.holds if lean in (None, a.holds) else "both"
    for a in inside:  # a side entering or holding part of it: it is no longer clear who holds it
        if a.side in ("UA", "RU") and lean == _OTHER[a.side]:
            lean = "both"
    if leaning:
        evidence = _merge_ids(evidence, _ids(leaning))
        sources = _sources((v for a in leaning for v in a.support_voices), sources)
    if not alive and lean == s.lean and evidence is s.lean_evidence:
        return s
    return _replace(s, alive_on=t if alive else s.alive_on, lean=lean, lean_evidence=evidence, lean_sources=sources)


def with_decays(segments: list[Segment]) -> list[Segment]:
    """Segments with the contests that ended for want of fighting (rule 11) ended on their day."""
    if _settings().quiet_days <= 0 or not any(s.run.lean for s in segments):
        return segments
    out: list[Segment] = []
    for i, seg in enumerate(segments):
        nxt = segments[i + 1].start if i + 1 < len(segments) else None
        day = decay_on(seg.run)
        if day is None or (nxt is not None and day >= nxt):
            out.append(seg)
        elif day <= seg.start:
            out.append(Segment(seg.start, decayed(seg.run, day)))
        else:
            out.extend((seg, Segment(day, decayed(seg.run, day))))
    return out


def step(prev: Run | None, t: dt.date, group: Sequence[Assertion], population: int = 0) -> Run | None:
    """The state after one more day of evidence (rules 7, 10 and 11)."""
    if prev is not None and prev.controller == "contested":  # only a contest ends for want of fighting
        day = decay_on(prev)
        if day is not None and day <= t:
            prev = decayed(prev, day)
    state = _step(prev, t, group, population)
    if state is None or state.controller != "contested" or _contest_rules() is None:
        return state  # (rule 11 has nothing to say about a place one side holds)
    return _contest(prev, state, t, group)


def _step(prev: Run | None, t: dt.date, group: Sequence[Assertion], population: int = 0) -> Run | None:
    cfg = _settings()
    v = decide_group(group, prev)
    if v.outcome is None:
        if prev is not None and v.penalty != 1.0:
            return _replace(prev, penalty=prev.penalty * v.penalty)
        return prev
    establishing = cfg.establishing
    over = cfg.over_denial
    est = not establishing.isdisjoint(map(_CATEGORY, v.voices))
    sod = not over.isdisjoint(map(_CATEGORY, v.voices))
    is_baseline = any(map(_BASELINE, v.support))
    if prev is not None and v.outcome == prev.controller and not is_baseline:
        keep_pending = prev.pending is not None and not (est and prev.pending_since is not None
                                                         and t > prev.pending_since)
        # (`_replace` written out: the fold's most frequent step)
        new = object.__new__(Run)
        d = new.__dict__
        d.update(prev.__dict__)
        d["sources"] = _sources(v.voices, prev.sources)
        d["established"] = prev.established or est
        d["strong_over_denial"] = prev.strong_over_denial or sod
        d["evidence"] = _merge_ids(prev.evidence, _ids(v.support))
        d["disputed_by"] = _merge_ids(prev.disputed_by, _ids(v.disputed))
        d["penalty"] = prev.penalty * v.penalty
        if not keep_pending:
            d.update(pending=None, pending_since=None, pending_voices=(), pending_evidence=())
        return new
    if prev is not None and not is_baseline and not v.inherit and _must_earn(prev, v.outcome):
        # Rule 10: a change against the state the map holds must earn it.
        same = prev.pending == v.outcome
        voices = (prev.pending_voices if same else ()) + _voice_rows(v.support)
        since = prev.pending_since if same and prev.pending_since is not None else t
        evidence = _merge_ids(prev.pending_evidence if same else (), _ids(v.support))
        need, _ = earn_needed(prev, since, population)
        if earn_points(voices) < need:
            return _replace(prev, pending=v.outcome, pending_since=since, pending_voices=voices,
                           pending_evidence=evidence)
        if same:
            extra = [Voice(src, cat, float(rules()["strength"].get(cat, 0.0))) for _, src, cat in prev.pending_voices]
            all_voices = tuple(extra) + v.voices
            est = est or any(x.category in establishing for x in extra)
            sod = sod or any(x.category in over for x in extra)
            return Run(v.outcome, since, _sources(all_voices), est, sod, evidence, _ids(v.disputed), v.penalty)
    if (prev is not None and v.outcome in ("UA", "RU") and prev.controller == _OTHER[v.outcome] and prev.established
            and not est and not is_baseline and cfg.weak_against_established == "contested"):
        return Run("contested", t, _sources(v.voices, prev.sources), False, False, prev.evidence,
                   _ids(v.support), prev.penalty * v.penalty)
    if v.inherit and prev is not None:
        return Run("contested", t, dict(prev.sources), False, False, prev.evidence, _ids(v.disputed),
                   prev.penalty * v.penalty)
    return Run(v.outcome, t, _sources(v.voices), est, sod, _ids(v.support), _ids(v.disputed), v.penalty,
               baseline=is_baseline)


def fold(assertions: Iterable[Assertion]) -> Run | None:
    """The state after all the given assertions, taken day by day in order of effective date."""
    groups: dict[dt.date, list[Assertion]] = {}
    for a in assertions:
        groups.setdefault(a.t, []).append(a)
    population = max((a.population for g in groups.values() for a in g), default=0)
    state: Run | None = None
    for t in sorted(groups):
        state = step(state, t, groups[t], population)
    return state


# --- timelines ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """From `start` (a day on which new knowledge arrived) the state of a place is `run`."""

    start: dt.date
    run: Run


def live_segments(assertions: Sequence[Assertion]) -> list[Segment]:
    """The state of one place as it was known on each day (rule 5): no knowledge from the future.

    Replays knowledge day by day; usually new reports are about the latest days, so the fold is
    rewound only to the earliest effective date the new day's reports touch.
    """
    population = max((a.population for a in assertions), default=0)
    by_avail: dict[dt.date, list[Assertion]] = {}
    for a in assertions:
        if not a.historical:
            t, known = a.t, a.known
            day = known if known > t else t  # a.available
            got = by_avail.get(day)
            if got is None:
                by_avail[day] = [a]
            else:
                got.append(a)
    group_days: list[dt.date] = []
    groups: dict[dt.date, list[Assertion]] = {}
    snapshots: list[Run | None] = []  # state after group i
    out: list[Segment] = []
    last: Run | None = None  # the run of the last segment
    for day in sorted(by_avail):
        new = by_avail[day]
        first = new[0].t
        for a in new:
            t = a.t
            if t < first:
                first = t
            got = groups.get(t)
            if got is None:
                bisect.insort(group_days, t)
                groups[t] = [a]
            else:
                got.append(a)
        idx = bisect.bisect_left(group_days, first)
        del snapshots[idx:]
        state = snapshots[-1] if snapshots else None
        for i in range(idx, len(group_days)):
            t = group_days[i]
            state = step(state, t, groups[t], population)
            snapshots.append(state)
        # a run of other evidence differs from the last one at once; the full comparison is for the rest
        if state is not None and state is not last and (
                last is None or state.evidence != last.evidence or state != last):
            out.append(Segment(day, state))
            last = state
    return with_decays(out)


def hindsight_segments(assertions: Sequence[Assertion], known_on: dt.date | None = None) -> list[Segment]:
    """The state of one place on each day as known on `known_on` (all knowledge when None).

    Historical events count here, but only for days before their report's news window (rule 8).
    """
    window = dt.timedelta(days=int(rules()["historical_window_days"]))
    known = [a for a in assertions if known_on is None or a.known <= known_on]
    days = sorted({a.t for a in known} | {a.known - window for a in known if a.historical})
    out: list[Segment] = []
    for day in days:
        usable = [a for a in known if a.t <= day and (not a.historical or day < a.known - window)]
        state = fold(usable)
        if state is not None and (not out or out[-1].run != state):
            out.append(Segment(day, state))
    return with_decays(out)


def state_at(segments: Sequence[Segment], on: dt.date) -> Segment | None:
    i = bisect.bisect_right([s.start for s in segments], on) - 1
    return segments[i] if i >= 0 else None


def to_state(place: PlaceInfo, seg: Segment, on: dt.date, until: dt.date | None = None) -> ControlState:
    r = seg.run
    return ControlState(place=place.name, geonames_id=place.geonames_id, latitude=place.latitude,
                        longitude=place.longitude, on=on, controller=r.controller, since=r.since, until=until,
                        confidence=r.confidence(), evidence=list(r.evidence), disputed_by=list(r.disputed_by),
                        reported=r.pending, reported_evidence=list(r.pending_evidence))


# --- from events to places -------------------------------------------------------------------
def _place_infos(events: Iterable[Event]) -> dict[str, PlaceInfo]:
    """One display record per place key: the most frequent name, the first coordinates seen."""
    names: dict[str, dict[str, int]] = {}
    first: dict[str, PlaceInfo] = {}
    # Events share Location records: each is counted here, then placed once, in the order of the
    # events that first name it (the entry keeps it alive: its id stays its own).
    seen: dict[int, list] = {}
    for ev in events:
        loc = ev.location
        got = seen.get(id(loc))
        if got is None:
            seen[id(loc)] = [loc, 1]
        else:
            got[1] += 1
    for loc, n in seen.values():
        p = place_of(loc)
        if p is None:
            continue
        first.setdefault(p.key, p)
        if p.latitude is not None and first[p.key].latitude is None:
            first[p.key] = replace(first[p.key], latitude=p.latitude, longitude=p.longitude)
        counts = names.setdefault(p.key, {})
        counts[p.name] = counts.get(p.name, 0) + n
    return {k: replace(p, name=max(names[k].items(), key=lambda kv: (kv[1], kv[0]))[0]) for k, p in first.items()}


def baseline_assertions(baseline: Iterable, infos: Mapping[str, PlaceInfo]) -> tuple[list[Assertion], list[PlaceInfo]]:
    """Assertions from baseline rows (frontwatch.store.BaselineRow); rows naming a place that the
    events only know by id are matched by folded name."""
    by_name: dict[str, list[PlaceInfo]] = {}
    for p in infos.values():
        by_name.setdefault(_fold_name(p.name), []).append(p)
    strength = float(rules()["strength"]["baseline"])
    out: list[Assertion] = []
    places: list[PlaceInfo] = []
    for row in baseline:
        key = place_key(row.geonames_id, row.latitude, row.longitude, row.place)
        if row.geonames_id is None:
            # A row without an id is the same-named place the events know, when it lies near it
            # (within the distance at which the geocoder takes a row for a gazetteer settlement,
            # gazetteer/augment.py; or, without coordinates, when only one place has that name):
            # never another one.
            same = by_name.get(_fold_name(row.place), [])
            if row.latitude is not None and row.longitude is not None:
                same = [p for p in same if p.latitude is not None and p.longitude is not None
                        and haversine_km(p.latitude, p.longitude, row.latitude, row.longitude) <= SAME_PLACE_KM]
            if len(same) == 1:
                key = same[0].key
        if key is None:
            continue
        if key not in infos:
            places.append(PlaceInfo(key, row.place, row.geonames_id, row.latitude, row.longitude))
        voice = Voice(f"baseline:{row.source or 'analyst'}", "baseline", strength, row.source, None, "asserted")
        out.append(Assertion(place=key, outcome=row.controller, side=None, t=row.on, known=row.on, event_id=None,
                             report_id=None, voices=(voice,), kind="baseline", baseline=True,
                             population=population_of(row.geonames_id)))
    return out, places


def collect(events: Sequence[Event], cluster_of: Mapping[str, str],
            baseline: Iterable = ()) -> tuple[dict[str, PlaceInfo], dict[str, list[Assertion]]]:
    infos = _place_infos(events)
    per_place: dict[str, list[Assertion]] = {}
    for ev in events:
        a = assertion_of(ev, cluster_of)
        if a is not None:
            per_place.setdefault(a.place, []).append(a)
    base, extra = baseline_assertions(baseline, infos)
    for p in extra:
        infos.setdefault(p.key, p)
    for a in base:
        per_place.setdefault(a.place, []).append(a)
    return infos, per_place


def clusters_for(events: Iterable[Event], reports: Mapping) -> dict[str, str]:
    """Source clusters of the reports behind the events (reports: report_id -> Report)."""
    from frontwatch.fusion.sources import ReportSource

    ids = {ev.report_id for ev in events}
    return cluster_reports(ReportSource.from_text(rid, reports[rid].source, reports[rid].text)
                           for rid in sorted(ids) if rid in reports)


def control_timeline(events: Sequence[Event], reports: Mapping, baseline: Iterable = (),
                     hindsight: dt.date | None = None) -> dict[str, list[ControlState]]:
    """Per place key, the timeline of states (pure).

    By default each state is as it was known on its first day (`on`), ending the day before the
    next one (`until`) — what `control --on` prints on each day. With `hindsight=D`, the states
    are as known on D, historical background included for the past.
    """
    cluster_of = clusters_for(events, reports)
    infos, per_place = collect(events, cluster_of, baseline)
    out: dict[str, list[ControlState]] = {}
    for key, assertions in per_place.items():
        segs = live_segments(assertions) if hindsight is None else hindsight_segments(assertions, hindsight)
        states = []
        for i, seg in enumerate(segs):
            until = segs[i + 1].start - dt.timedelta(days=1) if i + 1 < len(segs) else None
            states.append(to_state(infos[key], seg, seg.start, until))
        if states:
            out[key] = states
    return out
