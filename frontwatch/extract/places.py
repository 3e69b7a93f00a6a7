"""Places: every place a parsed report names, resolved against the gazetteer or left unresolved.

Recognition joins spaCy's NER with a token-based gazetteer lookup; cues around a name (region,
city, river, governor) and the report's own geography choose among same-name places.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from frontwatch.gazetteer import Gazetteer
from frontwatch.gazetteer.augment import is_overlay
from frontwatch.gazetteer.build import TIER_ALT, TIER_GENERATED, TIER_NAME, load_yaml
from frontwatch.gazetteer.index import Match, Place, polyline_km
from frontwatch.gazetteer.names import district_seat_names, fold
from frontwatch.gazetteer.rank import (
    ABSTAIN_BELOW,
    ANCHOR_MIN,
    TIE_RATIO,
    Anchor,
    Context,
    Scored,
    confidence,
    score_candidates,
)
from frontwatch.model import PlaceMention
from frontwatch.nlp import closes_phrase, doc_ents, doc_text, doc_tokens

PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Labels NER gives to place names by mistake; trusted only with the gazetteer and context.
DOUBTFUL_LABELS = {"PERSON", "ORG", "NORP"}
# Entities that are never places, whatever the gazetteer says ("in March", "since May").
NOT_PLACE_LABELS = {"DATE", "TIME", "MONEY", "QUANTITY", "CARDINAL", "ORDINAL", "PERCENT", "LANGUAGE", "LAW"}
# Lower-case words that may sit inside a place name ("Rostov-on-Don", "Sea of Azov").
NAME_LINKS = {"-", "on", "of", "na", "upon", "the", "de", "la", "del", "am", "an", "der", "'s"}
POSSESSIVE = {"'s", "’s", "'", "’"}
RESOLVE_ROUNDS = 3


@dataclass(frozen=True)
class Cues:
    region_suffixes: frozenset[str]
    region_after: frozenset[str]
    region_before_of: frozenset[str]
    settlement_after: frozenset[str]
    settlement_before_of: frozenset[str]
    water_after: frozenset[str]
    water_before_of: frozenset[str]
    place_nouns: frozenset[str]
    locative_preps: frozenset[str]
    place_verbs: frozenset[str]
    possessed_nouns: frozenset[str]
    subject_verbs: frozenset[str]
    local_nouns: frozenset[str]
    always_metonymy: dict[str, str]
    party_nouns: frozenset[str]
    contest_nouns: frozenset[str]
    contest_preps: frozenset[str]
    object_verbs: frozenset[str]
    state_adjectives: frozenset[str]
    district_nouns: dict[str, str]
    district_modifiers: frozenset[str]
    district_adjectives: dict
    facilities: dict[tuple[str, ...], tuple[str, str]]
    facility_starts: dict[str, list[tuple[tuple[str, ...], tuple[str, str]]]]
    city_district_endings: tuple[str, ...] = ()
    region_plurals: frozenset[str] = frozenset()
    apposed_town_nouns: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=1)
def cues() -> Cues:
    c = load_yaml("cues.yaml")
    m = c["metonymy"]

    def fs(x: list[str]) -> frozenset[str]:
        return frozenset(w.lower() for w in x)

    facilities = {tuple(k.lower().split()): tuple(v.split(".", 1)) for k, v in (c.get("facilities") or {}).items()}
    starts: dict[str, list] = {}
    for words, code in sorted(facilities.items(), key=lambda kv: -len(kv[0])):
        starts.setdefault(words[0], []).append((words, code))
    return Cues(
        fs(c["region_suffixes"]), fs(c["region_after"]), fs(c["region_before_of"]), fs(c["settlement_after"]),
        fs(c["settlement_before_of"]), fs(c["water_after"]), fs(c["water_before_of"]), fs(c["place_nouns"]),
        fs(c["locative_preps"]), fs(c["place_verbs"]), fs(m["possessed_nouns"]), fs(m["subject_verbs"]),
        fs(m["local_nouns"]), {fold(k): v for k, v in (m.get("always") or {}).items()},
        fs(m.get("party_nouns") or []), fs(m.get("contest_nouns") or []), fs(m.get("contest_preps") or []),
        fs(m.get("object_verbs") or []), fs(m.get("state_adjectives") or []),
        {k.lower(): v for k, v in (c.get("district_nouns") or {}).items()}, fs(c.get("district_modifiers") or []),
        c.get("district_adjectives") or {"endings": [], "seat_endings": [], "alternations": {}},
        facilities, starts, tuple(e.lower() for e in c.get("city_district_endings") or []),
        fs(c.get("region_plurals") or []), fs(c.get("apposed_town_nouns") or []),
    )


@dataclass
class Found:
    """One place mention before resolution."""

    start: int                     # token span [start, end)
    end: int
    key: str                       # folded name looked up
    matches: list[Match]
    kind: str | None = None        # cue: region / settlement / water
    source: str = "gazetteer"      # gazetteer, ner, typo
    metonymy: bool = False
    always_metonymy: str | None = None
    group: int = -1
    sent: int = 0
    sure: bool = False             # NER or the parse says place (else only the gazetteer does)
    qual: frozenset[tuple[str, str]] | None = None  # admin units a qualifier after it names
    qual_label: str = ""
    defer: Found | None = None     # the mention events use instead of this one (a qualifier's place)
    unit: tuple[str, str] | None = None      # ("district", "ADM2"): a unit named after its seat
    district: Found | None = None  # "Yampil, Lymanskyi district, ...": the unit it lies in
    facility: tuple[str, str, str] | None = None  # ("nuclear power plant", "S", "PSN"): named after it
    city_district: bool = False    # "Kyiv - Pecherskyi": a district of the city, placed at the city


@dataclass
class Group:
    """Mentions of one name with one cue: one sense per report."""

    key: str
    kind: str | None
    matches: list[Match]
    members: list[Found] = field(default_factory=list)
    ranked: list[Scored] = field(default_factory=list)
    conf: float = 0.0
    rival: Scored | None = None
    typo: bool = False
    qual: frozenset[tuple[str, str]] | None = None
    qual_label: str = ""
    district: Found | None = None
    elsewhere: bool = False    # read as the same name elsewhere in the report (its qualifier fits none)


# --------------------------------------------------------------------------- recognition
def _capitalised(t: Token) -> bool:
    return bool(t.text) and t.text[0].isupper()


def _gazetteer_spans(doc: Doc, gaz: Gazetteer, cue: Cues) -> list[tuple[int, int, str]]:
    """Longest names found in the index, starting at capitalised tokens: (start, end, key)."""
    out: list[tuple[int, int, str]] = []
    text = doc_text(doc)
    toks = doc_tokens(doc)
    n = len(toks)
    # What the walk reads of each token, read once (a token's attributes are looked up at each access).
    words = [t.text for t in toks]
    caps = [bool(w) and w[0].isupper() for w in words]  # _capitalised
    i = 0
    while i < n:
        t = toks[i]
        if not caps[i] or not t.is_alpha and "-" not in words[i] and "." not in words[i]:
            i += 1
            continue
        first = fold(words[i])
        longest = gaz.max_words(first)
        hit: tuple[int, int, str] | None = None
        # Hyphens are tokens of their own, so a name of w words spans up to 2w - 1 tokens.
        for j in range(min(n, i + 2 * longest - 1), i, -1):
            last = toks[j - 1]
            if j - i > 1 and not (caps[j - 1] or last.lower_ in cue.region_suffixes):
                continue
            if any(not caps[k] and toks[k].lower_ not in NAME_LINKS for k in range(i + 1, j - 1)):
                continue
            if any(toks[k].is_sent_start for k in range(i + 1, j)):
                continue
            key = fold(text[t.idx:last.idx + len(words[j - 1])])
            if gaz.has_key(key):
                hit = (i, j, key)
                break
        if hit:
            out.append(hit)
            i = hit[1]
        else:
            i += 1
    return out


def _trim(span: Span) -> tuple[int, int]:
    """An entity without its article and possessive: "the Donbas's" -> "Donbas"."""
    s, e = span.start, span.end
    doc = span.doc
    while s < e and (doc[s].lower_ in ("the", "a", "an") or not doc[s].is_alpha and doc[s].text != "-"):
        s += 1
    while e > s and (doc[e - 1].text in POSSESSIVE or doc[e - 1].is_punct):
        e -= 1
    return s, e


def _is_demonym(span: Span) -> bool:
    """"Ukrainian", "Russians": NER sometimes calls them GPE; they are not places."""
    toks = [t for t in span if t.is_alpha]
    if not toks:
        return True
    if all(t.tag_ in ("JJ", "NNPS", "NNS") for t in toks):
        return True
    return toks[-1].lower_.endswith(("ian", "ians", "ese", "ish", "ean", "eans", "ans"))


def _cue_after(doc: Doc, end: int, cue: Cues) -> tuple[str | None, int]:
    """The cue word right after a name, and the new end if the word belongs to the name."""
    if end >= len(doc):
        return None, end
    if _unit_after(doc, end, cue) is not None:
        return "district", end
    if _facility_after(doc, end, cue) is not None:
        return "facility", end
    w = doc[end].lower_
    if w in cue.water_after:
        return "water", end + 1
    if w in cue.region_suffixes:
        return "region", end + 1
    if w in cue.region_after:
        return "region", end
    if w in cue.settlement_after:
        return "settlement", end
    return None, end


def _unit_after(doc: Doc, end: int, cue: Cues) -> tuple[str, str, int] | None:
    """"district", "raion", "territorial community" after a name: (noun, feature code, end)."""
    j = end
    while j < len(doc) and j - end < 2 and doc[j].lower_ in cue.district_modifiers:
        j += 1
    if j < len(doc) and doc[j].lower_ in cue.district_nouns:
        return doc[j].lower_, cue.district_nouns[doc[j].lower_], j + 1
    return None


def _facility_after(doc: Doc, end: int, cue: Cues) -> tuple[str, str, str, int] | None:
    """"nuclear power plant", "airport", "highway" after a name (or its "'s"): the longest phrase."""
    n_doc = len(doc)
    if end >= n_doc:
        return None
    j = end + 1 if doc[end].text in POSSESSIVE else end
    if j >= n_doc:
        return None
    options = cue.facility_starts.get(doc[j].lower_)
    if not options:
        return None
    best = None
    for words, (fclass, fcode) in options:  # longest first
        n = len(words)
        if j + n <= n_doc and all(doc[j + k].lower_ == w for k, w in enumerate(words)):
            best = (" ".join(words), fclass, fcode, j + n)
            break
    return best


FACILITY_LOCATORS = {"at", "in", "near", "outside", "of"}


def _facility_before(doc: Doc, start: int, cue: Cues) -> tuple[str, str, str] | None:
    """"the nuclear power plant at Chornobyl": a facility noun phrase the name locates."""
    if start < 2 or doc[start - 1].lower_ not in FACILITY_LOCATORS:
        return None
    head = doc[start - 1].head
    if head.i >= start or head.dep_ == "ROOT" and head.pos_ == "VERB":
        return None
    if head.dep_ == "appos" and head.head.lower_ in cue.settlement_before_of or _renames_a_town(doc, head, start):
        # "took the second town of the region, the river port of X": the phrase names the town again
        return None
    words = [c.lower_ for c in head.lefts if c.dep_ in ("compound", "amod") and c.i > head.left_edge.i - 1] + \
        [head.lower_]
    # the longest tail of the phrase that is a facility ("former nuclear power plant" -> "nuclear power plant")
    for k in range(len(words)):
        code = cue.facilities.get(tuple(words[k:]))
        if code is not None and (len(words) - k > 1 or words[-1] != "facility"):
            return (" ".join(words[k:]), code[0], code[1])
    return None


def _renames_a_town(doc: Doc, head: Token, start: int) -> bool:
    """"seized the first major city in the south, the strategic port of X, as ...": a phrase set off
    by commas right after a noun phrase about a town names that town again, however the parser
    attached it. Surface test: "the [words] <head> of X" follows a comma that closes a phrase with
    a town noun a few words back, and X's phrase ends at a comma or the sentence's end (a list,
    "the city, the port of X and the station", goes on with "and")."""
    left = head.i
    while left > 0 and head.i - left < 4 and doc[left - 1].pos_ in ("DET", "ADJ", "NOUN", "PROPN") \
            and doc[left - 1].text != ",":
        left -= 1
    if left < 2 or doc[left - 1].text != "," or start <= head.i:
        return False
    sent_start = doc[start].sent.start
    back = [t for t in doc[max(sent_start, left - 8):left - 1]]
    if not any(t.lower_ in cues().apposed_town_nouns and t.tag_ == "NN" for t in back) or any(t.is_punct for t in back):
        return False
    toks = doc_tokens(doc)
    end = start
    while end < len(toks) and (toks[end].pos_ == "PROPN" or toks[end].text in ("-", "'")):
        end += 1
    return closes_phrase(toks, end)


def _cue_before(doc: Doc, start: int, cue: Cues) -> str | None:
    """"the region of Kharkiv", "the town of Izium", "the river of ..."."""
    if start >= 2 and doc[start - 1].lower_ == "of":
        w = doc[start - 2].lower_
        if w in cue.region_before_of:
            return "region"
        if w in cue.settlement_before_of:
            return "settlement"
        if w in cue.water_before_of:
            return "water"
    if start >= 1 and doc[start - 1].lower_ in cue.water_after and start >= 2 and doc[start - 2].lower_ == "the":
        return "water"  # "the river Oskil"
    return None


def _place_context(doc: Doc, start: int, end: int, cue: Cues, place_tokens: set[int]) -> bool:
    """Does the parse say this is a place? Preposition, cue word, apposition, place verb, coordination."""
    head = doc[start:end].root
    if start > 0 and doc[start - 1].lower_ in cue.locative_preps:
        return True
    if head.dep_ == "pobj" and head.head.lower_ in cue.locative_preps:
        return True
    if _unit_after(doc, end, cue) is not None or _facility_after(doc, end, cue) is not None:
        return True
    if end < len(doc) and (doc[end].lower_ in cue.region_suffixes or doc[end].lower_ in cue.region_after
                           or doc[end].lower_ in cue.settlement_after or doc[end].lower_ in cue.water_after):
        return True
    if any(c.dep_ == "appos" and c.lemma_.lower() in cue.place_nouns for c in head.children):
        return True
    if head.dep_ in ("dobj", "nsubjpass") and head.head.lemma_.lower() in cue.place_verbs:
        return True
    if head.dep_ == "conj" and head.head.i in place_tokens:
        return True
    if any(c.dep_ == "conj" and c.i in place_tokens for c in head.children):
        return True
    return False


def _strong(matches: list[Match]) -> bool:
    """A name whose places a reporter of this war means without saying so: a country, a region,
    a capital, or a town of the war's countries."""
    for m in matches:
        p = m.place
        if p.is_country or p.is_region or p.feature_code in ("PPLC", "PPLA"):
            return True
        if p.country in ("UA", "RU", "BY", "MD") and p.population >= 10_000:
            return True
    return False


