"""Events: typed, dated, placed and attributed events from one parsed report (contract §2).

Triggers (triggers.py) give the kind, the parse gives the place and the actors, time.py the
dates, quantities.py the dead, attribution.py who says so; mentions of one event are merged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from frontwatch.extract.actors import Actor, acled_name, civilians_name, describe, other_side
from frontwatch.extract.actors import actor_table as actors_table
from frontwatch.extract.attribution import Attribution, Attributor, outlet_side
from frontwatch.extract.quantities import area_km2, casualties
from frontwatch.extract.time import TimeMention, When, find_times
from frontwatch.extract.triggers import Hit, Rule, find_triggers, trigger_table
from frontwatch.model import (
    Claim,
    ControlChange,
    Event,
    Evidence,
    Location,
    PlaceMention,
    Report,
    kind_to_acled,
)
from frontwatch.nlp import closes_phrase, doc_text, doc_tokens

# An event the report does not date happened, as far as we know, in the two days up to the
# report (news reports what is new); ACLED time_precision 2 says the day is not known.
UNDATED_DAYS = 2
# "X said on Saturday that ..." : the event came at most this many days before the saying.
SAID_LAG_DAYS = 1
# A date elsewhere in the sentence anchors an event only loosely: up to this many days before it.
SENTENCE_DATE_SLACK = 2
# Background the report does not date happened some time in this many days before it.
BACKGROUND_DAYS = 365
# The event's sentence and at most this many after it may give its toll.
TOLL_SENTENCES = 3

VIOLENT_TYPES = {"Battles", "Explosions/Remote violence", "Violence against civilians"}
CONTROL_KINDS = {"territory_regained", "territory_captured", "entered"}
# Dependency labels through which an event's place is searched (its object, locatives, "of X").
ARG_DEPS = {"dobj", "pobj", "prep", "nsubjpass", "attr", "compound", "nmod", "npadvmod", "oprd", "dative",
            "pcomp", "advmod", "prt", "amod", "conj", "poss", "acl", "agent", "appos"}
# Prepositions that name where something goes, not where it happened ("fled to Russia").
DESTINATION_PREPS = {"to", "towards", "toward"}
LOCATIVE_PREPS = {"in", "at", "near", "outside", "around", "on", "inside", "across", "throughout"}
COUNTRY_CODES = {"PCLI", "PCL", "PCLD", "PCLF", "PCLS", "PCLIX", "CONT", "RGN"}
STANCE_CONFIDENCE = {"witnessed": 0.85, "asserted": 0.8, "claimed": 0.7, "hedged": 0.45, "denied": 0.2}
# Verbs whose complement is only intended or feared, never done.
INTENT_VERBS = {"plan", "want", "threaten", "prepare", "intend", "hope", "aim", "vow", "promise", "urge", "call",
                "seek", "need", "expect", "refuse", "fail", "would", "attempt", "try", "order", "ask", "warn",
                "demand", "focus", "fear", "avoid", "prevent", "stop", "concentrate", "offer", "propose", "plot",
                "scheme", "dream", "pledge", "feign", "pretend", "fake"}
# Verbs and adjectives whose to-infinitive happened ("managed to retake", "were able to enter").
IMPLICATIVE = {"manage", "succeed", "force", "compel", "oblige", "begin", "start", "continue", "have", "help",
               "able", "go", "proceed", "get", "make", "dare", "happen"}
# An attempt is a fight for a place, not an aim nor a change of hands.
ATTEMPT_WORDS = {"try", "attempt", "seek", "bid", "effort", "struggle", "fight", "battle"}
# "the threat of encirclement" is not an encirclement.
UNREAL_NOUNS = {"threat", "risk", "danger", "fear", "possibility", "plan", "prospect", "attempt", "goal", "aim",
                "intention", "warning", "rumour", "rumor", "chance", "bid", "ability", "capacity", "demand", "call",
                "readiness", "scenario", "need", "objective", "focus", "task", "priority", "mission", "purpose",
                "target", "failure", "hope", "ambition", "dream", "desire", "intent"}
CIVILIAN_TARGETS = {"home", "house", "apartment", "building", "hospital", "school", "residential", "civilian",
                    "civilians", "people", "person", "resident", "residents", "market", "shop", "kindergarten",
                    "church", "station", "bus", "car", "child", "children", "neighbourhood", "neighborhood"}


@dataclass
class PlaceRef:
    mention: PlaceMention
    tokens: range                  # token indices of the mention
    anaphoric: bool = False        # "the city" standing for the last city named


@dataclass
class Found:
    """One mention of an event before merging."""

    kind: str
    rule: str
    place: PlaceRef
    direct: bool
    near: bool
    partial: bool
    actor: Actor
    when: When
    dated: bool
    attribution: Attribution
    sentence: Span
    trigger: Token
    fatalities: int | None = None
    fatalities_text: str | None = None
    quantities: dict[str, float] = field(default_factory=dict)
    civilians_hit: bool = False
    extent: str | None = None
    area: bool = False             # "captured territory in X": a part of X's surroundings, not X
    background: bool = False       # told as background, not as news (tense, adverbials, descriptions)
    ongoing: bool = False          # "troops are leaving X": under way, not yet done


# --------------------------------------------------------------------------- places
class PlaceIndex:
    """Place mentions by token, plus "the city"/"the province" pointing back at the last one named."""

    def __init__(self, doc: Doc, places: list[PlaceMention]):
        self.by_token: dict[int, PlaceRef] = {}
        self.refs: list[PlaceRef] = []
        for m in places:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None:
                continue
            ref = PlaceRef(m, range(span.start, span.end))
            self.refs.append(ref)
            for i in ref.tokens:
                self.by_token[i] = ref
        # A qualifier ("Izium, Kharkiv region") is no place of its own: its words lead to the place.
        by_start = {r.mention.start: r for r in self.refs}
        for ref in self.refs:
            target = by_start.get(ref.mention.defer_to) if ref.mention.defer_to is not None else None
            if target is not None and target is not ref:
                for i in ref.tokens:
                    self.by_token[i] = target
        self._anaphora(doc)

    @staticmethod
    def usable(m: PlaceMention) -> bool:
        return not m.metonymy and m.feature_code not in COUNTRY_CODES

    def _anaphora(self, doc: Doc) -> None:
        table = trigger_table()
        last: dict[int, PlaceRef] = {}
        refs = iter(sorted(self.refs, key=lambda r: r.tokens.start))
        nxt = next(refs, None)
        for t in doc_tokens(doc):
            while nxt is not None and nxt.tokens.start <= t.i:
                m = nxt.mention
                if m.resolved and self.usable(m):
                    level = 3 if (m.geo_precision == 3 or m.feature_class == "A") else 1
                    last[level] = nxt
                nxt = next(refs, None)
            level = table.anaphora.get(t.lemma_.lower())
            if level == 1 and t.i not in self.by_token:
                named = self._renamed_after(t)
                if named is not None:  # "seized the first big city in the south, the port of X, as ..."
                    self.by_token[t.i] = named
                    continue
            if level is None or t.i in self.by_token or level not in last:
                continue
            dets = [c for c in t.children if c.dep_ in ("det", "poss")]
            if t.dep_ == "compound" and not dets:
                dets = [c for c in t.head.children if c.dep_ == "det"]
            if not dets or dets[0].lower_ not in ("the", "this", "that"):
                continue
            if any(c.dep_ in ("compound", "amod", "nmod", "appos") and (c.pos_ == "PROPN" or c.i in self.by_token)
                   or (c.dep_ == "prep" and c.lower_ == "of") for c in t.children):
                continue  # "the districts of Balakliia", "the Izium area": named, not pointing back
            src = last[level]
            if t.lemma_.lower() in table.anaphora_small and src.mention.feature_code in table.anaphora_small_not:
                continue
            ref = PlaceRef(src.mention.model_copy(update={"mention": src.mention.mention}), range(t.i, t.i + 1), True)
            self.by_token[t.i] = ref

    def _renamed_after(self, t: Token) -> PlaceRef | None:
        """The settlement a comma-set phrase right after this town noun names: "took the largest
        city in the south, the port of X, ..." or "left the town, X, on Friday" (read on the surface,
        for parses that hang the phrase elsewhere). A list ("the city, the port of X and ...") or a
        name that goes on ("the city, X officials said") names nothing."""
        if not any(c.dep_ == "det" and c.lower_ in ("the", "a", "an") for c in t.children):
            return None
        toks = doc_tokens(t.doc)
        n = len(toks)
        k = t.i + 1
        while k < n and k - t.i <= 5 and toks[k].text != "," and toks[k].pos_ in ("ADP", "DET", "ADJ", "NOUN", "PRON"):
            k += 1
        if k >= n or toks[k].text != "," or toks[k].is_sent_start:
            return None
        k += 1
        if k < n and toks[k].lower_ == "the":  # "the (strategic) port of X"
            j = k + 1
            while j < n and j - k <= 3 and toks[j].pos_ in ("ADJ", "NOUN") and toks[j].lower_ != "of":
                j += 1
            if j >= n or toks[j].lower_ != "of" or j == k + 1:
                return None
            k = j + 1
        ref = self.by_token.get(k) if k < n else None
        if ref is None or ref.anaphoric or ref.tokens.start != k or not ref.mention.resolved \
                or not (ref.mention.feature_code or "").startswith("PPL"):
            return None
        return ref if closes_phrase(toks, ref.tokens.stop) else None

    def at(self, t: Token) -> PlaceRef | None:
        return self.by_token.get(t.i)


def _conj_places(tok: Token, index: PlaceIndex) -> list[tuple[Token, PlaceRef]]:
    out = []
    for c in tok.children:
        if c.dep_ == "conj":
            ref = index.at(c)
            if ref is not None:
                out.append((c, ref))
                out.extend(_conj_places(c, index))
    return out


def _is_region(ref: PlaceRef) -> bool:
    m = ref.mention
    return m.geo_precision == 3 or m.feature_class == "A"


def _apposed(t: Token, index: PlaceIndex) -> Token | None:
    """"hold Izium, a town they took on Friday, and ...": the place an apposition describes, for a
    trigger in a relative clause on the apposition."""
    if t.dep_ in ("relcl", "acl") and t.head.dep_ == "appos" and index.at(t.head.head) is not None:
        return t.head.head
    # "Kreminna, (a town) Russian troops took": a relative clause with a subject of its own has the
    # place it hangs from as its object.
    if t.dep_ == "relcl" and index.at(t.head) is not None and any(
            c.dep_ == "nsubj" and c.lower_ not in ("which", "that", "who") for c in t.children):
        return t.head
    return None


def _arg_places(hit: Hit, index: PlaceIndex, skip: set[str], triggers: set[int]) -> list[tuple[PlaceRef, list[Token]]]:
    """The place among the trigger's own arguments (with places coordinated with it), each with
    the parse path to it; the nearest settlement wins over a region ("In the Kharkiv region,
    artillery shelled Kupiansk")."""
    t = hit.token
    starts: list[Token] = [t]
    own_from = t.dep_ == "relcl" and any(
        c.dep_ == "prep" and c.lower_ in ("from", "out") and any(g.dep_ == "pobj" for g in c.children)
        for c in t.children)  # "..., Russian forces retreated from X": the clause names its own place
    if (t.dep_ in ("relcl", "acl", "amod") and not own_from) or (
            hit.nominal and t.dep_ in ("nsubj", "nsubjpass", "dobj")):
        # "Shevchenkove, which troops recaptured": the noun it hangs from; "rocket fire hit X": the verb.
        starts.append(t.head)
        described = _apposed(t, index)
        if described is not None:
            starts.insert(0, described)  # "Balakliia, a town they retook on Thursday"
    if not hit.nominal:
        clause = _clausal_object(t)
        if clause is not None:
            starts.append(clause)
    if hit.nominal and len(starts) > 1:
        # a noun's own "of X" / "from X" first: "Russia's withdrawal from X is a victory for Y"
        own = _search_places(t, [t], index, skip, triggers)
        if own:
            return own
    found = _search_places(t, starts, index, skip, triggers)
    if not found:
        cause = _compelling_cause(t)
        if cause is not None:
            # the cause is itself a fight or a shelling: its place is the one it names
            found = _search_places(t, [cause], index, skip, {t.i})
    return found


COMPEL_VERBS = {"force", "compel", "oblige"}


def _compelling_cause(t: Token) -> Token | None:
    """"fighting in X forced the troops to withdraw": a verb compelled by what happened somewhere
    takes that place when it names none of its own."""
    if t.dep_ != "xcomp" or t.head.lemma_.lower() not in COMPEL_VERBS:
        return None
    return next((c for c in t.head.children if c.dep_ == "nsubj"), None)


def _clausal_object(v: Token) -> Token | None:
    """"appropriated aid arriving in X" parses as a clause "aid arriving in X" under the verb:
    with no object of its own, a trigger verb's clause complement stands for its object."""
    if v.pos_ != "VERB" or any(c.dep_ == "dobj" for c in v.children):
        return None
    for c in v.children:
        if c.dep_ == "ccomp" and c.tag_ == "VBG" and any(g.dep_ == "nsubj" for g in c.children):
            return c
    return None


def _object_phrase(path: list[Token]) -> bool:
    """The path runs through the verb's object and its "of" phrases only ("intercepted drones",
    "cleared hectares of farmland of mines")."""
    return len(path) >= 2 and path[1].dep_ in ("dobj", "nsubjpass") and all(
        p.dep_ == "pobj" or (p.dep_ == "prep" and p.lower_ == "of") for p in path[2:])


def _object_tokens(v: Token) -> list[Token]:
    """The verb's objects, their conjuncts and the nouns of their "of" phrases."""
    out: list[Token] = []
    todo = [c for c in v.children if c.dep_ in ("dobj", "nsubjpass")]
    clause = _clausal_object(v)
    if clause is not None:
        todo.extend(g for g in clause.children if g.dep_ == "nsubj")
    while todo:
        x = todo.pop()
        out.append(x)
        for c in x.children:
            if c.dep_ == "conj":
                todo.append(c)
            elif c.dep_ == "prep" and c.lower_ == "of":
                todo.extend(g for g in c.children if g.dep_ == "pobj")
    return out


def _coded_to(c: Token) -> bool:
    """ACLED's "(coded to X)": the place the note's coder gave the event."""
    return c.dep_ in ("advcl", "parataxis", "acl", "dep") and c.lower_ == "coded"


def _coordinated_verbs(v: Token) -> list[Token]:
    """Verbs coordinated with v that share its subject ("shelled, assaulted, and were repulsed
    from positions near X"; "carried out air strikes and shelled X"), v excluded."""
    root = v
    while root.dep_ == "conj" and root.head.pos_ in ("VERB", "AUX"):
        root = root.head
    out: list[Token] = []
    todo = [root]
    while todo:
        x = todo.pop()
        if x.i != v.i:
            out.append(x)
        todo.extend(c for c in x.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")
                    and not any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children))
    if v.i != root.i and any(g.dep_ in ("nsubj", "nsubjpass") for g in v.children):
        return []  # v has a subject of its own: its acts are its own
    return sorted(out, key=lambda x: x.i)


