"""The cloud test server's speech-to-text and music endpoints play the API strictly:
requests are checked against the spec (the STT form field by field), replies validate
against it, plans, quota and concurrency are enforced, and faults apply to them too."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile as sf

from app.audio.decode import decode_bytes
from app.domain.music_detailed import parse_detailed_response
from tests.support.cloud import Cloud
from tests.support.cloud_server import CREATOR_KEY, FREE_KEY, SAMPLES
from tests.support.spec import validate_response_json

STT = "/v1/speech-to-text"


@pytest.fixture
def http(cloud: Cloud) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cloud.url, headers={"xi-api-key": CREATOR_KEY},
                      timeout=10, trust_env=False) as client:
        yield client


def wav(seconds: float = 1.0, rate: int = 16_000) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(int(seconds * rate), np.float32), rate, format="WAV")
    return buffer.getvalue()


def transcribe(http: httpx.Client, data: dict[str, Any] | None = None,
               files: list[tuple[str, Any]] | None = None, **kwargs: Any) -> httpx.Response:
    fields = {"model_id": "scribe_v2", **(data or {})}
    parts = files if files is not None else [("file", ("a.wav", wav(), "audio/wav"))]
    return http.post(STT, data=fields, files=parts, **kwargs)


# -- speech to text ----------------------------------------------------------------------

def test_a_transcript_is_made_kept_fetched_and_deleted(http: httpx.Client,
                                                       cloud: Cloud) -> None:
    response = transcribe(http, {"diarize": "true", "num_speakers": "2",
                                 "keyterms": ["alpha", "beta"]},
                          files=[("file", ("a.wav", wav(2.5), "audio/wav")),
                                 ("additional_formats", (None, json.dumps(
                                     [{"format": "srt"}]).encode(), "application/json"))])
    assert response.status_code == 200, response.text
    body = response.json()
    validate_response_json("POST", STT, 200, body)
    assert body["audio_duration_secs"] == pytest.approx(2.5, abs=0.01)  # the bytes arrived
    assert body["additional_formats"][0]["requested_format"] == "srt"
    sent = cloud.control.requests()[-1]
    assert sent["content_type"].startswith("multipart/form-data")
    path = f"{STT}/transcripts/{body['transcription_id']}"
    fetched = http.get(path)
    assert fetched.status_code == 200
    validate_response_json("GET", path, 200, fetched.json())
    assert http.delete(path).status_code == 200
    missing = http.get(path)
    assert missing.status_code == 404
    assert missing.json() == json.loads((SAMPLES / "error_404_transcript.json").read_text())
    assert cloud.control.stats()["generations"] == {"speech_to_text": 1}


def test_other_transcript_shapes(http: httpx.Client) -> None:
    multi = transcribe(http, {"use_multi_channel": "true"})
    assert multi.status_code == 200
    validate_response_json("POST", STT, 200, multi.json())
    assert "transcripts" in multi.json()
    ack = transcribe(http, {"webhook": "true"})
    assert ack.status_code == 202 and ack.json()["transcription_id"]


@pytest.mark.parametrize(("data", "files", "loc"), [
    ({"timestamps_granularity": "sentence"}, None, ["body", "timestamps_granularity"]),
    ({"model_id": "scribe_v9"}, None, ["body", "model_id"]),
    ({"num_speakers": "40"}, None, ["body", "num_speakers"]),
    ({"diarize": "perhaps"}, None, ["body", "diarize"]),
    ({}, [("other", ("x.txt", b"x", "text/plain"))], ["body", "file"]),
    ({"source_url": "https://example.com/a.mp3"}, None, ["body", "file"]),
])
def test_a_bad_form_is_refused_field_by_field(http: httpx.Client, data: dict[str, Any],
                                              files: Any, loc: list[str]) -> None:
    response = transcribe(http, data, files)
    assert response.status_code == 422, response.text
    details = response.json()["detail"]
    assert any(d["loc"] == loc for d in details), details
    validate_response_json("POST", STT, 422, response.json())


def test_stt_checks_come_before_the_key_and_the_key_before_the_work(
        cloud: Cloud) -> None:
    with httpx.Client(base_url=cloud.url, timeout=10, trust_env=False) as anonymous:
        bad = anonymous.post(STT, data={"model_id": "nope"},
                             files=[("file", ("a.wav", wav(), "audio/wav"))])
        assert bad.status_code == 422
        no_key = anonymous.post(STT, data={"model_id": "scribe_v2"},
                                files=[("file", ("a.wav", wav(), "audio/wav"))])
        assert no_key.status_code == 401
        assert no_key.json()["detail"]["status"] == "needs_authorization"
        json_body = anonymous.post(STT, json={"model_id": "scribe_v2"},
                                   headers={"xi-api-key": CREATOR_KEY})
        assert json_body.status_code == 422
    assert cloud.control.stats()["generations"] == {}


def test_stt_charges_the_quota(http: httpx.Client, cloud: Cloud) -> None:
    cloud.control.set_account(CREATOR_KEY, "creator", character_limit=100,
                              character_count=99)
    response = transcribe(http)
    assert response.status_code == 401
    assert response.json()["detail"]["status"] == "quota_exceeded"


# -- music ---------------------------------------------------------------------------------

PROMPT = {"prompt": "A calm piano tune", "music_length_ms": 10_000}


def test_compose_stream_and_detailed_send_real_audio(http: httpx.Client,
                                                     cloud: Cloud) -> None:
    whole = http.post("/v1/music", json=PROMPT)
    assert whole.status_code == 200 and whole.headers["content-type"] == "audio/mpeg"
    assert whole.headers["song-id"]
    assert decode_bytes(whole.content, None).duration_ms > 1000
    with http.stream("POST", "/v1/music/stream", json=PROMPT,
                     params={"output_format": "opus_48000_64"}) as streamed:
        chunks = list(streamed.iter_bytes())
    assert streamed.status_code == 200 and len(chunks) > 1
    assert streamed.headers["content-type"] == "audio/ogg"
    plan = json.loads((SAMPLES / "music_composition_plan_v2.json").read_text())
    detailed = http.post("/v1/music/detailed", json={"composition_plan": plan,
                                                     "model_id": "music_v2",
                                                     "with_timestamps": True})
    assert detailed.status_code == 200
    assert detailed.headers["content-type"].startswith("multipart/mixed; boundary=")
    result = parse_detailed_response(detailed.headers["content-type"], detailed.content,
                                     detailed.headers["song-id"])
    assert result.title and result.words and result.plan is not None
    assert decode_bytes(result.audio, None).duration_ms > 1000
    assert cloud.control.stats()["generations"] == {
        "generate": 1, "stream_compose": 1, "compose_detailed": 1}


def test_a_plan_is_written_for_either_model(http: httpx.Client) -> None:
    for model_id, key in (("music_v1", "sections"), ("music_v2", "chunks")):
        response = http.post("/v1/music/plan", json={"prompt": "upbeat pop",
                                                     "music_length_ms": 60_000,
                                                     "model_id": model_id})
        assert response.status_code == 200
        validate_response_json("POST", "/v1/music/plan", 200, response.json())
        assert key in response.json()


@pytest.mark.parametrize(("body", "status"), [
    ({"prompt": "x", "composition_plan": json.loads(
        (SAMPLES / "music_composition_plan_v1.json").read_text())}, 422),
    ({"composition_plan": json.loads((SAMPLES / "music_composition_plan_v1.json").read_text()),
      "model_id": "music_v2"}, 422),
    ({}, 422),
    ({"prompt": "x", "music_length_ms": 1000}, 422),  # under the spec's minimum
    ({"prompt": "x", "model_id": "music_v9"}, 422),
])
def test_music_requests_are_checked(http: httpx.Client, body: dict[str, Any],
                                    status: int) -> None:
    assert http.post("/v1/music", json=body).status_code == status


def test_music_plans_quota_and_concurrency(cloud: Cloud, http: httpx.Client) -> None:
    with httpx.Client(base_url=cloud.url, headers={"xi-api-key": FREE_KEY}, timeout=10,
                      trust_env=False) as free:
        refused = free.post("/v1/music", json=PROMPT)
        assert refused.status_code == 403 and refused.json()["detail"]["status"]
    too_good = http.post("/v1/music", json=PROMPT, params={"output_format": "pcm_48000"})
    assert too_good.status_code == 403
    # Creator: two songs at a time; a third is refused while they stream.
    cloud.control.configure(chunk_delay_s=0.05, chunk_bytes=2048)
    started = threading.Barrier(3)
    results: list[int] = []

    def slow_song() -> None:
        with httpx.Client(base_url=cloud.url, headers={"xi-api-key": CREATOR_KEY},
                          timeout=20, trust_env=False) as client, \
                client.stream("POST", "/v1/music/stream", json=PROMPT) as response:
            started.wait()
            results.append(response.status_code)
            for _ in response.iter_bytes():
                pass

    threads = [threading.Thread(target=slow_song) for _ in range(2)]
    for thread in threads:
        thread.start()
    started.wait()
    third = http.post("/v1/music", json=PROMPT)
    for thread in threads:
        thread.join(30)
    assert results == [200, 200]
    assert third.status_code == 429
    assert third.json()["detail"]["status"] == "too_many_concurrent_requests"
    cloud.control.set_account(CREATOR_KEY, "creator", character_limit=10, character_count=0)
    assert http.post("/v1/music", json=PROMPT).json()["detail"]["status"] == "quota_exceeded"


def test_faults_apply_to_the_new_endpoints(http: httpx.Client, cloud: Cloud) -> None:
    cloud.control.add_faults({"path_regex": "^/v1/music/plan$", "fault": "429",
                              "retry_after": 1},
                             {"path_regex": "^/v1/speech-to-text$", "fault": "503"})
    busy = http.post("/v1/music/plan", json={"prompt": "x"})
    assert busy.status_code == 429 and busy.headers["retry-after"] == "1"
    assert transcribe(http).status_code == 503
    assert cloud.control.stats()["generations"] == {}
