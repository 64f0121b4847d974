"""Rules turned into what espeak-ng speaks, with the way back to the original text."""

from __future__ import annotations

from app.domain.pronunciation import AliasRule, PhonemeRule
from app.engine.pronounce import arpabet_to_espeak, ipa_to_espeak, rewrite


def test_phoneme_conversion_for_espeak() -> None:
    assert ipa_to_espeak("/ˈtaɪlænd/") == "'taIland"
    assert ipa_to_espeak("ǃxóõ") is None  # clicks and tones: not convertible
    assert arpabet_to_espeak("T AH0 M EY1 T OW2") == "t@m'eIt,oU"
    assert arpabet_to_espeak("QQ1") is None


def test_rewrite_maps_back_to_the_original() -> None:
    text = "XI likes tomato and ǃX."
    spoken = rewrite(text, [AliasRule("XI", "eleven"), PhonemeRule("tomato", "təˈmeɪtoʊ"),
                            PhonemeRule("ǃX", "ǃ")])
    assert spoken.text.startswith("eleven likes  [[t@'meItoU]] ")
    assert spoken.uses_phonemes and spoken.skipped == ["ǃX"]
    assert spoken.to_original(0) == spoken.to_original(5) == 0
    assert text[spoken.to_original(spoken.text.index("likes"))] == "l"
    assert text[spoken.to_original(spoken.text.index("and"))] == "a"
