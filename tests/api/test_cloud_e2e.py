"""The services against the cloud test server on 127.0.0.1: contract, errors, retries,
cancellation, redirects."""

from __future__ import annotations

import asyncio
import hashlib
import io
import socket
import time
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
import soundfile as sf

from app.api import errors
from app.api.account import AccountService
from app.api.client import ApiClient, ClientConfig
from app.api.speech import SpeechService
from app.api.voices import VoicesService
from app.domain.wire import (
    PronunciationDictionaryLocator,
    SpeechOptions,
    SpeechRequest,
    VoiceSettings,
)
from tests.support.cloud import FAST_RETRIES as FAST
from tests.support.cloud import Cloud
from tests.support.cloud_dictionaries import seed as seed_dictionary
from tests.support.cloud_server import CREATOR_KEY, FREE_KEY, PRO_KEY, CloudServer
from tests.support.servers import run_server
from tests.support.spec import validate_request

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

GEORGE = "JBFqnCBsd6RMkjVDRZzb"
TTS = f"^/v1/text-to-speech/{GEORGE}$"


def assert_requests_match_spec(cloud: Cloud, key: str | None = CREATOR_KEY) -> list[dict[str, Any]]:
    sent = [r for r in cloud.control.requests() if not r["path"].startswith("/_test/")]
    assert sent, "the client sent nothing"
    for request in sent:
        validate_request(request["method"], request["path"], request["query"], request["json"])
        if key is None:
            assert not request["has_key"]
        else:
            assert request["key_sha256"] == hashlib.sha256(key.encode()).hexdigest()
        if request["json"] is not None:
            assert request["content_type"].startswith("application/json")
    return sent


def tts_requests(cloud: Cloud) -> list[dict[str, Any]]:
    return [r for r in cloud.control.requests() if r["path"].startswith("/v1/text-to-speech/")]


def generations(cloud: Cloud) -> int:
    return sum(cloud.control.stats()["generations"].values())


