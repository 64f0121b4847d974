"""Sending one request, with the retry policy: repeat it only when the server cannot have
done the work (the connection was refused; a GET whose connection dropped; 429 and 503
with Retry-After, waits from app/api/config.py), and map every transport failure to an
`ApiError` the user can read. A 2xx response is returned unread; nothing is repeated once
a success has started. The client's lifetime stays in app/api/client.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.api.config import ClientConfig, backoff_s, request_headers, retry_delay
from app.api.errors import (
    ApiConnectionError,
    ApiError,
    ApiProtocolError,
    ApiTimeoutError,
    error_from_response,
)
from app.api.reading import MAX_ERROR_BYTES, deadline_error, read_body, send_within
from app.api.redaction import without_key

if TYPE_CHECKING:
    import httpx

QueryParams = Mapping[str, Any] | list[tuple[str, Any]] | None
"""Query parameters: a mapping (lists for repeated keys) or (name, value) pairs."""


async def send_with_retries(
    client: httpx.AsyncClient,
    config: ClientConfig,
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
    notify_retry: Callable[[float, str], None],
) -> httpx.Response:
    """Send one request and return its 2xx response, body not read yet. Repeats it only
    when the server cannot have done the work (see app/api/client.py); every other
    failure becomes an `ApiError` in plain words, the key never in it."""
    import httpx  # loaded with the first request, not at start-up

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
            request = client.build_request(
                method, path, params=params, json=json, files=files, data=data,
                headers=headers, timeout=timeout)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
            raise ApiConnectionError(f"Not a usable server address: {exc}") from exc
        try:
            response = await send_within(
                client, request, follow_redirects=public, deadline=deadline,
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
                notify_retry(delay, "could not connect to the server")
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
            if _headers_too_large(exc):
                # The server did answer; asking again would only bring the same headers.
                # The next step (check the server address) is the UI's, as for any
                # answer that cannot be used.
                raise ApiProtocolError("The server's answer began with headers too large "
                                       "to read, so XI Studio stopped.") from exc
            if method == "GET" and attempt < config.max_retries:
                # A GET changes nothing: repeating it after a dropped connection is safe.
                delay = backoff_s(config, attempt)
                notify_retry(delay, "the server closed the connection")
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
                                   max_wire=MAX_ERROR_BYTES,
                                   max_bytes=MAX_ERROR_BYTES, deadline=deadline)
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
        notify_retry(delay_s, reason)
        await asyncio.sleep(delay_s)
        attempt += 1


def _headers_too_large(exc: Exception) -> bool:
    """h11 gives up on a head longer than its buffer (16 KB): a 1 MB header, or
    thousands of them. It is a received answer, not a dropped connection."""
    return "receive buffer too long" in str(exc).lower()
