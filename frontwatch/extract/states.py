"""Statements of state: who holds a settlement on the report's day, as the report describes it.

Most reporting names who holds a place rather than narrating the change: "the Russian-occupied
city of X", "Ukrainian-held X", "the formerly occupied village of X", "X remains under Russian
control", "Ukrainian troops are still in control of X", "X is back in Ukrainian hands". Each such
description of a settlement becomes an event of kind `held`: `control.to` is the holder, extent
full, dated the report's day (it says nothing of when the place changed hands), with the claim
chain of the sentence (a Russian speaker's or outlet's "liberated" means Russia holds it).

Not states: regions and parts ("occupied areas around X", "the occupied X region"), a bare name
shared with its region ("occupied X" where X is also the oblast), negations, modals, aims and
clauses of time or condition ("before it was occupied", "if X remains under Russian control",
"threatens to occupy X"), the past ("X was held by Russian forces for a month").
The word lists are frontwatch/data/extract/states.yaml.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from spacy.tokens import Doc, Token

from frontwatch.extract.actors import acled_name, describe, other_side
from frontwatch.extract.attribution import Attribution, Attributor, outlet_side
from frontwatch.extract.events import (
    STANCE_CONFIDENCE,
    PlaceIndex,
    PlaceRef,
    _negated_or_unreal,
    _speaker_side,
    place_attributor,
)
from frontwatch.model import ControlChange, Event, Evidence, Location, PlaceMention, Report, kind_to_acled
from frontwatch.nlp import doc_text

DATA = Path(__file__).resolve().parent.parent / "data" / "extract"
KIND = "held"


@dataclass(frozen=True)
class StateTable:
    holders: dict[str, str]
    words: dict[str, dict]
    now_other: frozenset[str]
    now_same: frozenset[str]
    void: frozenset[str]
    settlement_nouns: frozenset[str]
    not_settlement: frozenset[str]
    copulas: frozenset[str]
    control_nouns: frozenset[str]
    hands_nouns: frozenset[str]
    holding_verbs: frozenset[str]
    control_of_verbs: frozenset[str]
    modals: frozenset[str]
    marks_void: frozenset[str]
    partial: frozenset[str]
    countries: frozenset[str]
    cues: frozenset[str]


@functools.lru_cache(maxsize=1)
def state_table() -> StateTable:
    raw = yaml.safe_load((DATA / "states.yaml").read_text(encoding="utf-8"))
    holders = {str(w).lower(): side for side, words in raw["holder_words"].items() for w in words}
    words = {str(k).lower(): dict(v or {}) for k, v in raw["state_words"].items()}

    def fs(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in raw.get(key) or [])

    control_nouns, hands = fs("control_nouns"), fs("hands_nouns")
    cues = frozenset({w.split("-")[-1] for w in words} | control_nouns | hands | {"holding", "holds", "hold"})
    return StateTable(holders, words, fs("before_now_other"), fs("before_now_same"), fs("before_void"),
                      fs("settlement_nouns"), fs("not_settlement"), fs("copulas"), control_nouns, hands,
                      fs("holding_verbs"), fs("control_of_verbs"), fs("modal_words"), fs("clause_marks_void"), fs("partial_words"),
                      frozenset(str(c).upper() for c in raw.get("countries") or ["UA"]), cues)


@dataclass
class Statement:
    ref: PlaceRef
    holder: str                 # UA or RU
    anchor: Token               # the word the claim chain is read from
    rule: str
    speaker_dependent: bool = False  # "liberated": the holder is the speaker's side
    neutral: str | None = None       # ... and this side in the neutral press's voice
    not_from: str | None = None      # no statement in this side's voice ("occupied" from Russia)
    flip: bool = False               # "formerly ...": the other side holds it now


def _low(t: Token) -> str:
    return t.lower_.replace("’", "'")


def _settlement(m: PlaceMention) -> bool:
    """A resolved settlement of the war's territory (countries in states.yaml)."""
    if not m.resolved or m.metonymy or m.geo_precision not in (None, 1):
        return False
    if m.country not in state_table().countries:
        return False  # "the Russia-controlled Soviet Union" is no settlement on the map
    return bool(m.feature_code) and m.feature_code.upper().startswith("PPL")


