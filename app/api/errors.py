"""One exception tree for everything the service layer can raise.

    ApiError                      message, request_id
    ├── ApiConnectionError        the server could not be reached (or the socket broke)
    │   └── ApiTimeoutError       no answer in time
    ├── ApiKeyError               the key cannot be sent (a line break, an invisible character)
    ├── ApiProtocolError          an answer we cannot use: bad JSON, wrong content type,
    │   │                         cut-off or oversized body, a refused redirect
    │   └── ServerReportedError   a success status whose body is the server's error message
    └── ApiStatusError            a non-2xx answer: status_code, code, body, headers
        ├── BadRequestError       400 (e.g. max_character_limit_exceeded)
        ├── AuthError             401 invalid / missing key
        │   └── MissingPermissionsError  401 missing_permissions: a restricted key
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

import codecs
import json
import math
import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.api.responses import ResponseInfo


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


class ApiKeyError(ApiError):
    """The key is not something that can be sent (the message says why, never the key)."""


class ApiProtocolError(ApiError):
    """The server answered with something the client cannot use.

    `info` is the success answer's headers when the refusal came after the server had
    accepted the request: the server charges a request when it starts it, so that
    answer's cost (`character-cost`) and request id still belong in the usage ledger
    (see `paid_answer`). None when no success answer had started (a refused redirect)."""

    def __init__(self, message: str, request_id: str | None = None, *,
                 info: ResponseInfo | None = None) -> None:
        super().__init__(message, request_id or (info.request_id if info else None))
        self.info = info


def paid_answer(exc: BaseException) -> ResponseInfo | None:
    """The headers of the paid answer `exc` refused, if it is a protocol error after the
    server accepted (and charged for) the request; None for anything else."""
    return exc.info if isinstance(exc, ApiProtocolError) else None


class ServerReportedError(ApiProtocolError):
    """A success status whose body is an error (e.g. JSON `detail` inside an audio
    stream): `message` is the server's own words, `code` its code if it gave one."""

    def __init__(self, message: str, request_id: str | None = None,
                 code: str | None = None) -> None:
        super().__init__(message, request_id)
        self.code = code


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


class MissingPermissionsError(AuthError):
    """401 missing_permissions: the key is valid but restricted; `permission` names what
    it may not do (None if the server did not say)."""

    @property
    def permission(self) -> str | None:
        match = _PERMISSION.search(self.message or "")
        return match.group(1) if match else None


_PERMISSION = re.compile(r"permissions?\s+[\"'`]?([A-Za-z][\w.:-]*)")


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
NOT_FOUND_CODES = frozenset({"voice_not_found", "song_not_found", "not_found",
                             "not_found_error"})

MAX_MESSAGE_CHARS = 500
# Longer Retry-After values are taken as this: a server asking for days (or 1e9 s) means
# "later", and a wait in the app must end.
MAX_RETRY_AFTER_S = 3600.0


def _detail_field(body: Any, name: str) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("detail"), dict):
        value = body["detail"].get(name)
        if isinstance(value, str) and value:
            return value
    return None


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from `retry-after-ms` or `Retry-After` (seconds or an HTTP date),
    at most MAX_RETRY_AFTER_S; None when absent or meaningless (negative, NaN, garbage)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    seconds = _seconds(lowered.get("retry-after-ms"), scale=1000, now=now)
    if seconds is None:
        seconds = _seconds(lowered.get("retry-after"), scale=1, now=now)
    return None if seconds is None else min(seconds, MAX_RETRY_AFTER_S)


def _seconds(raw: str | None, *, scale: int, now: float | None) -> float | None:
    if not raw or not raw.strip():
        return None
    raw = raw.strip()
    try:
        value = float(raw) / scale
    except (ValueError, OverflowError):
        if scale != 1:
            return None
        import email.utils  # an HTTP date is rare; not loaded at start-up (~15 ms)

        try:
            when = email.utils.parsedate_to_datetime(raw)
            value = when.timestamp() - (time.time() if now is None else now)
        except (TypeError, ValueError, IndexError, OverflowError, OSError):
            return None
        return max(0.0, value) if math.isfinite(value) else None
    if math.isnan(value) or value < 0:
        return None
    return value  # inf is capped by the caller


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


