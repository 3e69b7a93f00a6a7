"""Ranks the places a name can stand for: name match, importance, the report's geography, cues.

Each candidate gets a score in [0, 1]; the mention's confidence is the best score less half the
best rival's (a place that contains the best one is no rival). Below ABSTAIN_BELOW: no guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from frontwatch.gazetteer.build import TIER_ALT, TIER_BARE_REGION, TIER_GENERATED, TIER_NAME
from frontwatch.gazetteer.index import Match, Place, haversine_km

ABSTAIN_BELOW = 0.40
# A resolved mention lends its place to the report's geography when at least this sure.
ANCHOR_MIN = 0.50
# Nearby places support each other: support falls by e every DISTANCE_SCALE_KM.
DISTANCE_SCALE_KM = 75.0
# Without any other place in the report, how plausible a place is by country (war reporting).
COUNTRY_PRIOR = {"UA": 0.5, "RU": 0.35, "BY": 0.35, "MD": 0.35}
OTHER_COUNTRY_PRIOR = 0.2
# A cue contradicting a place's kind ("Kharkiv governor" for the city) keeps this share of its score.
WRONG_KIND = 0.3
TYPO_PER_LETTER = 3.0
ALT_NAME_SCORE = 0.85
# ... and much weaker when a settlement of the same country has the name as its own: a city's old
# or rare other name ("Aleksandrovka" for a city) does not outweigh the villages so named.
ALT_BEHIND_OWN = 0.6
ADMIN1_NEAR_SUPPORT = 0.6
ADMIN1_DOC_SUPPORT = 0.35
# A place named in another sentence of the report supports a little less than one in the same.
OTHER_SENTENCE_WEIGHT = 0.8
# "Zarichne, Donetsk region": the region the text names after the place is where it lies.
QUALIFIED_SUPPORT = 0.7
# A place "in the X district" lies within about this distance of the district's seat.
DISTRICT_KM = 40.0
# ... and a same-named place outside it keeps this share of its score.
QUALIFIER_MISS = 0.12


@dataclass
class Anchor:
    """A place the report names with confidence: the geography other mentions are read against."""

    place: Place
    label: str        # the mention text, for reasons
    group: int        # resolution group it came from (a group never supports itself)
    sents: frozenset[int] = frozenset()  # sentences it is named in
    weak: bool = False  # resolved, but not surely: supports only the places of its own sentences


@dataclass
class Context:
    kind: str | None = None                     # "region", "settlement", "water" or None
    anchors: list[Anchor] = field(default_factory=list)
    admin1_near: set[tuple[str, str]] = field(default_factory=set)   # (country, code) named beside it
    admin1_doc: set[tuple[str, str]] = field(default_factory=set)    # named anywhere in the report
    group: int = -1
    sents: frozenset[int] = frozenset()   # sentences the mention is in
    name_key: str = ""                    # the folded name as written
    # The admin units a qualifier after the name says it lies in: (country, admin1 code), or
    # (country, "*") for a country ("Belgorod, Russia").
    qualifier: frozenset[tuple[str, str]] | None = None
    qualifier_label: str = ""
    seat: Place | None = None   # the seat of the district the text puts it in ("X, Izium district, ...")
    # The namesake that a line the sentence calls up (data/gazetteer/lines.yaml) lies on, and why.
    on_line: int | None = None
    on_line_why: str = ""


def in_qualifier(p: Place, qualifier: frozenset[tuple[str, str]]) -> bool:
    return (p.country, "*") in qualifier or (p.country, p.admin1_code) in qualifier \
        or bool(p.also_admin1) and bool(p.regions & qualifier)


@dataclass
class Scored:
    match: Match
    score: float
    why: str

    @property
    def place(self) -> Place:
        return self.match.place


def importance(p: Place) -> float:
    """How likely a reporter means this place, before any context: size and rank."""
    if p.is_country:
        return 1.0
    if p.feature_code.startswith("ADM1"):
        return 0.8
    if p.feature_class in ("A", "L"):
        return 0.7
    imp = min(1.0, max(0.05, (math.log10(p.population + 1) - 3.0) / 3.5))
    if p.feature_code == "PPLC":
        imp = max(imp, 0.9)
    elif p.feature_code == "PPLA":
        imp = max(imp, 0.6)
    elif p.feature_code == "PPLA2":
        imp = max(imp, 0.35)
    return imp


def _name_score(m: Match, kind: str | None) -> float:
    if m.distance:
        # One wrong letter in a long name is a typo; in a short one it may be another name.
        length = max(1, len(m.key or m.place.name))
        return max(0.2, 1.0 - TYPO_PER_LETTER * m.distance / length)
    if m.tier == TIER_BARE_REGION:
        # "Kharkiv" alone is the city; with a region cue it is the oblast.
        return 1.0 if kind == "region" else 0.6
    if m.tier == TIER_GENERATED:
        return 0.8
    if m.tier == TIER_ALT:
        # Another place's own name beats a name this one has only as an alternate (often former).
        return ALT_NAME_SCORE
    return 1.0


def _geo(p: Place, ctx: Context) -> tuple[float, str]:
    """Support from the report's geography, with the reason in words."""
    a1 = (p.country, p.admin1_code)
    best, why = 0.0, ""
    anchors = [a for a in ctx.anchors if a.group != ctx.group]
    if p.is_country:
        return 1.0, ""
    if p.is_region:
        if any(a.place.country == p.country and p.admin1_code and (a.place.admin1_code == p.admin1_code
                                                                   or p.admin1_code in a.place.also_admin1)
               for a in anchors):
            return 1.0, "contains other places named"
        return 0.5, ""
    qualified = bool(ctx.qualifier) and in_qualifier(p, ctx.qualifier)  # type: ignore[arg-type]
    if a1 in ctx.admin1_near:
        # A region is large: naming it beside a place counts less than a town named 20 km away.
        best, why = ADMIN1_NEAR_SUPPORT, f"in {p.admin1 or p.admin1_code} named beside it"
    elif p.also_admin1 and p.regions & ctx.admin1_near:
        best, why = ADMIN1_NEAR_SUPPORT, "on the border of a region named beside it"
    elif a1 in ctx.admin1_doc:
        best, why = ADMIN1_DOC_SUPPORT, f"in {p.admin1 or p.admin1_code} named in the report"
    elif p.also_admin1 and p.regions & ctx.admin1_doc:
        best, why = ADMIN1_DOC_SUPPORT, "on the border of a region named in the report"
    near, near_why = 0.0, ""
    for a in anchors:
        ap = a.place
        if ap.is_country:
            continue
        same = bool(a.sents & ctx.sents) or not ctx.sents
        if a.weak and not same:
            continue
        w = 1.0 if same else OTHER_SENTENCE_WEIGHT
        if ap.is_region:
            if ap.feature_code == "RGN":
                s = w * 0.6 * math.exp(-haversine_km(p.latitude, p.longitude, ap.latitude, ap.longitude) / 150.0)
                if s > near:
                    near, near_why = s, f"near {a.label}"
            continue
        d = haversine_km(p.latitude, p.longitude, ap.latitude, ap.longitude)
        s = w * math.exp(-d / DISTANCE_SCALE_KM)
        if s > near:
            near, near_why = s, f"{d:.0f} km from {a.label}"
    if ctx.seat is not None:
        # A district is some 30-60 km across: inside it is as good as it gets.
        d = haversine_km(p.latitude, p.longitude, ctx.seat.latitude, ctx.seat.longitude)
        s = 1.0 if d <= DISTRICT_KM else math.exp(-(d - DISTRICT_KM) / 25.0)
        if s >= near:
            near, near_why = s, f"{d:.0f} km from the seat of its district, {ctx.seat.name}"
    if ctx.on_line is not None and p.index == ctx.on_line:
        # The sentence's own words put the action on a line, and of the namesakes only this one is on it.
        near, near_why = 1.0, ctx.on_line_why
    if qualified:
        # The qualifier says where; the places named around it still choose among its namesakes.
        why = f"in {ctx.qualifier_label or p.admin1 or p.country}, as the text qualifies it"
        if near >= 0.05:
            why += f"; {near_why}"
        return QUALIFIED_SUPPORT + (1.0 - QUALIFIED_SUPPORT) * near, why
    if near > best:
        best, why = near, near_why
    # Without a settlement to measure from, the report's country is all there is to go by.
    if not any(a.place.is_settlement for a in anchors):
        prior = COUNTRY_PRIOR.get(p.country, OTHER_COUNTRY_PRIOR)
        if prior > best:
            best, why = prior, f"no other place to go by; {p.country} prior"
    return best, why


