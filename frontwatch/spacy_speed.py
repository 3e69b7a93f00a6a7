"""Faster inner loops for two of the model's components, with exactly the same output.

Profiled on real articles, `en_core_web_sm`'s attribute ruler spends about 15% of the whole
parse in spaCy's `Matcher`, which tries each of its ~180 token patterns (mostly "TAG is X",
"LOWER is Y and TAG is X") at every token; its lemmatizer spends about 7% building a `Token`
and a morphology dict per word, and caches only the words its rules change. Both compute a
pure function of a few token attributes, so here:

- the attribute ruler's patterns are indexed by what their first token must be (a LOWER or TAG
  value), read from one `Doc.to_array`, and only the patterns a token can start are tried; the
  matches found are the Matcher's, sorted the same way, and the ruler's own `set_annotations`
  applies them. A pattern this index cannot read (an operator, an attribute other than LOWER,
  TAG, DEP or IS_SPACE) leaves the ruler as it is.
- the lemmatizer's lemma of a word is kept by (form, POS, morphology), the three things the
  English rules read; a new key is asked of the component's own `lemmatize`.

`tests/test_spacy_speed.py` compares every token attribute with the stock components.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.language import Language
from spacy.tokens import Doc

_COLUMNS = {"LOWER": 0, "TAG": 1, "DEP": 2, "IS_SPACE": 3}
_ARRAY = [LOWER, TAG, DEP, IS_SPACE]
_MEMO_MAX = 500_000  # words kept by a long-running process before its memo starts again


class Unsupported(ValueError):
    """A pattern the index cannot read exactly: the stock component is kept."""


def _check(vocab, attr: str, value) -> tuple[int, str, object]:  # noqa: ANN001
    """One condition on one attribute: (column, operation, operand)."""
    col = _COLUMNS.get(attr)
    if col is None:
        raise Unsupported(f"attribute {attr}")
    if col == 3:  # a flag: the array holds 0 / 1
        if not isinstance(value, bool):
            raise Unsupported(f"IS_SPACE {value!r}")
        return col, "eq", int(value)
    if isinstance(value, str):
        return col, "eq", vocab.strings.add(value)
    if isinstance(value, dict) and len(value) == 1:
        (op, operand), = value.items()
        if op in ("IN", "NOT_IN") and isinstance(operand, list) and all(isinstance(x, str) for x in operand):
            return col, op.lower(), frozenset(vocab.strings.add(x) for x in operand)
        if op == "REGEX" and isinstance(operand, str):
            return col, "regex", re.compile(operand)
    raise Unsupported(f"{attr} {value!r}")


def _compile_token(vocab, spec: dict) -> tuple[tuple[int, str, object], ...]:  # noqa: ANN001
    if not isinstance(spec, dict) or not spec:
        raise Unsupported(f"token {spec!r}")
    return tuple(_check(vocab, attr, value) for attr, value in spec.items())


class IndexedMatcher:
    """The attribute ruler's `match`, with its patterns indexed by their first token."""

    def __init__(self, ruler) -> None:  # noqa: ANN001
        vocab = ruler.vocab
        self.strings = vocab.strings
        self._text: dict[int, str] = {}
        # column -> value -> [(match_id, compiled pattern)]: patterns a token with that value may start
        self.index: dict[int, dict[int, list]] = {}
        self.anywhere: list = []  # patterns whose first token has no LOWER / TAG / DEP / IS_SPACE value to look up
        self.sort_key: dict[int, int] = {}
        for i, entry in enumerate(ruler.patterns):
            match_id = vocab.strings.add(str(i))
            self.sort_key[match_id] = i
            for pattern in entry["patterns"]:
                if not isinstance(pattern, list) or not pattern:
                    raise Unsupported(f"pattern {pattern!r}")
                compiled = tuple(_compile_token(vocab, spec) for spec in pattern)
                self._file(match_id, compiled)

    def _file(self, match_id: int, compiled: tuple) -> None:
        first = compiled[0]
        for col in (0, 1, 2, 3):  # the most selective column first: the word, then its tag
            for c, op, operand in first:
                if c == col and op in ("eq", "in"):
                    values = [operand] if op == "eq" else list(operand)
                    table = self.index.setdefault(col, {})
                    for v in values:
                        table.setdefault(v, []).append((match_id, compiled))
                    return
        self.anywhere.append((match_id, compiled))

    def _string(self, h: int) -> str:
        s = self._text.get(h)
        if s is None:
            if len(self._text) > _MEMO_MAX:
                self._text.clear()
            s = self._text[h] = self.strings[h]
        return s

    def _holds(self, cols: list[list[int]], i: int, checks: tuple) -> bool:
        for col, op, operand in checks:
            v = cols[col][i]
            if op == "eq":
                if v != operand:
                    return False
            elif op == "in":
                if v not in operand:
                    return False
            elif op == "not_in":
                if v in operand:
                    return False
            elif not operand.search(self._string(v)):  # regex
                return False
        return True

    def _at(self, cols: list[list[int]], n: int, i: int, compiled: tuple) -> bool:
        if i + len(compiled) > n:
            return False
        return all(self._holds(cols, i + k, checks) for k, checks in enumerate(compiled))

    def __call__(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        n = len(doc)
        if n == 0:
            return []
        arr = doc.to_array(_ARRAY)
        cols = [arr[:, k].tolist() for k in range(len(_ARRAY))]
        found: set[tuple[int, int, int]] = set()
        for col, table in self.index.items():
            for i, v in enumerate(cols[col]):
                for match_id, compiled in table.get(v, ()):
                    if self._at(cols, n, i, compiled):
                        found.add((match_id, i, i + len(compiled)))
        for match_id, compiled in self.anywhere:
            for i in range(n):
                if self._at(cols, n, i, compiled):
                    found.add((match_id, i, i + len(compiled)))
        # AttributeRuler.match's order: by the rule's number, so that later rules win
        return sorted((self.sort_key[m], m, s, e) for m, s, e in found)


class LemmaMemo:
    """The lemmatizer's `__call__`: a word's lemma is looked up by (form, POS, morphology)."""

    def __init__(self, lemmatizer) -> None:  # noqa: ANN001
        self.lemmatizer = lemmatizer
        self.lemmatize: Callable = lemmatizer.lemmatize
        self.memo: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        arr = doc.to_array([ORTH, POS, MORPH, LEMMA])
        rows = arr.tolist()
        overwrite = self.lemmatizer.overwrite
        memo, strings = self.memo, doc.vocab.strings
        changed = False
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            if lemma and not overwrite:
                continue
            key = (orth, pos, morph)
            value = memo.get(key)
            if value is None:
                if len(memo) > _MEMO_MAX:
                    memo.clear()
                value = memo[key] = strings.add(self.lemmatize(doc[i])[0])
            arr[i, 3] = value
            changed = True
        if changed:
            doc.from_array([LEMMA], arr[:, 3:4].copy())
        return doc


def speed_up(nlp: Language) -> list[str]:
    """Swap in the faster equal loops where the components are the ones read above; returns the
    names of the components changed (none when a pattern or a mode is not one this module reads)."""
    changed: list[str] = []
    if "attribute_ruler" in nlp.pipe_names:
        ruler = nlp.get_pipe("attribute_ruler")
        try:
            ruler.match = IndexedMatcher(ruler)
            changed.append("attribute_ruler")
        except Unsupported:
            pass
    if "lemmatizer" in nlp.pipe_names:
        lemmatizer = nlp.get_pipe("lemmatizer")
        if getattr(lemmatizer, "mode", None) == "rule" and type(lemmatizer).__name__ == "EnglishLemmatizer":
            _swap_call(lemmatizer, LemmaMemo(lemmatizer))
            changed.append("lemmatizer")
    return changed


def _swap_call(component, call: Callable[[Doc], Doc]) -> None:  # noqa: ANN001
    """Have the pipeline run `call` for `component`: spaCy calls a component (and its `pipe`
    calls itself) as a function, so the class's `__call__` is what must change."""

    class _Swapped(type(component)):  # the same component, its __call__ the faster one
        def __call__(self, doc: Doc) -> Doc:
            return call(doc)

    component.__class__ = _Swapped
