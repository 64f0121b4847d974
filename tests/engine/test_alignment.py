"""Forced alignment offline: the engine's own speech, aligned to the text it was made
from, gives every word's start within 100 ms of the times the engine reported when it
spoke (`/with-timestamps`), through HTTP; and the official SDK's call works."""

from __future__ import annotations

import base64
import time

import numpy as np
import pytest
from starlette.testclient import TestClient

from app.domain.alignment import alignment_to_transcript
from app.domain.transcript_parse import parse_transcript
from app.engine.aligner import Aligner, split_words
from app.engine.voices import ENGINE_VOICES
from tests.support.spec import validate_response_json

# The engine takes form posts only with a key header (any key: it is offline).
KEY = {"xi-api-key": "offline"}
TEXT = ("The quick brown fox jumps over the lazy dog. Editors review an hour of tape "
        "at a time, and they need exact timings for every word.")


def _spoken(client: TestClient, voice_index: int, text: str) -> tuple[bytes, list[float]]:
    """PCM 16 kHz of `text` and the engine's own start time of each word."""
    response = client.post(f"/v1/text-to-speech/{ENGINE_VOICES[voice_index].voice_id}"
                           "/with-timestamps", json={"text": text},
                           params={"output_format": "pcm_16000"})
    assert response.status_code == 200
    body = response.json()
    chars = body["alignment"]["characters"]
    starts = body["alignment"]["character_start_times_seconds"]
    word_starts = [starts[i] for i, ch in enumerate(chars)
                   if not ch.isspace() and (i == 0 or chars[i - 1].isspace())]
    return base64.b64decode(body["audio_base64"]), word_starts


def _wav(pcm: bytes) -> bytes:
    import io

    import soundfile as sf

    out = io.BytesIO()
    sf.write(out, np.frombuffer(pcm, np.int16), 16000, format="WAV", subtype="PCM_16")
    return out.getvalue()


@pytest.mark.parametrize("voice_index", [0, 1, 2, 3])
def test_every_word_within_100_ms_of_the_engines_own_times(client: TestClient,
                                                          voice_index: int) -> None:
    pcm, engine_starts = _spoken(client, voice_index, TEXT)
    response = client.post("/v1/forced-alignment", headers=KEY, data={"text": TEXT},
                           files={"file": ("speech.wav", _wav(pcm), "audio/wav")})
    assert response.status_code == 200, response.text
    body = response.json()
    validate_response_json("POST", "/v1/forced-alignment", 200, body)
    words = body["words"]
    assert [w["text"] for w in words] == TEXT.split()
    assert len(words) == len(engine_starts)
    errors = [abs(w["start"] - s) for w, s in zip(words, engine_starts, strict=True)]
    assert max(errors) < 0.1, list(zip(TEXT.split(), errors, strict=True))
    assert all(w["start"] <= w["end"] for w in words)
    assert "".join(c["text"] for c in body["characters"]) == TEXT
    assert 0.0 <= body["loss"] < 1.0


def test_faster_than_20x_real_time() -> None:
    from app.engine.app import create_app

    with TestClient(create_app(None), base_url="http://127.0.0.1") as client:
        pcm, _ = _spoken(client, 0, " ".join([TEXT] * 3))
    samples = np.frombuffer(pcm, np.int16).astype(np.float32) / 32768.0
    aligner = Aligner()
    aligner.align(samples[:16000], 16000, "the")  # model load is not alignment
    started = time.process_time()
    words = aligner.align(samples, 16000, " ".join([TEXT] * 3))
    cpu = time.process_time() - started
    assert len(words) == 3 * len(TEXT.split())
    assert len(samples) / 16000 / cpu > 20


def test_unknown_words_and_punctuation_keep_their_place(client: TestClient) -> None:
    text = "Zorblax said — hello, Qwertyville!"
    pcm, _ = _spoken(client, 0, text)
    response = client.post("/v1/forced-alignment", headers=KEY, data={"text": text},
                           files={"file": ("s.wav", _wav(pcm), "audio/wav")})
    assert response.status_code == 200
    words = response.json()["words"]
    assert [w["text"] for w in words] == text.split()
    starts = [w["start"] for w in words]
    assert starts == sorted(starts)
    assert [w.key for w in split_words(text)] == ["zorblax", "said", "", "hello",
                                                   "qwertyville"]


def test_bad_requests_say_why(client: TestClient) -> None:
    missing = client.post("/v1/forced-alignment", headers=KEY, data={"text": "hello"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "file"]
    not_audio = client.post("/v1/forced-alignment", headers=KEY, data={"text": "hello"},
                            files={"file": ("notes.txt", b"just text", "text/plain")})
    assert not_audio.status_code == 400
    assert "notes.txt" in not_audio.json()["detail"]["message"]
    pcm, _ = _spoken(client, 0, "Hello.")
    no_words = client.post("/v1/forced-alignment", headers=KEY, data={"text": " -- "},
                           files={"file": ("s.wav", _wav(pcm), "audio/wav")})
    assert no_words.status_code == 400
    assert no_words.json()["detail"]["status"] == "invalid_text"


def test_result_opens_as_a_transcript_with_speakers_by_position(client: TestClient) -> None:
    text = "Hello there. Fine thanks."
    pcm, _ = _spoken(client, 0, text)
    body = client.post("/v1/forced-alignment", headers=KEY, data={"text": text},
                       files={"file": ("s.wav", _wav(pcm), "audio/wav")}).json()
    raw = alignment_to_transcript(body, speakers=["speaker_0", "speaker_0", "speaker_1"],
                                  speaker_names={"speaker_1": "Ann"})
    transcript = parse_transcript(raw)
    spoken = [w for w in transcript.words if w.kind == "word"]
    assert [w.text for w in spoken] == text.split()
    assert [w.speaker_id for w in spoken] == ["speaker_0", "speaker_0", "speaker_1",
                                              "speaker_1"]
    assert transcript.speaker_name("speaker_1") == "Ann"
    assert spoken[0].start_ms < spoken[-1].start_ms


def test_numbers_are_read_out() -> None:
    from app.engine.aligner import number_words

    assert number_words(2026) == ["two", "thousand", "twenty", "six"]
    assert number_words(42) == ["forty", "two"]
    assert number_words(1_000_017) == ["one", "million", "seventeen"]
    assert number_words(7) == ["seven"]
