"""Quantities: fatalities by ACLED's rules (deaths only, conservative), injuries, counts, areas.

Works on the dependency parse of one or two sentences around an event; word lists in
frontwatch/data/extract/quantities.yaml.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from spacy.tokens import Span, Token

DATA = Path(__file__).resolve().parent.parent / "data" / "extract"


@dataclass(frozen=True)
class QuantityTable:
    numbers: dict[str, int]
    vague: dict[str, int]
    death_verbs: frozenset[str]
    death_nouns: frozenset[str]
    zero: frozenset[str]
    injury: frozenset[str]
    people: frozenset[str]
    vehicles: frozenset[str]
    area_units: dict[str, float]
    coded_as: frozenset[str]


@functools.lru_cache(maxsize=1)
def quantity_table() -> QuantityTable:
    raw = yaml.safe_load((DATA / "quantities.yaml").read_text(encoding="utf-8"))
    return QuantityTable(
        numbers={str(k).lower(): int(v) for k, v in raw["number_words"].items()},
        vague={k.lower(): int(v) for k, v in raw["vague"].items()},
        death_verbs=frozenset(raw["death_verbs"]),
        death_nouns=frozenset(raw["death_nouns"]),
        zero=frozenset(raw["zero_words"]),
        injury=frozenset(raw["injury_words"]),
        people=frozenset(raw["people_nouns"]),
        vehicles=frozenset(raw["vehicle_nouns"]),
        area_units={k.lower(): float(v) for k, v in raw["area_units"].items()},
        coded_as=frozenset(raw.get("coded_as_nouns") or ()),
    )


@dataclass
class Casualties:
    fatalities: int | None = None
    fatalities_text: str | None = None
    injured: int | None = None
    counts: dict[str, float] = field(default_factory=dict)


def number_of(t: Token) -> int | None:
    """The value of one number token: digits, words, or ACLED's reading of a vague count."""
    table = quantity_table()
    low = t.lower_.replace(",", "")
    if low.isdigit():
        return int(low)
    if re.fullmatch(r"\d+(\.\d+)?", low):
        return int(float(low))
    if low in table.numbers:
        return table.numbers[low]
    if low in table.vague:
        return table.vague[low]
    return None


def count_of(noun: Token) -> tuple[int | None, list[Token]]:
    """How many the noun phrase counts ("at least one person" -> 1, "dozens of civilians" -> 12)."""
    table = quantity_table()
    low = noun.lower_
    if low in table.zero or any(c.lower_ in ("no",) and c.dep_ == "det" for c in noun.children):
        return 0, [noun]
    # The noun is itself the number ("two were killed", "dozens of people").
    own = number_of(noun) if noun.pos_ in ("NUM", "NOUN", "PRON") and noun.lower_ not in ("a", "an") else None
    if own is not None and noun.pos_ != "PRON":
        return own, list(noun.subtree)
    value: int | None = None
    words: list[Token] = [noun]
    for c in noun.children:
        if c.dep_ in ("nummod", "amod", "quantmod", "det") or c.pos_ == "NUM":
            v = number_of(c)
            if v is not None and (c.dep_ != "det" or c.lower_ not in ("a", "an")):
                # "two thousand": multiply by a number word that is the child's own modifier
                for gc in c.children:
                    gv = number_of(gc)
                    if gv is not None and gc.dep_ in ("compound", "nummod", "quantmod") and v in (100, 1000):
                        v = gv * v
                value = v
                words.extend(c.subtree)
        if c.dep_ == "prep" and c.lower_ == "of" and value is None:
            # "dozens of people" parses as dozens <- of <- people in some sentences
            pass
    if value is None and noun.head.dep_ == "pobj" and noun.head.head.lower_ == "of":
        pass
    if value is None and noun.dep_ == "pobj" and noun.head.lower_ == "of":
        v = number_of(noun.head.head)
        if v is not None:
            value = v
            words.append(noun.head.head)
    if value is None and low in table.people and noun.tag_ in ("NN",):
        value = 1  # "a civilian was killed"
    return value, words


