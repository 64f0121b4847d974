from __future__ import annotations

import threading

import numpy as np
import pytest

from app.engine.espeak import Espeak, EspeakError, Prosody


@pytest.fixture(scope="module")
def espeak() -> Espeak:
    return Espeak()


def test_initialises_at_22050_and_lists_voices(espeak: Espeak) -> None:
    assert espeak.sample_rate_hz == 22050
    voices = espeak.list_voices()
    assert len(voices) > 50
    us = next(v for v in voices if v.identifier.endswith("/en-US"))
    assert us.languages[0] == "en-us" and "en" in us.languages
    assert us.gender in ("male", "female", "")


def test_synthesizes_speech_with_word_marks(espeak: Espeak) -> None:
    text = "Hello café world."
    result = espeak.synthesize(text, "en-us+f3")
    assert result.samples.dtype == np.int16
    assert 0.5 < result.duration_s < 5
    assert np.abs(result.samples).max() > 3000
    words = [text[w.text_start:w.text_start + w.text_length] for w in result.words]
    assert words == ["Hello", "café", "world"]
    starts = [w.start_ms for w in result.words]
    assert starts == sorted(starts)


def test_rate_changes_duration_and_repeats_are_near_identical(espeak: Espeak) -> None:
    text = "The quick brown fox jumps over the lazy dog."
    slow = espeak.synthesize(text, "en-us", Prosody(rate_wpm=120))
    fast = espeak.synthesize(text, "en-us", Prosody(rate_wpm=210))
    assert fast.duration_s < slow.duration_s * 0.8
    # espeak-ng keeps a pitch-flutter phase across calls (a static in its wave
    # generator), so repeats differ by a few samples; timing and words do not.
    again = espeak.synthesize(text, "en-us", Prosody(rate_wpm=210))
    assert abs(again.duration_s - fast.duration_s) < 0.01 * fast.duration_s
    assert [w.text_start for w in again.words] == [w.text_start for w in fast.words]


def test_unknown_voice_is_an_error(espeak: Espeak) -> None:
    with pytest.raises(EspeakError):
        espeak.synthesize("hi", "no-such-voice+f3")


def test_voice_for_language(espeak: Espeak) -> None:
    assert espeak.voice_for_language("en") == "en"
    assert espeak.voice_for_language("de") == "de"
    assert espeak.voice_for_language("pt-BR") == "pt-BR"
    assert espeak.voice_for_language("xx") is None


def test_threads_are_serialised(espeak: Espeak) -> None:
    # Interleaved calls would mix audio or word marks of different texts.
    texts = [f"Sentence number {i} is spoken here, {'and more ' * i}." for i in range(6)]
    expected = {t: espeak.synthesize(t, "en-us+m3") for t in texts}
    results: list[tuple[str, float, list[int]]] = []

    def work(text: str) -> None:
        r = espeak.synthesize(text, "en-us+m3")
        results.append((text, r.duration_s, [w.text_start for w in r.words]))

    threads = [threading.Thread(target=work, args=(t,)) for t in texts * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == len(threads)
    for text, duration, starts in results:
        assert abs(duration - expected[text].duration_s) < 0.02 * duration
        assert starts == [w.text_start for w in expected[text].words]
