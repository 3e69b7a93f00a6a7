"""Actors and their sides: who did it ("Ukrainian troops", "Kyiv's forces", "separatist DPR units").

Reads frontwatch/data/extract/actors.yaml; looks only at the few tokens of one argument, so it is cheap.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from spacy.tokens import Token

DATA = Path(__file__).resolve().parent.parent / "data" / "extract"


@dataclass(frozen=True)
class ActorTable:
    side_of_word: dict[str, str]
    separatist: frozenset[str]
    military: frozenset[str]
    civilian: frozenset[str]
    acled: dict[str, str]
    named: dict[str, str]


@functools.lru_cache(maxsize=1)
def actor_table() -> ActorTable:
    raw = yaml.safe_load((DATA / "actors.yaml").read_text(encoding="utf-8"))
    side_of_word = {w.lower(): side for side, words in raw["side_words"].items() for w in words}
    return ActorTable(
        side_of_word=side_of_word,
        separatist=frozenset(w.lower() for w in raw["separatist_words"]),
        military=frozenset(w.lower() for w in raw["military_nouns"]),
        civilian=frozenset(w.lower() for w in raw["civilian_nouns"]),
        acled=dict(raw["acled"]),
        named={str(k).lower(): str(v) for k, v in (raw.get("named_forces") or {}).items()},
    )


@dataclass
class Actor:
    side: str | None = None        # "UA", "RU" or None when the text does not say
    separatist: bool = False
    military: bool = False
    civilian: bool = False
    pronoun: bool = False          # "its forces", "they": the side comes from who is speaking
    name: str | None = None        # ACLED's own name for a force named apart ("Wagner Group")
    head: Token | None = None

    @property
    def known(self) -> bool:
        return self.side is not None or self.military or self.civilian


def _word_keys(t: Token) -> tuple[str, str]:
    low = t.lower_.replace("’", "'")
    return low, t.lemma_.lower()


def describe(tokens: list[Token], head: Token | None = None) -> Actor:
    """Side and type of the actor named by these tokens (an argument's subtree, a few words)."""
    table = actor_table()
    actor = Actor(head=head)
    for t in tokens:
        low, lemma = _word_keys(t)
        side = table.side_of_word.get(low) or table.side_of_word.get(lemma)
        if side and actor.side is None:
            actor.side = side
        if low in table.separatist:
            actor.separatist = True
        if actor.name is None and (low in table.named or lemma in table.named):
            actor.name = table.named.get(low) or table.named[lemma]
            actor.military = True
        if low in table.military or lemma in table.military:
            actor.military = True
        if low in table.civilian or lemma in table.civilian:
            actor.civilian = True
        if t.pos_ == "PRON" and low in {"its", "their", "his", "her", "our", "it", "they", "we", "he", "she"}:
            actor.pronoun = True
    # A named side outranks a civilian noun ("Russian people" is rare in event subjects; "Russian
    # forces" is common) but a bare civilian noun keeps the actor civilian.
    if actor.side and actor.military:
        actor.civilian = False
    return actor


def acled_name(side: str | None, separatist: bool = False, name: str | None = None) -> str | None:
    table = actor_table()
    if name and side:
        return name
    if side == "RU" and separatist:
        return table.acled["separatist"]
    return table.acled.get(side) if side else None


def civilians_name(country: str | None) -> str:
    table = actor_table()
    return table.acled["civilians_RU"] if country == "RU" else table.acled["civilians_UA"]


def other_side(side: str | None) -> str | None:
    return {"UA": "RU", "RU": "UA"}.get(side or "")