def _shared_places(hit: Hit, index: PlaceIndex, skip: set[str], triggers: set[int]) -> list[tuple[PlaceRef, list[Token]]]:
    """For a trigger with no place of its own, the place of the verbs coordinated with it: the
    place at the end of "carried out air strikes and shelled X" belongs to both acts."""
    t = hit.token
    v = t.head if hit.nominal and t.dep_ in ("dobj", "nsubjpass") else t
    if v.pos_ not in ("VERB", "AUX"):
        return []
    for other in _coordinated_verbs(v):
        # "attempted to advance near X and clashed": the place of the verb it leads to counts too
        starts = [other, *(c for c in other.children if c.dep_ == "xcomp")]
        found = _search_places(other, starts, index, skip, triggers)
        if found:
            return found
    return []


def _search_places(t: Token, starts: list[Token], index: PlaceIndex, skip: set[str],
                   triggers: set[int]) -> list[tuple[PlaceRef, list[Token]]]:
    seen = {s.i for s in starts}
    queue: list[tuple[Token, list[Token], int]] = [(s, [s], 0) for s in starts]
    groups: list[list[tuple[PlaceRef, list[Token]]]] = []
    while queue:
        tok, path, depth = queue.pop(0)
        ref = index.at(tok)
        if ref is not None and tok.i != t.i:
            group = [(ref, path)] + [(cref, [*path, c]) for c, cref in _conj_places(tok, index)]
            group = [(r, p) for r, p in group if index.usable(r.mention)]
            if group:
                groups.append(group)
                continue  # what hangs under a place ("Kupiansk, a hub on the river") is not the event's place
            # An actor named by a place ("shelled DPR in Horlivka"): its place hangs under it.
        if depth >= 5 or (tok.i in triggers and tok.i != t.i and depth > 0
                          and not (tok.dep_ == "acl" and tok.tag_ in ("VBN", "VBG"))
                          and not (tok.pos_ == "NOUN" and _object_phrase(path))):
            # another trigger's arguments are its own ("encircled ... after taking X"), but a trigger
            # noun the verb acts on is the same act ("intercepted drones over X", "repelled an attack near X")
            continue
        for c in tok.children:
            if c.i in seen or (c.dep_ not in ARG_DEPS and not _coded_to(c)):
                continue
            if c.dep_ == "prep" and c.lower_ in skip:
                continue
            if _locating_aside(c, index):
                continue  # "from X, near Y": Y only says where X lies
            if c.dep_ == "conj" and index.at(c) is None and c.pos_ in ("VERB", "AUX"):
                continue  # a coordinated verb has its own arguments
            seen.add(c.i)
            # "the positions of Ukrainian forces near X": an "of" costs no depth
            # ... nor does a "by" agent or a name inside its noun phrase ("the Genichesk district")
            step = 0 if (c.dep_ == "prep" and c.lower_ == "of") or c.dep_ in ("agent", "compound") else 1
            queue.append((c, [*path, c], depth + step))
    if not groups:
        return []
    return min(groups, key=lambda g: (_is_region(g[0][0]), len(g[0][1])))


