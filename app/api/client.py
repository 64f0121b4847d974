"""The one HTTP client: base URL, key header, timeouts, limits, retries, error mapping.

One long-lived `httpx.AsyncClient` serves every request (connection reuse); when the
key or server changes, `reconfigure` swaps in a new one and closes the old one once its
in-flight requests are done.

Retries happen only when the server cannot have done the work: the connection was
refused (the request never left), 429, and 503 with a Retry-After. Waits grow
exponentially with jitter and honour Retry-After up to `retry_max_delay_s`; a longer
Retry-After is handed to the caller instead (RateLimitError.retry_after_s). Once a
success response has started, nothing is ever repeated. Redirects are never followed,
so the key never travels to another host.

Bodies are read by app/api/reading.py (caps on wire and unpacked size, an overall
deadline per request beside the read timeout, incremental line splitting). Uploads get
their own write timeout: a server that stops reading an upload is not waited on for the
long read timeout a transcription is allowed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json as jsonlib
import logging
import random
import ssl
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from app.api.errors import (
    ApiConnectionError,
    ApiError,
    ApiKeyError,
    ApiProtocolError,
    ApiStatusError,
    ApiTimeoutError,
    RateLimitError,
    ServerError,
    ValidationError,
    error_from_response,
    error_in_success_body,
    parse_json_safely,
    parse_retry_after,
)
from app.api.reading import (
    ACCEPT_ENCODING,
    MAX_ERROR_BYTES,
    BodyCounter,
    LineSplitter,
    deadline_error,
    header_number,
    collect,
    iter_body,
    read_body,
    refuse_error_body,
)
from app.domain import json_io
from app.domain.api_key import ApiKeyFormatError, clean_api_key, secret_forms

_T = TypeVar("_T")
log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.elevenlabs.io"
MAX_ERROR_BODY_BYTES = MAX_ERROR_BYTES
MAX_REDIRECTS_PUBLIC = 5
KEY_PLACEHOLDER = "[your API key]"

JSON_TYPES: tuple[str, ...] = ("application/json", "application/*+json")
# Answers at least this big are decoded in a worker thread (a 3-hour transcript is ~7 MB;
# json.loads of it would hold the event loop, which is the GUI thread, for ~60 ms).
BIG_JSON_BYTES = 256 * 1024
JSON_LINES_TYPES: tuple[str, ...] = (
    "application/json", "application/*+json", "application/x-ndjson", "application/jsonl",
    "application/json-seq", "text/event-stream",
)
AUDIO_TYPES: tuple[str, ...] = (
    "audio/*", "application/octet-stream", "application/ogg", "video/ogg", "binary/octet-stream",
)

QueryParams = Mapping[str, Any] | list[tuple[str, Any]] | None
"""Query parameters: a mapping (lists for repeated keys) or (name, value) pairs."""

RetryHook = Callable[[float, str], object]
"""Called before each retry wait with (seconds, plain-words reason)."""

_UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class ClientConfig:
    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = None
    max_retries: int = 2
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    max_json_bytes: int = 32 * 1024 * 1024
    max_body_bytes: int = 1024 * 1024 * 1024
    max_public_bytes: int = 64 * 1024 * 1024
    # Sending a request body: separate from the (possibly very long) wait for the answer.
    write_timeout_s: float = 60.0
    # The longest one request may take, answer included, however the bytes trickle in
    # (a song of several minutes is composed well within it; transcription has its own).
    request_deadline_s: float = 1800.0
    retry_base_delay_s: float = 0.5
    retry_max_delay_s: float = 10.0
    user_agent: str = "xi-studio"


_int_or_none = header_number  # informational headers: garbage, inf or NaN read as absent


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """What the response headers tell about a request (all optional)."""

    status_code: int = 200
    request_id: str | None = None
    character_cost: int | None = None
    current_concurrent_requests: int | None = None
    maximum_concurrent_requests: int | None = None
    model_id: str | None = None
    history_item_id: str | None = None
    song_id: str | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict, hash=False)

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], status_code: int = 200) -> ResponseInfo:
        h = {k.lower(): v for k, v in headers.items()}
        cost = _int_or_none(h.get("character-cost"))
        if cost is None:
            cost = _int_or_none(h.get("x-character-count"))
        return cls(
            status_code=status_code,
            request_id=h.get("request-id") or h.get("x-request-id") or None,
            character_cost=cost,
            current_concurrent_requests=_int_or_none(h.get("current-concurrent-requests")),
            maximum_concurrent_requests=_int_or_none(h.get("maximum-concurrent-requests")),
            model_id=h.get("model-id") or h.get("x-model-id") or None,
            history_item_id=h.get("history-item-id") or None,
            song_id=h.get("song-id") or None,
            content_type=h.get("content-type") or None,
            headers=h,
        )


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_insecure_base_url(url: str) -> bool:
    """True for plain http:// to a host other than this computer (the key would be readable)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    if parts.scheme.lower() != "http":
        return False
    return not _is_loopback(parts.hostname or "")


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _type_matches(content_type: str | None, accepted: tuple[str, ...]) -> bool:
    media = _media_type(content_type)
    if not media:
        return False
    for pattern in accepted:
        if pattern == media:
            return True
        major, _, minor = pattern.partition("/")
        m_major, _, m_minor = media.partition("/")
        if minor == "*" and major == m_major:
            return True
        if minor.startswith("*+") and major == m_major and m_minor.endswith(minor[1:]):
            return True
    return False


