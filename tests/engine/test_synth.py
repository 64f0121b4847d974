from __future__ import annotations

import pytest

from app.domain.wire import VoiceSettings
from app.engine.espeak import Espeak, WordMark
from app.engine.synth import SpeechParams, Synthesizer, align_characters, split_pieces
from app.engine.voices import ENGINE_VOICES, VoiceCatalog


@pytest.fixture(scope="module")
def synth() -> Synthesizer:
    return Synthesizer(Espeak())


def test_pieces_cover_the_text_exactly() -> None:
    text = "First one. Second? Third!\n\nA long one " + "word " * 200 + "end."
    pieces = split_pieces(text)
    assert "".join(p for _, p in pieces) == text
    assert all(text[offset:offset + len(p)] == p for offset, p in pieces)
    assert len(pieces) >= 5
    assert max(len(p) for _, p in pieces) <= 400


def test_align_characters_is_monotonic_and_complete() -> None:
    text = "Hello big world.  "
    words = [WordMark(0, 5, 0), WordMark(6, 3, 400), WordMark(10, 5, 700)]
    starts, ends = align_characters(text, words, duration_s=1.5, speech_end_s=1.2)
    assert len(starts) == len(ends) == len(text)
    assert starts == sorted(starts) and ends == sorted(ends)
    assert all(e >= s for s, e in zip(starts, ends, strict=True))
    assert starts[6] == pytest.approx(0.4) and starts[10] == pytest.approx(0.7)
    assert ends[len("Hello big world.") - 1] == pytest.approx(1.2)
    assert ends[-1] == pytest.approx(1.5)


def test_align_characters_without_word_marks() -> None:
    starts, ends = align_characters("...", [], duration_s=0.5, speech_end_s=0.3)
    assert starts == pytest.approx([0.0, 0.1, 0.2])
    assert ends[-1] == pytest.approx(0.3)


def test_speak_times_run_on_across_sentences(synth: Synthesizer) -> None:
    text = "Hello there. How are you today? Fine."
    pieces = list(synth.speak(text, ENGINE_VOICES[0], SpeechParams()))
    assert [p.text for p in pieces] == ["Hello there. ", "How are you today? ", "Fine."]
    clock = 0.0
    for p in pieces:
        assert p.start_s == pytest.approx(clock)
        assert len(p.char_starts_s) == len(p.text)
        assert p.char_starts_s[0] >= clock - 1e-3
        clock += p.duration_s
    all_starts = [t for p in pieces for t in p.char_starts_s]
    assert all_starts == sorted(all_starts)


def test_speed_maps_to_rate(synth: Synthesizer) -> None:
    voice = ENGINE_VOICES[1]
    text = "This sentence is spoken at two different speeds."

    def duration(speed: float) -> float:
        params = SpeechParams.from_request(VoiceSettings(speed=speed), None, None)
        return sum(p.duration_s for p in synth.speak(text, voice, params))

    assert duration(1.2) < duration(1.0) < duration(0.7)


def test_seed_and_stability_shape_prosody() -> None:
    assert SpeechParams(seed=5).prosody() == SpeechParams(seed=5).prosody()
    pitches = {SpeechParams(seed=s).prosody().pitch for s in range(20)}
    assert len(pitches) > 1 and all(47 <= p <= 53 for p in pitches)
    assert SpeechParams(stability=0.0).prosody().pitch_range > \
        SpeechParams(stability=1.0).prosody().pitch_range


def test_language_code_switches_the_espeak_language(synth: Synthesizer) -> None:
    ava = VoiceCatalog().voices[0]
    assert synth.espeak_voice_name(ava, None) == "en-us+f3"
    assert synth.espeak_voice_name(ava, "en") == "en-us+f3"
    assert synth.espeak_voice_name(ava, "de") == "de+f3"
    assert synth.espeak_voice_name(ava, "zz") == "en-us+f3"  # unknown: ignored
