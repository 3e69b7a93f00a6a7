"""The faster attribute-ruler and lemmatizer loops give exactly the stock components' output."""

from __future__ import annotations

import functools

import pytest
import spacy

from frontwatch.nlp import get_nlp, load_model
from frontwatch.spacy_speed import IndexedMatcher, LemmaMemo, speed_up

# Written for this test: every kind of pattern the English attribute ruler holds (tags, words with
# tags, dependency-bound pronouns and auxiliaries, two-word contractions, regex words, spaces).
TEXTS = [
    "Shelling hit Dovhenke overnight, the regional governor said on Tuesday.  Two people were wounded.",
    "I don't think they're gonna hold the bridge, but we'll see, a soldier told us. Y'all ain't seen nothin' yet.",
    "There are no troops left in the village; there is only smoke.\n\nLet's go, c'mon, he said.",
    "If the dam fails, the river will flood; because of that it is being watched. It gets worse: he got hit.",
    "They have been fighting for weeks and have taken three hamlets. Did they? I have no idea what you saw.",
    "Officials said that Russian forces had not entered Ternuvate, whatever the channels claimed.\t It was quiet.",
    "The brigade, which has lost 40 men since May, is gotta rest. Those who stayed were evacuated on 3 March.",
    "",
]

ATTRS = ("text", "pos_", "tag_", "dep_", "lemma_", "ent_type_", "ent_iob_", "is_sent_start")


@functools.lru_cache(maxsize=1)
def _stock():
    return load_model(fast=False)


def _rows(doc):
    return [tuple(getattr(t, a) for a in ATTRS) + (t.head.i, str(t.morph)) for t in doc]


def test_the_shared_pipeline_runs_the_faster_loops():
    nlp = get_nlp()
    assert isinstance(nlp.get_pipe("attribute_ruler").match, IndexedMatcher)
    assert type(nlp.get_pipe("lemmatizer")).__name__ == "_Swapped"
    assert not isinstance(_stock().get_pipe("attribute_ruler").match, IndexedMatcher)


@pytest.mark.parametrize("text", TEXTS)
def test_every_token_attribute_is_the_stock_pipelines(text):
    assert _rows(get_nlp()(text)) == _rows(_stock()(text))


def test_batches_through_pipe_are_the_stock_pipelines_too():
    fast = [_rows(d) for d in get_nlp().pipe(TEXTS, batch_size=3)]
    stock = [_rows(d) for d in _stock().pipe(TEXTS, batch_size=3)]
    assert fast == stock


def test_the_index_finds_the_matchers_matches():
    stock = _stock()
    ruler = stock.get_pipe("attribute_ruler")
    indexed = IndexedMatcher(ruler)
    with stock.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        docs = list(stock.pipe(TEXTS))
    for doc in docs:
        assert indexed(doc) == sorted(set(ruler.match(doc)))
    # the texts reach the rare patterns too: multi-token, regex and dependency-bound ones
    hits = {ruler.patterns[a]["patterns"][0][0].get("LOWER") for doc in docs for a, _, s, e in indexed(doc) if e - s > 1}
    assert {"gon", "let"} <= {h for h in hits if isinstance(h, str)}


def test_the_lemma_memo_asks_the_lemmatizer_once_per_word_form():
    stock = _stock()
    memo = LemmaMemo(stock.get_pipe("lemmatizer"))
    with stock.select_pipes(disable=["lemmatizer"]):
        doc = stock("Troops shelled the town. Troops shelled the town again.")
    memo(doc)
    assert [t.lemma_ for t in doc][:5] == ["troop", "shell", "the", "town", "."]
    assert len(memo.memo) == len({(t.orth, t.pos, t.morph.key) for t in doc})


def test_a_pattern_the_index_cannot_read_leaves_the_ruler_as_it_is():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "very", "OP": "+"}, {"LOWER": "big"}]], {"LEMMA": "huge"}, index=-1)
    assert speed_up(nlp) == []
    assert not isinstance(ruler.match, IndexedMatcher)
    assert [t.lemma_ for t in nlp("very very big")][2] == "huge"