def _abbreviation(doc: Doc, f: Found) -> bool:
    """"DPR", "LPR": a self-proclaimed republic's initials, which name its forces far more often
    than its land."""
    text = doc[f.start:f.end].text
    return f.end - f.start == 1 and text.isupper() and 2 <= len(text) <= 4 and any(m.place.is_region for m in f.matches)


def _metonymy(doc: Doc, f: Found, cue: Cues) -> bool:
    """A capital or a country standing for its state: "Moscow's biggest loss", "Kyiv says",
    "talks with Kyiv", "the fight for Kyiv", "accused Moscow of ...", "Washington and London
    condemned"; a republic's initials anywhere but after a preposition of place ("DPR forces")."""
    if f.always_metonymy:
        return True
    span = doc[f.start:f.end]
    root = span.root
    if _abbreviation(doc, f):
        prev = doc[f.start - 1] if f.start > 0 else None
        if prev is not None and prev.lower_ == "the" and f.start > 1:
            prev = doc[f.start - 2]
        return not (prev is not None and prev.lower_ in cue.locative_preps)
    if not any(m.place.is_country or m.place.feature_code == "PPLC" for m in f.matches):
        return False
    nxt = doc[f.end] if f.end < len(doc) else None
    if nxt is not None and nxt.text in POSSESSIVE or root.dep_ == "poss":
        possessed = root.head if root.dep_ == "poss" else None
        if possessed is None and nxt is not None and nxt.i + 1 < len(doc):
            possessed = doc[nxt.i + 1]
        if possessed is not None:
            lemma = possessed.lemma_.lower()
            # "Kiev's military infrastructure": the state's, whatever it owns.
            words = [possessed, *possessed.children, *(possessed.head.children if possessed.dep_ == "amod" else [])]
            if any(w.lower_ in cue.state_adjectives for w in words if w.i > f.end - 1):
                return True
            if lemma in cue.local_nouns or possessed.lower_ in cue.local_nouns:
                return False
            # "Moscow's biggest loss": the head noun, past its adjectives.
            return lemma in cue.possessed_nouns or possessed.lower_ in cue.possessed_nouns
        return False
    # "Washington and London condemned": a conjunct takes the first conjunct's role.
    first = root
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
    head = first.head
    if first.dep_ in ("nsubj", "nsubjpass"):
        return head.lemma_.lower() in cue.subject_verbs
    if first.dep_ == "dobj":
        return head.lemma_.lower() in cue.object_verbs
    if first.dep_ == "pobj":
        noun = head.head
        if head.lower_ in ("with", "between") and (noun.lemma_.lower() in cue.party_nouns
                                                   or noun.lower_ in cue.party_nouns):
            return True  # "talks with Kyiv", "negotiations between Moscow and Kyiv"
        if head.lower_ in cue.contest_preps and noun.lemma_.lower() in cue.contest_nouns:
            return True  # "the fight for Kyiv"
    return False