def _scrub_text(text: str, forms: list[str]) -> str:
    for form in forms:
        text = text.replace(form, KEY_PLACEHOLDER)
    return text


def _scrub(value: Any, forms: list[str]) -> Any:
    if isinstance(value, str):
        return _scrub_text(value, forms)
    if isinstance(value, list):
        return [_scrub(item, forms) for item in value]
    if isinstance(value, dict):
        return {k: _scrub(v, forms) for k, v in value.items()}
    return value


def _without_key(error: ApiStatusError, key: str | None) -> ApiStatusError:
    """A server that echoes the key in its error (raw or escaped) must not get it shown
    or logged."""
    if not key:
        return error
    forms = sorted(secret_forms(key) | {key}, key=len, reverse=True)
    try:
        seen = f"{error.message}{error.body}"
    except RecursionError:  # a body nested too deep to print: drop it
        error.body, seen = None, error.message
    if any(form in seen for form in forms):
        error.message = _scrub_text(error.message, forms)
        error.args = (error.message,)
        try:
            error.body = _scrub(error.body, forms)
        except RecursionError:
            error.body = None
        if isinstance(error, ValidationError):
            error.field_errors = [
                replace(f, loc=tuple(_scrub(list(f.loc), forms)),
                        message=_scrub_text(f.message, forms))
                for f in error.field_errors]
    return error


def _expects_json(expect: tuple[str, ...]) -> bool:
    return any("json" in pattern or pattern.startswith("text/") for pattern in expect)