def _fold(s: str | None) -> str:
    return "".join(ch for ch in (s or "").lower() if ch.isalpha())


def _shares_region_name(m: PlaceMention) -> bool:
    """"occupied X" where X is also its oblast's name may mean the region: only a settlement noun
    ("the occupied city of X") makes it the settlement."""
    return bool(m.admin1) and _fold(m.admin1) in (_fold(m.name), _fold(m.mention))


def _named_with_noun(head: Token, table: StateTable) -> bool:
    """The name comes with a settlement noun: "the city of X", "the town X", "X, a town", "its
    capital X"."""
    nouns = table.settlement_nouns
    if head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.lemma_.lower() in nouns:
        return True
    if head.dep_ in ("appos", "compound") and head.head.lemma_.lower() in nouns:
        return True
    return any(c.dep_ in ("appos", "compound", "nmod") and c.lemma_.lower() in nouns for c in head.children)


# --------------------------------------------------------------------------- words before a place
def _merged_words(tokens: list[Token]) -> list[tuple[str, Token]]:
    """The words of a modifier span, hyphenated forms joined ("Russian - held" -> "russian-held")."""
    out: list[tuple[str, Token]] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.text in ("-", "–") and out and i + 1 < len(tokens):
            word, _ = out[-1]
            nxt = tokens[i + 1]
            out[-1] = (f"{word}-{_low(nxt)}", nxt)
            i += 2
            continue
        if not t.is_punct:
            out.append((_low(t), t))
        i += 1
    return out


def _read_modifiers(tokens: list[Token], table: StateTable) -> tuple[str | None, Token, dict, bool] | None:
    """(holder word's side or None, state token, state entry, formerly) from the words before a
    settlement or its noun: "the Russian-occupied", "the formerly occupied", "recently liberated"."""
    words = _merged_words(tokens)
    while words and words[0][0] in ("the", "a", "an", "this", "that"):
        words = words[1:]
    state_at = None
    for k in range(len(words) - 1, -1, -1):
        w = words[k][0]
        last = w.split("-")[-1]
        if w in table.words or last in table.words:
            state_at = k
            break
    if state_at is None:
        return None
    # what stands between the state word and the place: a few describing words, never a region or part
    between = words[state_at + 1:]
    if len(between) > 3 or any(w in table.not_settlement or t.pos_ in ("VERB", "ADP", "CCONJ", "PRON", "NUM")
                               for w, t in between):
        return None
    w, tok = words[state_at]
    parts = w.split("-")
    holder: str | None = None
    entry = table.words.get(w)
    if entry is None:
        entry = table.words[parts[-1]]
        lead = "-".join(parts[:-1])
        if lead in table.holders:
            holder = table.holders[lead]
        elif lead in table.now_same or lead in table.now_other:
            words = [*words[:state_at], (lead, tok), (parts[-1], tok), *words[state_at + 1:]]
            state_at += 1  # "long-occupied", "once-occupied": a word of time, joined
        elif lead:
            return None  # "non-occupied", "half-occupied", "Kherson-controlled": not a holder
    if entry.get("holder"):
        holder = entry["holder"]
    before = [x for x, _ in words[:state_at]]
    if holder is None and before and before[-1] in table.holders:
        holder = table.holders[before[-1]]
        before = before[:-1]
    if any(b in table.void for b in before[-2:]):
        return None
    formerly = bool(before) and (before[-1] in table.now_other or " ".join(before[-2:]) in table.now_other)
    if before and before[-1] in ("and", "or", "then", "but", "nor"):
        return None  # "occupied and unoccupied", "then occupied": not a description of the place now
    return holder, tok, entry, formerly