@functools.lru_cache(maxsize=1)
def _person_cues() -> dict[str, frozenset[str]]:
    c = load_yaml("cues.yaml").get("own_settlement_person") or {}
    return {k: frozenset(w.lower() for w in v or ()) for k, v in c.items()}


def _verb_of(prep: Token) -> Token:
    """The verb a preposition hangs from, past a particle ("pulled out of X" -> pull)."""
    t = prep.head
    while t.dep_ in ("prep", "prt", "advmod") and t.head.i != t.i:
        t = t.head
    return t


def _person_like(doc: Doc, start: int, end: int, labels: set[str], cue: Cues) -> bool:
    """Does the text use this name as a person's (cues.yaml `own_settlement_person`)? The name
    speaks or is spoken to; a noun that is not a place stands beside it; or the NER says PERSON and
    nothing in the text makes it a place (a settlement noun, a preposition or verb of place)."""
    pc = _person_cues()
    root = doc[start:end].root
    head = root.head
    if "PERSON" in labels and not labels & PLACE_LABELS:  # the NER calls part of it a place: not a person
        placed = _cue_before(doc, start, cue) == "settlement" \
            or end < len(doc) and doc[end].lower_ in cue.settlement_after \
            or start > 0 and doc[start - 1].lower_ in pc.get("place_preps", ()) \
            or root.dep_ == "pobj" and head.lower_ in pc.get("place_preps", ()) \
            or root.dep_ in ("dobj", "nsubjpass") and head.lemma_.lower() in pc.get("place_verbs", ()) \
            or root.dep_ == "pobj" and head.lower_ in pc.get("leave_preps", ()) \
            and _verb_of(head).lemma_.lower() in pc.get("leave_verbs", ())
        if not placed:
            return True
    if root.dep_ in ("nsubj", "nsubjpass") and head.lemma_.lower() in pc.get("speech_verbs", ()):
        return True
    if root.dep_ in ("dobj", "dative") and head.lemma_.lower() in pc.get("addressee_verbs", ()):
        return True
    if root.dep_ == "pobj" and head.lower_ in pc.get("addressee_preps", ()) \
            and head.head.lemma_.lower() in pc.get("addressee_verbs", ()):
        return True  # "spoke to Ostap", "was killed by ..."
    if root.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ in pc.get("according_to", ()):
        return True
    for c in root.children:
        if c.dep_ != "appos" or c.i < end:
            continue
        words = {c.lemma_.lower(), c.lower_}
        if words & (cue.place_nouns | cue.settlement_before_of | cue.settlement_after | cue.region_suffixes
                    | cue.region_after):
            continue
        if any(t.like_num or t.ent_type_ in PLACE_LABELS for t in c.subtree):
            continue  # "X, 20 km south of Y", "X, Kherson region": where it is
        if c.pos_ == "NOUN":
            return True  # "Ostap, a volunteer medic"
    return False