def _speaker_starts(t: Token, attribution: Attribution) -> set[int]:
    """Character starts of the words naming who speaks above the trigger: the attribution's
    speaker, and the subjects of the verbs the trigger's clause depends on ("officials in Kyiv
    stopped short of saying ..."), except local people, who speak of their own town."""
    civilian = actors_table().civilian

    def local(tokens: list[Token]) -> bool:
        return any(x.lower_ in civilian or x.lemma_.lower() in civilian for x in tokens)

    doc = t.doc
    speaker = [doc[i] for i in attribution.speaker_tokens]
    out = set() if local(speaker) else {x.idx for x in speaker}
    for anc in t.ancestors:
        for c in anc.children:
            if c.dep_ == "nsubj" and c.i < t.i and not local([c]):
                out.update(x.idx for x in c.subtree)
    return out


def _fallback_places(hit: Hit, index: PlaceIndex, exclude: set[int]) -> list[PlaceRef]:
    """The place the trigger's clause is set in ("In X, ... soldiers had looted shops")."""
    t = hit.token
    chain = [t]
    tok = t
    while tok.head.i != tok.i and tok.dep_ != "relcl":
        tok = tok.head
        chain.append(tok)
    for anc in chain:
        for c in anc.children:
            if c.dep_ == "prep" and c.lower_ in LOCATIVE_PREPS:
                for g in c.children:
                    ref = index.at(g)
                    if ref is not None and g.i not in exclude and index.usable(ref.mention) and ref.mention.resolved:
                        return [ref]
    return []


# --------------------------------------------------------------------------- actors
def _find_actor(hit: Hit, passive: bool) -> Actor:
    t = hit.token
    cands: list[Token] = []
    if hit.nominal:
        for c in t.children:
            if c.dep_ in ("poss", "amod", "compound", "nmod"):
                cands.append(c)
        for c in t.children:
            if c.dep_ == "prep" and c.lower_ == "by":
                cands.extend(g for g in c.children if g.dep_ == "pobj")
        if t.dep_ in ("nsubj",) and not cands:
            cands.append(t)
        if t.dep_ == "dobj" and t.head.pos_ == "VERB":
            # "Russian forces attempted an offensive": the subject of the verb whose object it is
            cands.extend(c for c in t.head.children if c.dep_ == "nsubj")
    else:
        for c in t.children:
            if c.dep_ == "agent":
                cands.extend(g for g in c.children if g.dep_ == "pobj")
        subj_dep = "nsubjpass" if passive else "nsubj"
        for c in t.children:
            if c.dep_ == subj_dep:
                cands.append(c)
        if not cands and t.dep_ == "xcomp":
            # "forcing residents to flee": the object of the verb it completes does it
            cands.extend(c for c in t.head.children if c.dep_ == "dobj")
        if not cands:
            # "after taking X": the subject of the verb this one hangs from
            anc = t
            for _ in range(4):
                if anc.dep_ in ("ROOT",) or anc.dep_ in ("relcl",):
                    break
                anc = anc.head
                subj = next((c for c in anc.children if c.dep_ in ("nsubj",)), None)
                if subj is not None and anc.pos_ in ("VERB", "AUX") and anc.dep_ != "ROOT" or \
                        (subj is not None and t.dep_ in ("xcomp", "pcomp", "advcl", "conj")):
                    cands.append(subj)
                    break
        for c in t.children:
            if c.dep_ == "prep" and c.lower_ in ("in", "during", "by"):
                for g in c.children:
                    if g.dep_ == "pobj" and g.lemma_.lower() in ("advance", "offensive", "counteroffensive",
                                                                  "counter-offensive", "assault", "attack", "operation"):
                        cands.append(g)
    for c in cands:
        actor = describe(list(c.subtree)[:12], head=c)
        if actor.known or actor.pronoun:
            return actor
    # "a Ukrainian flag raised over X", "raised the Ukrainian flag": the flag's side
    extra = [w for w in hit.words[1:]]
    if t.dep_ in ("acl", "amod") and not hit.nominal:
        extra.append(t.head)
    for w in extra:
        actor = describe([c for c in w.children if c.dep_ in ("amod", "compound", "poss")], head=w)
        if actor.side:
            return actor
    return Actor()


def _clause_words(t: Token) -> str:
    """The words of the clause a trigger stands in (its own subtree for a verb, the verb's for a
    noun), lower-case, for phrase matching."""
    head = t
    if t.pos_ not in ("VERB", "AUX"):
        while head.pos_ not in ("VERB", "AUX") and head.head.i != head.i:
            head = head.head
    doc = t.doc
    left = min(head.left_edge.i, t.i)
    right = max(head.right_edge.i, t.i)
    # a clause of its own (another verb's) inside the subtree is not this trigger's
    return " ".join(doc[i].lower_ for i in range(left, right + 1))


def _past_perfect(t: Token) -> bool:
    """"had held", "had been captured", and verbs coordinated with one ("had held the town but
    left")."""
    tok = t
    for _ in range(3):
        if tok.tag_ == "VBN" and any(c.dep_ == "aux" and c.lower_ in ("had", "'d", "having") for c in tok.children):
            return True  # "had held", "having been forced to retreat from X"
        if tok.dep_ not in ("conj", "xcomp") or tok.head.pos_ not in ("VERB", "AUX"):
            return False
        tok = tok.head
    return False


