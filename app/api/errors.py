"""One exception tree for everything the service layer can raise.

    ApiError                      message, request_id
    ├── ApiConnectionError        the server could not be reached (or the socket broke)
    │   └── ApiTimeoutError       no answer in time
    ├── ApiProtocolError          an answer we cannot use: bad JSON, wrong content type,
    │                             cut-off or oversized body, a refused redirect
    └── ApiStatusError            a non-2xx answer: status_code, code, body, headers
        ├── BadRequestError       400 (e.g. max_character_limit_exceeded)
        ├── AuthError             401 invalid / missing key
        ├── QuotaExceededError    quota_exceeded (arrives as 400/401/402)
        ├── ForbiddenError        403 (and 402): not in this plan
        ├── NotFoundError         404, or voice_not_found under any status
        ├── ValidationError       422 with `field_errors`
        ├── RateLimitError        429 with `retry_after_s`, `is_concurrency_limit`
        └── ServerError           5xx

The API's error bodies come in three shapes (shared/api/ELEVENLABS_API.md §0.1): a
FastAPI list under `detail`, a legacy `{"detail": {"status", "message"}}` and a newer
`{"detail": {"type", "code", "message", "status", "request_id", "param"}}`. All are read
by `error_from_response`.
"""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class ApiError(Exception):
    """Anything that went wrong talking to the API."""

    def __init__(self, message: str, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id

    def __str__(self) -> str:
        if self.request_id:
            return f"{self.message} (request id {self.request_id})"
        return self.message


class ApiConnectionError(ApiError):
    """The server could not be reached, or the connection broke."""


class ApiTimeoutError(ApiConnectionError):
    """The server did not answer (or stopped sending) within the timeout."""


class ApiProtocolError(ApiError):
    """The server answered with something the client cannot use."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One complaint about one field: `loc` like ("body", "voice_settings", "stability")."""

    loc: tuple[str | int, ...]
    message: str
    type: str = ""


class ApiStatusError(ApiError):
    """The server answered with a non-success status."""

    def __init__(
        self,
        status_code: int,
        code: str | None,
        message: str,
        request_id: str | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, request_id)
        self.status_code = status_code
        self.code = code
        self.body = body
        self.headers: dict[str, str] = {k.lower(): v for k, v in (headers or {}).items()}


class BadRequestError(ApiStatusError):
    """400: the request was refused as it stands (e.g. text too long)."""


class AuthError(ApiStatusError):
    """401: the key is missing, wrong, revoked or lacks a permission."""


class QuotaExceededError(ApiStatusError):
    """The account (or key) has no characters/credits left for this request."""


class ForbiddenError(ApiStatusError):
    """403 (or 402): the plan does not include this (format, voice, feature)."""


class NotFoundError(ApiStatusError):
    """404, or a `voice_not_found` code whatever its status."""


class ValidationError(ApiStatusError):
    """422: the request broke the schema; `field_errors` says where."""

    def __init__(self, *args: Any, field_errors: list[FieldError] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_errors: list[FieldError] = list(field_errors or [])


class RateLimitError(ApiStatusError):
    """429: too many requests at once (concurrency) or the service is busy."""

    def __init__(self, *args: Any, retry_after_s: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after_s = retry_after_s

    @property
    def is_concurrency_limit(self) -> bool:
        return self.code in CONCURRENCY_CODES or _detail_field(self.body, "status") in (
            CONCURRENCY_CODES
        )


class ServerError(ApiStatusError):
    """5xx: the server failed; usually temporary."""


CONCURRENCY_CODES = frozenset({"too_many_concurrent_requests", "concurrent_limit_exceeded"})
QUOTA_CODES = frozenset({"quota_exceeded", "insufficient_credits"})
NOT_FOUND_CODES = frozenset({"voice_not_found", "not_found", "not_found_error"})

MAX_MESSAGE_CHARS = 500


def _detail_field(body: Any, name: str) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("detail"), dict):
        value = body["detail"].get(name)
        if isinstance(value, str) and value:
            return value
    return None


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from `retry-after-ms` or `Retry-After` (seconds or an HTTP date)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms:
        try:
            value = float(raw_ms) / 1000
            if 0 <= value < math.inf:  # never "inf" or "nan": a wait must end
                return value
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if not raw:
        return None
    raw = raw.strip()
    try:
        value = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        value = when.timestamp() - (time.time() if now is None else now)
        return max(0.0, value)
    return value if 0 <= value < math.inf else None


def _field_errors(detail: Any) -> list[FieldError]:
    """FastAPI's `detail` list, or one FieldError for an object detail."""
    found: list[FieldError] = []
    if isinstance(detail, list):
        for item in detail:
            if not isinstance(item, dict):
                continue
            loc_raw = item.get("loc") or []
            loc = tuple(p for p in loc_raw if isinstance(p, str | int)) if isinstance(
                loc_raw, list) else ()
            found.append(FieldError(loc, str(item.get("msg", "")), str(item.get("type", ""))))
    elif isinstance(detail, dict):
        param = detail.get("param")
        loc = tuple(str(param).split(".")) if isinstance(param, str) and param else ()
        message = detail.get("message") or detail.get("msg") or ""
        kind = detail.get("code") or detail.get("status") or detail.get("type") or ""
        if message or loc:
            found.append(FieldError(loc, str(message), str(kind)))
    return found


def _message_from(body: Any, status: int, text: str) -> str:
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, dict):
        message = detail.get("message") or detail.get("msg")
        if isinstance(message, str) and message:
            return message
    elif isinstance(detail, list):
        parts = [f"{_loc_text(e.loc)}: {e.message}" if e.loc else e.message
                 for e in _field_errors(detail)]
        if parts:
            return "; ".join(parts)
    elif isinstance(detail, str) and detail:
        return detail
    if isinstance(body, dict):
        for key in ("message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    stripped = " ".join(text.split())
    if stripped and not stripped.startswith("<"):
        return stripped[:MAX_MESSAGE_CHARS]
    return f"The server answered with HTTP status {status}."


def _loc_text(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "query", "path")) or "request"


def error_from_response(
    status: int, headers: Mapping[str, str], body_bytes: bytes
) -> ApiStatusError:
    """The exception for a non-2xx answer, in the most specific class that fits."""
    lowered = {k.lower(): v for k, v in headers.items()}
    text = body_bytes.decode("utf-8", errors="replace")
    body: Any
    try:
        body = json.loads(text) if text.strip() else None
    except ValueError:
        body = text or None
    code = _detail_field(body, "code") or _detail_field(body, "status")
    codes = {c for c in (_detail_field(body, "code"), _detail_field(body, "status")) if c}
    message = _message_from(body, status, text)[:MAX_MESSAGE_CHARS]
    request_id = (
        _detail_field(body, "request_id") or lowered.get("request-id")
        or lowered.get("x-request-id")
    )
    args = (status, code, message, request_id, body, lowered)

    if codes & QUOTA_CODES and status in (400, 401, 402, 403, 429):
        return QuotaExceededError(*args)
    if codes & NOT_FOUND_CODES and 400 <= status < 500 and status != 422:
        return NotFoundError(*args)
    if status == 400:
        return BadRequestError(*args)
    if status == 401:
        return AuthError(*args)
    if status in (402, 403):
        return ForbiddenError(*args)
    if status == 404:
        return NotFoundError(*args)
    if status == 422:
        detail = body.get("detail") if isinstance(body, dict) else None
        return ValidationError(*args, field_errors=_field_errors(detail))
    if status == 429:
        return RateLimitError(*args, retry_after_s=parse_retry_after(lowered))
    if status >= 500:
        return ServerError(*args)
    return ApiStatusError(*args)


__all__ = [
    "ApiConnectionError",
    "ApiError",
    "ApiProtocolError",
    "ApiStatusError",
    "ApiTimeoutError",
    "AuthError",
    "BadRequestError",
    "FieldError",
    "ForbiddenError",
    "NotFoundError",
    "QuotaExceededError",
    "RateLimitError",
    "ServerError",
    "ValidationError",
    "error_from_response",
    "parse_retry_after",
]