def recognise(doc: Doc, gaz: Gazetteer) -> list[Found]:
    cue = cues()
    found: dict[tuple[int, int], Found] = {}
    taken: set[int] = set()
    ents_by_token: dict[int, Span] = {}
    for ent in doc_ents(doc):
        for t in range(ent.start, ent.end):
            ents_by_token[t] = ent

    gaz_spans = _gazetteer_spans(doc, gaz, cue)
    place_tokens: set[int] = set()
    for ent in doc_ents(doc):
        if ent.label_ in PLACE_LABELS and not _is_demonym(ent):
            place_tokens.update(range(ent.start, ent.end))
    for s, e, _ in gaz_spans:
        place_tokens.add(doc[s:e].root.i)

    accepted_keys: set[str] = set()
    sure_keys: set[str] = set()
    pending: list[tuple[int, int, str, list[Match]]] = []
    for s, e, key in gaz_spans:
        matches = gaz.lookup_key(key)
        ents = {ents_by_token[t] for t in range(s, e) if t in ents_by_token}
        labels = {x.label_ for x in ents}
        # Part of a longer person or organisation name ("United Russia", "Andriy Yermak").
        # An "organisation" with a comma inside is the NER misreading "Tykhe Pole, Kharkiv region".
        # So is one before a facility noun: "the Kharkiv-Chuhuiv highway".
        wider = [x for x in ents if x.label_ in DOUBTFUL_LABELS and (x.start < s or x.end > e)
                 and not any(doc[t].lower_ in cue.region_suffixes or doc[t].text == "," for t in range(x.start, x.end))
                 and _facility_after(doc, x.end, cue) is None]
        if wider or labels & NOT_PLACE_LABELS:
            continue
        if any(is_overlay(gaz, m.place) for m in matches) and _person_like(doc, s, e, labels, cue):
            # A store's own village named like a person ("Yarema said ..."): the person, never the
            # village; only the gazetteer's places may overrule the reading (with context or size).
            matches = [m for m in matches if not is_overlay(gaz, m.place)]
            if not matches:
                continue
        sure = bool(labels & PLACE_LABELS) or _place_context(doc, s, e, cue, place_tokens)
        if sure:
            ok = True
        elif labels & DOUBTFUL_LABELS:
            ok = _strong(matches)
        else:
            ok = all(doc[t].pos_ == "PROPN" or not doc[t].is_alpha or doc[t].lower_ in cue.region_suffixes
                     for t in range(s, e)) and (_strong(matches) or not doc[s].is_sent_start)
        if ok:
            accepted_keys.add(key)
            if sure:
                sure_keys.add(key)
            pending.append((s, e, key, matches))
        else:
            pending.append((s, e, key, []))  # decided below: one sense per report
    for s, e, key, matches in pending:
        if not matches:
            if key not in accepted_keys:
                continue
            matches = gaz.lookup_key(key)
        found[(s, e)] = Found(s, e, key, matches, sure=key in sure_keys)
        taken.update(range(s, e))

    # Seats of government standing for it ("the Kremlin said"): always metonymy, placed at the seat.
    toks, text = doc_tokens(doc), doc_text(doc)
    words = [t.text for t in toks]
    for i, w in enumerate(words):
        if not w or not w[0].isupper() or i in taken:  # _capitalised
            continue
        t = toks[i]
        for n in (2, 1):
            if t.i + n > len(toks):
                continue
            last = toks[t.i + n - 1]
            key = fold(text[t.idx:last.idx + len(last.text)])  # the span's text
            if key in cue.always_metonymy and not any(x in taken for x in range(t.i, t.i + n)):
                found[(t.i, t.i + n)] = Found(t.i, t.i + n, key, gaz.lookup(cue.always_metonymy[key]), sure=True)
                taken.update(range(t.i, t.i + n))
                break

    # Units named by an adjective of their seat: "Bakhmutskyi district", "Myrhorodska hromada".
    adj = cue.district_adjectives
    endings = tuple(e.lower() for e in adj["endings"])
    for t in doc_tokens(doc):
        if not t.lower_.endswith(endings) or not _capitalised(t) or not t.is_alpha \
                or _unit_after(doc, t.i + 1, cue) is None:
            continue
        if t.i in taken:
            # "Sumskyi district": a word the gazetteer holds only as another place's spelling
            # (a transliteration, a typo, another name) is the adjective of its seat.
            prior = found.get((t.i, t.i + 1))
            if prior is None or any(m.tier == TIER_NAME and not m.distance for m in prior.matches):
                continue
        start = t.i
        if start >= 2 and doc[start - 1].text in ("-", "–") and _capitalised(doc[start - 2]) \
                and start - 2 not in taken:
            start -= 2  # "Velyka-Bahachanska"
        word = doc[start:t.i + 1].text
        seats = district_seat_names(word, adj["endings"], adj["seat_endings"], adj["alternations"])
        matches: list[Match] = []
        seen: set[int] = set()
        for name in seats:
            for m in gaz.lookup(name):
                if m.place.is_settlement and m.place.index not in seen and not m.distance:
                    seen.add(m.place.index)
                    matches.append(m)
        if matches:
            found.pop((t.i, t.i + 1), None)
            found[(start, t.i + 1)] = Found(start, t.i + 1, fold(word), matches, source="unit", sure=True)
            taken.update(range(start, t.i + 1))

    # ACLED's city districts, "City - Adjective": "Kharkiv - Saltivskyi", "Kyiv - Pecherskyi". The
    # district of that city, placed at it; never the city itself, nor a namesake of the district's name.
    for t in toks:
        if t.text not in ("-", "–") or t.i < 1 or t.i + 1 >= len(toks) or not toks[t.i - 1].whitespace_ \
                or not t.whitespace_:
            continue
        r = toks[t.i + 1]
        if not (r.is_alpha and _capitalised(r) and r.lower_.endswith(cue.city_district_endings)):
            continue
        left: tuple[int, list[Match]] | None = None
        for n in (3, 2, 1):
            s0 = t.i - n
            if s0 < 0 or not all(_capitalised(toks[k]) or toks[k].text in ("-", "'") for k in range(s0, t.i)):
                continue
            ms = [m for m in gaz.lookup(doc[s0:t.i].text)
                  if m.place.is_settlement and not m.distance and m.tier != TIER_ALT]
            if ms:
                left = (s0, ms)
                break
        if left is None:
            continue
        s0, ms = left
        for k in [k for k in found if k[0] < t.i + 2 and k[1] > s0]:
            del found[k]
        cd = Found(s0, t.i + 2, fold(doc[s0:t.i].text), ms, source="unit", sure=True, city_district=True)
        found[(s0, t.i + 2)] = cd
        taken.update(range(s0, t.i + 2))

    # NER places the gazetteer does not know: typos, or villages that are not bundled.
    for ent in doc_ents(doc):
        if ent.label_ not in PLACE_LABELS or _is_demonym(ent):
            continue
        s, e = _trim(ent)
        if s >= e or any(t in taken for t in range(s, e)):
            continue
        if not _capitalised(doc[s]):
            continue
        key = fold(doc[s:e].text)
        found[(s, e)] = Found(s, e, key, [], source="ner", sure=True)
        taken.update(range(s, e))

    out = sorted(found.values(), key=lambda f: f.start)
    for f in out:
        kind, new_end = _cue_after(doc, f.end, cue)
        before = _cue_before(doc, f.start, cue)
        f.kind = before or kind
        if kind == "water" and new_end > f.end and not (new_end < len(doc) and new_end in taken):
            f.end = new_end
        if kind == "district":
            u = _unit_after(doc, f.end, cue)
            f.unit = (u[0], u[1]) if u else None
        elif kind == "facility":
            fa = _facility_after(doc, f.end, cue)
            f.facility = (fa[0], fa[1], fa[2]) if fa else None
        if f.city_district:
            f.kind, f.unit, f.facility = "district", ("city district", "ADM3"), None
        if f.key in cue.always_metonymy:
            f.always_metonymy = cue.always_metonymy[f.key]
        f.sent = doc[f.start].sent.start
    _plural_regions(doc, out, cue)
    _between_regions(doc, out)
    # "the Kharkiv-Chuhuiv highway": every name joined to the facility's is part of it; so is
    # each name before a plural one ("the Chornobyl and Zaporizhzhia nuclear power plants").
    for f in reversed(out):
        if f.facility is None:
            continue
        plural = f.facility[0].endswith("s")
        for g in out:
            if g.facility is not None or g.end > f.start or f.start - g.end > 6:
                continue  # a join or a short list only: never walk the text between far names
            between = list(doc[g.end:f.start])
            joined = len(between) == 1 and between[0].text in ("-", "–")
            listed = plural and between and all(t.lower_ in ("and", ",", "or", "the") for t in between)
            if joined or listed:
                g.facility, g.kind = f.facility, "facility"
    # "the nuclear power plant at Chornobyl", "the airport near Kherson": the facility's locator.
    for f in out:
        if f.facility is None and f.kind is None:
            fa = _facility_before(doc, f.start, cue)
            if fa is not None:
                f.facility, f.kind = fa, "facility"
    out = _qualify(doc, out, gaz, taken)
    _coded_to(doc, out)
    for f in out:
        f.metonymy = _metonymy(doc, f, cue)
    return out