def _background(hit: Hit, index: PlaceIndex, attribution: Attribution, when: When, dated: bool,
                rd: dt.date, table) -> bool:  # noqa: ANN001
    """Told as background, not as news: past perfect in the report's own voice ("Russian forces
    had held the town only briefly"), a recap adverbial ("earlier this year", "since March", "so
    far"), a relative clause or participle describing a place ("Kherson, which Russia seized"),
    an anniversary. A date inside the news window overrides all but the recap words."""
    t = hit.token
    in_window = dated and not when.historical(rd)
    if hit.nominal:
        anc = t.head
        for _ in range(3):
            if anc.lemma_.lower() in table.background_nouns or (anc.dep_ == "prep" and anc.lower_ == "since"):
                return True  # "the anniversary of the liberation of X", "since the capture of X"
            if anc.head.i == anc.i:
                break
            anc = anc.head
    else:
        if any((c.dep_ == "prep" and c.lower_ == "since") or (c.dep_ == "advmod" and c.lower_ == "still")
               for c in t.children):
            return True  # "has held X since March", "was still occupied": a state, its start long told
        # "X said Ukrainian troops had recaptured Y", "..., the army said": reported speech shifts the
        # tense back; in the report's own voice the past perfect tells what came before the news
        reported = attribution.verb is not None
        if _past_perfect(t) and not reported and not in_window:
            return True
    words = f" {_clause_words(t)} "
    if any(f" {p} " in words for p in table.background_phrases):
        return True
    if not in_window and t.dep_ in ("relcl", "acl", "amod"):
        head = t.head
        if index.at(head) is not None or head.lemma_.lower() in table.anaphora:
            return True  # "Kherson, which Russian troops captured", "the occupied city"
        if t.dep_ in ("acl", "amod") and t.tag_ == "VBN":
            return True  # "the mayor of X seized by Russia": a participle describes, it does not report
    return False


def _speaker_side(attribution: Attribution, outlet: str | None) -> str | None:
    """Who speaks: the innermost claimant with a side, else the outlet (for the report's own voice
    and for unnamed sources)."""
    for c in attribution.claims:
        if c.side in ("UA", "RU"):
            return c.side
        if c.claimant is not None and c.side == "neutral":
            return "neutral"
    return outlet


def _tight_path(path: list[Token]) -> bool:
    """The verb's object or passive subject itself, or places coordinated with it."""
    if len(path) < 2 or path[1].dep_ not in ("dobj", "nsubjpass"):
        return False
    rest = path[2:]
    if len(rest) >= 2 and path[1].lemma_.lower() in trigger_table().anaphora and rest[0].lower_ == "of" \
            and rest[1].dep_ == "pobj":
        rest = rest[2:]  # "the town of X was taken"
    return all(tok.dep_ == "conj" for tok in rest)


def _relative_antecedent(t: Token, pronoun: Token) -> Actor | None:
    """"Russian troops dug in at X, a town they took on Monday": "they" in a clause describing a
    place the main clause acts on are that clause's armed subject (never a speaker's "they")."""
    if pronoun.lower_ not in ("they", "it") or t.dep_ not in ("relcl", "acl", "advcl"):
        return None
    # "Russian troops burned the school before they withdrew from X": an adverbial clause's
    # "they" is the main clause's subject
    tok = t.head
    for _ in range(6):
        if tok.dep_ in ("appos", "dobj", "pobj", "prep", "conj", "npadvmod") and tok.head.i != tok.i:
            tok = tok.head
            continue
        break
    # the verb the place hangs from, and up through "seek to hold", "tried to keep"
    verb = tok
    for _ in range(4):
        subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if subj is not None:
            if verb.lemma_.lower() in ("say", "tell", "report", "claim", "announce", "add", "state"):
                return None  # "they" of a quote is no subject of the act
            actor = describe(list(subj.subtree)[:12], head=subj)
            return actor if actor.side and actor.military else None
        # "made sure to burn X", "seek to hold X": up to the verb whose subject it is
        if verb.dep_ not in ("xcomp", "conj", "acomp") or verb.head.i == verb.i:
            return None
        verb = verb.head
    return None


def _speaker_pronoun(head: Token) -> bool:
    """"its forces", "our troops", "it had encircled": the speaker's own side ("they" may be anyone)."""
    words = {t.lower_ for t in head.subtree}
    return bool(words & {"its", "our", "we", "his", "her", "it"})


def _weapon_kind(hit: Hit, default: str) -> str:
    table = trigger_table()
    t = hit.token
    # The first 60 tokens of: its subtree (a noun's: and its head's), then its subjects' subtrees;
    # walked lazily, since a sentence's root has the whole sentence below it.
    parts = [t.subtree]
    if hit.nominal and t.dep_ in ("nsubj", "pobj", "dobj"):
        parts.append(t.head.subtree)
    parts.extend(c.subtree for c in t.children if c.dep_ in ("nsubj", "nsubjpass"))
    for tok in itertools.islice(itertools.chain.from_iterable(parts), 60):
        if default == "shelling" and tok.dep_ in ("compound", "amod", "nmod") and tok.head.i != tok.i:
            kind = table.weapon_pairs.get(f"{tok.lower_} {tok.head.lemma_.lower()}")
            if kind:
                return kind  # "air units struck", "kamikaze drones"
        kind = table.weapons.get(tok.lemma_.lower()) or table.weapons.get(tok.lower_)
        if kind:
            return kind
    return default


# Nouns whose "of" names what the object is: "the territory of a camp", "a column of cars".
OBJECT_OF_HEADS = {"territory", "part", "column", "convoy", "group", "number", "dozen", "dozens", "hundreds", "pair",
                   "couple", "batch", "hectare", "hectares", "area", "grounds"}


def _object_classes(t: Token, passive: bool) -> tuple[str, ...]:
    """The classes (triggers.yaml object_classes) of what a verb trigger acts on: its object (or
    passive subject), by the head noun first, then the words before it ("two Russian Su-25"), then
    the "of" noun after a container ("the territory of a children's camp"); "cleared the fields
    of mines" also looks at the "of"/"from" phrase of the verb."""
    classes = trigger_table().object_classes
    objs = [c for c in t.children if c.dep_ == ("nsubjpass" if passive else "dobj")]
    if t.dep_ == "relcl" and (not objs or all(o.lower_ in ("which", "that", "who", "whom") for o in objs)):
        objs = [t.head]  # "the power plant, which was seized by troops": the plant was seized
    clause = _clausal_object(t) if not passive else None
    if not objs and clause is not None:
        objs = [g for g in clause.children if g.dep_ == "nsubj"]
    if objs and all(o.lower_ == "fire" for o in objs):
        objs = []  # "opened fire on residents": the object is what the fire was opened on
    if not objs:
        # "shot at a column of civilian cars", "opened fire on residents"
        objs = [g for p in t.children if p.dep_ == "prep" and p.lower_ in ("at", "on")
                for g in p.children if g.dep_ == "pobj"]
        objs += [g for d in t.children if d.dep_ == "dobj" and d.lower_ == "fire"
                 for p in d.children if p.dep_ == "prep" and p.lower_ in ("at", "on")
                 for g in p.children if g.dep_ == "pobj"]
    for o in list(objs):
        objs.extend(c for c in o.children if c.dep_ == "conj")
    out: list[str] = []

    def add(tok: Token) -> bool:
        found = classes.get(tok.lower_) or classes.get(tok.lemma_.lower())
        if found:
            out.extend(found)
        return bool(found)

    for o in objs:
        if add(o):
            continue
        if o.lemma_.lower() in OBJECT_OF_HEADS:
            for p in o.children:
                if p.dep_ == "prep" and p.lower_ == "of":
                    for g in p.children:
                        if g.dep_ == "pobj" and not add(g):
                            for w in g.lefts:
                                add(w)
            if out:
                continue
        for w in o.lefts:
            if w.dep_ in ("compound", "amod", "nmod", "nummod") and add(w):
                break
    if not out:
        # "cleared the fields of mines", "cleared 5 hectares of land from mines"
        for x in [t, *objs, *(g for o in objs for p in o.children if p.lower_ == "of" for g in p.children)]:
            for p in x.children:
                if p.dep_ == "prep" and p.lower_ in ("of", "from"):
                    for g in p.children:
                        if g.dep_ == "pobj" and "munition" in (classes.get(g.lemma_.lower()) or ()):
                            add(g)
    return tuple(out)


