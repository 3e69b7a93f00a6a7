"""Claims: claimant, side, via chain and stance from the parse (frontwatch.extract.attribution)."""

from __future__ import annotations

import pytest

from frontwatch.extract.attribution import Attributor
from frontwatch.nlp import get_nlp


def _attribute(text: str, trigger_lemma: str):  # noqa: ANN202
    doc = get_nlp()(text)
    attributor = Attributor(doc, lambda i: None, lambda toks: None)
    trigger = next(t for t in doc if t.lemma_.lower() == trigger_lemma)
    return attributor.attribute(trigger).claims[0]


@pytest.mark.parametrize(
    ("text", "lemma", "claimant", "side", "via", "stance"),
    [
        ("Ukrainian troops have recaptured Kupiansk, Zelenskiy's adviser Andriy Yermak says.", "recapture",
         "Andriy Yermak", "UA", [], "claimed"),
        ("RIA Novosti quoted Russia's defence ministry as saying that its troops had withdrawn from Lyman.",
         "withdraw", "Russia's defence ministry", "RU", ["RIA Novosti"], "claimed"),
        ("The Ukrainian army has captured Vovchansk, according to reports.", "capture", None, None, [], "hedged"),
        ("Ukrainian forces reportedly entered Svatove.", "enter", None, None, [], "hedged"),
        ("Russia's defence ministry denied that its forces had shelled Enerhodar.", "shell",
         "Russia's defence ministry", "RU", [], "denied"),
        ("A Reuters reporter saw Ukrainian troops enter Balakliia.", "enter", "Reuters", "neutral", [], "witnessed"),
        ("Russian forces shelled Nikopol overnight.", "shell", None, None, [], "asserted"),
        ("Shelling hit Kupiansk, Ukrainian officials said.", "hit", "Ukrainian officials", "UA", [], "claimed"),
    ],
)
def test_claims(text: str, lemma: str, claimant: str | None, side: str | None, via: list[str], stance: str) -> None:
    claim = _attribute(text, lemma)
    assert (claim.claimant, claim.side, claim.via, claim.stance) == (claimant, side, via, stance)


def test_pronoun_speaker_is_the_last_named_one() -> None:
    text = ("Andriy Yermak said talks had stalled. Ukraine's forces have liberated Vovchansk, he says.")
    claim = _attribute(text, "liberate")
    assert claim.claimant == "Andriy Yermak"