def _plural_regions(doc: Doc, found: list[Found], cue: Cues) -> None:
    """"the regions of Donetsk and Luhansk", "the Zaporizhzhia and Kherson regions", "the provinces
    of A, B and C": a plural region noun makes every name of the list a region, not only the one
    beside the noun."""
    toks = doc_tokens(doc)
    chain: list[Found] = []

    def settle(chain: list[Found]) -> None:
        if len(chain) < 2:
            return
        first, last = chain[0], chain[-1]
        before = first.start >= 2 and toks[first.start - 1].lower_ == "of" \
            and toks[first.start - 2].lower_ in cue.region_plurals
        after = toks[last.end - 1].lower_ in cue.region_plurals or (
            last.end < len(toks) and toks[last.end].lower_ in cue.region_plurals)
        if before or after:
            for f in chain:
                if f.kind in (None, "settlement", "region"):
                    f.kind = "region"

    for f in found:
        if chain:
            between = [t.text.lower() for t in toks[chain[-1].end:f.start]]
            if between and len(between) <= 2 and all(w in (",", "and", "or") for w in between):
                chain.append(f)
                continue
            settle(chain)
        chain = [f]
    settle(chain)


MOVE_FROM, MOVE_INTO = "from", ("into", "to", "toward", "towards")


def _between_regions(doc: Doc, found: list[Found]) -> None:
    """"pushing east from Kharkiv into Luhansk": a move from one name that is also its region's into
    another such name goes from region to region; neither city is where the front is."""
    toks = doc_tokens(doc)

    def shares_region(f: Found) -> bool:
        return f.kind is None and any(m.place.feature_code == "ADM1" for m in f.matches) \
            and any(m.place.feature_code.startswith("PPL") for m in f.matches)

    for g, f in zip(found, found[1:], strict=False):
        if g.start < 1 or toks[g.start - 1].lower_ != MOVE_FROM or f.end - g.end > 4:
            continue
        between = [t.lower_ for t in toks[g.end:f.start]]
        if len(between) != 1 or between[0] not in MOVE_INTO:
            continue
        if shares_region(g) and shares_region(f):
            g.kind = f.kind = "region"


def _coded_to(doc: Doc, found: list[Found]) -> None:
    """ACLED's "the Myrhorodska hromada (coded to Myrhorod, Poltava)": the parenthesis says which
    place stands for the unit or region named before it; events use that place."""
    by_start = {f.start: f for f in found}
    toks = doc_tokens(doc)
    for i in range(len(doc) - 3):
        if toks[i].text != "(" or toks[i + 1].lower_ != "coded" or toks[i + 2].lower_ != "to":
            continue
        target = by_start.get(i + 3)
        if target is None:
            continue
        before = [f for f in found if f.end <= i and f is not target]
        if not before:
            continue
        last = max(before, key=lambda f: f.end)
        if doc[last.end:i].text.strip(" ,") and not all(
                t.lower_ in cues().district_nouns or t.lower_ in cues().district_modifiers
                or t.lower_ in cues().region_suffixes or t.is_punct for t in doc[last.end:i]):
            continue
        for f in found:
            # the unit, and a region it is "of" ("the Kharkivska district of the Kharkiv region (coded to X)")
            if f is not target and f.end <= i and f.sent == target.sent and f.start >= doc[i].sent.start \
                    and (f is last or f.unit is not None or f.kind == "region" or _admin_units(f)) \
                    and f.defer is None:
                f.defer = target


# --------------------------------------------------------------------------- qualifiers
# After a qualifier these make it an item of a list instead: "Kharkiv, Sumy and Chernihiv".
LIST_WORDS = {"and", "or", "&", "/", "nor"}
# Entity labels a name before ", Region" may carry and still be a village the NER misread.
QUALIFIED_LABELS = PLACE_LABELS | {"PERSON", "ORG"}


def _admin_units(f: Found) -> frozenset[tuple[str, str]]:
    """The first-level regions (or countries) a name can stand for, as qualifier keys."""
    keys: set[tuple[str, str]] = set()
    for m in f.matches:
        p = m.place
        if p.is_country:
            keys.add((p.country, "*"))
        elif p.feature_code.startswith("ADM1") and p.admin1_code:
            keys.add((p.country, p.admin1_code))
    return frozenset(keys)