def decode_error_text(body: bytes, content_type: str | None = None) -> str | None:
    """An error body as text, read in its charset (a BOM, the Content-Type's charset,
    else UTF-8, else Latin-1); None when it is not text at all (binary)."""
    if not body:
        return ""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            candidates = [codec]
            break
    else:
        candidates = []
        charset = _charset(content_type)
        if charset:
            candidates.append(charset)
        candidates += ["utf-8", "latin-1"]
    for codec in candidates:
        try:
            text = body.decode(codec)
        except (LookupError, UnicodeError, ValueError):
            continue
        return text if _readable(text) else None
    return None


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def _readable(text: str) -> bool:
    """False for binary data decoded as text: NULs, or many control characters."""
    if "\x00" in text:
        return False
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\r\n")
    return controls <= max(2, len(text) // 50)


def parse_json_safely(text: str | bytes) -> Any:
    """json.loads that raises only ValueError: nesting too deep for the parser (a
    RecursionError) included."""
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ValueError("the JSON is nested too deeply to read") from exc


def error_in_success_body(body_bytes: bytes, content_type: str | None = None,
                          request_id: str | None = None) -> ServerReportedError | None:
    """A ServerReportedError when a 2xx body is in fact the API's error object (an error
    written into an audio stream, a JSON error sent as 200), else None."""
    text = decode_error_text(body_bytes, content_type)
    if not text:
        return None
    stripped = text.lstrip()
    try:
        body, _end = json.JSONDecoder().raw_decode(stripped)
    except (ValueError, RecursionError):
        return None
    if not isinstance(body, dict) or not ({"detail", "error"} & body.keys()):
        return None
    code = _detail_field(body, "code") or _detail_field(body, "status")
    message = _message_from(body, 200, "")[:MAX_MESSAGE_CHARS]
    if message.startswith("The server answered with HTTP status"):
        message = "The server sent an error instead of the answer."
    return ServerReportedError(message, _detail_field(body, "request_id") or request_id, code)


def unreadable_error_message(size: int, status: int) -> str:
    return f"The server sent an unreadable error ({size} bytes, HTTP status {status})."


def error_from_response(
    status: int, headers: Mapping[str, str], body_bytes: bytes
) -> ApiStatusError:
    """The exception for a non-2xx answer, in the most specific class that fits."""
    lowered = {k.lower(): v for k, v in headers.items()}
    decoded = decode_error_text(body_bytes, lowered.get("content-type"))
    text = decoded or ""
    body: Any
    try:
        body = parse_json_safely(text) if text.strip() else None
    except ValueError:
        body = text or None
        if text.lstrip().startswith(("{", "[")):
            text, body = "", None  # broken or absurdly nested JSON: not worth showing
    code = _detail_field(body, "code") or _detail_field(body, "status")
    codes = {c for c in (_detail_field(body, "code"), _detail_field(body, "status")) if c}
    message = (_message_from(body, status, text) if decoded is not None
               else unreadable_error_message(len(body_bytes), status))[:MAX_MESSAGE_CHARS]
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
    if status in (401, 403) and "missing_permissions" in codes:
        return MissingPermissionsError(*args)
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
    "MAX_RETRY_AFTER_S",
    "ApiConnectionError",
    "ApiError",
    "ApiKeyError",
    "ApiProtocolError",
    "ApiStatusError",
    "ApiTimeoutError",
    "AuthError",
    "BadRequestError",
    "FieldError",
    "ForbiddenError",
    "MissingPermissionsError",
    "NotFoundError",
    "QuotaExceededError",
    "RateLimitError",
    "ServerError",
    "ServerReportedError",
    "ValidationError",
    "decode_error_text",
    "error_from_response",
    "error_in_success_body",
    "parse_json_safely",
    "parse_retry_after",
]
