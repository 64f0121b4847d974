"""The offline recogniser: structure and timing of what it hears in espeak-ng speech.

Recognition of synthetic speech is only partly right, so the tests check the shape of
the result, the times and a few words, never the exact text.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from app.engine.espeak import Espeak, Prosody
from app.engine.recognizer import (
    RECOGNITION_RATE_HZ,
    RecognitionCancelledError,
    RecognizedWord,
    UnsupportedAudioError,
    build_transcript,
    load_audio_for_recognition,
    recognize,
    split_windows,
    transcribe_file,
)
from tests.support.spec import schema_named, validate_against, validate_response_json

SENTENCE = "Hello world, this is a test."
SENTENCE_WORDS = {"hello", "world", "this", "is", "a", "test"}
VOICE = "en-us+m1"  # the variant PocketSphinx hears best among the few tried


def speak(text: str, voice: str = VOICE) -> tuple[np.ndarray, int, list[int]]:
    """Speech as float32 mono, its rate, and the ms at which espeak says each word starts."""
    synthesis = Espeak().synthesize(text, voice, Prosody(rate_wpm=175))
    samples = synthesis.samples.astype(np.float32) / 32768.0
    return samples, synthesis.sample_rate_hz, [w.start_ms for w in synthesis.words]


@pytest.fixture(scope="module")
def speech() -> tuple[np.ndarray, int, list[int]]:
    return speak(SENTENCE)


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory,
               speech: tuple[np.ndarray, int, list[int]]) -> Path:
    samples, rate, _ = speech
    path = tmp_path_factory.mktemp("rec") / "speech.wav"
    sf.write(path, samples, rate)
    return path


@pytest.fixture(scope="module")
def stereo_flac(tmp_path_factory: pytest.TempPathFactory,
                speech: tuple[np.ndarray, int, list[int]]) -> Path:
    """Channel 0 speaks at once; channel 1 says something else 1.5 s later."""
    left, rate, _ = speech
    right, _, _ = speak("Good morning to you, my friend.")
    delay = int(1.5 * rate)
    frames = max(len(left), delay + len(right))
    stereo = np.zeros((frames, 2), np.float32)
    stereo[: len(left), 0] = left
    stereo[delay: delay + len(right), 1] = right
    path = tmp_path_factory.mktemp("rec") / "stereo.flac"
    sf.write(path, stereo, rate)
    return path


def assert_well_timed(words: list[RecognizedWord], duration_ms: int) -> None:
    assert words, "nothing was recognised"
    for w in words:
        assert w.text and w.text == w.text.strip() and "(" not in w.text
        assert not w.text.startswith(("<", "["))
        assert 0 <= w.start_ms < w.end_ms <= duration_ms
        assert w.logprob <= 0.0
    for a, b in itertools.pairwise(words):
        assert a.end_ms <= b.start_ms


def tokens_of(result: dict[str, Any]) -> list[dict[str, Any]]:
    return list(result["words"])


def assert_spacing_between_words(tokens: list[dict[str, Any]]) -> None:
    kinds = [t["type"] for t in tokens]
    assert kinds[0] != "spacing" and kinds[-1] != "spacing"
    for i, t in enumerate(tokens):
        if t["type"] == "spacing":
            assert t["text"] == " "
            assert tokens[i - 1]["type"] != "spacing" and tokens[i + 1]["type"] != "spacing"
            assert t["start"] == tokens[i - 1]["end"] and t["end"] == tokens[i + 1]["start"]
        elif i + 1 < len(tokens):
            assert tokens[i + 1]["type"] == "spacing"


def test_recognises_words_with_times_inside_the_audio(
        speech: tuple[np.ndarray, int, list[int]]) -> None:
    samples, rate, _ = speech
    words = recognize(samples, rate)
    duration_ms = len(samples) * 1000 // rate
    assert_well_timed(words, duration_ms)
    assert {w.text for w in words} & SENTENCE_WORDS
    # The words cover the speech: from about where the sound starts to where it ends.
    loud = np.flatnonzero(np.abs(samples) > 0.02)
    onset_ms, offset_ms = loud[0] * 1000 // rate, loud[-1] * 1000 // rate
    assert onset_ms - 30 <= words[0].start_ms <= onset_ms + 250
    assert offset_ms - 400 <= words[-1].end_ms <= offset_ms + 150


def test_times_follow_the_speech_when_it_is_delayed(
        speech: tuple[np.ndarray, int, list[int]]) -> None:
    samples, rate, _ = speech
    pad = np.zeros(2 * rate, np.float32)
    early = recognize(samples, rate)
    late = recognize(np.concatenate([pad, samples]), rate)
    assert late and early
    assert abs((late[0].start_ms - early[0].start_ms) - 2000) <= 100
    assert abs((late[-1].end_ms - early[-1].end_ms) - 2000) <= 100


def test_results_do_not_depend_on_what_was_heard_before(
        speech: tuple[np.ndarray, int, list[int]]) -> None:
    samples, rate, _ = speech
    first = recognize(samples, rate)
    recognize(speak("Something else entirely, spoken by another voice.", "en-us+f2")[0], rate)
    assert recognize(samples, rate) == first


def test_silence_and_faint_noise_give_no_words() -> None:
    rate = 16000
    assert recognize(np.zeros(3 * rate, np.float32), rate) == []
    hiss = np.random.default_rng(1).normal(0.0, 0.0005, 3 * rate).astype(np.float32)
    assert recognize(hiss, rate) == []
    assert recognize(np.zeros(0, np.float32), 44100) == []


def test_any_rate_and_stereo_input(speech: tuple[np.ndarray, int, list[int]]) -> None:
    samples, rate, _ = speech
    import soxr

    at_48k = soxr.resample(samples, rate, 48000).astype(np.float32)
    words = recognize(np.stack([at_48k, at_48k], axis=1), 48000)
    assert_well_timed(words, len(at_48k) * 1000 // 48000)


def test_progress_and_cancel(speech: tuple[np.ndarray, int, list[int]]) -> None:
    samples, rate, _ = speech
    seen: list[float] = []
    recognize(samples, rate, progress=seen.append)
    assert seen and seen[-1] == 1.0
    assert seen == sorted(seen) and all(0.0 <= f <= 1.0 for f in seen)
    with pytest.raises(RecognitionCancelledError):
        recognize(samples, rate, cancel_check=lambda: True)
    # The decoder is usable again afterwards.
    assert recognize(samples, rate)


def test_long_audio_is_cut_into_windows_at_quiet_places() -> None:
    rate = RECOGNITION_RATE_HZ
    loud = (8000 * np.sin(np.arange(75 * rate) * 0.3)).astype(np.int16)
    loud[27 * rate: int(27.4 * rate)] = 0  # the only pause near the first cut
    loud[52 * rate: int(52.4 * rate)] = 0  # and near the second
    windows = split_windows(loud)
    assert windows[0][0] == 0 and windows[-1][1] == len(loud)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
    assert all(0 < end - start <= 35 * rate for start, end in windows)
    assert 27 * rate <= windows[0][1] <= int(27.4 * rate)
    assert 52 * rate <= windows[1][1] <= int(52.4 * rate)
    assert split_windows(loud[: 20 * rate]) == [(0, 20 * rate)]
    assert split_windows(np.zeros(0, np.int16)) == []


def test_transcribe_file_gives_the_api_shape(speech_wav: Path) -> None:
    result = transcribe_file(speech_wav)
    validate_response_json("POST", "/v1/speech-to-text", 200, result)
    validate_against(schema_named("SpeechToTextChunkResponseModel"), result)
    assert result["language_code"] == "en"
    assert 0.0 <= result["language_probability"] <= 1.0
    assert result["transcription_id"]
    tokens = tokens_of(result)
    assert_spacing_between_words(tokens)
    assert result["text"] == "".join(t["text"] for t in tokens)
    assert {t["speaker_id"] for t in tokens} == {"speaker_0"}
    duration = result["audio_duration_secs"]
    starts = [t["start"] for t in tokens]
    assert starts == sorted(starts)
    assert all(0.0 <= t["start"] <= t["end"] <= duration for t in tokens)
    assert all(t["logprob"] <= 0.0 for t in tokens)
    assert all("characters" not in t for t in tokens)
    assert any(t["text"].lower() in SENTENCE_WORDS for t in tokens if t["type"] == "word")


def test_character_timings_spread_over_each_word(speech_wav: Path) -> None:
    result = transcribe_file(speech_wav, timestamps_granularity="character")
    validate_response_json("POST", "/v1/speech-to-text", 200, result)
    for token in tokens_of(result):
        chars = token["characters"]
        assert "".join(c["text"] for c in chars) == token["text"]
        assert chars[0]["start"] == token["start"] and chars[-1]["end"] == token["end"]
        for a, b in itertools.pairwise(chars):
            assert a["start"] <= a["end"] == b["start"] <= b["end"]


def test_no_timestamps(speech_wav: Path) -> None:
    result = transcribe_file(speech_wav, timestamps_granularity="none")
    validate_response_json("POST", "/v1/speech-to-text", 200, result)
    assert result["words"]
    assert all(t["start"] is None and t["end"] is None for t in result["words"])


def test_multichannel_gives_one_transcript_per_channel(stereo_flac: Path) -> None:
    result = transcribe_file(stereo_flac, multichannel=True)
    validate_response_json("POST", "/v1/speech-to-text", 200, result)
    validate_against(schema_named("MultichannelSpeechToTextResponseModel"), result)
    transcripts = result["transcripts"]
    assert [t["channel_index"] for t in transcripts] == [0, 1]
    for index, transcript in enumerate(transcripts):
        tokens = tokens_of(transcript)
        assert tokens, f"channel {index} heard nothing"
        assert_spacing_between_words(tokens)
        assert {t["speaker_id"] for t in tokens} == {f"speaker_{index}"}
        assert {t["channel_index"] for t in tokens} == {index}
    assert transcripts[0]["words"][0]["start"] < 0.5
    assert transcripts[1]["words"][0]["start"] >= 1.4  # channel 1 starts speaking at 1.5 s


def test_stereo_without_multichannel_is_one_speaker(stereo_flac: Path) -> None:
    result = transcribe_file(stereo_flac, multichannel=False, diarize=True, num_speakers=2)
    validate_response_json("POST", "/v1/speech-to-text", 200, result)
    assert "transcripts" not in result
    assert {t["speaker_id"] for t in result["words"]} == {"speaker_0"}


def test_multichannel_on_mono_audio_is_a_single_transcript(speech_wav: Path) -> None:
    result = transcribe_file(speech_wav, multichannel=True)
    assert "transcripts" not in result and result["words"]


def test_silent_file_gives_an_empty_transcript(tmp_path: Path) -> None:
    path = tmp_path / "quiet.wav"
    sf.write(path, np.zeros(16000 * 2, np.float32), 16000)
    result = transcribe_file(path)
    validate_response_json("POST", "/v1/speech-to-text", 200, result)
    assert result["words"] == [] and result["text"] == ""


def test_garbage_is_not_audio(tmp_path: Path) -> None:
    junk = np.random.default_rng(7).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    with pytest.raises(UnsupportedAudioError):
        load_audio_for_recognition(junk)
    path = tmp_path / "fake.wav"
    path.write_bytes(b"this is not audio at all" * 50)
    with pytest.raises(UnsupportedAudioError) as raised:
        transcribe_file(path)
    assert isinstance(raised.value, ValueError) and str(raised.value)
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    with pytest.raises(UnsupportedAudioError):
        load_audio_for_recognition(empty)


def test_decodes_common_formats(speech: tuple[np.ndarray, int, list[int]], tmp_path: Path) -> None:
    samples, rate, _ = speech
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="OGG", subtype="VORBIS")
    decoded, decoded_rate = load_audio_for_recognition(buffer.getvalue())
    assert decoded.ndim == 2 and decoded.dtype == np.float32 and decoded_rate == rate
    # AAC in an MP4 container: soundfile cannot read it, PyAV can.
    import av

    path = tmp_path / "speech.m4a"
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=rate)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    decoded, decoded_rate = load_audio_for_recognition(path)
    assert decoded_rate == rate and abs(len(decoded) - len(samples)) < rate // 10


def test_build_transcript_with_audio_events() -> None:
    words = [RecognizedWord("i", 0, 200, -0.1), RecognizedWord("[noise]", 300, 900, -0.5, True),
             RecognizedWord("agree", 1000, 1400, -0.2)]
    tagged = build_transcript(words, speaker_id="speaker_0", tag_audio_events=True)
    validate_against(schema_named("SpeechToTextChunkResponseModel"), tagged)
    assert [t["type"] for t in tagged["words"]] == ["word", "spacing", "audio_event", "spacing",
                                                    "word"]
    assert tagged["text"] == "I (noise) agree"
    plain = build_transcript(words, speaker_id="speaker_0", tag_audio_events=False)
    assert plain["text"] == "I agree"
    assert plain["words"][1] == {"text": " ", "start": 0.2, "end": 1.0, "type": "spacing",
                                 "speaker_id": "speaker_0", "logprob": 0.0}
