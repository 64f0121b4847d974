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

This module keeps the client's lifetime and the public request methods; one request is
sent, retried and its failures mapped in app/api/sending.py, and bodies are read within
limits and deadlines by app/api/reading.py.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import AsyncIterator, Callable
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
)
from app.api.errors import (
    ApiConnectionError,
    ApiProtocolError,
)
from app.api.reading import (
    ACCEPT_ENCODING,
    MAX_ERROR_BYTES,
    read_body,
)
from app.api.redaction import KEY_PLACEHOLDER
from app.api.responses import (
    AUDIO_TYPES,
    JSON_LINES_TYPES,
    JSON_TYPES,
    ResponseInfo,
    is_insecure_base_url,
    type_matches,
)
from app.api.sending import QueryParams, send_with_retries

log = logging.getLogger(__name__)

MAX_ERROR_BODY_BYTES = MAX_ERROR_BYTES


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
    def audio_json_cap(self) -> int:
        """The size cap of a JSON answer carrying audio (base64, 4/3 of its size, next to
        its timings): the audio cap applies there, not the small one for JSON answers."""
        return self._config.max_body_bytes * 4 // 3 + self._config.max_json_bytes

    def check_audio_size(self, audio_base64: str, info: ResponseInfo) -> None:
        """Refuse audio in a JSON answer that is over the audio cap once decoded."""
        cap = self._config.max_body_bytes
        if len(audio_base64) * 3 // 4 > cap:
            raise ApiProtocolError(
                f"The server's audio is too large (over {cap} bytes once decoded).", info=info)

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
            response = await send_with_retries(
                inner.client, inner.config, method, path, accept=accept, params=params,
                json=json, files=files, data=data, public=public,
                read_timeout_s=read_timeout_s, deadline=deadline,
                notify_retry=self._notify_retry)
            try:
                yield response, deadline
            except ApiProtocolError as exc:
                # A success answer was refused: the server took (and charged for) the
                # request, so its headers go with the error for the usage ledger.
                if exc.info is None:
                    exc.info = ResponseInfo.from_headers(response.headers,
                                                         response.status_code)
                raise
            finally:
                await response.aclose()
        finally:
            inner.active -= 1
            if inner.retired and inner.active == 0 and inner is not self._current:
                try:
                    await inner.client.aclose()
                except Exception:
                    log.debug("closing a retired client failed", exc_info=True)

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
        max_bytes: int | None = None,
        empty_ok: bool = False,
    ) -> tuple[Any, ResponseInfo]:
        """A JSON answer, parsed; raises ApiProtocolError for anything else.
        `read_timeout_s` and `deadline_s` override the client's read timeout and overall
        deadline for this request only; `max_bytes` its size cap (a JSON answer carrying
        audio is as large as the audio, far over the usual JSON cap). With `empty_ok`
        (a delete, whose answer says nothing the app needs), a success without a body
        (204, or an empty 200 of any content type) gives None: it was done."""
        async with self._exchange(method, path, accept="application/json", params=params,
                                  json=json, files=files, data=data,
                                  read_timeout_s=read_timeout_s,
                                  deadline_s=deadline_s) as (response, deadline):
            info = ResponseInfo.from_headers(response.headers, response.status_code)
            limit = max_bytes or self._config.max_json_bytes
            if empty_ok and response.status_code == 204:
                return None, info
            body: bytes | None = None
            if empty_ok and not type_matches(info.content_type, JSON_TYPES):
                body = await read_body(response, what="answer", max_wire=limit,
                                       max_bytes=limit, deadline=deadline)
                if not body.strip():
                    return None, info
            if not type_matches(info.content_type, JSON_TYPES):
                raise ApiProtocolError(
                    f"Expected JSON but the server sent {info.content_type or 'no content type'}.",
                    info=info)
            if body is None:
                body = await read_body(response, what="answer", max_wire=limit,
                                       max_bytes=limit, deadline=deadline)
        if empty_ok and not body.strip():
            return None, info
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
        read_timeout_s: float | None = None,
        on_answer: Callable[[ResponseInfo], object] | None = None,
    ) -> tuple[bytes, ResponseInfo]:
        """A whole binary answer (audio by default); `read_timeout_s` as in request_json.
        `on_answer` hears the success answer's headers before its body is read: the
        server has taken (and charged for) the request, even if the caller then stops
        it while the body arrives."""
        async with self._exchange(method, path, accept=", ".join(expect), params=params,
                                  json=json, files=files, data=data,
                                  read_timeout_s=read_timeout_s) as (response, deadline):
            info = ResponseInfo.from_headers(response.headers, response.status_code)
            if on_answer is not None:
                on_answer(info)
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

    async def fetch_public(self, url: str, *, max_bytes: int | None = None,
                           expect: tuple[str, ...] = ()) -> bytes:
        """GET a public file (e.g. a voice preview) without the key; redirects allowed.
        With `expect`, an answer of another type is refused before its body is read: a
        captive portal's page where a voice's sample should be is the server's fault, not
        audio that failed to decode (whose advice, another output format, does not
        apply to a sample)."""
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            raise ApiConnectionError(f"Not a web address: {url!r}")
        limit = max_bytes or self._config.max_public_bytes
        async with self._exchange("GET", url, accept=", ".join(expect) or "*/*",
                                  public=True) as (response, deadline):
            if expect:
                info = ResponseInfo.from_headers(response.headers, response.status_code)
                await refuse_unexpected_type(response, info, expect, deadline)
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