async def wait_until(predicate: Any, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


# -- the contract --------------------------------------------------------------------------

async def test_catalog_requests_match_the_spec(cloud: Cloud, client: ApiClient) -> None:
    voices = VoicesService(client)
    models = await voices.list_models()
    assert [m.model_id for m in models][:1] == ["eleven_multilingual_v2"]
    everything = await voices.all_voices()
    assert len(everything) == 104
    assert len({v.voice_id for v in everything}) == 104
    page = await voices.search_voices("george", page_size=5, sort="name", sort_direction="asc",
                                      voice_type="default", category="premade",
                                      voice_ids=[GEORGE, "EXAVITQu4vr4xnSDxMaL"])
    assert [v.voice_id for v in page.voices] == [GEORGE]
    voice = await voices.get_voice(GEORGE)
    assert voice.name.startswith("George")
    defaults = await voices.default_settings()
    assert defaults == VoiceSettings()
    assert await voices.voice_settings(GEORGE) == defaults
    subscription = await AccountService(client).subscription()
    assert subscription.tier == "creator"
    sent = assert_requests_match_spec(cloud)
    assert len(sent) == 8


async def test_speech_requests_match_the_spec(cloud: Cloud, client: ApiClient) -> None:
    speech = SpeechService(client)
    dictionary_id, version_id = seed_dictionary(cloud.server, "dict1")
    request = SpeechRequest(
        text="Hello from the contract test.", model_id="eleven_flash_v2_5", language_code="en",
        voice_settings=VoiceSettings(stability=0.3, similarity_boost=0.9, style=0.1, speed=1.1),
        pronunciation_dictionary_locators=[PronunciationDictionaryLocator(
            pronunciation_dictionary_id=dictionary_id, version_id=version_id)],
        seed=42, previous_text="Before.", next_text="After.", previous_request_ids=["a", "b"],
        apply_text_normalization="on", apply_language_text_normalization=False,
    )
    options = SpeechOptions(output_format="mp3_22050_32", enable_logging=False,
                            optimize_streaming_latency=2)
    result = await speech.convert(GEORGE, request, options)
    assert sf.info(io.BytesIO(result.audio)).samplerate == 22050
    async with speech.stream(GEORGE, request, options) as stream:
        streamed = b"".join([chunk async for chunk in stream.chunks()])
    assert streamed == result.audio
    timed, info = await speech.with_timestamps(GEORGE, request, options)
    assert info.content_type == "application/json"
    assert timed.alignment is not None
    assert "".join(timed.alignment.characters) == request.text
    async with speech.stream_with_timestamps(GEORGE, request, options) as stream:
        items = [item async for item in stream.chunks()]
    assert len(items) > 1
    assert stream.skipped_lines == 0
    chars = "".join("".join(i.alignment.characters) for i in items if i.alignment)
    assert chars == request.text
    sent = assert_requests_match_spec(cloud)
    assert len(sent) == 4
    assert all(r["query"] == {"output_format": ["mp3_22050_32"], "enable_logging": ["false"],
                              "optimize_streaming_latency": ["2"]} for r in sent)
    assert sent[0]["json"]["voice_settings"]["stability"] == 0.3
    assert "use_pvc_as_ivc" not in sent[0]["json"]  # unset fields are left out


async def test_minimal_request_sends_only_text(cloud: Cloud, client: ApiClient) -> None:
    await SpeechService(client).convert(GEORGE, SpeechRequest(text="Hi"))
    (sent,) = assert_requests_match_spec(cloud)
    assert sent["json"] == {"text": "Hi"}
    assert sent["query"] == {"output_format": ["mp3_44100_128"]}


async def test_response_info_from_the_server(cloud: Cloud, client: ApiClient) -> None:
    text = "Twenty-two characters"
    result = await SpeechService(client).convert(GEORGE, SpeechRequest(text=text))
    info = result.info
    assert info.request_id and len(info.request_id) == 32
    assert info.character_cost == len(text)
    assert info.current_concurrent_requests == 1
    assert info.maximum_concurrent_requests == 5
    assert info.history_item_id
    assert info.content_type == "audio/mpeg"
    flash = await SpeechService(client).convert(
        GEORGE, SpeechRequest(text=text, model_id="eleven_flash_v2_5"))
    assert flash.info.character_cost == len(text) // 2 + len(text) % 2
    subscription = await AccountService(client).subscription()
    assert subscription.character_count == info.character_cost + flash.info.character_cost


@pytest.mark.parametrize("fmt", ["mp3_44100_128", "wav_16000", "opus_48000_64", "pcm_22050",
                                 "ulaw_8000", "alaw_8000"])
async def test_real_audio_in_each_format(cloud: Cloud, fmt: str) -> None:
    api = cloud.client(PRO_KEY)
    result = await SpeechService(api).convert(
        GEORGE, SpeechRequest(text="A tone of about one second......"),
        SpeechOptions(output_format=fmt))
    await api.aclose()
    codec, rate = fmt.split("_")[:2]
    if codec in ("mp3", "wav", "opus"):
        data, sample_rate = sf.read(io.BytesIO(result.audio))
        assert sample_rate == int(rate)
        assert 1.0 <= len(data) / sample_rate <= 2.0
        assert abs(data).max() > 0.1
    else:
        width = 2 if codec == "pcm" else 1
        assert 1.0 <= len(result.audio) / width / int(rate) <= 1.8


# -- errors the server gives ---------------------------------------------------------------

async def test_without_key_and_with_a_wrong_key(cloud: Cloud) -> None:
    api = cloud.client(None)
    with pytest.raises(errors.AuthError):
        await VoicesService(api).list_models()
    # the default settings need no key
    assert await VoicesService(api).default_settings() == VoiceSettings()
    api.reconfigure(api_key="not-a-key")
    with pytest.raises(errors.AuthError) as caught:
        await VoicesService(api).list_models()
    assert caught.value.request_id
    assert caught.value.message == "Invalid API key"
    api.reconfigure(api_key=CREATOR_KEY)
    assert await VoicesService(api).list_models()
    await api.aclose()


async def test_schema_violation_is_validation_error_with_fields(client: ApiClient) -> None:
    with pytest.raises(errors.ValidationError) as caught:
        await client.request_json("POST", f"/v1/text-to-speech/{GEORGE}/with-timestamps",
                                  json={"text": "x", "voice_settings": {"stability": 1.4}})
    assert [f.loc for f in caught.value.field_errors] == [("body", "voice_settings",
                                                           "stability")]


async def test_wav_cannot_be_streamed(client: ApiClient) -> None:
    with pytest.raises(errors.ValidationError) as caught:
        async with client.stream("POST", f"/v1/text-to-speech/{GEORGE}/stream",
                                 params={"output_format": "wav_44100"}, json={"text": "x"}):
            pass
    assert caught.value.field_errors[0].loc == ("query", "output_format")
    with pytest.raises(ValueError, match="cannot be streamed"):
        async with SpeechService(client).stream(GEORGE, SpeechRequest(text="x"),
                                                SpeechOptions(output_format="wav_44100")):
            pass


@pytest.mark.parametrize(("key", "fmt", "allowed"), [
    (FREE_KEY, "mp3_44100_192", False), (FREE_KEY, "pcm_44100", False),
    (FREE_KEY, "mp3_44100_128", True), (CREATOR_KEY, "mp3_44100_192", True),
    (CREATOR_KEY, "wav_48000", False), (PRO_KEY, "pcm_48000", True),
])
async def test_formats_follow_the_plan(cloud: Cloud, key: str, fmt: str, allowed: bool) -> None:
    api = cloud.client(key)
    speech = SpeechService(api)
    call = speech.convert(GEORGE, SpeechRequest(text="Plan check"),
                          SpeechOptions(output_format=fmt))
    if allowed:
        assert (await call).audio
    else:
        with pytest.raises(errors.ForbiddenError) as caught:
            await call
        assert "plan" in caught.value.message
        assert generations(cloud) == 0
    await api.aclose()


async def test_quota_exceeded(cloud: Cloud) -> None:
    cloud.control.set_account("nearly-empty", "starter", character_limit=100,
                              character_count=95)
    api = cloud.client("nearly-empty")
    with pytest.raises(errors.QuotaExceededError) as caught:
        await SpeechService(api).convert(GEORGE, SpeechRequest(text="Ten chars."))
    assert caught.value.status_code == 401
    assert "5 credits remaining" in caught.value.message
    assert (await SpeechService(api).convert(GEORGE, SpeechRequest(text="Five!"))).audio
    assert generations(cloud) == 1
    await api.aclose()


async def test_text_too_long_and_unknown_voice(client: ApiClient) -> None:
    speech = SpeechService(client)
    with pytest.raises(errors.BadRequestError) as caught:
        await speech.convert(GEORGE, SpeechRequest(text="x" * 5001, model_id="eleven_v3"))
    assert caught.value.code == "max_character_limit_exceeded"
    with pytest.raises(errors.NotFoundError):
        await speech.convert("no-such-voice", SpeechRequest(text="x"))
    with pytest.raises(errors.NotFoundError):
        await VoicesService(client).get_voice("no/such voice")


async def test_concurrency_limit(cloud: Cloud) -> None:
    cloud.control.set_account("one-at-a-time", "free", concurrency_limit=1)
    cloud.control.configure(chunk_delay_s=0.05)
    api = cloud.client("one-at-a-time", max_retries=0)
    speech = SpeechService(api)
    async with speech.stream(GEORGE, SpeechRequest(text="A long one " * 10)) as stream:
        with pytest.raises(errors.RateLimitError) as caught:
            await speech.convert(GEORGE, SpeechRequest(text="second"))
        assert caught.value.is_concurrency_limit
        assert caught.value.request_id
        async for _ in stream.chunks():
            pass
    assert (await speech.convert(GEORGE, SpeechRequest(text="after"))).audio
    await api.aclose()


# -- injected faults -----------------------------------------------------------------------

@pytest.mark.parametrize(("fault", "expected"), [
    ({"fault": "401"}, errors.AuthError),
    ({"fault": "403"}, errors.ForbiddenError),
    ({"fault": "404"}, errors.NotFoundError),
    ({"fault": "422"}, errors.ValidationError),
    ({"fault": "429"}, errors.RateLimitError),
    ({"fault": "429", "retry_after": 30}, errors.RateLimitError),
    ({"fault": "429", "code": "too_many_concurrent_requests"}, errors.RateLimitError),
    ({"fault": "401", "code": "quota_exceeded"}, errors.QuotaExceededError),
    ({"fault": "500"}, errors.ServerError),
    ({"fault": "502"}, errors.ServerError),
    ({"fault": "503"}, errors.ServerError),
    ({"fault": "invalid_json"}, errors.ApiProtocolError),
    ({"fault": "wrong_content_type"}, errors.ApiProtocolError),
])
async def test_status_and_shape_faults(cloud: Cloud, fault: dict[str, Any],
                                       expected: type) -> None:
    cloud.control.add_faults({"path_regex": "^/v1/models$", **fault})
    api = cloud.client(max_retries=0)
    with pytest.raises(expected) as caught:
        await VoicesService(api).list_models()
    assert type(caught.value) is expected
    if fault.get("retry_after"):
        assert caught.value.retry_after_s == 30  # type: ignore[attr-defined]
    if fault.get("code") == "too_many_concurrent_requests":
        assert caught.value.is_concurrency_limit  # type: ignore[attr-defined]
    assert await VoicesService(api).list_models()  # the fault was used up
    await api.aclose()


@pytest.mark.parametrize("declare_length", [True, False])
async def test_huge_body_refused(cloud: Cloud, declare_length: bool) -> None:
    cloud.control.add_faults({"path_regex": "^/v1/models$", "fault": "huge_body",
                              "size": 8 * 1024 * 1024, "declare_length": declare_length})
    api = cloud.client(max_json_bytes=1024 * 1024)
    with pytest.raises(errors.ApiProtocolError, match="too large"):
        await VoicesService(api).list_models()
    await api.aclose()


# -- retries -------------------------------------------------------------------------------

async def test_503_with_retry_after_retried_once_generated_once(cloud: Cloud) -> None:
    cloud.control.add_faults({"path_regex": TTS, "fault": "503", "retry_after": 0.05})
    waits: list[float] = []
    api = cloud.client()
    api.on_retry = lambda seconds, _reason: waits.append(seconds)
    result = await SpeechService(api).convert(GEORGE, SpeechRequest(text="Try again"))
    assert result.audio
    assert waits == [0.05]
    assert len(tts_requests(cloud)) == 2
    assert generations(cloud) == 1
    await api.aclose()


async def test_429_retried_until_it_passes(cloud: Cloud) -> None:
    cloud.control.add_faults({"path_regex": TTS, "fault": "429", "count": 2})
    api = cloud.client()
    assert (await SpeechService(api).convert(GEORGE, SpeechRequest(text="Busy"))).audio
    assert len(tts_requests(cloud)) == 3
    assert generations(cloud) == 1
    await api.aclose()


@pytest.mark.parametrize("fault", [{"fault": "500"}, {"fault": "502"},
                                   {"fault": "503"}, {"fault": "429", "retry_after": 60}])
async def test_not_retried(cloud: Cloud, fault: dict[str, Any]) -> None:
    cloud.control.add_faults({"path_regex": TTS, **fault})
    api = cloud.client()
    with pytest.raises(errors.ApiStatusError):
        await SpeechService(api).convert(GEORGE, SpeechRequest(text="Once"))
    assert len(tts_requests(cloud)) == 1
    assert generations(cloud) == 0
    await api.aclose()


async def test_truncated_body_after_start_is_never_retried(cloud: Cloud) -> None:
    cloud.control.add_faults({"path_regex": TTS, "fault": "truncated_body"})
    api = cloud.client()
    with pytest.raises(errors.ApiProtocolError, match="cut off"):
        await SpeechService(api).convert(GEORGE, SpeechRequest(text="Cut me off"))
    assert len(tts_requests(cloud)) == 1
    assert generations(cloud) == 1
    await api.aclose()


async def test_truncated_stream_raises_while_reading(cloud: Cloud) -> None:
    cloud.control.add_faults({"path_regex": f"^/v1/text-to-speech/{GEORGE}/stream$",
                              "fault": "truncated_body"})
    api = cloud.client()
    received = 0
    with pytest.raises(errors.ApiProtocolError, match="cut off"):
        async with SpeechService(api).stream(GEORGE, SpeechRequest(text="x" * 60)) as stream:
            async for chunk in stream.chunks():
                received += len(chunk)
    assert received > 0
    assert len(tts_requests(cloud)) == 1
    await api.aclose()


async def test_stall_mid_body_times_out_without_retry(cloud: Cloud) -> None:
    cloud.control.add_faults({"path_regex": f"^/v1/text-to-speech/{GEORGE}/stream$",
                              "fault": "stall_mid_body", "seconds": 30})
    api = cloud.client(read_timeout_s=0.3)
    with pytest.raises(errors.ApiTimeoutError):
        async with SpeechService(api).stream(GEORGE, SpeechRequest(text="x" * 60)) as stream:
            async for _ in stream.chunks():
                pass
    assert len(tts_requests(cloud)) == 1
    assert generations(cloud) == 1
    await wait_until(lambda: cloud.control.stats()["in_flight"] == 0)
    await api.aclose()


async def test_stall_before_headers_times_out_without_retry(cloud: Cloud) -> None:
    cloud.control.add_faults({"path_regex": TTS, "fault": "stall_before_headers",
                              "seconds": 30})
    api = cloud.client(read_timeout_s=0.3)
    with pytest.raises(errors.ApiTimeoutError):
        await SpeechService(api).convert(GEORGE, SpeechRequest(text="Slow"))
    assert len(tts_requests(cloud)) == 1
    await wait_until(lambda: cloud.control.stats()["disconnects"] == 1)
    assert generations(cloud) == 0
    await api.aclose()


async def test_closed_connection_post_not_retried_get_retried(cloud: Cloud) -> None:
    cloud.control.add_faults({"path_regex": TTS, "fault": "close_connection"},
                             {"path_regex": "^/v1/models$", "fault": "close_connection"})
    api = cloud.client()
    with pytest.raises(errors.ApiConnectionError):
        await SpeechService(api).convert(GEORGE, SpeechRequest(text="Dropped"))
    assert len(tts_requests(cloud)) == 1
    assert await VoicesService(api).list_models()
    models = [r for r in cloud.control.requests() if r["path"] == "/v1/models"]
    assert len(models) == 2
    await api.aclose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_refused_connection_retried_until_the_server_is_up() -> None:
    port = _free_port()
    app = CloudServer()
    reasons: list[str] = []
    with ExitStack() as stack:
        def start_server(_seconds: float, reason: str) -> None:
            reasons.append(reason)
            if len(reasons) == 1:
                stack.enter_context(run_server(app, port=port))

        api = ApiClient(ClientConfig(base_url=f"http://127.0.0.1:{port}", api_key=CREATOR_KEY,
                                     **FAST), on_retry=start_server)  # type: ignore[arg-type]
        result = await SpeechService(api).convert(GEORGE, SpeechRequest(text="Finally"))
        await api.aclose()
    assert result.audio
    assert reasons == ["could not connect to the server"]
    assert app.stats.generations == {"text_to_speech_full": 1}


async def test_refused_connection_gives_up() -> None:
    api = ApiClient(ClientConfig(base_url=f"http://127.0.0.1:{_free_port()}", **FAST))  # type: ignore[arg-type]
    waits: list[float] = []
    api.on_retry = lambda seconds, _r: waits.append(seconds)
    with pytest.raises(errors.ApiConnectionError, match="Could not connect"):
        await VoicesService(api).list_models()
    assert len(waits) == 2
    await api.aclose()


# -- redirects -----------------------------------------------------------------------------

async def test_redirect_to_other_host_never_followed_key_never_sent(cloud: Cloud) -> None:
    thief = CloudServer()
    with run_server(thief) as thief_url:
        cloud.control.add_faults(
            {"path_regex": TTS, "fault": "redirect_to_other_host",
             "location": f"{thief_url}/v1/text-to-speech/{GEORGE}"},
            {"path_regex": "^/v1/models$", "fault": "redirect_to_other_host", "status": 302,
             "location": f"{thief_url}/v1/models"})
        api = cloud.client()
        with pytest.raises(errors.ApiProtocolError, match="redirected"):
            await SpeechService(api).convert(GEORGE, SpeechRequest(text="Stay home"))
        with pytest.raises(errors.ApiProtocolError, match="redirected"):
            await VoicesService(api).list_models()
        await api.aclose()
        assert thief.requests == []
    assert len(cloud.control.requests()) == 2


# -- cancellation --------------------------------------------------------------------------

async def test_cancel_mid_stream_closes_the_request(cloud: Cloud) -> None:
    cloud.control.configure(chunk_delay_s=0.05)
    api = cloud.client()
    first_chunk = asyncio.Event()
    received: list[bytes] = []

    async def listen() -> None:
        async with SpeechService(api).stream(GEORGE, SpeechRequest(text="y" * 150)) as stream:
            async for chunk in stream.chunks():
                received.append(chunk)
                first_chunk.set()

    task = asyncio.create_task(listen())
    await asyncio.wait_for(first_chunk.wait(), 5)
    assert cloud.control.stats()["in_flight"] == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await wait_until(lambda: cloud.control.stats()["in_flight"] == 0)
    stats = cloud.control.stats()
    assert stats["disconnects"] == 1
    assert stats["completed"] == 0
    assert stats["accounts"][CREATOR_KEY]["in_flight"] == 0
    assert 0 < len(received) < 20
    # the client still works after a cancellation
    assert await VoicesService(api).list_models()
    await api.aclose()


async def test_leaving_a_timestamp_stream_early_closes_it(cloud: Cloud) -> None:
    cloud.control.configure(chunk_delay_s=0.05)
    api = cloud.client()
    async with SpeechService(api).stream_with_timestamps(
            GEORGE, SpeechRequest(text="z" * 150)) as stream:
        async for item in stream.chunks():
            assert item.audio_base64
            break
    await wait_until(lambda: cloud.control.stats()["in_flight"] == 0)
    assert cloud.control.stats()["disconnects"] == 1
    await api.aclose()


async def test_requests_from_plain_httpx_get_same_answers(cloud: Cloud) -> None:
    """The server is not tuned to our client: the official header works from anywhere."""
    async with httpx.AsyncClient(base_url=cloud.url) as raw:
        response = await raw.get("/v1/models", headers={"xi-api-key": CREATOR_KEY})
    assert response.status_code == 200
    assert response.headers["request-id"]
