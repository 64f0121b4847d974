"""The cloud test server itself: its answers follow the spec, its audio is real."""

from __future__ import annotations

import base64
import io
import json

import httpx
import numpy as np
import pytest
import soundfile as sf

from app.domain.formats import TTS_FORMATS, Codec
from tests.support.cloud import Cloud
from tests.support.cloud_server import CREATOR_KEY, PRO_KEY, encode_tone
from tests.support.spec import validate_response_json

GEORGE = "JBFqnCBsd6RMkjVDRZzb"


@pytest.fixture
def http(cloud: Cloud) -> httpx.Client:
    with httpx.Client(base_url=cloud.url, headers={"xi-api-key": CREATOR_KEY},
                      trust_env=False) as client:
        yield client  # type: ignore[misc]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/v1/models", None),
    ("GET", "/v2/voices?page_size=100", None),
    ("GET", "/v1/voices", None),
    ("GET", f"/v1/voices/{GEORGE}", None),
    ("GET", "/v1/voices/settings/default", None),
    ("GET", f"/v1/voices/{GEORGE}/settings", None),
    ("GET", "/v1/user/subscription", None),
    ("POST", f"/v1/text-to-speech/{GEORGE}/with-timestamps", {"text": "Hi 3!"}),
])
def test_json_answers_follow_the_spec(http: httpx.Client, method: str, path: str,
                                      body: object) -> None:
    response = http.request(method, path, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    validate_response_json(method, path.split("?")[0], 200, response.json())


def test_streamed_timestamp_lines_follow_the_spec(http: httpx.Client) -> None:
    path = f"/v1/text-to-speech/{GEORGE}/stream/with-timestamps"
    response = http.post(path, json={"text": "Streaming with timestamps."})
    lines = [json.loads(line) for line in response.text.splitlines() if line.strip()]
    assert len(lines) > 1
    for line in lines:
        validate_response_json("POST", path, 200, line)
    audio = b"".join(base64.b64decode(line["audio_base64"]) for line in lines)
    assert sf.info(io.BytesIO(audio)).samplerate == 44100


def test_422_in_fastapi_shape(http: httpx.Client) -> None:
    path = f"/v1/text-to-speech/{GEORGE}"
    response = http.post(path, json={"model_id": "eleven_v3"}, params={"output_format": "x"})
    assert response.status_code == 422
    validate_response_json("POST", path, 422, response.json())
    locs = sorted(tuple(d["loc"]) for d in response.json()["detail"])
    assert locs == [("body", "text"), ("query", "output_format")]


def test_422_comes_before_authentication(cloud: Cloud) -> None:
    response = httpx.post(f"{cloud.url}/v1/text-to-speech/{GEORGE}", json={},
                          headers={"xi-api-key": "wrong"})
    assert response.status_code == 422


def test_error_shapes(cloud: Cloud) -> None:
    no_key = httpx.get(f"{cloud.url}/v1/models")
    assert no_key.status_code == 401
    assert no_key.json()["detail"]["status"] == "needs_authorization"
    wrong = httpx.get(f"{cloud.url}/v1/models", headers={"xi-api-key": "nope"})
    assert wrong.json()["detail"]["status"] == "invalid_api_key"
    assert wrong.json()["detail"]["request_id"]


def test_requests_are_recorded_without_the_key(cloud: Cloud, http: httpx.Client) -> None:
    http.get("/v1/models")
    (entry,) = cloud.control.requests()
    assert entry["has_key"] is True
    assert CREATOR_KEY not in json.dumps(entry)
    assert "xi-api-key" not in entry["headers"]


def test_fault_control_rejects_nonsense(cloud: Cloud) -> None:
    response = httpx.post(f"{cloud.url}/_test/faults",
                          json=[{"path_regex": ".*", "fault": "meteor_strike"}])
    assert response.status_code == 400
    cloud.control.add_faults({"path_regex": "^/v1/models$", "fault": "500", "count": 2})
    assert cloud.control.faults()[0]["count"] == 2
    cloud.control.reset()
    assert cloud.control.faults() == []


def test_faults_match_method_and_count(cloud: Cloud, http: httpx.Client) -> None:
    cloud.control.add_faults({"path_regex": "^/v1/models$", "fault": "500", "method": "POST"},
                             {"path_regex": "/voices", "fault": "404", "count": 2})
    assert http.get("/v1/models").status_code == 200
    assert http.get("/v1/voices").status_code == 404
    assert http.get("/v1/voices").status_code == 404
    assert http.get("/v1/voices").status_code == 200


def test_stats_count_generations(cloud: Cloud) -> None:
    with httpx.Client(base_url=cloud.url, headers={"xi-api-key": PRO_KEY}) as http:
        http.post(f"/v1/text-to-speech/{GEORGE}", json={"text": "one"})
        http.post(f"/v1/text-to-speech/{GEORGE}/stream", json={"text": "two"})
    stats = cloud.control.stats()
    assert stats["generations"] == {"text_to_speech_full": 1, "text_to_speech_stream": 1}
    assert stats["completed"] == 2
    assert stats["accounts"][PRO_KEY]["character_count"] == 6


@pytest.mark.parametrize("fmt", [f.value for f in TTS_FORMATS])
def test_encoded_tone_is_real_audio(fmt: str) -> None:
    data = encode_tone(fmt, 0.5)
    codec, rate = fmt.split("_")[:2]
    if codec in (Codec.MP3, Codec.OPUS, Codec.WAV):
        samples, sample_rate = sf.read(io.BytesIO(data), dtype="float32")
    else:
        subtype = {"pcm": "PCM_16", "ulaw": "ULAW", "alaw": "ALAW"}[codec]
        samples, sample_rate = sf.read(io.BytesIO(data), dtype="float32", format="RAW",
                                       subtype=subtype, samplerate=int(rate), channels=1,
                                       endian="LITTLE")
    assert sample_rate == int(rate)
    assert 0.4 < len(samples) / sample_rate < 0.7
    assert 0.2 < float(np.abs(samples).max()) < 0.4