FUTURE_AUX = ("will", "would", "shall", "'ll", "wo")
# "Ukrainian forces can retake X", "X could be retaken by December": an ability or a forecast, not
# an outcome. With "have" it is a hedge on something past ("may have taken X") and stays a report.
MODAL_AUX = ("can", "ca", "could", "might", "may", "must", "should")


def _modal_unreal(tok: Token, modal: bool = True) -> bool:
    auxes = [c.lower_ for c in tok.children if c.dep_ == "aux"]
    if any(a in FUTURE_AUX for a in auxes):
        return True
    return modal and any(a in MODAL_AUX for a in auxes) and not any(a in ("have", "'ve") for a in auxes)


def _negated_or_unreal(t: Token, aims: bool = True, modal: bool = True) -> bool:
    """Negated ("could not be called liberated"), future ("will withdraw", "were going to
    retreat"), only possible ("can retake", "could be retaken") or only intended."""
    if aims and _aim(t):
        return True
    if _future_time_clause(t):
        return True
    if _feared(t):
        return True
    tok = t
    for _ in range(4):
        if any(c.dep_ == "neg" for c in tok.children) or _modal_unreal(tok, modal):
            return True
        if tok.dep_ in ("csubj", "csubjpass") and _modal_unreal(tok.head, modal):
            return True  # "retaking the city would be a major victory"
        if (tok.dep_ == "xcomp" and tok.head.lemma_.lower() == "go" and tok.head.tag_ == "VBG"
                and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)):
            return True  # "were going to retreat from X"
        if tok.dep_ == "pcomp" and tok.head.dep_ == "prep" and (
                tok.head.head.lemma_.lower() in INTENT_VERBS or tok.head.head.lemma_.lower() in UNREAL_NOUNS
                or tok.head.lower_ == "from"):
            # "focused on capturing X", "the threat of Russia taking over X", "kept them from capturing X"
            return True
        if tok.dep_ in ("xcomp", "oprd", "acomp") or (tok.dep_ == "pcomp" and tok.head.lower_ == "to"):
            head = tok.head
            if head.lemma_.lower() in INTENT_VERBS and head.lemma_.lower() not in ("try", "attempt"):
                return True
            tok = head
            continue
        if tok.dep_ == "ccomp" and any(c.dep_ == "neg" for c in tok.head.children) and tok.head.lemma_.lower() not in ("deny",):
            return True
        break
    return False


def _feared(t: Token) -> bool:
    """"fears of Russian troops capturing X", "the prospect of Moscow seizing X", and the parse that
    makes "the threat (of Russia)" the subject of "taking over X": an act only feared or hoped for."""
    if any(c.dep_ in ("nsubj", "nsubjpass") and c.lemma_.lower() in UNREAL_NOUNS for c in t.children):
        return True
    if t.dep_ != "acl":
        return False
    head = t.head
    if head.lemma_.lower() in UNREAL_NOUNS:
        return True
    return head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.lemma_.lower() in UNREAL_NOUNS


def _ongoing(t: Token, nominal: bool) -> bool:
    """A verb in the progressive ("are leaving X", "were pulling out of X"): the act is under way."""
    return not nominal and t.tag_ == "VBG" and any(c.dep_ == "aux" and c.lemma_.lower() == "be" for c in t.children)


def _future_time_clause(t: Token) -> bool:
    """"they would celebrate when troops liberate X", "once they take X, they will ...": a
    present-tense clause of time or condition under a future is not yet done."""
    if t.dep_ != "advcl" or t.tag_ not in ("VBP", "VBZ", "VB"):
        return False
    if not any(c.dep_ in ("mark", "advmod") and c.lower_ in ("when", "once", "until", "after", "before", "if", "unless")
               for c in t.children):
        return False
    return any(c.dep_ == "aux" and c.lower_ in ("will", "would", "shall", "'ll", "could", "might")
               for c in t.head.children)


def _unreal_noun(t: Token, clash: bool = False) -> bool:
    """A nominal trigger that is only feared, planned or asked for ("the threat of encirclement",
    "demand an attack on X", "the ability to launch an assault")."""
    head = t.head
    if t.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in UNREAL_NOUNS:
        return True
    tok = t
    for _ in range(3):
        if tok.head.i == tok.i:
            break
        tok = tok.head
        if clash and tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in ("try", "attempt"):
            return False  # "attempted an offensive near X" was fought, whatever came of it
        if tok.lemma_.lower() in UNREAL_NOUNS:
            return True
        if tok.lemma_.lower() == "be" and any(c.dep_ in ("nsubj", "nsubjpass") and c.lemma_.lower() in UNREAL_NOUNS
                                              for c in tok.children):
            return True  # "its main goal was the liberation of X"
        if tok.pos_ in ("VERB", "AUX"):
            # "fired to disperse a protest": the protest was there, whatever the shots were for
            # ("explosions could be heard in X": heard or not, they happened)
            return tok.lemma_.lower() in INTENT_VERBS or _negated_or_unreal(tok, aims=False, modal=False)
    return False


def _attempted(t: Token) -> bool:
    """"tried to take X", "in an attempt to retake X": fought for, not won."""
    return t.dep_ in ("xcomp", "acl") and t.head.lemma_.lower() in ATTEMPT_WORDS


def _aim(t: Token) -> bool:
    """A to-infinitive that says what someone set out to do, not what was done: "a
    counter-offensive to push troops out of X", "troops massed to take X". Verbs that entail their
    complement ("managed to retake", "were forced to withdraw") and attempts (a fight: see
    `_attempted`) are not aims."""
    def to_inf(x: Token) -> bool:
        return x.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in x.children)

    if not (to_inf(t) or (t.tag_ == "VB" and t.dep_ == "conj" and to_inf(t.head))):
        return False  # "to hold Izium and conquer Sloviansk": the second verb shares the "to"
    head = t.head
    while head.dep_ == "conj" and head.head.i != head.i and head.tag_ == "VB":
        head = head.head  # "to surround and take X"
    lemma = head.lemma_.lower()
    if lemma in IMPLICATIVE or (lemma in ATTEMPT_WORDS and lemma != "seek"):
        return False
    return t.dep_ in ("xcomp", "advcl", "acl", "relcl", "ccomp", "conj", "pcomp")