def _kind_factor(p: Place, kind: str | None, has_region: bool, has_water: bool) -> float:
    if kind == "water":
        return 1.0 if p.is_water else 0.0
    if kind == "region":
        # "the Izium district" has no region of its own: the town stands for it.
        return 1.0 if (p.is_region or not has_region) else WRONG_KIND
    if kind in ("settlement", "district", "facility"):
        # "the Izium district", "Myrhorodska hromada": the unit is read through its seat.
        return 1.0 if p.is_settlement else WRONG_KIND
    if p.is_water and not has_water:
        return 0.5
    return 1.0


def _shares_word(key: str, name: str) -> bool:
    """"Krasny Lyman" for Lyman: a former name that keeps a word of the present one is its own."""
    from frontwatch.gazetteer.names import fold

    own = {w for w in fold(name).split() if len(w) >= 4}
    return bool(own & {w for w in key.split() if len(w) >= 4})


def score_candidates(matches: list[Match], ctx: Context) -> list[Scored]:
    """Every candidate scored and sorted best first."""
    has_region = any(m.place.is_region for m in matches)
    has_water = any(m.place.is_water for m in matches)
    owners = {m.place.country for m in matches
              if m.place.is_settlement and m.tier in (TIER_NAME, TIER_GENERATED) and not m.distance
              and (not ctx.qualifier or in_qualifier(m.place, ctx.qualifier))}
    out: list[Scored] = []
    for m in matches:
        p = m.place
        n = _name_score(m, ctx.kind)
        behind = m.tier == TIER_ALT and not m.distance and p.is_settlement and p.country in owners \
            and not _shares_word(ctx.name_key, p.name)
        if behind:
            n *= ALT_BEHIND_OWN
        imp = importance(p)
        geo, geo_why = _geo(p, ctx)
        k = _kind_factor(p, ctx.kind, has_region, has_water)
        s = n * (imp + (1.0 - imp) * geo) * k
        outside = bool(ctx.qualifier) and not p.is_country and not in_qualifier(p, ctx.qualifier)  # type: ignore[arg-type]
        if outside:
            s *= QUALIFIER_MISS
        bits = []
        if m.distance:
            bits.append(f"typo (edit distance {m.distance})")
        elif m.tier == TIER_GENERATED:
            bits.append("transliterated name")
        if p.population:
            bits.append(f"pop {p.population:,}")
        if geo_why:
            bits.append(geo_why)
        if k < 1.0:
            bits.append(f"kind does not fit the cue '{ctx.kind}'")
        if behind:
            bits.append("only another name of it: same-country places have it as their own")
        if outside:
            bits.append(f"not in {ctx.qualifier_label or 'the region the text names'}")
        out.append(Scored(m, round(s, 4), ", ".join(bits)))
    out.sort(key=lambda c: (-c.score, -c.place.population, c.place.index))
    return out


