"""The engine's HTTP API, in-process: every answer checked against the official spec."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from starlette.testclient import TestClient

from app.domain.formats import TTS_FORMATS, TTS_STREAM_FORMATS, Codec, OutputFormat
from app.engine.voices import ENGINE_MODEL_ID, ENGINE_VOICES
from tests.engine.conftest import AVA, container_kind, decode
from tests.support.spec import validate_request, validate_response_json

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TEXT = "Hello from the offline engine. It speaks sentence by sentence! Does it work?"


def call(client: TestClient, method: str, url: str, body: Any | None = None) -> Any:
    """Send a request the spec allows, and check a JSON answer against the spec."""
    parts = urlsplit(url)
    validate_request(method, parts.path, parse_qs(parts.query), body)
    response = client.request(method, url, json=body)
    if response.headers["content-type"].startswith("application/json"):
        validate_response_json(method, parts.path, response.status_code, response.json())
    return response


def tts(client: TestClient, suffix: str = "", fmt: str | None = None, voice: str = AVA,
        **body: Any) -> Any:
    url = f"/v1/text-to-speech/{voice}{suffix}"
    if fmt:
        url += f"?output_format={fmt}"
    return call(client, "POST", url, {"text": TEXT, **body})


# --- models, account, voices -------------------------------------------------------------


def test_models(client: TestClient) -> None:
    response = call(client, "GET", "/v1/models")
    assert response.status_code == 200
    [model] = response.json()
    assert model["model_id"] == ENGINE_MODEL_ID
    assert model["can_do_text_to_speech"] is True
    assert model["model_rates"]["character_cost_multiplier"] == 0
    assert model["maximum_text_length_per_request"] == 10_000
    assert "offline" in model["description"]
    assert {lang["language_id"] for lang in model["languages"]} >= {"en", "de", "fr", "es"}
    assert len(response.headers["request-id"]) == 20


def test_subscription(client: TestClient) -> None:
    body = call(client, "GET", "/v1/user/subscription").json()
    assert body["tier"] == "offline"
    assert body["character_count"] == 0 and body["character_limit"] >= 1_000_000


def test_voices_v2_pages_through_everything(client: TestClient) -> None:
    seen: list[str] = []
    token: str | None = None
    for _ in range(10):
        url = "/v2/voices?page_size=3" + (f"&next_page_token={token}" if token else "")
        body = call(client, "GET", url).json()
        assert body["total_count"] == len(ENGINE_VOICES)
        assert len(body["voices"]) <= 3
        seen += [v["voice_id"] for v in body["voices"]]
        token = body["next_page_token"]
        if not body["has_more"]:
            assert token is None
            break
    assert seen == [v.voice_id for v in ENGINE_VOICES]


def test_voices_v2_filters(client: TestClient) -> None:
    body = call(client, "GET", "/v2/voices?search=german").json()
    assert [v["name"] for v in body["voices"]] == ["Lena (German)"]
    body = call(client, "GET", "/v2/voices?language=en&language=fr&gender=male").json()
    assert {v["name"] for v in body["voices"]} == {
        "Noah (English, US)", "Arthur (English, UK)", "Louis (French)"}
    body = call(client, "GET", "/v2/voices?category=professional").json()
    assert body == {"voices": [], "has_more": False, "total_count": 0, "next_page_token": None}
    body = call(client, "GET", "/v2/voices?voice_type=personal&include_total_count=false").json()
    assert body["voices"] == []


def test_voices_v2_rejects_bad_page_size(client: TestClient) -> None:
    response = client.get("/v2/voices?page_size=500")
    assert response.status_code == 422
    validate_response_json("GET", "/v2/voices", 422, response.json())
    assert response.json()["detail"][0]["loc"] == ["query", "page_size"]


def test_voice_by_id_settings_and_legacy_list(client: TestClient) -> None:
    body = call(client, "GET", f"/v1/voices/{AVA}").json()
    assert body["voice_id"] == AVA and body["name"] == "Ava (English, US)"
    assert body["preview_url"].endswith(f"/v1/engine/previews/{AVA}.mp3")
    assert call(client, "GET", f"/v1/voices/{AVA}/settings").json()["speed"] == 1.0
    default = call(client, "GET", "/v1/voices/settings/default").json()
    assert default == {"stability": 0.5, "similarity_boost": 0.75, "style": 0.0,
                       "use_speaker_boost": True, "speed": 1.0}
    assert len(call(client, "GET", "/v1/voices").json()["voices"]) == len(ENGINE_VOICES)


@pytest.mark.parametrize("url", ["/v1/voices/NoSuchVoice000000000", "/v1/voices/nope/settings"])
def test_unknown_voice_is_404_in_the_api_shape(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.json()["detail"]["status"] == "voice_not_found"
    assert response.json()["detail"]["message"]


def test_preview_is_an_mp3(client: TestClient) -> None:
    response = client.get(f"/v1/engine/previews/{AVA}.mp3")
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/mpeg"
    samples, rate = decode(response.content, OutputFormat.parse("mp3_44100_128"))
    assert rate == 44100 and len(samples) / rate > 1.0
    assert client.get(f"/v1/engine/previews/{AVA}.mp3").content == response.content
    assert client.get("/v1/engine/previews/nope.mp3").status_code == 404


# --- text to speech ------------------------------------------------------------------------

KIND = {Codec.MP3: "mp3", Codec.OPUS: "ogg-opus", Codec.WAV: "wav", Codec.PCM: "raw",
        Codec.ULAW: "raw", Codec.ALAW: "raw"}


def _check_audio(data: bytes, fmt: OutputFormat) -> float:
    if fmt.is_headerless:  # raw bytes: anything goes (μ-law silence even looks like MP3 sync)
        assert container_kind(data) not in ("wav", "ogg-opus")
    else:
        assert container_kind(data) == KIND[fmt.codec]
    samples, rate = decode(data, fmt)
    assert rate == fmt.sample_rate_hz
    assert float(np.sqrt(np.mean(np.square(samples)))) > 0.01, "silent"
    return len(samples) / rate


@pytest.mark.parametrize("fmt", TTS_FORMATS, ids=str)
def test_every_format_via_http(client: TestClient, fmt: OutputFormat) -> None:
    response = tts(client, fmt=fmt.value)
    assert response.status_code == 200
    assert response.headers["content-type"] == fmt.mime_type
    assert response.headers["character-cost"] == "0"
    assert response.headers["request-id"]
    duration = _check_audio(response.content, fmt)
    assert 3.0 < duration < 12.0


@pytest.mark.parametrize("fmt", TTS_STREAM_FORMATS, ids=str)
def test_every_stream_format_via_http(client: TestClient, fmt: OutputFormat) -> None:
    with client.stream("POST", f"/v1/text-to-speech/{AVA}/stream?output_format={fmt.value}",
                       json={"text": TEXT}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == fmt.mime_type
        chunks = list(response.iter_raw())
    assert len(chunks) >= 2 or fmt.codec is Codec.OPUS
    _check_audio(b"".join(chunks), fmt)


def test_stream_sends_several_chunks(client: TestClient) -> None:
    with client.stream("POST", f"/v1/text-to-speech/{AVA}/stream",
                       json={"text": TEXT}) as response:
        chunks = [c for c in response.iter_raw() if c]
    assert len(chunks) >= 3  # one per sentence at least
    _check_audio(b"".join(chunks), OutputFormat.parse("mp3_44100_128"))


def test_speed_changes_duration(client: TestClient) -> None:
    fmt = OutputFormat.parse("pcm_16000")

    def duration(speed: float) -> float:
        response = tts(client, fmt=fmt.value, voice_settings={"speed": speed})
        assert response.status_code == 200
        return _check_audio(response.content, fmt)

    slow, fast = duration(0.7), duration(1.2)
    assert fast < slow * 0.75


def test_with_timestamps(client: TestClient) -> None:
    response = tts(client, "/with-timestamps", fmt="mp3_22050_32")
    assert response.status_code == 200
    assert response.headers["character-cost"] == "0"
    body = response.json()
    for key in ("alignment", "normalized_alignment"):
        alignment = body[key]
        assert alignment["characters"] == list(TEXT)
        starts = alignment["character_start_times_seconds"]
        ends = alignment["character_end_times_seconds"]
        assert len(starts) == len(ends) == len(TEXT)
        assert starts == sorted(starts) and all(e >= s for s, e in zip(starts, ends, strict=True))
    duration = _check_audio(base64.b64decode(body["audio_base64"]),
                            OutputFormat.parse("mp3_22050_32"))
    assert body["alignment"]["character_end_times_seconds"][-1] <= duration + 0.1
    # The second sentence starts well after the first.
    second = TEXT.index("It speaks")
    assert body["alignment"]["character_start_times_seconds"][second] > 1.0


def test_stream_with_timestamps(client: TestClient) -> None:
    url = f"/v1/text-to-speech/{AVA}/stream/with-timestamps?output_format=pcm_24000"
    validate_request("POST", url.split("?")[0], {"output_format": ["pcm_24000"]}, {"text": TEXT})
    with client.stream("POST", url, json={"text": TEXT}) as response:
        assert response.status_code == 200
        lines = [line for line in response.iter_lines() if line.strip()]
    assert len(lines) >= 3
    audio = b""
    characters: list[str] = []
    starts: list[float] = []
    for line in lines:
        chunk = json.loads(line)
        validate_response_json("POST", "/v1/text-to-speech/x/stream/with-timestamps", 200, chunk)
        audio += base64.b64decode(chunk["audio_base64"])
        if chunk["alignment"]:
            characters += chunk["alignment"]["characters"]
            starts += chunk["alignment"]["character_start_times_seconds"]
    assert "".join(characters) == TEXT
    assert starts == sorted(starts)
    _check_audio(audio, OutputFormat.parse("pcm_24000"))


def test_all_body_fields_of_the_spec_are_accepted(client: TestClient) -> None:
    # (A locator must name a dictionary that exists: the engine applies its rules.)
    dictionary = client.post("/v1/pronunciation-dictionaries/add-from-rules",
                             json={"name": "d1", "rules": []}).json()["id"]
    body = {
        "text": "Every field.",
        "model_id": "eleven_multilingual_v2",
        "language_code": "en",
        "voice_settings": {"stability": 0.3, "similarity_boost": 0.9, "style": 0.2,
                           "use_speaker_boost": False, "speed": 1.1},
        "pronunciation_dictionary_locators": [{"pronunciation_dictionary_id": dictionary,
                                               "version_id": None}],
        "seed": 4294967295,
        "previous_text": "Before.",
        "next_text": "After.",
        "previous_request_ids": ["a", "b"],
        "next_request_ids": ["c"],
        "use_pvc_as_ivc": False,
        "apply_text_normalization": "off",
        "apply_language_text_normalization": False,
    }
    url = f"/v1/text-to-speech/{AVA}?output_format=mp3_44100_64&enable_logging=false" \
          "&optimize_streaming_latency=2"
    response = call(client, "POST", url, body)
    assert response.status_code == 200
    _check_audio(response.content, OutputFormat.parse("mp3_44100_64"))


@pytest.mark.parametrize("model_id", [ENGINE_MODEL_ID, "eleven_flash_v2_5", "eleven_v3"])
def test_cloud_model_ids_are_spoken_offline(client: TestClient, model_id: str) -> None:
    assert tts(client, fmt="pcm_8000", model_id=model_id).status_code == 200


def test_cloud_premade_voice_ids_are_spoken_offline(client: TestClient) -> None:
    assert tts(client, fmt="pcm_8000", voice="JBFqnCBsd6RMkjVDRZzb").status_code == 200


def test_language_code_is_honoured(client: TestClient) -> None:
    fmt = "pcm_16000"
    english = tts(client, fmt=fmt, text="Guten Morgen, wie geht es Ihnen heute?")
    german = tts(client, fmt=fmt, text="Guten Morgen, wie geht es Ihnen heute?",
                 language_code="de")
    assert english.status_code == german.status_code == 200
    assert english.content != german.content


# --- errors ---------------------------------------------------------------------------------


def test_unknown_voice_for_speech_is_404(client: TestClient) -> None:
    for suffix in ("", "/stream", "/with-timestamps", "/stream/with-timestamps"):
        response = client.post(f"/v1/text-to-speech/NoSuchVoice{suffix}",
                               json={"text": "hi"})
        assert response.status_code == 404, suffix
        assert response.json() == {"detail": {
            "status": "voice_not_found",
            "message": "A voice with the voice_id NoSuchVoice was not found."}}


@pytest.mark.parametrize(("url", "body", "loc"), [
    (f"/v1/text-to-speech/{AVA}", {"model_id": "eleven_v3"}, ["body", "text"]),
    (f"/v1/text-to-speech/{AVA}", {"text": "hi", "voice_settings": {"stability": 1.4}},
     ["body", "voice_settings", "stability"]),
    (f"/v1/text-to-speech/{AVA}", {"text": "hi", "voice_settings": {"speed": 2.0}},
     ["body", "voice_settings", "speed"]),
    (f"/v1/text-to-speech/{AVA}", {"text": "hi", "seed": -1}, ["body", "seed"]),
    (f"/v1/text-to-speech/{AVA}", {"text": "hi", "apply_text_normalization": "maybe"},
     ["body", "apply_text_normalization"]),
    (f"/v1/text-to-speech/{AVA}?output_format=mp3_1_2", {"text": "hi"},
     ["query", "output_format"]),
    (f"/v1/text-to-speech/{AVA}/stream?output_format=wav_44100", {"text": "hi"},
     ["query", "output_format"]),
    (f"/v1/text-to-speech/{AVA}/stream/with-timestamps?output_format=wav_8000",
     {"text": "hi"}, ["query", "output_format"]),
    (f"/v1/text-to-speech/{AVA}?optimize_streaming_latency=9", {"text": "hi"},
     ["query", "optimize_streaming_latency"]),
])
def test_validation_errors_are_422_in_fastapi_shape(client: TestClient, url: str,
                                                     body: dict[str, Any],
                                                     loc: list[str]) -> None:
    response = client.post(url, json=body)
    assert response.status_code == 422
    path = urlsplit(url).path
    validate_response_json("POST", path, 422, response.json())
    assert loc in [d["loc"] for d in response.json()["detail"]]


def test_invalid_json_is_422(client: TestClient) -> None:
    response = client.post(f"/v1/text-to-speech/{AVA}", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    validate_response_json("POST", f"/v1/text-to-speech/{AVA}", 422, response.json())


def test_too_long_text_is_400(client: TestClient) -> None:
    response = client.post(f"/v1/text-to-speech/{AVA}", json={"text": "a" * 10_001})
    assert response.status_code == 400
    assert response.json()["detail"]["status"] == "max_character_limit_exceeded"


def test_unknown_model_and_empty_text_are_400(client: TestClient) -> None:
    response = client.post(f"/v1/text-to-speech/{AVA}", json={"text": "hi", "model_id": "gpt"})
    assert response.status_code == 400
    assert response.json()["detail"]["status"] == "model_not_found"
    response = client.post(f"/v1/text-to-speech/{AVA}", json={"text": "   "})
    assert response.status_code == 400
    assert response.json()["detail"]["status"] == "empty_text"