def _statement(ref: PlaceRef, holder: str | None, tok: Token, entry: dict, formerly: bool,
               rule: str) -> Statement | None:
    if entry.get("need_holder") and holder is None:
        return None
    st = Statement(ref, holder or "", tok, rule, flip=formerly, not_from=entry.get("not_from"))
    if holder is None:
        default = entry.get("default")
        if default == "speaker":
            st.speaker_dependent = True
            st.neutral = entry.get("neutral")
        elif default in ("UA", "RU"):
            st.holder = default
        else:
            return None
    return st


def _attributive(ref: PlaceRef, doc: Doc, table: StateTable) -> Statement | None:
    """"(the) Russian-held X", "the formerly occupied village of X", "X, a Ukrainian-controlled
    town", "the Russian-controlled city X"."""
    own_head = _head(ref, doc, structural=False)
    head = _head(ref, doc)
    start = ref.tokens.start
    nxt = doc[ref.tokens.stop] if ref.tokens.stop < len(doc) else None
    if nxt is not None and (_low(nxt) in table.not_settlement or nxt.lemma_.lower() in table.not_settlement):
        return None  # "occupied X region", "the X nuclear plant"
    shared = _shares_region_name(ref.mention)
    spans: list[tuple[list[Token], bool]] = []
    # words right before the name, inside its own noun phrase
    left = doc[own_head.left_edge.i:start] if own_head.i >= start else []
    own = [t for t in left]
    noun = False
    if own and own[-1].lemma_.lower() in table.settlement_nouns:
        noun = True  # "the Russian-controlled city X"
        own = own[:-1]
    spans.append((own, noun))
    # "the Russian-held city of X": the noun X is "of"
    if head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.lemma_.lower() in table.settlement_nouns:
        n = head.head.head
        spans.append(([t for t in doc[n.left_edge.i:n.i]], True))
    # "the Russian-controlled city X": the name in apposition to the noun
    if head.dep_ in ("appos", "compound") and head.head.lemma_.lower() in table.settlement_nouns \
            and head.head.i < head.i:
        n = head.head
        spans.append(([t for t in doc[n.left_edge.i:n.i]], True))
    # "X, a Russian-held town"
    for c in head.children:
        if c.dep_ == "appos" and c.lemma_.lower() in table.settlement_nouns and c.i > head.i:
            spans.append(([t for t in doc[c.left_edge.i:c.i]], True))
    for tokens, has_noun in spans:
        if not tokens:
            continue
        got = _read_modifiers(tokens, table)
        if got is None:
            continue
        if shared and not has_noun:
            return None
        holder, tok, entry, formerly = got
        st = _statement(ref, holder, tok, entry, formerly, "state_attributive")
        if st is not None:
            return st
    return None


# --------------------------------------------------------------------------- predicates
def _present(v: Token, table: StateTable) -> bool:
    """A verb in the present (or present perfect, or present progressive), with no modal."""
    auxes = [c for c in v.children if c.dep_ in ("aux", "auxpass")]
    if any(_low(a) in table.modals for a in auxes):
        return False
    if v.tag_ in ("VBZ", "VBP"):
        return True
    if any(_low(a) in ("had", "was", "were", "'d") for a in auxes):
        return False
    if any(_low(a) in ("is", "are", "'s", "'re", "has", "have", "'ve", "remains", "remain", "stays") for a in auxes):
        return True
    return False


def _void_clause(v: Token, table: StateTable) -> bool:
    """Negated, modal, aimed or feared, or in a clause of time or condition ("before it was
    occupied", "if X remains in Russian hands")."""
    if _negated_or_unreal(v):
        return True
    for c in v.children:
        # "as long as we are here, X remains ...", "if they hold, X stays ...": a condition
        if c.dep_ in ("advcl", "advmod") and (
                any(g.dep_ == "mark" and _low(g) in ("if", "unless", "provided") for g in c.children)
                or any(f" {p} " in f" {' '.join(_low(x) for x in c.subtree)} " for p in ("as long as", "so long as"))):
            return True
    tok = v
    for _ in range(4):
        if any(c.dep_ == "mark" and _low(c) in table.marks_void for c in tok.children):
            return True
        if any(c.dep_ == "neg" for c in tok.children):
            return True
        if tok.dep_ in ("advcl", "csubj") or tok.head.i == tok.i:
            break
        if tok.dep_ not in ("conj", "xcomp", "ccomp", "relcl"):
            break
        tok = tok.head
    return False