def _in_units(matches: list[Match], units: frozenset[tuple[str, str]]) -> bool:
    return any((m.place.country, m.place.admin1_code) in units or (m.place.country, "*") in units
               or m.place.also_admin1 and m.place.regions & units
               for m in matches if not m.place.is_country)


def _unnamed_before(doc: Doc, comma: int, taken: set[int], ents: dict[int, Span]) -> tuple[int, int] | None:
    """Capitalised words right before ", Region" that no one took for a place: a village the
    gazetteer and the NER do not know ("shelled Pidlisne, Kharkiv region")."""
    e = comma
    s = e
    while s > 0 and (doc[s - 1].is_alpha and _capitalised(doc[s - 1]) or doc[s - 1].text in ("-", "'", "’")
                     and s - 1 > 0 and _capitalised(doc[s - 2])):
        s -= 1
        if e - s > 5:
            return None
    if s >= e or not _capitalised(doc[s]) or doc[s].is_sent_start or any(t in taken for t in range(s, e)):
        return None
    prev = doc[s - 1]
    if not (prev.is_lower or prev.lower_ in ("the",)):
        return None  # mid-sentence after a verb, a preposition or a noun: not a heading, not a date
    for t in range(s, e):
        ent = ents.get(t)
        if ent is not None and ent.label_ not in QUALIFIED_LABELS:
            return None
    if _is_demonym(doc[s:e]):
        return None
    return s, e


def _widen_left(doc: Doc, f: Found, gaz: Gazetteer, taken: set[int]) -> None:
    """A name before a qualifier that the region does not hold may be the tail of a longer one
    ("Tykhe Pole"): take the capitalised words before it, as far as a lower-case word."""
    s = f.start
    while s > 0 and doc[s - 1].is_alpha and _capitalised(doc[s - 1]) and s - 1 not in taken \
            and not doc[s - 1].is_sent_start and f.start - s < 3:
        s -= 1
    if s == f.start or s == 0 or not doc[s - 1].is_lower:
        return
    key = fold(doc[s:f.end].text)
    taken.update(range(s, f.start))
    f.start, f.key, f.matches, f.source = s, key, gaz.lookup_key(key), "pattern"


def _gap_ok(doc: Doc, start: int, end: int) -> bool:
    """Words that may stand between a name and its qualifier's comma: "Huliaipole district, ...",
    "Kozacha village, ...", "Velyka-Bahachanska territorial community, ...", "(coded to X), ..."."""
    cue = cues()
    gap = doc[start:end]
    return 0 < len(gap) <= 3 and all(
        t.lower_ in cue.district_nouns or t.lower_ in cue.district_modifiers or t.lower_ in cue.settlement_after
        or t.lower_ in cue.region_suffixes or t.text == ")" for t in gap)


def _qualify(doc: Doc, found: list[Found], gaz: Gazetteer, taken: set[int]) -> list[Found]:
    """"Zarichne, Donetsk region", "Kupiansk, Kharkiv", "Yampil, Lyman district, Donetsk": the region
    after a comma says where the place before it lies. The place is read inside that region, and the
    qualifier is no place of its own for events (it defers to the place it qualifies)."""
    ents: dict[int, Span] = {}
    for ent in doc_ents(doc):
        for t in range(ent.start, ent.end):
            ents[t] = ent
    # Villages the gazetteer and the NER missed, before a region qualifier.
    added: list[Found] = []
    by_end = {f.end: f for f in found}
    for q in found:
        if q.start < 2 or doc[q.start - 1].text != "," or q.kind in ("settlement", "water") or not _admin_units(q):
            continue
        comma = q.start - 1
        j = comma
        while j > 0 and j - 1 not in taken and (doc[j - 1].lower_ in cues().district_nouns
                                                or doc[j - 1].lower_ in cues().district_modifiers):
            j -= 1
        unit = by_end.get(j) if j < comma else None
        if unit is not None and unit.kind == "district" and unit.start >= 2 and doc[unit.start - 1].text == ",":
            comma = unit.start - 1  # "Vilshany, Dergachivskyi district, Kharkiv region": the name before the unit
        span = _unnamed_before(doc, comma, taken, ents)
        if span is None:
            continue
        s, e = span
        key = fold(doc[s:e].text)
        nf = Found(s, e, key, gaz.lookup_key(key), source="pattern", sure=True)
        nf.sent = doc[s].sent.start
        added.append(nf)
        taken.update(range(s, e))
    out = sorted(found + added, key=lambda f: f.start)

    def after_comma(f: Found) -> Found | None:
        for g in out:
            if g.start == f.end + 1 and doc[f.end].text == ",":
                return g
        return None

    starts = {f.start for f in out}

    def list_follows(q: Found) -> bool:
        """"Sumy, Kharkiv and Chernihiv": a name after "and"/"or" (not "Kharkiv and brought her")."""
        j = q.end + (1 if q.end < len(doc) and doc[q.end].text == "," else 0)
        if j >= len(doc) or doc[j].lower_ not in LIST_WORDS:
            return False
        j += 1
        if j < len(doc) and doc[j].lower_ == "the":
            j += 1
        return j < len(doc) and (j in starts or _capitalised(doc[j]))

    def qualified_next(q: Found) -> bool:
        """"Olenivka, Poltava region, and Stepove, Cherkasy region": a list of qualified places."""
        j = q.end + (2 if q.end < len(doc) and doc[q.end].text == "," else 1)
        g = next((x for x in out if x.start == j), None)
        later = after_comma(g) if g is not None else None
        return later is not None and bool(_admin_units(later))

    for i in range(len(out) - 1, 0, -1):
        q = out[i]
        units = _admin_units(q)
        if not units or q.kind in ("settlement", "water") or q.always_metonymy:
            continue
        if q.start < 1 or doc[q.start - 1].text != ",":
            continue
        a = out[i - 1]
        if a.end != q.start - 1 and not _gap_ok(doc, a.end, q.start - 1):
            continue
        if list_follows(q) and not qualified_next(q):
            continue  # "Kharkiv, Sumy and Chernihiv regions"
        later = after_comma(q)
        if later is not None and _admin_units(later) and not any(k[1] == "*" for k in _admin_units(later)):
            continue  # a list of regions
        targets = [a]
        # "Yampil, Lyman district, Donetsk": the district too stands between place and region.
        if a.kind in ("region", "district") and not _admin_units(a) and i >= 2:
            b = out[i - 2]
            if b.end == a.start - 1 and doc[b.end].text == ",":
                targets.append(b)
                if a.kind == "district":
                    b.district = a
        place = targets[-1]
        explicit = q.end > q.start + 1 and doc[q.end - 1].lower_ in cues().region_suffixes
        if place.matches and not _in_units(place.matches, units) and not explicit:
            continue  # not a place of that region: a list ("Bucha, Kyiv") or another sense
        if not _in_units(place.matches, units):
            _widen_left(doc, place, gaz, taken)  # "near Tykhe Pole, Kharkiv region": the whole name
        label = doc[q.start:q.end].text
        for t in targets:
            t.qual, t.qual_label, t.sure = units, label, True
        for t in targets[:-1]:
            t.defer = place
        q.defer = place
        if not any(k[1] == "*" for k in units):
            q.kind = "region"
    return out


