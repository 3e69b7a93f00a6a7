"""Claims: who says an event happened, through whom, and how sure ("TASS quoted Russia's
defence ministry as saying" -> claimant the ministry, via TASS, stance claimed).

Names, sides, reporting verbs, hedges and denials come from frontwatch/data/extract/claimants.yaml.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from spacy.tokens import Doc, Token

from frontwatch.extract.actors import describe
from frontwatch.model import Claim
from frontwatch.nlp import doc_tokens

DATA = Path(__file__).resolve().parent.parent / "data" / "extract"
_SKIP = {"'s", "’s", "the", "a", "an", "'", "’", "‘", ",", ".", "-", "(", ")", '"', "“", "”", "s"}
_FOLD = {"defense": "defence", "ukraine's": "ukraine", "russia's": "russia", "ukrainian's": "ukrainian"}
_PRONOUNS = {"he", "she", "they", "it", "we", "i"}
_QUOTE_LEMMAS = {"quote"}
_SIDES = {"UA", "RU", "neutral"}


@dataclass(frozen=True)
class Named:
    name: str
    side: str | None
    person: bool


@dataclass(frozen=True)
class ClaimantTable:
    aliases: dict[tuple[str, ...], Named]
    max_len: int
    generic: dict[str, dict]
    unnamed: frozenset[str]
    reporting: frozenset[str]
    witness: frozenset[str]
    hedges: frozenset[str]
    denial_verbs: frozenset[str]
    denial_words: frozenset[str]
    time_clause_marks: frozenset[str]


def _norm(word: str) -> str:
    w = word.lower().replace("’", "'")
    return _FOLD.get(w, w)


@functools.lru_cache(maxsize=1)
def claimant_table() -> ClaimantTable:
    raw = yaml.safe_load((DATA / "claimants.yaml").read_text(encoding="utf-8"))
    aliases: dict[tuple[str, ...], Named] = {}
    for group, person in (("people", True), ("organisations", False)):
        for entry in raw[group]:
            named = Named(entry["name"], entry.get("side"), person)
            forms = [entry["name"], *entry.get("aliases", [])]
            for form in forms:
                key = tuple(_norm(w) for w in form.replace("'s", "").replace("’s", "").split() if w.lower() not in _SKIP)
                aliases.setdefault(key, named)
    return ClaimantTable(
        aliases=aliases,
        max_len=max(len(k) for k in aliases),
        generic={k: (v or {}) for k, v in raw["generic_nouns"].items()},
        unnamed=frozenset(raw["unnamed"]),
        reporting=frozenset(raw["reporting_verbs"]),
        witness=frozenset(raw["witness_verbs"]),
        hedges=frozenset(raw["hedge_words"]),
        denial_verbs=frozenset(raw["denial_verbs"]),
        denial_words=frozenset(raw["denial_words"]),
        time_clause_marks=frozenset(raw.get("time_clause_marks", ())),
    )


@functools.lru_cache(maxsize=256)
def outlet_side(source: str | None) -> str | None:
    """The side of the outlet a report comes from (claimants.yaml `outlets`, then the
    organisations), or None when the outlet is unknown."""
    if not source:
        return None
    raw = _outlets()
    key = tuple(_norm(w) for w in source.replace("_", " ").split() if w.lower() not in _SKIP)
    if key in raw:
        return raw[key]
    named = claimant_table().aliases.get(key)
    return named.side if named is not None and not named.person else None


@functools.lru_cache(maxsize=1)
def _outlets() -> dict[tuple[str, ...], str | None]:
    raw = yaml.safe_load((DATA / "claimants.yaml").read_text(encoding="utf-8"))
    out: dict[tuple[str, ...], str | None] = {}
    for entry in raw.get("outlets") or []:
        for form in [entry["name"], *entry.get("aliases", [])]:
            out.setdefault(tuple(_norm(w) for w in str(form).split()), entry.get("side"))
    return out


@dataclass
class Speaker:
    name: str | None
    side: str | None
    person: bool = False
    tokens: set[int] = field(default_factory=set)


@dataclass
class Attribution:
    claims: list[Claim]
    speaker_tokens: set[int]
    verb: Token | None             # the innermost reporting verb: its date bounds the event's


def _np_tokens(head: Token) -> list[Token]:
    """The claimant's noun phrase without relative clauses or long appositions."""
    out = [head]
    stack = [c for c in head.children if c.dep_ not in ("relcl", "acl", "punct", "cc", "conj", "advcl")]
    while stack:
        t = stack.pop()
        out.append(t)
        stack.extend(c for c in t.children if c.dep_ not in ("relcl", "acl", "advcl"))
    out.sort(key=lambda t: t.i)
    return out