def _side_of(tokens: list[Token], table: StateTable) -> str | None:
    for t in tokens:
        for w in (_low(t), t.lemma_.lower()):
            if w in table.holders:
                return table.holders[w]
    return None


def _holder_of_complement(v: Token, table: StateTable) -> tuple[str | None, Token] | None:
    """The holder a copula's complement names: "under Russian control", "under the control of
    Ukrainian forces", "(back) in Russian hands", "occupied (by Russian troops)", "held by ..."."""
    comps = [c for c in v.children]
    comps += [g for c in v.children if c.dep_ == "advmod" for g in c.children]  # "back in Ukrainian hands"
    for c in comps:
        if c.dep_ == "prep" and _low(c) in ("under", "in"):
            for g in c.children:
                if g.dep_ != "pobj":
                    continue
                lemma, low = g.lemma_.lower(), _low(g)
                wanted = table.control_nouns if _low(c) == "under" else table.hands_nouns
                if lemma not in wanted and low not in wanted:
                    continue
                mods = [x for x in g.children if x.dep_ in ("amod", "compound", "poss", "nmod")]
                for p in g.children:
                    if p.dep_ == "prep" and _low(p) in ("of", "by"):
                        mods.extend(x for x in p.subtree)
                side = _side_of(mods, table)
                if side is None and lemma == "occupation":
                    return "occupation", g
                if any(_low(x) in ("partial", "partly", "contested", "joint") for x in g.children) or any(
                        _low(x) in table.partial for x in v.doc[min(v.i, c.i):g.i]):
                    return None  # "almost under full Russian control", "under partial control"
                if side is not None:
                    return side, g
        if c.dep_ in ("acomp", "oprd", "attr") and (_low(c) in table.words or c.lemma_.lower() in table.words):
            agent = [g for a in c.children if a.dep_ == "agent" or (a.dep_ == "prep" and _low(a) == "by")
                     for g in a.subtree]
            return _side_of(agent, table), c
    return None


def _predicate(ref: PlaceRef, doc: Doc, table: StateTable) -> Statement | None:
    """"X remains under Russian control", "X, which is in Ukrainian hands", "X is occupied by
    Russian forces", "X, which Russian troops have held since May"."""
    head = _head(ref, doc)
    if _shares_region_name(ref.mention) and not _named_with_noun(head, table):
        return None  # "X has been occupied since March" may be the region of that name
    subj_of: list[tuple[Token, bool]] = []  # (verb, passive)
    if head.dep_ in ("nsubj", "nsubjpass"):
        subj_of.append((head.head, head.dep_ == "nsubjpass"))
    elif head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.dep_ in ("nsubj", "nsubjpass") \
            and head.head.head.lemma_.lower() in table.settlement_nouns:
        n = head.head.head
        subj_of.append((n.head, n.dep_ == "nsubjpass"))  # "the town of X remains ..."
    for c in head.children:
        if c.dep_ == "relcl":
            rel_subj = [g for g in c.children if g.dep_ in ("nsubj", "nsubjpass")]
            if any(_low(g) in ("which", "that") for g in rel_subj):
                subj_of.append((c, any(g.dep_ == "nsubjpass" for g in rel_subj)))
            elif rel_subj and c.lemma_.lower() in table.holding_verbs:
                # "X, which Russian forces have held since May"
                st = _holding(ref, c, rel_subj[0], table, "state_relative")
                if st is not None:
                    return st
    for v, passive in subj_of:
        if not _present(v, table) or _void_clause(v, table):
            continue
        lemma = v.lemma_.lower()
        if passive and lemma in table.holding_verbs | {"liberate", "free", "annex", "administer", "run"}:
            # "X is occupied by Russian forces", "X has been held by Ukraine since ..."
            if any(c.dep_ == "advmod" and _low(c) in table.partial for c in v.children):
                continue  # "X has been largely liberated"
            agent = [g for a in v.children if a.dep_ == "agent" for g in a.subtree]
            side = _side_of(agent, table)
            word = {"hold": "held", "control": "controlled", "occupy": "occupied", "liberate": "liberated",
                    "free": "freed"}.get(lemma, lemma)
            entry = table.words.get(word)
            if entry is None:
                continue
            st = _statement(ref, side, v, entry, False, "state_passive")
            if st is not None:
                return st
            continue
        if lemma not in table.copulas:
            continue
        got = _holder_of_complement(v, table)
        if got is None:
            continue
        side, tok = got
        if side == "occupation":
            return Statement(ref, "RU", tok, "state_predicate", not_from="RU")
        if side in ("UA", "RU"):
            return Statement(ref, side, tok, "state_predicate")
        if _low(tok) in table.words or tok.lemma_.lower() in table.words:
            entry = table.words.get(_low(tok)) or table.words[tok.lemma_.lower()]
            st = _statement(ref, None, tok, entry, False, "state_predicate")
            if st is not None:
                return st
    return None


