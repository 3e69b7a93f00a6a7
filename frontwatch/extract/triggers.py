"""Event triggers: the table of verbs, nouns and phrases per kind, matched on the spaCy parse.

The table lives in frontwatch/data/extract/triggers.yaml; matching is one pass over the tokens
with a dict lookup by lemma, then a check of the few children a phrase needs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from spacy.tokens import Doc, Token

from frontwatch.nlp import doc_tokens

DATA = Path(__file__).resolve().parent.parent / "data" / "extract"


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    fallback: bool = False
    need_of: bool = False
    passive: str | None = None
    civilian: str | None = None
    military: bool = False
    extent: str | None = None
    side: str | None = None
    weapon: bool = False
    tight: bool = False
    objects: tuple[tuple[str, str], ...] = ()  # (object class, kind) pairs
    active: bool = False
    alone: bool = False
    speaker: str | None = None  # "same" / "other": side from who speaks when no actor is named
    from_place: bool = False
    place_left_needs_agent: frozenset[str] = frozenset()  # verb lemmas: "X was left" needs "by" someone

    def kind_for_object(self, classes: tuple[str, ...]) -> str | None:
        """The kind this rule gives to an object of these classes (None: no class it maps)."""
        table = dict(self.objects)
        for c in classes:
            if c in table:
                return table[c]
        return None


@dataclass(frozen=True)
class TriggerTable:
    verbs: dict[str, list[tuple[Rule, tuple[str, ...]]]]
    nouns: dict[str, list[tuple[Rule, tuple[str, ...]]]]
    weapons: dict[str, str]
    anaphora: dict[str, int]       # place noun -> level it points back to (1 settlement, 3 region)
    anaphora_small: frozenset[str]  # nouns ("the village") that never point back at a city ...
    anaphora_small_not: frozenset[str]  # ... of these feature codes (capitals, admin seats)
    near_words: frozenset[str]
    partial_words: frozenset[str]
    weapon_pairs: dict[str, str]   # "air unit" -> air_strike (modifier + head lemma)
    area_words: frozenset[str]
    background_phrases: tuple[str, ...]
    background_nouns: frozenset[str]
    object_classes: dict[str, tuple[str, ...]]  # word -> the classes it belongs to


@dataclass
class Hit:
    token: Token
    rule: Rule
    nominal: bool
    words: tuple[Token, ...]       # the trigger's words (head + phrase parts), for the evidence


@functools.lru_cache(maxsize=1)
def trigger_table() -> TriggerTable:
    raw = yaml.safe_load((DATA / "triggers.yaml").read_text(encoding="utf-8"))
    verbs: dict[str, list[tuple[Rule, tuple[str, ...]]]] = {}
    nouns: dict[str, list[tuple[Rule, tuple[str, ...]]]] = {}
    for r in raw["rules"]:
        rule = Rule(
            name=r["name"], kind=r["kind"], fallback=bool(r.get("fallback")), need_of=bool(r.get("need_of")),
            passive=r.get("passive"), civilian=r.get("civilian"), military=bool(r.get("military")),
            extent=r.get("extent"), side=r.get("side"), weapon=bool(r.get("weapon")), tight=bool(r.get("tight")),
            objects=tuple((str(k), str(v)) for k, v in (r.get("objects") or {}).items()),
            active=bool(r.get("active")), alone=bool(r.get("alone")), speaker=r.get("speaker"), from_place=bool(r.get("from_place")),
            place_left_needs_agent=frozenset(str(w).lower() for w in r.get("place_left_needs_agent") or ()),
        )
        for phrase in r.get("verbs") or []:
            words = str(phrase).lower().split()
            # A verb phrase is keyed by its verb, the first word ("pull back", "establish control").
            verbs.setdefault(words[0], []).append((rule, tuple(words[1:])))
        for phrase in r.get("nouns") or []:
            words = str(phrase).lower().split()
            # A noun phrase is keyed by its head, the last word ("air strike"), except "families from".
            if words[-1] in ("from", "of"):
                nouns.setdefault(words[0], []).append((rule, tuple(words[1:])))
            else:
                nouns.setdefault(words[-1], []).append((rule, tuple(words[:-1])))
    weapons = {w.lower(): kind for kind, ws in raw["weapons"].items() for w in ws}
    weapon_pairs = {w.lower(): kind for kind, ws in (raw.get("weapon_pairs") or {}).items() for w in ws}
    object_classes: dict[str, tuple[str, ...]] = {}
    for cls, ws in (raw.get("object_classes") or {}).items():
        for w in ws:
            object_classes[w.lower()] = (*object_classes.get(w.lower(), ()), cls)
    anaphora = {w: 1 for w in raw["anaphora"]["settlement"]}
    anaphora.update({w: 3 for w in raw["anaphora"]["region"]})
    return TriggerTable(
        verbs=verbs, nouns=nouns, weapons=weapons, anaphora=anaphora,
        anaphora_small=frozenset(raw.get("anaphora_small", ())),
        anaphora_small_not=frozenset(raw.get("anaphora_small_not", ())),
        near_words=frozenset(raw["near_words"]), partial_words=frozenset(raw["partial_words"]),
        weapon_pairs=weapon_pairs, object_classes=object_classes,
        area_words=frozenset(raw.get("area_words") or ()),
        background_phrases=tuple(str(x).lower() for x in raw.get("background_phrases") or ()),
        background_nouns=frozenset(raw.get("background_nouns") or ()),
    )


def _child_words(t: Token) -> dict[str, Token]:
    """Lemmas and lower-case forms of a token's children and grandchildren (phrase parts)."""
    out: dict[str, Token] = {}
    if t.dep_ in ("acl", "amod", "relcl"):
        # "a flag raised over X": the participle's noun is its object
        out[t.head.lemma_.lower()] = t.head
    for c in t.children:
        out.setdefault(c.lemma_.lower(), c)
        out.setdefault(c.lower_, c)
        for g in c.children:
            # ... and a particle the parser hung on the verb's preposition ("pushed them back
            # beyond X", "drove the troops back across the river")
            if g.dep_ in ("compound", "amod", "prt", "dobj", "pobj") or (c.dep_ == "prep" and g.dep_ == "advmod"):
                out.setdefault(g.lemma_.lower(), g)
    return out