def _np_text(tokens: list[Token]) -> str:
    while tokens and tokens[0].lower_ in ("the", "a", "an", "state-run", "state", "-"):
        tokens = tokens[1:]
    while tokens and tokens[-1].is_punct:
        tokens = tokens[:-1]
    if not tokens:
        return ""
    doc = tokens[0].doc
    return doc[tokens[0].i : tokens[-1].i + 1].text


class Attributor:
    """Resolves the claim behind each trigger; speakers are named once per report, in text order."""

    def __init__(self, doc: Doc, country_at: Callable[[int], str | None], place_country_in: Callable[[list[Token]], str | None]):
        self.doc = doc
        self.table = claimant_table()
        self.country_at = country_at            # country of the last region named before a token
        self.place_country_in = place_country_in  # country of a place named inside some tokens
        self._speakers: dict[int, Speaker] = {}
        last: Speaker | None = None
        for t in doc_tokens(doc):
            if t.pos_ == "VERB" and self._is_reporting(t):
                subj = self._subject(t)
                if subj is None:
                    continue
                sp = self.name(subj, last)
                self._speakers[subj.i] = sp
                if sp.name is not None:
                    last = sp

    # ----------------------------------------------------------------- words
    def _is_reporting(self, t: Token) -> bool:
        lemma = t.lemma_.lower()
        return lemma in self.table.reporting or lemma in self.table.witness or lemma in self.table.denial_verbs

    @staticmethod
    def _subject(verb: Token) -> Token | None:
        for c in verb.children:
            if c.dep_ == "nsubj":
                return c
        for c in verb.children:
            if c.dep_ == "agent":
                for g in c.children:
                    if g.dep_ == "pobj":
                        return g
        if verb.pos_ in ("NOUN", "PROPN") and verb.dep_ == "ROOT":
            # "..., the TASS news agency reports." is sometimes parsed as one noun phrase
            comps = [c for c in verb.children if c.dep_ == "compound"]
            if comps:
                return comps[-1]
        return None

    # ----------------------------------------------------------------- naming
    def name(self, head: Token, last: Speaker | None = None) -> Speaker:
        """Who a claimant noun phrase names: a known person or body, a generic one, or nobody."""
        table = self.table
        low = head.lower_
        if low in _PRONOUNS and head.pos_ == "PRON":
            if last is not None:
                return Speaker(last.name, last.side, last.person, {head.i})
            return Speaker(None, None, False, {head.i})
        tokens = _np_tokens(head)
        ids = {t.i for t in tokens}
        words = [(t, _norm(t.text)) for t in tokens if t.lower_ not in _SKIP and not t.is_punct]
        best: tuple[int, int, Named] | None = None
        for i in range(len(words)):
            for n in range(min(table.max_len, len(words) - i), 0, -1):
                key = tuple(w for _, w in words[i : i + n])
                named = table.aliases.get(key)
                if named is None:
                    continue
                span_ids = {t.i for t, _ in words[i : i + n]}
                score = (2 if head.i in span_ids else 0) + n
                if best is None or score > best[0] + best[1]:
                    best = (score - n, n, named)
                break
        if best is not None:
            named = best[2]
            return Speaker(named.name, named.side, named.person, ids)
        if head.lemma_.lower() in table.unnamed or low in table.unnamed:
            return Speaker(None, None, False, ids)
        actor = describe(tokens)
        side = actor.side
        generic_key = next((t.lower_ for t in tokens if t.lower_ in table.generic), None)
        if side is None:
            side = self.place_country_in(tokens)
            if side not in ("UA", "RU"):
                side = None
        if side is None and generic_key is not None:
            spec = table.generic[generic_key]
            if generic_key in ("governor", "mayor", "administrator", "head"):
                side = self.country_at(head.i) or spec.get("default_side")
                if side not in ("UA", "RU"):
                    side = None
            else:
                side = spec.get("default_side")
        if head.ent_type_ in ("ORG",) and side is None:
            side = None
        person = head.ent_type_ == "PERSON"
        if person:
            ent_tokens = [t for t in tokens if t.ent_type_ == "PERSON"]
            text = _np_text(ent_tokens) or head.text
        else:
            text = _np_text(tokens[:8])
        return Speaker(text or None, side if side in _SIDES else None, person, ids)

    def speaker_of(self, verb: Token) -> Speaker | None:
        if verb.lemma_.lower() in _QUOTE_LEMMAS:
            for c in verb.children:
                if c.dep_ == "dobj":
                    return self.name(c)
        subj = self._speaker_head(verb)
        if subj is None:
            return None
        return self._speakers.get(subj.i) or self.name(subj)

    # ----------------------------------------------------------------- claims
    def _hedged(self, path: list[Token]) -> bool:
        for t in path:
            for c in t.children:
                if c.dep_ in ("advmod", "aux", "amod") and c.lemma_.lower() in self.table.hedges:
                    return True
        return False

    def _reporting_verb(self, t: Token) -> bool:
        if not self._is_reporting(t):
            return False
        if t.pos_ == "VERB":
            # "Residents are told to evacuate": an instruction to them, not their claim
            return not (t.lemma_.lower() == "tell" and any(c.dep_ == "nsubjpass" for c in t.children))
        # "..., the TASS news agency reports." parsed as one noun phrase
        return t.dep_ == "ROOT" and self._subject(t) is not None

    def _speaker_head(self, verb: Token) -> Token | None:
        subj = self._subject(verb)
        if subj is not None or verb.lemma_.lower() in _QUOTE_LEMMAS:
            return subj
        # "..., the museum's director said": a misparse may hang the speaker elsewhere; it is the
        # noun right before the verb.
        prev = verb.i - 1
        while prev >= verb.sent.start and verb.doc[prev].is_punct:
            prev -= 1
        if prev >= verb.sent.start and verb.doc[prev].pos_ in ("NOUN", "PROPN") and prev < verb.i - 0:
            return verb.doc[prev]
        return None

    def _time_clause(self, t: Token) -> bool:
        return t.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in self.table.time_clause_marks
                                         for c in t.children)

    def _in_time_clause(self, verb: Token) -> bool:
        """ "..., hours after Moscow said ...": the verb heads (or sits in) a clause of time or cause."""
        for t in (verb, *verb.ancestors):
            if t.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in self.table.time_clause_marks
                                         for c in t.children):
                return True
        return False

    def attribute(self, trigger: Token) -> Attribution:
        """The claim chain over one trigger: innermost reporting verb first, then those quoting it."""
        table = self.table
        path: list[Token] = [trigger]
        chain: list[Token] = []
        tok = trigger
        scoped = True
        while tok.head.i != tok.i:
            if tok.dep_ == "relcl":
                break  # a relative clause is the report's own background, not the speaker's words
            if self._time_clause(tok):
                # "could not find words after he learned of X": the modal of the main clause does
                # not reach into a clause of time
                scoped = False
            head = tok.head
            if self._reporting_verb(head) and tok.dep_ not in ("nsubj", "nsubjpass", "agent"):
                chain.append(head)
            elif not chain and scoped:
                path.append(head)
            tok = head
        # "X happened, the governor said": the parse may hang "said" anywhere (under the event's
        # verb, in a relative clause): any reporting verb after the event, past a comma, speaks.
        sent = trigger.sent
        comma = False
        above: set[int] | None = None  # the trigger's ancestors: the verbs whose subtree holds it
        for t in doc_tokens(sent.doc)[trigger.i + 1 : sent.end]:
            if t.is_punct and t.text in (",", "—", "–", ";"):
                comma = True
            if comma and t.pos_ == "VERB" and t not in chain and self._reporting_verb(t) \
                    and not self._in_time_clause(t) and self._speaker_head(t) is not None:
                if above is None:
                    above = {a.i for a in trigger.ancestors}
                if t.i not in above:
                    chain.append(t)
        # "quoted X as saying": the subject-less "saying" adds nothing to "quoted"
        if len(chain) > 1:
            chain = [v for v in chain if self._speaker_head(v) is not None] or chain
        # Innermost speaker: the nearest reporting verb before the event, else the first after it.
        before = sorted((v for v in chain if v.i < trigger.i), key=lambda v: -v.i)
        after = sorted((v for v in chain if v.i > trigger.i), key=lambda v: v.i)
        chain = before + after
        hedged = self._hedged(path)
        according: Speaker | None = None
        for t in path:
            for c in t.children:
                if c.lemma_.lower() == "accord" or (c.lower_ == "according" and c.dep_ == "prep"):
                    for to in c.children:
                        for pobj in to.children:
                            if pobj.dep_ == "pobj":
                                according = self.name(pobj)
        speaker_tokens: set[int] = set()
        claims: list[Claim] = []
        quote = trigger.sent.text.strip()[:300]
        if not chain:
            if according is not None:
                speaker_tokens |= according.tokens
                stance = "hedged" if according.name is None or hedged else "claimed"
                claims.append(Claim(claimant=according.name, side=according.side, stance=stance, quote=quote))
            else:
                claims.append(Claim(claimant=None, side=None, stance="hedged" if hedged else "asserted", quote=quote))
            return Attribution(claims, speaker_tokens, None)
        inner = chain[0]
        stance = "claimed"
        lemma = inner.lemma_.lower()
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in inner.children)
        if lemma in table.witness:
            stance = "witnessed"
        elif lemma in table.denial_verbs:
            stance = "denied"
        speaker = None if (passive and lemma not in _QUOTE_LEMMAS and inner.pos_ == "VERB") else self.speaker_of(inner)
        if passive and lemma in table.reporting and lemma != "tell":
            stance = "hedged"  # "X is reported to have ...", "is said to"
        if speaker is None and stance == "claimed":
            stance = "hedged"
        if hedged and stance == "claimed":
            stance = "hedged"
        if any(t.lower_ in table.denial_words for t in inner.subtree) and lemma in ("dismiss", "call", "describe", "label"):
            stance = "denied"
        via: list[str] = []
        if lemma in _QUOTE_LEMMAS:
            outer = self._subject(inner)
            if outer is not None:
                sp = self._speakers.get(outer.i) or self.name(outer)
                speaker_tokens |= sp.tokens
                if sp.name:
                    via.append(sp.name)
        for verb in chain[1:]:
            sp = self.speaker_of(verb)
            if sp is not None:
                speaker_tokens |= sp.tokens
                if sp.name and sp.name not in via:
                    via.append(sp.name)
        if according is not None and according.name and speaker is not None and speaker.name:
            via.append(according.name)
        if speaker is not None:
            speaker_tokens |= speaker.tokens
        claims.append(Claim(
            claimant=speaker.name if speaker else None,
            side=speaker.side if speaker else None,
            via=via, stance=stance, quote=quote,
        ))
        return Attribution(claims, speaker_tokens, inner)