def _holding(ref: PlaceRef, v: Token, subj: Token, table: StateTable, rule: str) -> Statement | None:
    """An armed subject holding the place in the present ("Russian forces still control X")."""
    if not _present(v, table) or _void_clause(v, table):
        return None
    actor = describe(list(subj.subtree)[:12], head=subj)
    if actor.side not in ("UA", "RU") or not (actor.military or _side_of([subj], table)):
        return None
    if actor.civilian and not actor.military:
        return None
    if v.lemma_.lower() == "occupy" and not any(c.dep_ == "advmod" and _low(c) in ("still", "now", "currently")
                                                for c in v.children) and v.tag_ != "VBG":
        return None  # "Russian forces occupy X" is often a change told in the present
    return Statement(ref, actor.side, v, rule)


def _holder_verb(ref: PlaceRef, doc: Doc, table: StateTable) -> Statement | None:
    """"Russian forces still control X", "Ukrainian troops are holding X", "Ukrainian troops are
    still in control of X", "Russia has full control of X"."""
    head = _head(ref, doc)
    if _shares_region_name(ref.mention) and not _named_with_noun(head, table):
        return None
    if head.dep_ == "dobj" and head.head.lemma_.lower() in table.holding_verbs:
        v = head.head
        subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
        if subj is not None:
            return _holding(ref, v, subj, table, "state_holding")
    # "... in control of X" / "... control of X" / "... control over X"
    if head.dep_ == "pobj" and head.head.lower_ in ("of", "over"):
        ctl = head.head.head
        if ctl.lemma_.lower() != "control":
            return None
        if any(_low(x) in ("partial", "partly", "contested", "joint", "full-scale") for x in ctl.children):
            return None
        v = None
        if ctl.dep_ == "pobj" and _low(ctl.head) == "in" and ctl.head.head.lemma_.lower() in table.copulas:
            v = ctl.head.head  # "troops are (still) in control of X"
        elif ctl.dep_ == "dobj" and ctl.head.lemma_.lower() in table.control_of_verbs:
            v = ctl.head  # "Russia has (full) control of X"
        if v is None:
            return None
        subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
        if subj is None:
            return None
        return _holding(ref, v, subj, table, "state_in_control")
    return None


def _head(ref: PlaceRef, doc: Doc, structural: bool = True) -> Token:
    """The name's head token; with `structural`, the first of the names coordinated with it
    ("Russian forces hold X and Y": Y stands where X does)."""
    head = doc[ref.tokens.start:ref.tokens.stop].root
    if structural:
        for _ in range(6):
            if head.dep_ != "conj" or head.head.i == head.i or head.head.pos_ not in ("PROPN", "NOUN"):
                break
            head = head.head
    return head