# --------------------------------------------------------------------------- time
class TimeIndex:
    def __init__(self, times: list[TimeMention]):
        self.times = times
        self.by_sent: dict[int, list[TimeMention]] = {}
        for tm in times:
            self.by_sent.setdefault(tm.head.sent.start, []).append(tm)

    def attached(self, tm: TimeMention) -> Token:
        """The verb (or trigger noun) a time expression modifies."""
        tok = tm.head
        for _ in range(6):
            if tok.head.i == tok.i:
                return tok
            tok = tok.head
            if tok.pos_ in ("VERB", "AUX") or tok.dep_ == "ROOT":
                return tok
        return tok

    def for_event(self, hit: Hit, attribution: Attribution, report_date: dt.date, triggers: set[int]) -> tuple[When, bool]:
        sent_times = self.by_sent.get(hit.token.sent.start, [])
        if not sent_times:
            return _undated(report_date), False
        own_chain = {hit.token.i}
        tok = hit.token
        verb = attribution.verb
        for _ in range(8):
            if tok.head.i == tok.i or (verb is not None and tok.head.i == verb.i) or tok.dep_ == "relcl":
                break
            tok = tok.head
            own_chain.add(tok.i)
        if hit.nominal and hit.token.dep_ in ("nsubj", "dobj", "nsubjpass"):
            own_chain.add(hit.token.head.i)
        attach = {id(tm): self.attached(tm) for tm in sent_times}
        for tm in sent_times:
            if attach[id(tm)].i in own_chain or tm.head.head.i == hit.token.i:
                return tm.when, True
        if verb is not None:
            for tm in sent_times:
                # "liberated Kherson yesterday, Zelenskiy said": the parse may hang the day on "said"
                if attach[id(tm)].i == verb.i and hit.token.i < tm.start < verb.i and \
                        not any(c.dep_ == "nsubj" and c.i < tm.start for c in verb.children) and \
                        not any(hit.token.doc[j].text == "," for j in range(hit.token.i, tm.start)):
                    return tm.when, True
            for tm in sent_times:
                if attach[id(tm)].i == verb.i:
                    w = tm.when
                    return When(w.earliest - dt.timedelta(days=SAID_LAG_DAYS), w.latest, 2, w.text), True
        tm = min(sent_times, key=lambda m: abs(m.start - hit.token.i))
        w = tm.when
        if len(sent_times) == 1 and attach[id(tm)].i not in triggers and (verb is None or attach[id(tm)].i != verb.i):
            return w, True  # the sentence's only date, on no other event: a misparse hung it elsewhere
        if w.precision == 1 and w.earliest == w.latest:
            return When(w.earliest - dt.timedelta(days=SENTENCE_DATE_SLACK), w.latest, 2, w.text), True
        return w, True


def _undated(report_date: dt.date) -> When:
    return When(report_date - dt.timedelta(days=UNDATED_DAYS), report_date, 2, None)


# --------------------------------------------------------------------------- kinds
def _control_kind(side: str | None, country: str | None) -> str | None:
    if side is None:
        return None
    government = country or "UA"  # the war's territory is Ukraine's unless the gazetteer says otherwise
    return "territory_regained" if side == government else "territory_captured"


def _locates(c: Token) -> bool:
    """"X, (40 km) south of Y", "X, north of the capital": a direction with a reference of its own
    says where the place lies, not that the event was only near it."""
    return c.dep_ == "advmod" and any(
        g.dep_ == "prep" and g.lower_ in ("of", "from") and any(p.dep_ == "pobj" for p in g.children)
        for g in c.children)


def _set_off_after(c: Token, place: Token) -> bool:
    """The phrase of c stands between commas right after the place ("retook X, south of Y, from
    ..."), wherever the parser hung it."""
    lt = c.left_edge.i
    return lt >= 2 and c.doc[lt - 1].text == "," and place.left_edge.i <= lt - 2 <= place.right_edge.i


LOCATING_PREPS = {"near", "outside", "around", "between"}


def _locating_aside(c: Token, index: PlaceIndex) -> bool:
    """"withdrew from the village of X, near Y": a phrase set off by a comma right after a place
    ("near Y", "south of Y", "40 km from Y") locates that place, wherever the parser hung it."""
    if not ((c.dep_ == "prep" and c.lower_ in LOCATING_PREPS) or _locates(c)):
        return False
    lt = c.left_edge.i
    if lt < 2 or c.doc[lt - 1].text != ",":
        return False
    before = c.doc[lt - 2]
    return index.at(before) is not None and not before.is_ancestor(c) and before.i != c.head.i


def _path_words(path: list[Token]) -> set[str]:
    words = set()
    for tok in path:
        words.add(tok.lemma_.lower())
        words.add(tok.lower_)
        for c in tok.children:
            if c.dep_ in ("amod", "advmod", "compound", "nmod") and c not in path:
                if _locates(c) and (tok is path[-1] or _set_off_after(c, path[-1])):
                    continue
                words.add(c.lower_)
    return words


# --------------------------------------------------------------------------- main
def place_attributor(doc: Doc, index: PlaceIndex) -> Attributor:
    """An Attributor that knows, for each token, the country of the last region named before it and
    the country of a place among given tokens (to tell a country's officials by where they are)."""
    regions = [(r.tokens.start, r.mention.country) for r in index.refs
               if r.mention.resolved and (r.mention.geo_precision == 3 or r.mention.feature_class == "A")
               and not r.mention.metonymy]

    def country_at(i: int) -> str | None:
        out = None
        for start, c in regions:
            if start > i:
                break
            out = c
        return out

    def place_country_in(tokens: list[Token]) -> str | None:
        for tok in tokens:
            ref = index.by_token.get(tok.i)
            if ref is not None and ref.mention.country and not ref.anaphoric:
                return ref.mention.country
        return None

    return Attributor(doc, country_at, place_country_in)


def extract_events(doc: Doc, report: Report, places: list[PlaceMention]) -> list[Event]:
    """Every event the report states, merged within the report, with evidence and claims."""
    hits = find_triggers(doc)
    if not hits:
        return []
    index = PlaceIndex(doc, places)
    if not index.by_token:
        return []
    rd = report.date
    times = TimeIndex(find_times(doc, rd))
    attributor = place_attributor(doc, index)
    table = trigger_table()
    found: list[Found] = []
    trigger_ids = {h.token.i for h in hits}
    toll_ids = frozenset(h.token.i for h in hits if h.rule.active)
    outlet = outlet_side(report.source)
    # Verbs first: a trigger noun that a trigger verb acts on is the same act seen twice
    # ("intercepted four drones", "repelled an attack", "stole humanitarian aid").
    absorbed: set[int] = set()
    for hit in sorted(hits, key=lambda h: h.nominal):
        if hit.nominal and hit.token.i in absorbed:
            continue
        got = _events_of_hit(hit, index, attributor, times, rd, table, trigger_ids, toll_ids, outlet)
        if got and not hit.nominal:
            absorbed.update(x.i for x in _object_tokens(hit.token))
            for c in hit.token.children:
                if c.dep_ == "prep" and c.lower_ in ("by", "with"):
                    # the means of the act: "neutralised the shells by a controlled explosion"
                    absorbed.update(g.i for g in c.children if g.dep_ == "pobj")
        found.extend(got)
    events = _merge(found, report)
    if "coded as" in doc_text(doc):
        _apply_coded_fatalities(doc, events)
    return events


def _apply_coded_fatalities(doc: Doc, events: list[Event]) -> None:
    """ACLED's notes end with the count they coded ("Unspecified fatalities coded as 10."): it
    belongs to the last violent event stated before it that has no toll of its own."""
    for sent in doc.sents:
        cas = casualties([sent])
        if cas.fatalities is None or "coded as" not in sent.text:
            continue
        before = [e for e in events if e.event_type in VIOLENT_TYPES and e.evidence[0].start < sent.start_char
                  and not e.fatalities]
        if before:
            target = max(before, key=lambda e: e.evidence[0].start)
            target.fatalities, target.fatalities_text = cas.fatalities, cas.fatalities_text


