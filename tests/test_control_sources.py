"""Source independence: near-duplicate texts, outlets and claimant names."""

from __future__ import annotations

from frontwatch.fusion.sources import claimant_key, clusters_from_texts, estimate_jaccard, jaccard, minhash

WIRE = ("KYIV, Sept 10 (Reuters) - Ukrainian forces have pushed deep into Russian-held territory in the northeast, "
        "recapturing several villages and the town of Balakliia, Ukraine's deputy defence minister said on Saturday, "
        "as Russia said it was regrouping troops to focus on the Donetsk region.")


def test_reprinted_wire_copy_is_one_source() -> None:
    copy = ("Ukrainian forces have pushed deep into Russian-held territory in the northeast, recapturing several "
            "villages and the town of Balakliia, Ukraine’s deputy defence minister said on Saturday, as Russia said "
            "it was regrouping troops to focus on the Donetsk region. Reporting by the Reuters bureau.")
    other = ("Russian troops pulled back from positions around Balakliia overnight, local residents told the BBC, "
             "describing burnt-out armour and abandoned ammunition on the road to Kupiansk.")
    assert jaccard(WIRE, copy) > 0.6 and jaccard(WIRE, other) < 0.1
    assert estimate_jaccard(minhash(WIRE), minhash(copy)) > 0.5
    clusters = clusters_from_texts({"a": ("Reuters", WIRE), "b": ("Yahoo News", copy), "c": ("BBC", other)})
    assert clusters["a"] == clusters["b"] != clusters["c"]


def test_same_outlet_is_one_source_and_case_and_quotes_do_not_matter() -> None:
    clusters = clusters_from_texts({"x": ("BBC", "One story about Izium."), "y": ("bbc", "Another, unrelated text."),
                                    "z": ("AP", WIRE.upper().replace("'", "\u2019"))})
    assert clusters["x"] == clusters["y"]
    assert clusters_from_texts({"a": ("Reuters", WIRE), "z": ("AP", WIRE.upper().replace("'", "\u2019"))})["z"] == "a"


def test_claimant_spellings_are_one_speaker() -> None:
    assert claimant_key("Russia's defence ministry") == claimant_key("the Russian Ministry of Defence") \
        == claimant_key("Russia’s Defence Ministry")
    assert claimant_key("Andriy Yermak") != claimant_key("Hanna Malyar")