def _victim(tok: Token) -> Token | None:
    """The noun that counts the dead for a death verb or noun."""
    for c in tok.children:
        if c.dep_ in ("nsubjpass",) or (c.dep_ == "dobj" and tok.lemma_ in ("kill", "murder", "execute", "slay")):
            return c
    if tok.dep_ == "conj" and tok.head.pos_ == "VERB":
        for c in tok.head.children:
            if c.dep_ == "nsubjpass" or (c.dep_ == "nsubj" and tok.lemma_ in ("die", "perish")):
                return c  # "a girl was raped and killed"
    if tok.lemma_ in ("die", "perish"):
        for c in tok.children:
            if c.dep_ == "nsubj":
                return c
    if tok.dep_ in ("acl", "amod") and tok.head.pos_ in ("NOUN", "PROPN", "NUM", "PRON"):
        return tok.head  # "two people killed", "the dead civilians"
    if tok.dep_ == "acomp":
        for c in tok.head.children:
            if c.dep_ == "nsubj":
                return c  # "two people were dead"
    return None


def casualties(sentences: list[Span]) -> Casualties:
    """Deaths and injuries stated in these sentences (the event's and, if given, the next one)."""
    table = quantity_table()
    out = Casualties()
    for sent in sentences:
        for t in sent:
            lemma = t.lemma_.lower()
            if lemma in table.death_verbs or (t.lower_ in ("dead", "killed") and t.pos_ in ("ADJ", "VERB")):
                if any(c.dep_ == "neg" for c in t.children) and lemma in table.death_verbs:
                    out.fatalities = out.fatalities or 0
                    out.fatalities_text = out.fatalities_text or sent.text.strip()
                    continue
                victim = _victim(t)
                if victim is None:
                    continue
                n, words = count_of(victim)
                if n is None:
                    continue
                lo = min(w.i for w in words + [t])
                hi = max(w.i for w in words + [t]) + 1
                text = sent.doc[lo:hi].text
                if out.fatalities is None or n > out.fatalities:
                    out.fatalities, out.fatalities_text = n, text
            elif (t.lower_ in table.coded_as or lemma in table.coded_as) and _coded_as(t) is not None:
                # the note's own coding overrides what its sentences count
                n = _coded_as(t)
                out.fatalities, out.fatalities_text = n, sent.text.strip()
                return _finish(out)
            elif lemma in table.death_nouns and t.pos_ == "NOUN":
                # "the death toll rose to 12", "12 deaths"
                n = None
                for c in t.children:
                    if c.pos_ == "NUM" or c.dep_ == "nummod":
                        n = number_of(c)
                if n is None and lemma in ("toll",):
                    for c in t.head.children if t.dep_ == "nsubj" else []:
                        if c.dep_ == "prep":
                            for gc in c.children:
                                if gc.pos_ == "NUM":
                                    n = number_of(gc)
                if n is not None and (out.fatalities is None or n > out.fatalities):
                    out.fatalities, out.fatalities_text = n, t.sent.text.strip() if lemma == "toll" else f"{n} {t.text}"
            elif lemma in table.injury or t.lower_ in table.injury:
                victim = _victim(t)
                if victim is not None:
                    n, _ = count_of(victim)
                    if n is not None:
                        out.injured = max(out.injured or 0, n)
    return _finish(out)


def _finish(out: Casualties) -> Casualties:
    if out.injured is not None:
        out.counts["injured"] = out.injured
    return out


def _coded_as(t: Token) -> int | None:
    """N in "fatalities coded as N" (ACLED's notes)."""
    verbs = [c for c in t.children if c.dep_ in ("acl", "relcl")]
    if t.dep_ in ("nsubj", "nsubjpass"):
        verbs.append(t.head)  # "Fatalities coded as 3." parses with "coded" as the verb
    for c in verbs:
        if c.lemma_.lower() in ("code", "cod") or c.lower_ == "coded":
            for p in c.children:
                if p.dep_ == "prep" and p.lower_ == "as":
                    for g in p.children:
                        v = number_of(g)
                        if v is not None:
                            return v
    return None


_AREA = re.compile(r"([\d,.]+)\s*(square kilomet(?:re|er)s?|square miles?|km2|sq km|hectares?)", re.I)


def area_km2(text: str) -> float | None:
    """The first area named in a text, in square kilometres."""
    table = quantity_table()
    m = _AREA.search(text)
    if not m:
        return None
    try:
        value = float(m[1].replace(",", ""))
    except ValueError:
        return None
    return round(value * table.area_units.get(m[2].lower(), 1.0), 2)