# --------------------------------------------------------------------------- main
def extract_states(doc: Doc, report: Report, places: list[PlaceMention]) -> list[Event]:
    """Every statement of who holds a settlement now, as `held` events dated the report's day."""
    table = state_table()
    text = doc_text(doc).lower()
    if not any(c in text for c in table.cues):
        return []
    cands = [m for m in places if _settlement(m)]
    if not cands:
        return []
    index = PlaceIndex(doc, places)
    outlet = outlet_side(report.source)
    attributor: Attributor | None = None
    found: list[tuple[Statement, Attribution]] = []
    for ref in index.refs:
        if ref.anaphoric or not _settlement(ref.mention) or index.by_token.get(ref.tokens.start) is not ref:
            continue
        st = _attributive(ref, doc, table) or _predicate(ref, doc, table) or _holder_verb(ref, doc, table)
        if st is None:
            continue
        if attributor is None:
            attributor = place_attributor(doc, index)
        attribution = attributor.attribute(st.anchor)
        speaker = _speaker_side(attribution, outlet)
        if st.not_from is not None and speaker == st.not_from:
            continue
        if (st.speaker_dependent or st.not_from) and _in_quotes(st.anchor) and \
                not any(c.side in ("UA", "RU") for c in attribution.claims):
            continue  # "children from 'the liberated X'": quoted words of a speaker we cannot name
        if st.speaker_dependent:
            if speaker in ("UA", "RU"):
                st.holder = speaker
            elif st.neutral in ("UA", "RU"):
                st.holder = st.neutral
            else:
                continue
        if st.flip:
            st.holder = other_side(st.holder) or ""
        if st.holder not in ("UA", "RU"):
            continue
        found.append((st, attribution))
    return _events(found, report)


def _in_quotes(t: Token) -> bool:
    """Inside quotation marks in its sentence (an odd number of quote marks before it)."""
    return sum(1 for x in t.doc[t.sent.start:t.i] if x.is_quote) % 2 == 1


def _place_key(m: PlaceMention) -> str:
    if m.geonames_id is not None:
        return f"g{m.geonames_id}"
    return f"c{m.latitude:.3f},{m.longitude:.3f}"


def _events(found: list[tuple[Statement, Attribution]], report: Report) -> list[Event]:
    """One `held` event per place and holder (a report saying both sides hold a place says nothing)."""
    rd = report.date
    groups: dict[str, list[tuple[Statement, Attribution]]] = {}
    for st, att in found:
        groups.setdefault(_place_key(st.ref.mention), []).append((st, att))
    out: list[Event] = []
    for key, items in groups.items():
        holders = {st.holder for st, _ in items}
        if len(holders) != 1:
            continue
        holder = holders.pop()
        m = items[0][0].ref.mention
        claims = []
        seen: set[tuple] = set()
        for _, att in items:
            for c in att.claims:
                k = (c.claimant, c.stance, tuple(c.via))
                if k not in seen:
                    seen.add(k)
                    claims.append(c)
        if len(claims) > 1:
            claims = [c for c in claims if c.stance != "asserted"] or claims
        evidence: list[Evidence] = []
        starts: set[int] = set()
        for st, _ in sorted(items, key=lambda x: x[0].anchor.i):
            s = st.anchor.sent
            if s.start_char in starts:
                continue
            starts.add(s.start_char)
            body = s.text.rstrip()
            evidence.append(Evidence(report_id=report.report_id, start=s.start_char,
                                     end=s.start_char + len(body), text=body))
        conf = max((STANCE_CONFIDENCE.get(c.stance, 0.5) for c in claims), default=0.5)
        event_type, sub_event_type = kind_to_acled(KIND)
        eid = hashlib.sha1(f"{report.report_id}|{KIND}|{key}|{evidence[0].start}".encode()).hexdigest()[:16]
        out.append(Event(
            event_id=eid, report_id=report.report_id, report_date=rd, kind=KIND, event_type=event_type,
            sub_event_type=sub_event_type, event_date=rd, date_earliest=rd, date_latest=rd, date_precision=1,
            historical=False, location=Location.from_mention(m), actor1=acled_name(holder), actor1_side=holder,
            control=ControlChange(to=holder, **{"from": other_side(holder)}, extent="full"), claims=claims,
            evidence=evidence, confidence=round(min(0.9, conf), 2), rule=items[0][0].rule,
        ))
    return out


__all__ = ["extract_states", "state_table"]
