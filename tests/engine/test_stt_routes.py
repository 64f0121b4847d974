"""The engine's speech-to-text routes on a tiny FastAPI app, fed espeak-ng speech."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from fastapi import FastAPI

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from app.domain.transcript_parse import parse_transcript
from app.engine.espeak import Espeak
from app.engine.stt_routes import ENGINE_MARK_KEY, create_router
from tests.support.spec import validate_response_json

SENTENCE = "hello world this is a test of the offline engine"


def speak(text: str) -> tuple[np.ndarray, int]:
    espeak = Espeak()
    synthesis = espeak.synthesize(text, espeak.voice_for_language("en") or "en")
    return synthesis.samples.astype(np.float32) / 32768.0, synthesis.sample_rate_hz


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    samples, rate = speak(SENTENCE)
    path = tmp_path_factory.mktemp("speech") / "speech.wav"
    sf.write(path, samples, rate)
    return path


@pytest.fixture(scope="module")
def stereo_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    left, rate = speak("hello there")
    right, _ = speak("good morning to you")
    frames = max(len(left), len(right))
    stereo = np.zeros((frames, 2), np.float32)
    stereo[: len(left), 0] = left
    stereo[: len(right), 1] = right
    path = tmp_path_factory.mktemp("speech") / "stereo.wav"
    sf.write(path, stereo, rate)
    return path


def make_client(data_dir: Path | None, transcribe: Any = None) -> TestClient:
    app = FastAPI()
    app.include_router(create_router(data_dir, transcribe=transcribe))
    return TestClient(app)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with make_client(tmp_path_factory.mktemp("engine-data")) as test_client:
        yield test_client


def post(client: TestClient, path: Path | None, **fields: Any) -> Any:
    data = {"model_id": "scribe_v2", **fields}
    files = {"file": (path.name, path.read_bytes(), "audio/wav")} if path else None
    return client.post("/v1/speech-to-text", data=data, files=files)


def test_transcribes_speech_with_word_timings(client: TestClient, speech_wav: Path) -> None:
    response = post(client, speech_wav)
    assert response.status_code == 200, response.text
    body = response.json()
    validate_response_json("POST", "/v1/speech-to-text", 200, body)
    assert body[ENGINE_MARK_KEY]["approximate"] is True
    transcript = parse_transcript(body)
    words = [w for w in transcript.words if w.kind == "word"]
    assert words, "the recogniser heard nothing"
    # PocketSphinx gets only some of espeak's words right (shared/PLATFORM.md): the
    # timings and the shape are what is checked here, not the wording.
    assert all(w.end_ms > w.start_ms for w in words)
    assert [w.start_ms for w in words] == sorted(w.start_ms for w in words)
    assert transcript.audio_duration_ms and transcript.audio_duration_ms > 1000


def test_transcript_can_be_fetched_and_deleted(client: TestClient, speech_wav: Path) -> None:
    body = post(client, speech_wav, timestamps_granularity="character").json()
    transcription_id = body["transcription_id"]
    assert any(w.get("characters") for w in body["words"])
    path = f"/v1/speech-to-text/transcripts/{transcription_id}"
    fetched = client.get(path)
    assert fetched.status_code == 200
    validate_response_json("GET", path, 200, fetched.json())
    assert fetched.json()["words"] == body["words"]
    deleted = client.delete(path)
    assert deleted.status_code == 200 and deleted.json() == {}
    validate_response_json("DELETE", path, 200, deleted.json())
    gone = client.get(path)
    assert gone.status_code == 404
    assert gone.json() == {"detail": {"status": "not_found_error",
                                      "message": "Transcript not found."}}
    assert client.delete(path).status_code == 404


def test_transcripts_survive_a_restart(tmp_path: Path) -> None:
    fake = {"language_code": "en", "language_probability": 1.0, "text": "hi",
            "transcription_id": "abc123",
            "words": [{"text": "hi", "start": 0.0, "end": 0.2, "type": "word",
                       "logprob": -0.1}]}
    audio = tmp_path / "a.wav"
    sf.write(audio, np.zeros(1600, np.float32), 16000)
    with make_client(tmp_path, lambda _path, **_kw: dict(fake)) as first:
        assert post(first, audio).status_code == 200
    assert json.loads((tmp_path / "transcripts" / "abc123.json").read_text())["text"] == "hi"
    with make_client(tmp_path) as second:
        assert second.get("/v1/speech-to-text/transcripts/abc123").json()["text"] == "hi"


def test_zero_retention_keeps_nothing(tmp_path: Path, speech_wav: Path) -> None:
    fake = {"language_code": "en", "language_probability": 1.0, "text": "", "words": [],
            "transcription_id": "zz1"}
    with make_client(tmp_path, lambda _path, **_kw: dict(fake)) as test_client:
        response = test_client.post("/v1/speech-to-text?enable_logging=false",
                                    data={"model_id": "scribe_v1"},
                                    files={"file": ("a.wav", speech_wav.read_bytes())})
        assert response.json()["transcription_id"] is None
        assert test_client.get("/v1/speech-to-text/transcripts/zz1").status_code == 404
    assert not (tmp_path / "transcripts").exists()


def test_options_reach_the_recogniser(tmp_path: Path, speech_wav: Path) -> None:
    seen: dict[str, Any] = {}

    def fake(path: Path, **options: Any) -> dict[str, Any]:
        seen.update(options, suffix=path.suffix, size=path.stat().st_size)
        return {"language_code": "en", "language_probability": 1.0, "text": "", "words": [],
                "transcription_id": "x1"}

    with make_client(None, fake) as test_client:
        response = post(test_client, speech_wav, diarize="true", num_speakers="2",
                        timestamps_granularity="none", tag_audio_events="false",
                        use_multi_channel="true", keyterms=["alpha", "beta"])
    assert response.status_code == 200
    assert seen["diarize"] is True and seen["num_speakers"] == 2
    assert seen["timestamps_granularity"] == "none" and seen["tag_audio_events"] is False
    assert seen["multichannel"] is True
    assert seen["suffix"] == ".wav" and seen["size"] == speech_wav.stat().st_size


def test_multichannel_gives_one_transcript_per_channel(client: TestClient,
                                                       stereo_wav: Path) -> None:
    body = post(client, stereo_wav, use_multi_channel="true").json()
    validate_response_json("POST", "/v1/speech-to-text", 200, body)
    assert [c["channel_index"] for c in body["transcripts"]] == [0, 1]
    combined = post(client, stereo_wav, use_multi_channel="true",
                    multichannel_output_style="combined").json()
    validate_response_json("POST", "/v1/speech-to-text", 200, combined)
    starts = [w["start"] for w in combined["words"]]
    assert starts == sorted(starts)
    assert {w.get("channel_index") for w in combined["words"] if w["type"] == "word"} <= {0, 1}


def test_additional_formats_are_written(client: TestClient, speech_wav: Path) -> None:
    formats = json.dumps([{"format": "srt"}, {"format": "txt", "include_speakers": False},
                          {"format": "pdf"}])
    response = client.post(
        "/v1/speech-to-text",
        files=[("model_id", (None, b"scribe_v2")),
               ("additional_formats", (None, formats.encode(), "application/json")),
               ("file", ("s.wav", speech_wav.read_bytes(), "audio/wav"))])
    body = response.json()
    validate_response_json("POST", "/v1/speech-to-text", 200, body)
    srt, txt, pdf = body["additional_formats"]
    assert srt["content"].startswith("1\n00:00:") and srt["file_extension"] == "srt"
    assert txt["content"].startswith("[00:00:00] ") and "Speaker 1:" not in txt["content"]
    assert pdf is None


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"model_id": "whisper"}, ["body", "model_id"]),
        ({"num_speakers": "40"}, ["body", "num_speakers"]),
        ({"num_speakers": "many"}, ["body", "num_speakers"]),
        ({"diarize": "perhaps"}, ["body", "diarize"]),
        ({"timestamps_granularity": "sentence"}, ["body", "timestamps_granularity"]),
        ({"diarization_threshold": "0.9"}, ["body", "diarization_threshold"]),
        ({"additional_formats": "[{\"format\": \"odt\"}]"}, ["body", "additional_formats"]),
    ],
)
def test_invalid_fields_are_422_in_the_api_shape(client: TestClient, speech_wav: Path,
                                                 fields: dict[str, str],
                                                 loc: list[str]) -> None:
    response = post(client, speech_wav, **fields)
    assert response.status_code == 422
    body = response.json()
    validate_response_json("POST", "/v1/speech-to-text", 422, body)
    assert body["detail"][0]["loc"] == loc


def test_missing_file_and_model_are_422(client: TestClient) -> None:
    response = client.post("/v1/speech-to-text", data={"language_code": "en"})
    assert response.status_code == 422
    locs = [e["loc"] for e in response.json()["detail"]]
    assert ["body", "model_id"] in locs and ["body", "file"] in locs


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"source_url": "https://example.com/a.mp3"}, "unsupported_source"),
        ({"language_code": "fr"}, "unsupported_language"),
    ],
)
def test_what_the_engine_cannot_do_is_said_plainly(client: TestClient, fields: dict[str, str],
                                                   status: str) -> None:
    response = client.post("/v1/speech-to-text", data={"model_id": "scribe_v1", **fields},
                           files={"file": ("a.wav", b"RIFF")} if "language_code" in fields
                           else None)
    assert response.status_code == 400
    assert response.json()["detail"]["status"] == status


def test_not_audio_is_a_plain_400(client: TestClient, tmp_path: Path) -> None:
    junk = tmp_path / "notes.wav"
    junk.write_bytes(b"this is not audio at all" * 100)
    response = post(client, junk)
    assert response.status_code == 400
    assert response.json()["detail"]["status"] == "invalid_audio"


def test_odd_ids_are_not_found(client: TestClient) -> None:
    assert client.get("/v1/speech-to-text/transcripts/..%2Fsecrets").status_code == 404
    assert client.delete("/v1/speech-to-text/transcripts/a.b").status_code == 404