class ApiStream:
    """A response whose body is read as it arrives (inside `ApiClient.stream`)."""

    def __init__(self, response: httpx.Response, info: ResponseInfo, max_bytes: int, *,
                 max_wire_bytes: int | None = None, deadline: float | None = None,
                 audio: bool = True) -> None:
        self._response = response
        self.info = info
        self._max_bytes = max_bytes
        self._max_wire = max_wire_bytes or max_bytes
        self._deadline = deadline
        self._audio = audio  # an error object in the body is refused, never passed on
        self._counter = BodyCounter()
        self._generators: list[AsyncGenerator[Any, None]] = []

    @property
    def bytes_received(self) -> int:
        """Bytes of body handed over so far (after unpacking)."""
        return self._counter.decoded

    def chunks(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body's bytes as they arrive (any boundaries)."""
        return self._track(self._chunks(chunk_size))

    def lines(self) -> AsyncIterator[str]:
        """Non-empty text lines (for newline-delimited JSON)."""
        return self._track(self._lines())

    def _track(self, generator: AsyncGenerator[_T, None]) -> AsyncGenerator[_T, None]:
        self._generators.append(generator)
        return generator

    async def aclose(self) -> None:
        """Close the readers explicitly, on this loop. A reader abandoned mid-body (the
        user cancelled) would otherwise be finalised later by the garbage collector,
        outside the event loop, leaving the connection half-open."""
        for generator in reversed(self._generators):
            try:
                await generator.aclose()
            except Exception:  # closing must not hide the error that got us here
                log.debug("closing a body reader failed", exc_info=True)
        self._generators.clear()

    def _body(self, what: str) -> AsyncIterator[bytes]:
        return iter_body(self._response, what=what, max_wire=self._max_wire,
                         max_bytes=self._max_bytes, deadline=self._deadline,
                         counter=self._counter)

    async def _chunks(self, chunk_size: int | None) -> AsyncGenerator[bytes, None]:
        # `chunk_size` is a hint only: pieces come as they arrive, at most 64 KB unpacked.
        del chunk_size
        pieces = self._body("audio")
        if self._audio:
            pieces = refuse_error_body(pieces, self.info.content_type, self.info.request_id)
        async for piece in pieces:
            yield piece

    async def _lines(self) -> AsyncGenerator[str, None]:
        splitter = LineSplitter()
        async for chunk in self._body("answer"):
            for line in splitter.feed(chunk):
                text = line.decode("utf-8", errors="replace").strip()
                if text:
                    yield text
        tail = splitter.finish().decode("utf-8", errors="replace").strip()
        if tail:
            yield tail


class _Inner:
    """One httpx client plus the number of requests still using it."""

    def __init__(self, client: httpx.AsyncClient, config: ClientConfig) -> None:
        self.client = client
        self.config = config
        self.active = 0
        self.retired = False


class ApiClient:
    """Talks HTTP to the ElevenLabs API (or anything that speaks it)."""

    def __init__(
        self,
        config: ClientConfig | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        on_retry: RetryHook | None = None,
    ) -> None:
        self._config = config or ClientConfig()
        self._transport = transport
        self.on_retry = on_retry
        self._ssl_context: ssl.SSLContext | None = None
        # The httpx client (and its TLS context, ~50 ms to load the CA bundle) is made on
        # first use, not at start-up: see `prepare` to make it off the event loop.
        self._current: _Inner | None = None
        self._retired: list[_Inner] = []
        self._closed = False

    # -- configuration ---------------------------------------------------------------
    @property
    def config(self) -> ClientConfig:
        return self._config

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def has_key(self) -> bool:
        return bool(self._config.api_key)

    @property
    def _inner(self) -> _Inner:
        if self._current is None:
            self._current = self._new_inner(self._config)
        return self._current

    def prepare(self) -> None:
        """Load the TLS certificates now (blocking; call from a worker thread) so the
        first request does not load them on the event loop."""
        if self._ssl_context is None and self._transport is None:
            self._ssl_context = httpx.create_ssl_context()

    def _new_inner(self, config: ClientConfig) -> _Inner:
        timeout = httpx.Timeout(
            connect=config.connect_timeout_s,
            read=config.read_timeout_s,
            write=config.write_timeout_s,
            pool=config.connect_timeout_s,
        )
        if self._ssl_context is None and self._transport is None:
            # Loading the CA bundle is slow: once per ApiClient, not per reconfigure.
            self._ssl_context = httpx.create_ssl_context()
        client = httpx.AsyncClient(
            base_url=config.base_url.strip(),
            verify=self._ssl_context or True,
            timeout=timeout,
            follow_redirects=False,
            transport=self._transport,
            headers={"user-agent": config.user_agent, "accept-encoding": ACCEPT_ENCODING},
            trust_env=False,
        )
        return _Inner(client, config)

    def reconfigure(self, *, base_url: str | None = None, api_key: str | None = _UNSET,
                    **changes: Any) -> None:
        """Point at another server and/or key. In-flight requests finish on the old client."""
        updates: dict[str, Any] = dict(changes)
        if base_url is not None:
            updates["base_url"] = base_url
        if api_key is not _UNSET:
            updates["api_key"] = api_key or None
        config = replace(self._config, **updates)
        if config == self._config:
            return
        self._config = config
        old, self._current = self._current, None
        if old is not None:
            self._retire(old)

    def _retire(self, inner: _Inner) -> None:
        inner.retired = True
        if inner.active:
            return  # closed by the last request that uses it
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._retired.append(inner)  # closed by aclose()
            return
        task = loop.create_task(inner.client.aclose())
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    async def aclose(self) -> None:
        self._closed = True
        inners = [*([self._current] if self._current is not None else []), *self._retired]
        self._retired.clear()
        for inner in inners:
            inner.retired = True
            await inner.client.aclose()

    # -- plumbing --------------------------------------------------------------------
    def _headers(self, config: ClientConfig, accept: str) -> dict[str, str]:
        headers = {"accept": accept}
        if config.api_key:
            if is_insecure_base_url(config.base_url):
                raise ApiConnectionError(
                    "Refused to send the API key over an unencrypted connection "
                    f"({config.base_url}). Use an https:// address.")
            try:
                headers["xi-api-key"] = clean_api_key(config.api_key)
            except ApiKeyFormatError as exc:  # never reaches h11, which would echo it
                raise ApiKeyError(f"{exc} (Settings, Ctrl+,)") from None
        return headers

    def _notify_retry(self, seconds: float, reason: str) -> None:
        log.info("retrying in %.2f s: %s", seconds, reason)
        if self.on_retry is not None:
            try:
                self.on_retry(seconds, reason)
            except Exception:  # a broken hook must not break the request
                log.exception("on_retry hook failed")

    def _backoff_s(self, config: ClientConfig, attempt: int) -> float:
        delay = min(config.retry_max_delay_s, config.retry_base_delay_s * (2 ** attempt))
        return delay * (1 - 0.25 * random.random())

    def _retry_delay(self, config: ClientConfig, error: ApiStatusError,
                     attempt: int) -> float | None:
        """Seconds to wait before repeating after this error, or None to give up."""
        if attempt >= config.max_retries:
            return None
        retry_after = parse_retry_after(error.headers)
        if isinstance(error, RateLimitError):
            if retry_after is None:
                return self._backoff_s(config, attempt)
        elif not (isinstance(error, ServerError) and error.status_code == 503
                  and retry_after is not None):
            return None
        assert retry_after is not None
        if retry_after > config.retry_max_delay_s:
            return None  # too long to wait silently: the caller says when to try again
        return retry_after

    @asynccontextmanager
    async def _exchange(
        self,
        method: str,
        path: str,
        *,
        accept: str,
        params: QueryParams = None,
        json: Any = None,
        files: Any = None,
        data: Any = None,
        public: bool = False,
        read_timeout_s: float | None = None,
        deadline_s: float | None = None,
    ) -> AsyncIterator[tuple[httpx.Response, float]]:
        """Send (with retries) and yield a 2xx response whose body is not read yet, with
        the loop time by which the whole request must be over."""
        if self._closed:
            raise ApiConnectionError("The client has been closed.")
        inner = self._inner
        deadline = (asyncio.get_running_loop().time()
                    + (deadline_s or inner.config.request_deadline_s))
        inner.active += 1
        try:
            response = await self._send_with_retries(
                inner, method, path, accept=accept, params=params, json=json, files=files,
                data=data, public=public, read_timeout_s=read_timeout_s, deadline=deadline)
            try:
                yield response, deadline
            finally:
                await response.aclose()
        finally:
            inner.active -= 1
            if inner.retired and inner.active == 0 and inner is not self._current:
                try:
                    await inner.client.aclose()
                except Exception:
                    log.debug("closing a retired client failed", exc_info=True)

    async def _send_with_retries(
        self,
        inner: _Inner,
        method: str,
        path: str,
        *,
        accept: str,
        params: QueryParams,
        json: Any,
        files: Any,
        data: Any,
        public: bool,
        read_timeout_s: float | None = None,
        deadline: float,
    ) -> httpx.Response:
        config = inner.config
        headers = {"accept": accept} if public else self._headers(config, accept)
        method = method.upper()
        attempt = 0
        while True:
            try:
                # A slow job (a long transcription) may wait longer than usual for its
                # answer; everything else keeps the client's timeouts.
                timeout = (httpx.Timeout(connect=config.connect_timeout_s, read=read_timeout_s,
                                         write=config.write_timeout_s,
                                         pool=config.connect_timeout_s)
                           if read_timeout_s else httpx.USE_CLIENT_DEFAULT)
                request = inner.client.build_request(
                    method, path, params=params, json=json, files=files, data=data,
                    headers=headers, timeout=timeout)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
                raise ApiConnectionError(f"Not a usable server address: {exc}") from exc
            try:
                # The deadline also ends an answer that never comes although bytes do
                # (endless "100 Continue" lines, each within the read timeout).
                async with asyncio.timeout_at(deadline):
                    response = await inner.client.send(request, stream=True,
                                                       follow_redirects=public)
            except TimeoutError as exc:
                raise deadline_error("its answer") from exc
            except httpx.ConnectError as exc:
                # The request never left this computer: safe to repeat.
                if attempt < config.max_retries:
                    delay = self._backoff_s(config, attempt)
                    self._notify_retry(delay, "could not connect to the server")
                    await asyncio.sleep(delay)
                    attempt += 1
                    continue
                raise ApiConnectionError(
                    f"Could not connect to {request.url.host or config.base_url}: "
                    f"{exc or type(exc).__name__}") from exc
            except httpx.WriteTimeout as exc:
                raise ApiTimeoutError(
                    f"{request.url.host} stopped accepting what was being sent (the upload "
                    "stalled). Check your connection and try again.") from exc
            except httpx.TimeoutException as exc:
                raise ApiTimeoutError(
                    f"{request.url.host} did not answer within the time limit.") from exc
            except httpx.TooManyRedirects as exc:
                raise ApiProtocolError("The server redirected too many times.") from exc
            except httpx.RemoteProtocolError as exc:
                if method == "GET" and attempt < config.max_retries:
                    # A GET changes nothing: repeating it after a dropped connection is safe.
                    delay = self._backoff_s(config, attempt)
                    self._notify_retry(delay, "the server closed the connection")
                    await asyncio.sleep(delay)
                    attempt += 1
                    continue
                raise ApiConnectionError(
                    "The server closed the connection without answering.") from exc
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise ApiConnectionError(f"Not a usable server address: {exc}") from exc
            except httpx.HTTPError as exc:
                raise ApiConnectionError(
                    f"The connection to {request.url.host} failed: "
                    f"{exc or type(exc).__name__}") from exc

            status = response.status_code
            if 200 <= status < 300:
                return response
            if 300 <= status < 400:
                await response.aclose()
                location = response.headers.get("location", "")
                target = urlsplit(location).hostname or location or "another address"
                raise ApiProtocolError(
                    f"The server redirected the request to {target} (HTTP {status}); it was "
                    "not followed, so nothing (and no key) was sent there.",
                    response.headers.get("request-id"))
            try:
                body = await read_body(response, what="error message",
                                       max_wire=MAX_ERROR_BODY_BYTES,
                                       max_bytes=MAX_ERROR_BODY_BYTES, deadline=deadline)
            except ApiError:
                body = b""
            finally:
                await response.aclose()
            error = _without_key(error_from_response(status, response.headers, body),
                                 config.api_key)
            delay_s = self._retry_delay(config, error, attempt)
            if delay_s is None:
                raise error
            reason = ("the server is busy (HTTP 429)" if status == 429
                      else f"the service is unavailable (HTTP {status})")
            self._notify_retry(delay_s, reason)
            await asyncio.sleep(delay_s)
            attempt += 1

    # -- public requests -------------------------------------------------------------
    async def request_json(
        self,
        method: str,
        path: str,
        *,
        params: QueryParams = None,
        json: Any = None,
        files: Any = None,
        data: Any = None,
        read_timeout_s: float | None = None,
        deadline_s: float | None = None,
    ) -> tuple[Any, ResponseInfo]:
        """A JSON answer, parsed; raises ApiProtocolError for anything else.
        `read_timeout_s` and `deadline_s` override the client's read timeout and overall
        deadline for this request only."""
        async with self._exchange(method, path, accept="application/json", params=params,
                                  json=json, files=files, data=data,
                                  read_timeout_s=read_timeout_s,
                                  deadline_s=deadline_s) as (response, deadline):
            info = ResponseInfo.from_headers(response.headers, response.status_code)
            if not _type_matches(info.content_type, JSON_TYPES):
                raise ApiProtocolError(
                    f"Expected JSON but the server sent {info.content_type or 'no content type'}.",
                    info.request_id)
            limit = self._config.max_json_bytes
            body = await read_body(response, what="answer", max_wire=limit, max_bytes=limit,
                                   deadline=deadline)
        try:
            if len(body) < BIG_JSON_BYTES:
                return parse_json_safely(body), info
            # A long transcript's answer: decoded off the event loop (the GUI thread).
            return await asyncio.to_thread(json_io.loads, body), info
        except (ValueError, RecursionError) as exc:
            reason = ("is nested too deeply to read" if isinstance(exc, RecursionError)
                      or isinstance(exc.__cause__, RecursionError) else "is not valid JSON")
            raise ApiProtocolError(f"The server's answer {reason}.", info.request_id) from exc

    async def request_bytes(
        self,
        method: str,
        path: str,
        *,
        params: QueryParams = None,
        json: Any = None,
        files: Any = None,
        data: Any = None,
        expect: tuple[str, ...] = AUDIO_TYPES,
    ) -> tuple[bytes, ResponseInfo]:
        """A whole binary answer (audio by default)."""
        async with self._exchange(method, path, accept=", ".join(expect), params=params,
                                  json=json, files=files, data=data) as (response, deadline):
            info = ResponseInfo.from_headers(response.headers, response.status_code)
            await self._check_type(response, info, expect, deadline)
            limit = self._config.max_body_bytes
            pieces = iter_body(response, what="audio", max_wire=limit, max_bytes=limit,
                               deadline=deadline)
            if not _expects_json(expect):
                pieces = refuse_error_body(pieces, info.content_type, info.request_id)
            body = await collect(pieces)
        return body, info

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        params: QueryParams = None,
        json: Any = None,
        files: Any = None,
        data: Any = None,
        expect: tuple[str, ...] = AUDIO_TYPES,
    ) -> AsyncIterator[ApiStream]:
        """Yield an `ApiStream` (`.info`, `async chunks()`); the response closes on exit,
        also when the task is cancelled."""
        async with self._exchange(method, path, accept=", ".join(expect), params=params,
                                  json=json, files=files, data=data) as (response, deadline):
            info = ResponseInfo.from_headers(response.headers, response.status_code)
            await self._check_type(response, info, expect, deadline)
            api_stream = ApiStream(response, info, self._config.max_body_bytes,
                                   deadline=deadline, audio=not _expects_json(expect))
            try:
                yield api_stream
            finally:
                await api_stream.aclose()

    @staticmethod
    async def _check_type(response: httpx.Response, info: ResponseInfo,
                          expect: tuple[str, ...], deadline: float) -> None:
        """Refuse an answer of the wrong type; a JSON or text answer where audio was
        expected is read (1 MB at most) for the server's own error message."""
        if not expect or _type_matches(info.content_type, expect):
            return
        if _type_matches(info.content_type, (*JSON_TYPES, "text/*")):
            try:
                body = await read_body(response, what="answer", max_wire=MAX_ERROR_BYTES,
                                       max_bytes=MAX_ERROR_BYTES, deadline=deadline)
            except ApiError:
                body = b""
            error = error_in_success_body(body, info.content_type, info.request_id)
            if error is not None:
                raise error
        raise ApiProtocolError(
            f"Expected {expect[0]} but the server sent "
            f"{info.content_type or 'no content type'}.", info.request_id)

    async def fetch_public(self, url: str, *, max_bytes: int | None = None) -> bytes:
        """GET a public file (e.g. a voice preview) without the key; redirects allowed."""
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            raise ApiConnectionError(f"Not a web address: {url!r}")
        limit = max_bytes or self._config.max_public_bytes
        async with self._exchange("GET", url, accept="*/*", public=True) as (response,
                                                                             deadline):
            return await read_body(response, what="file", max_wire=limit, max_bytes=limit,
                                   deadline=deadline)


__all__ = [
    "AUDIO_TYPES",
    "JSON_LINES_TYPES",
    "JSON_TYPES",
    "ApiClient",
    "ApiStream",
    "ClientConfig",
    "QueryParams",
    "ResponseInfo",
    "RetryHook",
    "is_insecure_base_url",
]