def _events_of_hit(
    hit: Hit, index: PlaceIndex, attributor: Attributor, times: TimeIndex, rd: dt.date, table, trigger_ids: set[int],  # noqa: ANN001
    toll_ids: frozenset[int] = frozenset(), outlet: str | None = None,
) -> list[Found]:
    t = hit.token
    rule: Rule = hit.rule
    # An order to evacuate is itself the event; other intentions are not.
    if (_negated_or_unreal(t) and rule.kind != "evacuation") or (hit.nominal and _unreal_noun(t, rule.kind == "armed_clash")):
        return []
    if hit.nominal and rule.need_of and not any(c.dep_ == "prep" and c.lower_ == "of" for c in t.children):
        return []
    passive = not hit.nominal and any(c.dep_ in ("nsubjpass", "auxpass") for c in t.children)
    if rule.active and passive:
        return []  # "two people were killed": a toll, not an act
    if passive and t.lemma_.lower() in rule.place_left_needs_agent and not any(c.dep_ == "agent" for c in t.children) \
            and any(c.dep_ == "nsubjpass" and index.at(c) is not None for c in t.children):
        return []  # "X was left without power": nobody is said to have left it
    if rule.alone and any(i in trigger_ids for i in range(t.sent.start, t.sent.end) if i != t.i):
        return []  # "shelled X, killing two": the shelling is the event
    kind = rule.kind
    if passive and rule.passive:
        kind = rule.passive
    by_object = rule.kind_for_object(_object_classes(t, passive)) if rule.objects and not hit.nominal else None
    if by_object is not None:
        kind = by_object
    if rule.weapon and ((by_object is None and rule.kind != "none") or (by_object is not None and rule.kind == "none")):
        kind = _weapon_kind(hit, kind)
    if kind == "none":
        return []
    # "to X" is where people go when they leave, but where aid or troops arrive otherwise
    allow_to = kind not in ("withdrawal", "displacement", "evacuation")
    skip = set() if allow_to else set(DESTINATION_PREPS)
    if kind in CONTROL_KINDS or kind == "control":
        if not rule.from_place:
            skip.add("from")  # "liberated from the occupiers", "pushing east from X into Y"
        if kind == "entered" or rule.extent == "entered":
            skip.update(DESTINATION_PREPS)  # "advancing towards X" has not reached it
    args = _arg_places(hit, index, skip, trigger_ids)
    if not args and kind not in CONTROL_KINDS and kind not in ("control", "withdrawal"):
        args = _shared_places(hit, index, skip, trigger_ids)
    if rule.tight:
        described = _apposed(t, index)
        args = [(ref, path) for ref, path in args
                if _tight_path(path) or (described is not None and path[0].i == described.i)]
    attribution = attributor.attribute(t)
    # Where the speaker sits is not what changed hands: "officials in Kyiv said the city had been
    # taken" moves no control over Kyiv, neither through "the city" nor as the fallback place.
    moves_control = kind in CONTROL_KINDS or kind in ("control", "withdrawal")
    if moves_control and any(ref.anaphoric for ref, _ in args):
        speaker_starts = _speaker_starts(t, attribution)
        args = [(ref, path) for ref, path in args if not (ref.anaphoric and ref.mention.start in speaker_starts)]
    direct = bool(args)
    if not args:
        if not rule.fallback:
            return []
        refs = _fallback_places(hit, index, attribution.speaker_tokens)
        doc = t.doc
        local_witness = any(doc[i].lower_ in actors_table().civilian for i in attribution.speaker_tokens)
        if not refs and (kind_to_acled(kind)[0] == "Strategic developments" or local_witness):
            # The official's own region, for what they report without a place ("the governor of X
            # said"); residents of X speak of X.
            for i in sorted(attribution.speaker_tokens):
                ref = index.by_token.get(i)
                if ref is not None and index.usable(ref.mention) and ref.mention.resolved:
                    if moves_control and not _is_region(ref):
                        continue  # a change of control takes only the speaker's region
                    refs = [ref]
                    break
        args = [(ref, [t]) for ref in refs]
    if not args:
        return []
    # Withdrawals by the place's own side are the actor's side; withdrawal nominal: "Russia's abandonment"
    actor_passive = passive and (kind == "withdrawal" or rule.kind == "withdrawal")
    actor = _find_actor(hit, actor_passive)
    if rule.active and not (actor.side and actor.military or actor.separatist or actor.side and not actor.civilian):
        return []  # "forces killed 25 civilians" is an act; "the blast killed two" is its toll
    if actor.pronoun and actor.side is None and actor.head is not None and _speaker_pronoun(actor.head):
        claim = attribution.claims[0] if attribution.claims else None
        if claim is not None and claim.side in ("UA", "RU"):
            actor.side = claim.side
    if actor.pronoun and actor.side is None and actor.head is not None:
        antecedent = _relative_antecedent(t, actor.head)
        if antecedent is not None:
            actor = antecedent
    if actor.side is None and not actor.pronoun and (rule.speaker or rule.side):
        # No actor named: a word like "liberated" or "occupied" says whose gain it is only from
        # the speaker's mouth (the claimant, else the outlet), never by itself.
        speaker = _speaker_side(attribution, outlet)
        if rule.speaker and speaker in ("UA", "RU"):
            actor.side = speaker if rule.speaker == "same" else other_side(speaker)
            actor.military = True
        elif rule.side and speaker not in ("UA", "RU"):
            actor.side = rule.side  # the neutral press's usage
            actor.military = True
    if kind == "withdrawal" and actor.civilian and not actor.military:
        kind = rule.civilian or "displacement"
    elif rule.military and kind == "withdrawal" and not (actor.side or actor.military):
        return []
    elif rule.military and kind == "entered" and not actor.military:
        return []  # "Zelenskiy entered the square" is a visit
    if kind == "control" and _attempted(t):
        kind = "armed_clash"
    when, dated = times.for_event(hit, attribution, rd, trigger_ids)
    # A description's or a subordinate clause's date is its own ("a town they retook on Thursday";
    # "having been forced to retreat from X, troops withdrew from Y on Friday"), not the sentence's.
    top = t
    if t.dep_ not in ("relcl", "acl", "amod"):
        while top.dep_ in ("xcomp", "conj") and top.head.pos_ in ("VERB", "AUX") and top.head.i != top.i:
            top = top.head
    own_dated = dated and any(top.left_edge.i <= tm.start <= top.right_edge.i
                              for tm in times.by_sent.get(t.sent.start, []))
    background = _background(hit, index, attribution, when, own_dated, rd, table)
    if background and not dated:
        # when it happened is not said: some time before the report, not "in the last two days"
        when = When(rd - dt.timedelta(days=BACKGROUND_DAYS), rd, 3, None)
    out: list[Found] = []
    # "captured territory in X", "seized villages near X": the object is a part of X's surroundings
    area_object = any(
        c.dep_ in ("dobj", "nsubjpass") and (c.lower_ in table.area_words or c.lemma_.lower() in table.area_words)
        and index.at(c) is None for c in t.children) if not hit.nominal else any(
        g.dep_ == "pobj" and (g.lower_ in table.area_words or g.lemma_.lower() in table.area_words)
        for c in t.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children)
    # ("the recapture of swathes of territory in the east")
    # "lost full control of X": some control is left, the place is contested, not given up
    lost_full = kind == "withdrawal" and any(
        c.dep_ == "dobj" and c.lemma_.lower() == "control"
        and any(g.lower_ in ("full", "complete", "total", "effective") for g in c.children) for c in t.children)
    for ref, path in args:
        words = _path_words(path)
        near = bool(words & table.near_words)
        partial = bool(words & table.partial_words)
        area = bool({w.lower_ for w in path[1:-1]} & table.area_words) or bool(
            {w.lemma_.lower() for w in path[1:-1]} & table.area_words) or area_object
        if "full" in words:
            partial = False
        if lost_full:
            partial = True
        k = kind
        if k == "control":
            k = _control_kind(actor.side, ref.mention.country) or "control_unknown"
        if not ref.mention.resolved and not direct:
            continue
        out.append(Found(
            kind=k, rule=rule.name, place=ref, direct=direct, near=near, partial=partial, actor=actor,
            when=when, dated=dated, attribution=attribution, sentence=t.sent, trigger=t, extent=rule.extent,
            area=area, background=background, ongoing=_ongoing(t, hit.nominal),
        ))
    if not out:
        return []
    acled_type = kind_to_acled(out[0].kind)[0] if out[0].kind != "control_unknown" else "Battles"
    if acled_type in VIOLENT_TYPES:
        sents = [t.sent]
        nxt = t.sent.end
        # The next sentences often give the toll ("Buildings were damaged. Two people were
        # injured; nobody was killed."), but only while they are about nothing else: no place, no
        # act of their own ("were killed" is a toll word, "the shelling" points back).
        while nxt < len(t.doc) and len(sents) < TOLL_SENTENCES:
            following = t.doc[nxt].sent
            if any((i in trigger_ids and i not in toll_ids and t.doc[i].pos_ != "NOUN") or i in index.by_token
                   for i in range(following.start, following.end)):
                break
            sents.append(following)
            nxt = following.end
        cas = casualties(sents)
        civ = any(tok.lemma_.lower() in CIVILIAN_TARGETS for tok in t.sent)
        for f in out:
            f.fatalities = cas.fatalities if cas.fatalities is not None else 0
            f.fatalities_text = cas.fatalities_text
            f.quantities = dict(cas.counts)
            f.civilians_hit = civ or bool(cas.fatalities) or bool(cas.injured)
    area = area_km2(t.sent.text) if kind == "control" else None
    if area:
        for f in out:
            f.quantities["area_km2"] = area
    return out


