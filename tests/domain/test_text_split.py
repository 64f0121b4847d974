from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.domain.cost import estimate_speech_credits
from app.domain.text_split import split_for_limit, split_sentences
from app.domain.wire import Model, ModelRates


def test_sentences() -> None:
    assert split_sentences("One. Two! Three? Four") == ["One. ", "Two! ", "Three? ", "Four"]


def test_short_text_is_one_chunk() -> None:
    assert split_for_limit("Hello there.", 100) == ["Hello there."]


def test_chunks_end_at_sentence_boundaries() -> None:
    text = "First sentence here. Second one is here. Third sentence now."
    chunks = split_for_limit(text, 45)
    assert "".join(chunks) == text
    assert all(len(c) <= 45 for c in chunks)
    assert all(c.rstrip().endswith(".") for c in chunks)


def test_a_sentence_longer_than_the_limit_is_cut_at_spaces() -> None:
    text = "word " * 50
    chunks = split_for_limit(text, 32)
    assert "".join(chunks) == text
    assert all(len(c) <= 32 for c in chunks)


@given(st.text(min_size=1, max_size=600), st.integers(min_value=1, max_value=120))
def test_split_is_lossless_and_within_limit(text: str, limit: int) -> None:
    chunks = split_for_limit(text, limit)
    assert "".join(chunks) == text
    assert all(0 < len(c) <= limit for c in chunks)


def test_cost_estimate_uses_the_model_multiplier() -> None:
    model = Model(model_id="m", model_rates=ModelRates(character_cost_multiplier=0.5))
    assert estimate_speech_credits("x" * 101, model) == 51
    assert estimate_speech_credits("abc", None) == 3