# --------------------------------------------------------------------------- lines
@dataclass(frozen=True)
class Line:
    name: str
    cues: tuple[tuple[str, ...], ...]
    near_km: float
    margin_km: float
    points: tuple[tuple[float, float], ...]


@functools.lru_cache(maxsize=1)
def lines() -> tuple[Line, ...]:
    rows = (load_yaml("lines.yaml") or {}).get("lines") or []
    return tuple(Line(r["name"], tuple(tuple(c.lower().replace("'", " ' ").split()) for c in r["cues"]),
                      float(r["near_km"]), float(r["margin_km"]), tuple((float(a), float(b)) for a, b in r["points"]))
                 for r in rows)


def _sentence_words(doc: Doc, sent_start: int) -> list[str]:
    out: list[str] = []
    sent = doc[sent_start].sent
    for t in doc_tokens(doc)[sent.start:sent.end]:
        # "DPR's" -> dpr ' s: a cue matches whole words, and a possessive splits off
        out.extend(t.lower_.replace("’", "'").replace("'", " ' ").split())
    return out


def _has_cue(words: list[str], cue: tuple[str, ...]) -> bool:
    n = len(cue)
    return any(tuple(words[i:i + n]) == cue for i in range(len(words) - n + 1))


def _on_line(doc: Doc, g: Group) -> tuple[int | None, str]:
    """The one namesake of a group that lies on a line its sentence calls up, if the others lie well
    off it: "shelled DPR positions near Pervomaiske, Donetsk" -> the Pervomaiske on the republics'
    line of contact. (None, "") when no line is called up or no namesake stands out."""
    # Places whose own name it is (another name of a city is no namesake here).
    cands = [m.place for m in g.matches if m.place.is_settlement and not m.distance and m.tier != TIER_ALT
             and (not g.qual or m.place.regions & g.qual
                  or (m.place.country, "*") in g.qual)]
    if len(cands) < 2:
        return None, ""
    for line in lines():
        words: list[str] = []
        for s in sorted({f.sent for f in g.members}):
            words += _sentence_words(doc, s)
        cue = next((c for c in line.cues if _has_cue(words, c)), None)
        if cue is None:
            continue
        dist = sorted((polyline_km(p.latitude, p.longitude, line.points), p.index) for p in cands)
        (d0, i0), (d1, _) = dist[0], dist[1]
        if d0 <= line.near_km and d1 >= d0 + line.margin_km:
            return i0, f"{d0:.0f} km from {line.name} ('{' '.join(cue)}' in its sentence), its namesakes {d1:.0f}+ km"
    return None, ""


# --------------------------------------------------------------------------- resolution
def _candidates(f: Found, gaz: Gazetteer) -> tuple[list[Match], bool]:
    if f.always_metonymy:
        return gaz.lookup(f.always_metonymy), False
    # "Krasnogorovka", "Aleksandrovka": a Russian-style spelling of a Ukrainian name, respelled
    # (a Crimean village may bear the Russian form as its own: the rank decides between them).
    respelled = {m.place.index: m for m in gaz.respelled(f.key)}
    if respelled:
        # A place whose own name the respelling is: the name is its own, not another name.
        merged = [respelled.pop(m.place.index) if m.tier == TIER_ALT and m.place.index in respelled
                  and respelled[m.place.index].tier == TIER_GENERATED else m for m in f.matches]
        have = {m.place.index for m in merged}
        return merged + [m for i, m in respelled.items() if i not in have], False
    if f.matches:
        return f.matches, False
    return gaz.fuzzy(f.key), True


def _admin1_of(g: Group) -> tuple[str, str] | None:
    if g.ranked and g.conf >= ANCHOR_MIN:
        p = g.ranked[0].place
        if p.feature_code.startswith("ADM1"):
            return (p.country, p.admin1_code)
    return None


def resolve(doc: Doc, found: list[Found], gaz: Gazetteer) -> list[Group]:
    groups: dict[tuple, Group] = {}
    for f in found:
        gkey = (f.always_metonymy or f.key, f.kind, f.qual, f.district.key if f.district else None)
        g = groups.get(gkey)
        if g is None:
            matches, typo = _candidates(f, gaz)
            g = groups[gkey] = Group(f.key, f.kind, matches, typo=typo, qual=f.qual, qual_label=f.qual_label,
                                     district=f.district)
        g.members.append(f)
    glist = list(groups.values())
    for gi, g in enumerate(glist):
        for f in g.members:
            f.group = gi

    anchors: list[Anchor] = []
    on_line = [_on_line(doc, g) for g in glist]

    def seat_of(g: Group) -> Place | None:
        """The seat of the district the text puts the place in, once that district is read."""
        if g.district is None or g.district.group < 0:
            return None
        dg = glist[g.district.group]
        if dg.ranked and dg.conf >= ABSTAIN_BELOW and dg.ranked[0].place.is_settlement:
            return dg.ranked[0].place
        return None

    for _ in range(RESOLVE_ROUNDS):
        # Regions named in the report, and those named in the same sentence as each group.
        region_sents: dict[tuple[str, str], set[int]] = {}
        for g in glist:
            a1 = _admin1_of(g)
            if a1:
                for f in g.members:
                    region_sents.setdefault(a1, set()).add(f.sent)
        for gi, g in enumerate(glist):
            sents = {f.sent for f in g.members}
            ctx = Context(
                kind=g.kind, anchors=anchors, group=gi, sents=frozenset(sents), name_key=g.key,
                admin1_near={a1 for a1, ss in region_sents.items() if ss & sents},
                admin1_doc=set(region_sents),
                qualifier=g.qual, qualifier_label=g.qual_label,
                seat=seat_of(g),
            )
            g.ranked = score_candidates(g.matches, ctx)
            g.conf, g.rival = confidence(g.ranked)
            pick = on_line[gi][0]
            if pick is not None and g.conf < ABSTAIN_BELOW and g.ranked and any(
                    c.place.index == pick for c in g.ranked if c.score >= TIE_RATIO * g.ranked[0].score):
                # Only a tie the rest of the text leaves open: the line chooses among the tied.
                ctx.on_line, ctx.on_line_why = on_line[gi]
                g.ranked = score_candidates(g.matches, ctx)
                g.conf, g.rival = confidence(g.ranked)
        new_anchors = []
        for gi, g in enumerate(glist):
            if not g.ranked or g.conf < ABSTAIN_BELOW:
                continue
            p = g.ranked[0].place
            if p.is_country or all(f.metonymy for f in g.members):
                continue
            # Names in one sentence read each other ("hold A, ..., and take the nearby town of B"),
            # even when neither is sure alone; a sure name lends its place to the whole report.
            new_anchors.append(Anchor(p, doc[g.members[0].start:g.members[0].end].text, gi,
                                      frozenset(f.sent for f in g.members), weak=g.conf < ANCHOR_MIN))
        if [(a.place.index, a.group, a.weak) for a in new_anchors] == \
                [(a.place.index, a.group, a.weak) for a in anchors]:
            break
        anchors = new_anchors
    _one_sense(glist)
    return glist