def _overlap(a: When, b: When) -> bool:
    return a.earliest <= b.latest and b.earliest <= a.latest


def _place_key(ref: PlaceRef) -> str:
    m = ref.mention
    if m.geonames_id is not None:
        return f"g{m.geonames_id}"
    if m.latitude is not None:
        return f"c{m.latitude:.3f},{m.longitude:.3f}"
    return "n" + "".join(ch for ch in (m.name or m.mention).lower() if ch.isalpha())


def _hist(f: Found, rd: dt.date) -> bool:
    return f.background or f.when.historical(rd)


def _merge(found: list[Found], report: Report) -> list[Event]:
    rd = report.date
    groups: list[list[Found]] = []
    for f in sorted(found, key=lambda f: f.kind == "control_unknown"):
        hist = _hist(f, rd)
        target = None
        for g in groups:
            head = g[0]
            same_kind = head.kind == f.kind or (f.kind == "control_unknown" and head.kind in CONTROL_KINDS)
            if same_kind and _place_key(head.place) == _place_key(f.place) and _hist(head, rd) == hist \
                    and (not f.dated or not head.dated or _overlap(head.when, f.when)):
                target = g
                break
        if target is not None:
            target.append(f)
        elif f.kind != "control_unknown":
            groups.append([f])
    events = [_event(g, report) for g in groups]
    events.sort(key=lambda e: (e.evidence[0].start, e.kind))
    return events


def _claims(group: list[Found]) -> list[Claim]:
    out: list[Claim] = []
    seen: set[tuple] = set()
    for f in group:
        for c in f.attribution.claims:
            key = (c.claimant, c.stance, tuple(c.via))
            if key in seen:
                continue
            seen.add(key)
            out.append(c)
    # The report's own voice adds nothing when a source is named for the same event.
    if len(out) > 1:
        out = [c for c in out if c.stance != "asserted"] or out
    return out


def _event(group: list[Found], report: Report) -> Event:
    rd = report.date
    # The best mention: a direct argument with a known actor, dated if any.
    best = max(group, key=lambda f: (f.direct, f.actor.side is not None, f.dated, -f.trigger.i))
    kind = best.kind
    event_type, sub_event_type = kind_to_acled(kind)
    # Dates: mentions of one event narrow each other down when they agree.
    lo, hi = best.when.earliest, best.when.latest
    precision = best.when.precision
    for f in group:
        if f.dated and _overlap(f.when, When(lo, hi)):
            lo, hi = max(lo, f.when.earliest), min(hi, f.when.latest)
            precision = min(precision, f.when.precision)
    hi = min(hi, rd)
    lo = min(lo, hi)
    when = When(lo, hi, precision)
    actor = next((f.actor for f in sorted(group, key=lambda f: f is not best) if f.actor.side), best.actor)
    side = actor.side
    place = best.place
    m = place.mention
    location = Location.from_mention(m)
    location.mention = m.mention if not place.anaphoric else best.sentence.doc[place.tokens.start].text
    near = all(f.near for f in group)
    if near and location.geo_precision == 1:
        location.geo_precision = 2
    control: ControlChange | None = None
    area = all(f.area for f in group)
    # "regrouped in the districts of X" is near X, not part of it; only a capture's "outskirts" is partial
    partial = any(f.partial for f in group if not f.near or kind in CONTROL_KINDS) and not all(
        f.extent == "entered" for f in group)
    settlement = (m.geo_precision or 1) == 1 and m.feature_class not in ("A",)
    if area:
        pass  # "captured territory in the X region" says nothing of who holds X
    elif kind in ("territory_regained", "territory_captured") and side and all(f.ongoing for f in group):
        pass  # "while the troops were occupying X", "are retaking villages": under way or a state, not done
    elif kind in ("territory_regained", "territory_captured") and side:
        extent = "partial" if partial or near else "full"
        control = ControlChange(to=side, **{"from": other_side(side)}, extent=extent)
    elif kind == "entered" and side:
        control = ControlChange(to=side, **{"from": other_side(side)}, extent="entered")
    elif kind == "withdrawal" and side and settlement and not near and any(f.direct for f in group) and not all(
            f.ongoing for f in group):
        # "Russian troops are leaving X", "were pulling out of X": under way, X has not changed hands
        control = ControlChange(to=other_side(side), **{"from": side}, extent="partial" if partial else "full")
    actor1 = acled_name(side, actor.separatist, actor.name)
    actor2 = None
    actor2_side = None
    if kind in CONTROL_KINDS or kind == "armed_clash":
        actor2_side = other_side(side)
        actor2 = acled_name(actor2_side)
    elif event_type in VIOLENT_TYPES and any(f.civilians_hit for f in group):
        actor2 = civilians_name(m.country)
    elif kind in ("displacement", "evacuation", "humanitarian_aid"):
        actor1 = civilians_name(m.country) if kind != "humanitarian_aid" else actor1
    fatalities = None
    fatalities_text = None
    if event_type in VIOLENT_TYPES:
        fats = [f for f in group if f.fatalities is not None]
        if fats:
            top = max(fats, key=lambda f: (f.fatalities or 0, f.fatalities_text is not None))
            fatalities, fatalities_text = top.fatalities, top.fatalities_text
    quantities: dict[str, float] = {}
    for f in group:
        quantities.update(f.quantities)
    claims = _claims(group)
    stance_conf = max(STANCE_CONFIDENCE.get(c.stance, 0.5) for c in claims) if claims else 0.5
    confidence = stance_conf
    if control is not None and control.extent != "full":
        confidence -= 0.1
    if not best.direct:
        confidence -= 0.1
    confidence += 0.05 * (len({c.claimant for c in claims}) - 1)
    confidence = round(max(0.05, min(0.95, confidence)), 2)
    evidence: list[Evidence] = []
    seen_sent: set[int] = set()
    for f in sorted(group, key=lambda f: f.sentence.start_char):
        if f.sentence.start_char in seen_sent:
            continue
        seen_sent.add(f.sentence.start_char)
        s = f.sentence
        text = s.text.rstrip()
        evidence.append(Evidence(report_id=report.report_id, start=s.start_char, end=s.start_char + len(text), text=text))
    key = f"{report.report_id}|{kind}|{_place_key(place)}|{evidence[0].start}"
    event_id = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    historical = when.historical(rd) or all(f.background for f in group)
    return Event(
        event_id=event_id, report_id=report.report_id, report_date=rd, kind=kind,
        event_type=event_type, sub_event_type=sub_event_type,
        event_date=when.day if precision == 1 else None,
        date_earliest=when.earliest, date_latest=when.latest, date_precision=precision,
        historical=historical, location=location,
        actor1=actor1, actor1_side=side if actor1 and side else None,
        actor2=actor2, actor2_side=actor2_side if actor2 else None,
        fatalities=fatalities, fatalities_text=fatalities_text, control=control, claims=claims,
        evidence=evidence, confidence=confidence, quantities=quantities, rule=best.rule,
    )


__all__ = ["extract_events"]