def _phrase_ok(t: Token, extra: tuple[str, ...]) -> tuple[bool, tuple[Token, ...]]:
    if not extra:
        return True, (t,)
    kids = _child_words(t)
    found = []
    for w in extra:
        if w not in kids:
            return False, ()
        found.append(kids[w])
    return True, (t, *found)


def _is_verb(t: Token) -> bool:
    return t.pos_ == "VERB" or (t.tag_ in ("VBN", "VBD", "VBG") and t.pos_ in ("ADJ", "NOUN", "PROPN"))


_TRIGGER_POS = frozenset({"VERB", "ADJ", "NOUN", "PROPN"})


def find_triggers(doc: Doc) -> list[Hit]:
    """Every token that starts an event by the table, in text order; longest phrase wins."""
    table = trigger_table()
    hits: list[Hit] = []
    for t in doc_tokens(doc):
        if t.pos_ not in _TRIGGER_POS:  # neither a verb (_is_verb) nor a noun: no trigger
            continue
        lemma = t.lemma_.lower()
        if _is_verb(t):
            options = table.verbs.get(lemma) or table.verbs.get(t.lower_)
            nominal = False
        elif t.pos_ in ("NOUN", "PROPN"):
            options = table.nouns.get(lemma) or table.nouns.get(t.lower_)
            nominal = True
        else:
            continue
        if not options:
            continue
        best: Hit | None = None
        best_score = (0, 0)
        for rule, extra in options:
            ok, words = _phrase_ok(t, extra)
            # the longest phrase wins, then the one whose words are the trigger's own children
            # ("an air strike (with a rocket)" is an air strike, not a rocket strike)
            score = (len(words), sum(1 for w in words[1:] if w.head.i == t.i))
            if ok and (best is None or score > best_score):
                best, best_score = Hit(t, rule, nominal, words), score
        if best is not None:
            hits.append(best)
    return hits
