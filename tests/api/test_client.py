"""ApiClient with fine-grained fake answers (httpx.MockTransport)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from app.api import errors
from app.api.client import ApiClient, ClientConfig, ResponseInfo, is_insecure_base_url

pytestmark = pytest.mark.anyio

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that answers from a list and keeps every request."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)


def make_client(recorder: Recorder, key: str | None = "k-123", **config: object) -> ApiClient:
    options: dict[str, object] = {"base_url": "https://api.example.test", "api_key": key,
                                  "retry_base_delay_s": 0.001, **config}
    return ApiClient(ClientConfig(**options), transport=httpx.MockTransport(recorder))  # type: ignore[arg-type]


def ok_json(data: object = None, **headers: str) -> httpx.Response:
    return httpx.Response(200, json={} if data is None else data, headers=headers)


# -- headers, key, base URL -------------------------------------------------------------

async def test_key_header_sent_only_when_set() -> None:
    recorder = Recorder(ok_json([]))
    api = make_client(recorder)
    await api.request_json("GET", "/v1/models")
    api.reconfigure(api_key=None)
    await api.request_json("GET", "/v1/models")
    await api.aclose()
    assert recorder.requests[0].headers["xi-api-key"] == "k-123"
    assert "xi-api-key" not in recorder.requests[1].headers
    assert str(recorder.requests[0].url) == "https://api.example.test/v1/models"


async def test_reconfigure_switches_server_and_key() -> None:
    recorder = Recorder(ok_json([]))
    api = make_client(recorder)
    api.reconfigure(base_url="http://127.0.0.1:9999", api_key="other")
    await api.request_json("GET", "/v1/models")
    assert recorder.requests[0].url.host == "127.0.0.1"
    assert recorder.requests[0].headers["xi-api-key"] == "other"
    assert api.base_url == "http://127.0.0.1:9999"
    await api.aclose()


async def test_reconfigure_keeps_in_flight_request_alive() -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        started.set()
        await release.wait()
        return ok_json({"ok": request.headers.get("xi-api-key")})

    api = ApiClient(ClientConfig(base_url="https://a.test", api_key="old"),
                    transport=httpx.MockTransport(slow))
    task = asyncio.create_task(api.request_json("GET", "/v1/models"))
    await started.wait()
    api.reconfigure(api_key="new")
    release.set()
    data, _ = await task
    assert data == {"ok": "old"}
    data, _ = await api.request_json("GET", "/v1/models")
    assert data == {"ok": "new"}
    await api.aclose()


def test_reconfigure_without_change_keeps_the_client() -> None:
    api = ApiClient(ClientConfig(base_url="https://a.test", api_key="k"))
    inner = api._inner
    api.reconfigure(base_url="https://a.test", api_key="k")
    assert api._inner is inner
    api.reconfigure(base_url="https://b.test")
    assert api._inner is not inner
    assert api.config.api_key == "k"
    asyncio.run(api.aclose())


async def test_key_never_sent_over_plain_http_to_another_host() -> None:
    recorder = Recorder(ok_json([]))
    api = make_client(recorder, base_url="http://api.example.test")
    with pytest.raises(errors.ApiConnectionError, match="unencrypted"):
        await api.request_json("GET", "/v1/models")
    assert recorder.requests == []
    api.reconfigure(api_key=None)  # no key: plain http is fine (e.g. a local engine)
    await api.request_json("GET", "/v1/models")
    await api.aclose()


@pytest.mark.parametrize(
    ("url", "insecure"),
    [("http://api.elevenlabs.io", True), ("http://10.0.0.2:8000", True),
     ("http://127.0.0.1:8765", False), ("http://localhost:8765", False),
     ("http://[::1]:8765", False), ("https://api.elevenlabs.io", False),
     ("https://10.0.0.2", False), ("http://127.5.0.1", False)],
)
def test_is_insecure_base_url(url: str, insecure: bool) -> None:
    assert is_insecure_base_url(url) is insecure


# -- response info -----------------------------------------------------------------------

def test_response_info_from_headers() -> None:
    info = ResponseInfo.from_headers({
        "Request-Id": "abc", "Character-Cost": "42", "Current-Concurrent-Requests": "2",
        "Maximum-Concurrent-Requests": "5", "History-Item-Id": "h1", "Song-Id": "s1",
        "Content-Type": "audio/mpeg", "X-Region": "eu",
    })
    assert info.request_id == "abc"
    assert info.character_cost == 42
    assert info.current_concurrent_requests == 2
    assert info.maximum_concurrent_requests == 5
    assert info.history_item_id == "h1"
    assert info.song_id == "s1"
    assert info.content_type == "audio/mpeg"
    assert info.headers["x-region"] == "eu"


def test_response_info_tolerates_missing_and_garbage() -> None:
    info = ResponseInfo.from_headers({"character-cost": "lots", "x-character-count": "7"})
    assert info.character_cost == 7
    assert info.request_id is None
    empty = ResponseInfo.from_headers({})
    assert empty.character_cost is None and empty.current_concurrent_requests is None


async def test_request_bytes_returns_info() -> None:
    recorder = Recorder(httpx.Response(200, content=b"ID3...", headers={
        "content-type": "audio/mpeg", "request-id": "r9", "character-cost": "11"}))
    api = make_client(recorder)
    audio, info = await api.request_bytes("POST", "/v1/text-to-speech/v", json={"text": "hi"})
    assert audio == b"ID3..."
    assert (info.request_id, info.character_cost) == ("r9", 11)
    await api.aclose()


# -- protocol errors -----------------------------------------------------------------------

async def test_invalid_json_is_protocol_error() -> None:
    api = make_client(Recorder(httpx.Response(200, content=b"{nope",
                                              headers={"content-type": "application/json"})))
    with pytest.raises(errors.ApiProtocolError, match="not valid JSON"):
        await api.request_json("GET", "/v1/models")
    await api.aclose()


async def test_wrong_content_type_is_protocol_error() -> None:
    api = make_client(Recorder(httpx.Response(200, content=b"<html>portal</html>",
                                              headers={"content-type": "text/html"})))
    with pytest.raises(errors.ApiProtocolError, match="text/html"):
        await api.request_json("GET", "/v1/models")
    with pytest.raises(errors.ApiProtocolError, match="text/html"):
        await api.request_bytes("POST", "/v1/text-to-speech/v", json={"text": "x"})
    await api.aclose()


async def test_json_content_type_variants_accepted() -> None:
    api = make_client(Recorder(httpx.Response(200, content=b"[1]", headers={
        "content-type": "application/problem+json; charset=utf-8"})))
    data, _ = await api.request_json("GET", "/v1/models")
    assert data == [1]
    await api.aclose()


async def test_declared_too_large_json_refused() -> None:
    api = make_client(Recorder(httpx.Response(200, content=b"[]", headers={
        "content-type": "application/json", "content-length": str(10**9)})),
        max_json_bytes=1000)
    with pytest.raises(errors.ApiProtocolError, match="too large"):
        await api.request_json("GET", "/v1/models")
    await api.aclose()


async def test_streamed_too_large_json_refused() -> None:
    async def body():  # type: ignore[no-untyped-def]
        for _ in range(100):
            yield b" " * 100

    api = make_client(Recorder(lambda r: httpx.Response(
        200, content=body(), headers={"content-type": "application/json"})), max_json_bytes=1000)
    with pytest.raises(errors.ApiProtocolError, match="too large"):
        await api.request_json("GET", "/v1/models")
    await api.aclose()


async def test_redirect_is_refused_and_not_followed() -> None:
    recorder = Recorder(httpx.Response(307, headers={"location": "https://evil.test/steal"}))
    api = make_client(recorder)
    with pytest.raises(errors.ApiProtocolError, match=r"evil\.test"):
        await api.request_json("GET", "/v1/models")
    assert len(recorder.requests) == 1
    assert all(r.url.host == "api.example.test" for r in recorder.requests)
    await api.aclose()


# -- status errors -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, {"detail": {"status": "max_character_limit_exceeded", "message": "long"}},
         errors.BadRequestError),
        (401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}},
         errors.AuthError),
        (401, {"detail": {"status": "quota_exceeded", "message": "no credits"}},
         errors.QuotaExceededError),
        (403, {"detail": {"status": "only_for_creator+", "message": "upgrade"}},
         errors.ForbiddenError),
        (404, {"detail": {"status": "voice_not_found", "message": "gone"}}, errors.NotFoundError),
        (422, {"detail": [{"loc": ["body", "text"], "msg": "Field required", "type": "missing"}]},
         errors.ValidationError),
        (429, {"detail": {"status": "too_many_concurrent_requests", "message": "wait"}},
         errors.RateLimitError),
        (500, {"detail": {"status": "error", "message": "boom"}}, errors.ServerError),
    ],
)
async def test_status_mapping(status: int, body: object, expected: type) -> None:
    recorder = Recorder(httpx.Response(status, json=body))
    api = make_client(recorder, max_retries=0)
    with pytest.raises(expected) as caught:
        await api.request_json("GET", "/v1/models")
    assert type(caught.value) is expected
    assert caught.value.status_code == status
    await api.aclose()


async def test_stream_raises_status_error_before_yielding() -> None:
    api = make_client(Recorder(httpx.Response(401, json={"detail": {
        "status": "invalid_api_key", "message": "Invalid API key"}})))
    with pytest.raises(errors.AuthError):
        async with api.stream("POST", "/v1/text-to-speech/v/stream", json={"text": "x"}):
            pytest.fail("no stream on an error")
    await api.aclose()


# -- retries -------------------------------------------------------------------------------

async def test_connect_error_retried_then_succeeds() -> None:
    waits: list[tuple[float, str]] = []
    recorder = Recorder(httpx.ConnectError("refused"), httpx.ConnectError("refused"), ok_json([]))
    api = make_client(recorder)
    api.on_retry = lambda s, reason: waits.append((s, reason))
    data, _ = await api.request_json("POST", "/v1/text-to-speech/v", json={"text": "x"})
    assert data == []
    assert len(recorder.requests) == 3
    assert [r for _, r in waits] == ["could not connect to the server"] * 2
    await api.aclose()


async def test_connect_error_gives_up_after_max_retries() -> None:
    recorder = Recorder(httpx.ConnectError("refused"))
    api = make_client(recorder, max_retries=2)
    with pytest.raises(errors.ApiConnectionError) as caught:
        await api.request_json("GET", "/v1/models")
    assert not isinstance(caught.value, errors.ApiTimeoutError)
    assert len(recorder.requests) == 3
    await api.aclose()


async def test_backoff_grows_and_is_capped() -> None:
    waits: list[float] = []
    recorder = Recorder(httpx.ConnectError("refused"))
    api = make_client(recorder, max_retries=4, retry_base_delay_s=0.01, retry_max_delay_s=0.03)
    api.on_retry = lambda s, _r: waits.append(s)
    with pytest.raises(errors.ApiConnectionError):
        await api.request_json("GET", "/v1/models")
    assert len(waits) == 4
    assert 0.0075 <= waits[0] <= 0.01
    assert 0.015 <= waits[1] <= 0.02
    assert all(w <= 0.03 for w in waits)
    await api.aclose()


async def test_503_with_retry_after_is_retried_and_honoured() -> None:
    waits: list[float] = []
    recorder = Recorder(httpx.Response(503, headers={"retry-after": "0.05"}, json={}),
                        httpx.Response(200, content=b"audio",
                                       headers={"content-type": "audio/mpeg"}))
    api = make_client(recorder)
    api.on_retry = lambda s, _r: waits.append(s)
    audio, _ = await api.request_bytes("POST", "/v1/text-to-speech/v", json={"text": "x"})
    assert audio == b"audio"
    assert waits == [0.05]
    await api.aclose()


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_other_5xx_not_retried(status: int) -> None:
    recorder = Recorder(httpx.Response(status, json={}, headers={"retry-after": "0"}))
    api = make_client(recorder)
    with pytest.raises(errors.ServerError):
        await api.request_json("POST", "/v1/text-to-speech/v", json={"text": "x"})
    assert len(recorder.requests) == 1
    await api.aclose()


async def test_503_without_retry_after_not_retried() -> None:
    recorder = Recorder(httpx.Response(503, json={}))
    api = make_client(recorder)
    with pytest.raises(errors.ServerError):
        await api.request_json("GET", "/v1/models")
    assert len(recorder.requests) == 1
    await api.aclose()


async def test_429_retried_with_backoff_then_raises_rate_limit() -> None:
    recorder = Recorder(httpx.Response(429, json={"detail": {"status": "system_busy",
                                                             "message": "busy"}}))
    api = make_client(recorder, max_retries=2)
    with pytest.raises(errors.RateLimitError) as caught:
        await api.request_json("GET", "/v1/models")
    assert len(recorder.requests) == 3
    assert not caught.value.is_concurrency_limit
    await api.aclose()


async def test_429_with_long_retry_after_is_handed_to_the_caller() -> None:
    recorder = Recorder(httpx.Response(429, headers={"retry-after": "120"}, json={
        "detail": {"status": "too_many_concurrent_requests", "message": "wait"}}))
    api = make_client(recorder)
    with pytest.raises(errors.RateLimitError) as caught:
        await api.request_json("GET", "/v1/models")
    assert len(recorder.requests) == 1
    assert caught.value.retry_after_s == 120
    assert caught.value.is_concurrency_limit
    await api.aclose()


async def test_no_retry_for_4xx_or_timeouts() -> None:
    recorder = Recorder(httpx.ReadTimeout("slow"))
    api = make_client(recorder)
    with pytest.raises(errors.ApiTimeoutError):
        await api.request_json("POST", "/v1/text-to-speech/v", json={"text": "x"})
    assert len(recorder.requests) == 1
    await api.aclose()


async def test_dropped_connection_retried_for_get_only() -> None:
    recorder = Recorder(httpx.RemoteProtocolError("Server disconnected"), ok_json([]))
    api = make_client(recorder)
    await api.request_json("GET", "/v1/models")
    assert len(recorder.requests) == 2
    recorder = Recorder(httpx.RemoteProtocolError("Server disconnected"), ok_json([]))
    api = make_client(recorder)
    with pytest.raises(errors.ApiConnectionError):
        await api.request_json("POST", "/v1/text-to-speech/v", json={"text": "x"})
    assert len(recorder.requests) == 1
    await api.aclose()


async def test_broken_retry_hook_does_not_break_the_request() -> None:
    def hook(_s: float, _r: str) -> None:
        raise RuntimeError("broken hook")

    api = make_client(Recorder(httpx.ConnectError("refused"), ok_json([])))
    api.on_retry = hook
    data, _ = await api.request_json("GET", "/v1/models")
    assert data == []
    await api.aclose()


async def test_cancel_during_backoff() -> None:
    recorder = Recorder(httpx.Response(503, headers={"retry-after": "5"}, json={}))
    api = make_client(recorder, retry_max_delay_s=10)
    task = asyncio.create_task(api.request_json("GET", "/v1/models"))
    while not recorder.requests:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(recorder.requests) == 1
    await api.aclose()


# -- public files --------------------------------------------------------------------------

async def test_fetch_public_sends_no_key_and_follows_redirects() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/preview.mp3":
            return httpx.Response(302, headers={"location": "https://cdn2.test/real.mp3"})
        return httpx.Response(200, content=b"mp3", headers={"content-type": "audio/mpeg"})

    recorder = Recorder(handler)
    api = make_client(recorder)
    assert await api.fetch_public("https://cdn.test/preview.mp3") == b"mp3"
    assert [r.url.host for r in recorder.requests] == ["cdn.test", "cdn2.test"]
    assert all("xi-api-key" not in r.headers for r in recorder.requests)
    await api.aclose()


async def test_fetch_public_limits() -> None:
    api = make_client(Recorder(httpx.Response(200, content=b"x" * 5000)))
    with pytest.raises(errors.ApiProtocolError, match="too large"):
        await api.fetch_public("https://cdn.test/a.mp3", max_bytes=1000)
    with pytest.raises(errors.ApiConnectionError):
        await api.fetch_public("file:///etc/passwd")
    await api.aclose()


async def test_closed_client_refuses() -> None:
    api = make_client(Recorder(ok_json([])))
    await api.aclose()
    with pytest.raises(errors.ApiConnectionError):
        await api.request_json("GET", "/v1/models")
