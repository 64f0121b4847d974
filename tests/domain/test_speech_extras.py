"""The rest of the request as plain data: what is sent, for which models."""

from __future__ import annotations

from app.domain.speech_extras import SpeechExtras, model_normalizes_japanese, model_takes_language


def test_round_trip_and_bad_drafts() -> None:
    extras = SpeechExtras(False, 3, True, True)
    assert SpeechExtras.from_json(extras.to_json()) == extras
    assert SpeechExtras.from_json({"optimize_streaming_latency": 9}) == SpeechExtras()
    assert SpeechExtras.from_json("nonsense") == SpeechExtras()


def test_models() -> None:
    assert model_takes_language("eleven_flash_v2_5")
    assert not model_takes_language("eleven_multilingual_v2")
    assert model_normalizes_japanese(["en", "ja"])
    assert not model_normalizes_japanese(["en", "de"])
