"""Pronunciation rules and PLS files: round trips, clear errors for bad input."""

from __future__ import annotations

import pytest

from app.domain.pronunciation import (
    AliasRule,
    PhonemeRule,
    PlsError,
    RuleError,
    check_rule,
    model_honours_phonemes,
    read_pls,
    rule_from_json,
    rule_pattern,
    rule_to_json,
    write_pls,
)

RULES = [AliasRule("XI", "eleven"), PhonemeRule("tomato", "təˈmɑːtoʊ", "ipa"),
         PhonemeRule("Nguyen", "W IH1 N", "cmu-arpabet"), AliasRule("R&D", "R and D")]


def test_pls_round_trip_keeps_meaning() -> None:
    data = write_pls(RULES)
    assert data.startswith(b"<?xml")
    assert read_pls(data) == RULES
    assert read_pls(write_pls(read_pls(data))) == RULES


def test_json_round_trip() -> None:
    for rule in RULES:
        assert rule_from_json(rule_to_json(rule)) == rule
    with pytest.raises(RuleError, match="Unknown rule type"):
        rule_from_json({"string_to_replace": "a", "type": "other"})
    with pytest.raises(RuleError, match="missing"):
        rule_from_json({"string_to_replace": "a", "type": "alias"})


@pytest.mark.parametrize("data, words", [
    (b"<lexicon><lexeme>", "line 1"),
    (b"<speak/>", "not a pronunciation lexicon"),
    (b"<lexicon><lexeme><grapheme> </grapheme><alias>x</alias></lexeme></lexicon>",
     "no word"),
    (b"<lexicon><lexeme><grapheme>a</grapheme></lexeme></lexicon>", "neither"),
    (b'<lexicon alphabet="x-sampa"><lexeme><grapheme>a</grapheme><phoneme>a</phoneme>'
     b"</lexeme></lexicon>", "x-sampa"),
    (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><lexicon/>', "DOCTYPE"),
])
def test_malformed_pls_says_what_is_wrong(data: bytes, words: str) -> None:
    with pytest.raises(PlsError, match=words):
        read_pls(data)


def test_empty_word_and_alias_are_refused() -> None:
    with pytest.raises(RuleError, match="empty"):
        check_rule(AliasRule("  ", "x"))
    with pytest.raises(RuleError, match="alias is empty"):
        check_rule(AliasRule("XI", ""))
    with pytest.raises(RuleError, match="alphabet"):
        check_rule(PhonemeRule("a", "a", "x-sampa"))


def test_which_models_use_phonemes() -> None:
    assert model_honours_phonemes("eleven_flash_v2")
    assert not model_honours_phonemes("eleven_multilingual_v2")
    assert not model_honours_phonemes(None)


def test_matching_respects_case_and_word_boundaries() -> None:
    assert rule_pattern(AliasRule("XI", "x")).findall("XI XIV xi") == ["XI"]
    assert rule_pattern(AliasRule("XI", "x", case_sensitive=False)).findall("XI xi") == [
        "XI", "xi"]
    assert rule_pattern(AliasRule("XI", "x", word_boundaries=False)).findall("XIV") == ["XI"]