def _one_sense(glist: list[Group]) -> None:
    """"the Snihurivka district (coded to Snihurivka, Kherson region)" with Snihurivka in another
    region: a qualifier that fits none of a name's namesakes is the writer's slip, and the name keeps
    the reading the report gives it elsewhere (one sense per report)."""
    for g in glist:
        if g.conf >= ABSTAIN_BELOW or not g.qual or not g.matches or _in_units(g.matches, g.qual):
            continue
        sure = [o for o in glist if o is not g and o.key == g.key and o.conf >= ABSTAIN_BELOW and o.ranked
                and o.ranked[0].place.is_settlement]
        if len({o.ranked[0].place.index for o in sure}) == 1:
            o = sure[0]
            g.ranked, g.conf, g.rival = o.ranked, o.conf, o.rival
            g.elsewhere = True


def _reason(g: Group) -> str:
    n = len(g.ranked)
    if g.kind == "water" and not any(c.place.is_water and c.score > 0 for c in g.ranked):
        return f"a water body ({g.kind} cue) the gazetteer does not hold; {n} same-name places are not it"
    if not n:
        return "not in the gazetteer" + (" (no name within the typo distance)" if g.typo else "")
    best = g.ranked[0]
    where = f"{best.place.name} ({best.place.admin1 or best.place.country})"
    rival = f"; next {g.rival.place.name} ({g.rival.place.admin1 or g.rival.place.country}) {g.rival.score:.2f}" \
        if g.rival else ""
    cue = f"; cue '{g.kind}'" if g.kind else ""
    if g.qual:
        cue += f"; qualified by '{g.qual_label}'"
        if g.elsewhere:
            cue += ", which holds none of its namesakes: read as elsewhere in the report"
    if g.conf < ABSTAIN_BELOW:
        return f"abstained: best of {n} {where} scores {best.score:.2f}, confidence {g.conf:.2f} < " \
               f"{ABSTAIN_BELOW:.2f} ({best.why}){rival}{cue}"
    return f"{where}, best of {n}: {best.why or 'only reading'}{rival}{cue}"


def _precision(g: Group, best: Scored) -> int:
    p = best.place
    if p.is_settlement and g.kind in ("region", "district", "facility"):
        return 2  # "the Izium district": around the town
    return p.geo_precision


def find_places(doc: Doc, gazetteer: Gazetteer) -> list[PlaceMention]:
    """Every place mention of the report, sorted by start; unresolved ones without id or coordinates."""
    found = recognise(doc, gazetteer)
    return [m for m, _ in _mentions(doc, found, resolve(doc, found, gazetteer), gazetteer)]


def _mentions(doc: Doc, found: list[Found], groups: list[Group],
              gazetteer: Gazetteer) -> list[tuple[PlaceMention, Found]]:
    """A PlaceMention per found mention worth printing, in the order of `found` (sorted by start)."""
    out: list[tuple[PlaceMention, Found]] = []
    text = doc_text(doc)
    for f in found:
        g = groups[f.group] if f.group >= 0 else None
        span = doc[f.start:f.end]
        start, end = span.start_char, span.end_char
        base = dict(mention=text[start:end], start=start, end=end, metonymy=f.metonymy,
                    defer_to=doc[f.defer.start].idx if f.defer is not None else None)
        if g is None or not g.ranked or g.conf < ABSTAIN_BELOW:
            if not f.sure:
                continue  # only the gazetteer thought it a place, and it found no good reading
            extra: dict = {}
            if f.facility is not None or f.unit is not None:
                # unresolved, but still no settlement: a facility or a unit named after one
                noun, fclass, fcode = f.facility or (f.unit[0], "A", f.unit[1])  # type: ignore[index]
                extra = dict(name=f"{base['mention']} {noun}", feature_class=fclass, feature_code=fcode)
            out.append((PlaceMention(**base, **extra, candidates=len(g.ranked) if g else 0,
                                     score=round(g.conf, 3) if g and g.ranked else None,
                                     reason=_reason(g) if g else "not in the gazetteer"), f))
            continue
        best = g.ranked[0]
        p = best.place
        name, gid, fclass, fcode, why = p.name, p.geonames_id, p.feature_class, p.feature_code, ""
        lat, lon = p.latitude, p.longitude
        seat = gazetteer.region_seat(p) if not f.metonymy else None
        if seat is not None:
            # ACLED's convention for an event known only to its region (geo_precision 3): the point
            # of the region's administrative centre. The region stays a region (never a controller).
            lat, lon = seat.latitude, seat.longitude
            why = f"the region, at the point of its centre {seat.name}; "
        if p.is_settlement and f.unit is not None:
            # A unit named after its seat: placed at the seat, but not the town.
            name, gid, fclass, fcode = f"{p.name} {f.unit[0]}", None, "A", f.unit[1]
            why = f"the {f.unit[0]} of {p.name}, placed at its seat; "
            if f.city_district:
                name = f"{p.name} - {doc[f.end - 1].text}"
                why = f"a district of the city of {p.name}, placed at the city; "
        elif p.is_settlement and f.facility is not None:
            name, gid, fclass, fcode = f"{p.name} {f.facility[0]}", None, f.facility[1], f.facility[2]
            why = f"the {f.facility[0]} named after {p.name}, not the town; "
        out.append((PlaceMention(
            **base, name=name, geonames_id=gid, latitude=lat, longitude=lon,
            country=p.country, admin1=p.admin1, feature_class=fclass, feature_code=fcode,
            geo_precision=_precision(g, best), score=round(g.conf, 3), candidates=len(g.ranked),
            reason=("metonymy: stands for the state; " if f.metonymy else "") + why + _reason(g),
        ), f))
    return out


def explain(doc: Doc, gazetteer: Gazetteer) -> list[tuple[PlaceMention, list[Scored]]]:
    """Each mention with its ranked candidates (for `frontwatch geocode`)."""
    found = recognise(doc, gazetteer)
    groups = resolve(doc, found, gazetteer)
    return [(m, groups[f.group].ranked if f.group >= 0 else []) for m, f in _mentions(doc, found, groups, gazetteer)]