def nested(a: Place, b: Place) -> bool:
    """One place contains the other (a region and a place in it): not rival readings of a name."""
    if a.country != b.country:
        return False
    if a.is_country or b.is_country:
        return True
    if a.is_region != b.is_region and a.admin1_code and (a.admin1_code == b.admin1_code
                                                         or a.admin1_code in b.also_admin1
                                                         or b.admin1_code in a.also_admin1):
        return True
    return False


def _same_referent(a: Scored, b: Scored) -> bool:
    """A place and the region named after it ("Moscow", "Moscow Oblast") read the same words."""
    if a.place.country != b.place.country:
        return False
    return TIER_BARE_REGION in (a.match.tier, b.match.tier) and a.place.is_region != b.place.is_region


# Namesakes this close (a town and the village beside it) are one answer for a map: no rivals.
NEXT_DOOR_KM = 10.0
# A rival scoring at least this share of the best one is a tie.
TIE_RATIO = 0.95


def _next_door(a: Place, b: Place) -> bool:
    return a.is_settlement and b.is_settlement and \
        haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) <= NEXT_DOOR_KM


def confidence(ranked: list[Scored]) -> tuple[float, Scored | None]:
    """The best candidate's confidence: its score less half the best rival's."""
    if not ranked:
        return 0.0, None
    best = ranked[0]
    rival = next((c for c in ranked[1:] if not nested(best.place, c.place) and not _same_referent(best, c)
                  and not _next_door(best.place, c.place)), None)
    conf = best.score - (0.5 * rival.score if rival else 0.0)
    if rival is not None and rival.score >= TIE_RATIO * best.score:
        # Two places far apart that the text fits equally well (same name, same region): a guess
        # would put the event 100 km off as often as not. No answer.
        conf = min(conf, best.score - rival.score)
    return max(0.0, round(conf, 4)), rival
