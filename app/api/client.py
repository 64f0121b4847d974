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

Bodies are read within limits and deadlines by app/api/reading.py.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import httpx

from app.api.api_stream import (
    ApiStream,
    decode_json_answer,
    expects_json,
    read_whole_answer,
    refuse_unexpected_type,
)
from app.api.config import (
    DEFAULT_BASE_URL,
    ClientConfig,
    backoff_s,
    request_headers,
    retry_delay,
)
from app.api.errors import (
    ApiConnectionError,
    ApiError,
    ApiProtocolError,
    ApiTimeoutError,
    error_from_response,
)
from app.api.reading import (
    ACCEPT_ENCODING,
    MAX_ERROR_BYTES,
    deadline_error,
    read_body,
    send_within,
)
from app.api.redaction import KEY_PLACEHOLDER, without_key
from app.api.responses import (
    AUDIO_TYPES,
    JSON_LINES_TYPES,
    JSON_TYPES,
    ResponseInfo,
    is_insecure_base_url,
    type_matches,
)

log = logging.getLogger(__name__)

MAX_ERROR_BODY_BYTES = MAX_ERROR_BYTES


QueryParams = Mapping[str, Any] | list[tuple[str, Any]] | None
"""Query parameters: a mapping (lists for repeated keys) or (name, value) pairs."""

RetryHook = Callable[[float, str], object]
"""Called before each retry wait with (seconds, plain-words reason)."""

_UNSET: Any = object()


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
        import httpx  # here, off the event loop, rather than at start-up (~30 ms)

        if self._ssl_context is None and self._transport is None:
            self._ssl_context = httpx.create_ssl_context()

    def _new_inner(self, config: ClientConfig) -> _Inner:
        import httpx

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
    def _notify_retry(self, seconds: float, reason: str) -> None:
        log.info("retrying in %.2f s: %s", seconds, reason)
        if self.on_retry is not None:
            try:
                self.on_retry(seconds, reason)
            except Exception:  # a broken hook must not break the request
                log.exception("on_retry hook failed")

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
        import httpx

        config = inner.config
        headers = {"accept": accept} if public else request_headers(config, accept)
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
                response = await send_within(
                    inner.client, request, follow_redirects=public, deadline=deadline,
                    answer_within_s=read_timeout_s or config.read_timeout_s)
            except TimeoutError as exc:  # endless "100 Continue", or past the deadline
                if asyncio.get_running_loop().time() >= deadline:
                    raise deadline_error("its answer") from exc
                raise ApiTimeoutError(f"{request.url.host} did not answer within the time "
                                      "limit.") from exc
            except httpx.ConnectError as exc:
                # The request never left this computer: safe to repeat.
                if attempt < config.max_retries:
                    delay = backoff_s(config, attempt)
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
                    delay = backoff_s(config, attempt)
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
            error = without_key(error_from_response(status, response.headers, body),
                                 config.api_key)
            delay_s = retry_delay(config, error, attempt)
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
            if not type_matches(info.content_type, JSON_TYPES):
                raise ApiProtocolError(
                    f"Expected JSON but the server sent {info.content_type or 'no content type'}.",
                    info.request_id)
            limit = self._config.max_json_bytes
            body = await read_body(response, what="answer", max_wire=limit, max_bytes=limit,
                                   deadline=deadline)
        return await decode_json_answer(body, info), info

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
            body = await read_whole_answer(response, info, expect,
                                           self._config.max_body_bytes, deadline)
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
            await refuse_unexpected_type(response, info, expect, deadline)
            api_stream = ApiStream(response, info, self._config.max_body_bytes,
                                   deadline=deadline, audio=not expects_json(expect))
            try:
                yield api_stream
            finally:
                await api_stream.aclose()

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
    "DEFAULT_BASE_URL",
    "JSON_LINES_TYPES",
    "JSON_TYPES",
    "KEY_PLACEHOLDER",
    "MAX_ERROR_BODY_BYTES",
    "ApiClient",
    "ApiStream",
    "ClientConfig",
    "QueryParams",
    "ResponseInfo",
    "RetryHook",
    "is_insecure_base_url",
]
