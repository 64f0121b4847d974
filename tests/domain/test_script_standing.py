"""The queue's closing words: the whole script's standing, with proper plurals."""

from __future__ import annotations

from app.domain.script_standing import finished_words, standing_words, were


def test_the_whole_script_and_what_this_run_did() -> None:
    assert finished_words(5, 0, 5, 5) == "All 5 blocks have a take."
    assert finished_words(1, 0, 5, 5) == "Made 1 block; all 5 blocks have a take."
    assert finished_words(2, 0, 4, 5) == "Made 2 blocks; 4 of 5 blocks have a take."
    assert finished_words(1, 2, 5, 5) == (
        "Made 1 block and reused an earlier take for 2; all 5 blocks have a take.")
    assert finished_words(0, 1, 5, 5) == (
        "Reused an earlier take for 1 block; all 5 blocks have a take.")
    assert finished_words(1, 0, 1, 1) == "The block has a take."
    assert finished_words(0, 0, 3, 3) == "All 3 blocks have a take."
    assert standing_words(0, 0) == "the script has no blocks with text"
    assert standing_words(0, 1) == "the block has no take yet"
    assert standing_words(1_200, 1_500) == "1,200 of 1,500 blocks have a take"


def test_were() -> None:
    assert were(1) == "1 block was"
    assert were(3) == "3 blocks were"
