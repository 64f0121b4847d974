"""The engine's front door: only this computer's programs, only well-formed requests.

The engine listens on a fixed loopback port, so a web page the user visits could try to
drive it: through DNS rebinding (a foreign name resolving to 127.0.0.1, seen here as a
foreign `Host`), or with a cross-site form POST (no preflight needed). `EngineGuard`
refuses, before any work:

- a `Host` other than 127.0.0.1 / localhost / [::1] (any port)            -> 403
- an `Origin` that is not a loopback origin; `Sec-Fetch-Site: cross-site`
  or `same-site` (only a browser sends these)                              -> 403
- with a per-launch token (the app's launcher sets one): a request whose
  `xi-api-key` is not the token (voice previews excepted: public audio)    -> 401
- without a token (`xi-studio serve` for the official SDK): any key works, but a
  form content type (multipart, urlencoded, text/plain: what a browser can send
  cross-site without a preflight) needs an `xi-api-key` header, which a browser
  cannot add cross-site without a preflight the engine never grants        -> 403
- a JSON body that is not strict JSON: NaN/Infinity, lone surrogates, nesting
  deeper than MAX_JSON_DEPTH, not UTF-8, or larger than MAX_JSON_BYTES      -> 400/413

All answers use the ElevenLabs error shape `{"detail": {"status", "message"}}`.
"""

from __future__ import annotations

import hmac
import json
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_JSON_BYTES = 2 * 1024 * 1024
MAX_JSON_DEPTH = 32
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded", "text/plain")
_BROWSER_SITES = frozenset({"cross-site", "same-site"})
_PUBLIC_PREFIX = "/v1/engine/previews/"


class Refusal(Exception):
    """A request the engine will not serve, with the answer to give."""

    def __init__(self, status_code: int, status: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.status = status
        self.message = message


def host_name(value: str) -> str | None:
    """The name in a `Host` value (`[::1]:8765` -> `::1`), lower case; None if malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or (value[end + 1:] and not value[end + 1:].startswith(":")):
            return None
        return value[1:end]
    name, _, port = value.partition(":")
    if port and not port.isdigit():
        return None
    return name


def is_loopback_host(value: str) -> bool:
    return host_name(value) in LOOPBACK_HOSTS


def is_loopback_origin(value: str) -> bool:
    try:
        parts = urlsplit(value.strip())
        name = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and name is not None and name in LOOPBACK_HOSTS


def _headers(scope: Scope) -> dict[str, str]:
    """The request headers by lower-case name (a repeated header: its values joined)."""
    found: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        found[name] = f"{found[name]},{value}" if name in found else value
    return found


def check_request(scope: Scope, token: str | None) -> None:
    """Raise `Refusal` unless the request may go on (body not looked at)."""
    headers = _headers(scope)
    host = headers.get("host")
    if host is None or "," in host or not is_loopback_host(host):
        raise Refusal(403, "host_not_allowed",
                      "This offline engine only answers requests addressed to 127.0.0.1, "
                      "localhost or [::1].")
    origin = headers.get("origin")
    if origin is not None and not is_loopback_origin(origin):
        raise Refusal(403, "origin_not_allowed",
                      "This offline engine does not answer requests from web pages.")
    if headers.get("sec-fetch-site", "").strip().lower() in _BROWSER_SITES:
        raise Refusal(403, "origin_not_allowed",
                      "This offline engine does not answer requests from web pages.")
    key = headers.get("xi-api-key")
    path = str(scope.get("path", ""))
    if token is not None:
        public = scope.get("method") in ("GET", "HEAD") and path.startswith(_PUBLIC_PREFIX)
        if not public and (key is None or not hmac.compare_digest(
                key.encode("utf-8", "replace"), token.encode("utf-8"))):
            raise Refusal(401, "invalid_api_key",
                          "This offline engine was started by XI Studio and only answers "
                          "XI Studio (the xi-api-key is not the one it was given).")
        return
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    if media in FORM_TYPES and not key:
        raise Refusal(403, "form_not_allowed",
                      "Form posts need an xi-api-key header (any value works with "
                      "`xi-studio serve`); web pages cannot send one.")


def depth_ok(value: Any, limit: int) -> bool:
    """Whether `value` nests at most `limit` containers deep (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children
                         if isinstance(child, dict | list))
    return True


def _strings(value: Any) -> list[str]:
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _no_constants(name: str) -> Any:
    raise Refusal(400, "invalid_json", f"The JSON body contains {name}, which JSON does not "
                  "allow: send finite numbers only.")


def check_json(body: bytes) -> None:
    """Raise `Refusal` unless `body` is strict, reasonably shaped JSON."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "invalid_json", "The JSON body is not valid UTF-8.") from None
    if not text.strip():
        return  # no body: the route answers what is missing
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        raise Refusal(400, "invalid_json", f"The JSON body nests deeper than "
                      f"{MAX_JSON_DEPTH} levels.") from None
    except ValueError:
        return  # plain syntax errors: FastAPI answers them 422, as the cloud does
    if not depth_ok(value, MAX_JSON_DEPTH):
        raise Refusal(400, "invalid_json", f"The JSON body nests deeper than "
                      f"{MAX_JSON_DEPTH} levels.")
    for string in _strings(value):
        try:
            string.encode("utf-8")
        except UnicodeEncodeError:
            raise Refusal(400, "invalid_text", "The text contains a lone surrogate "
                          "(half of an emoji or other character): send whole characters "
                          "only.") from None


async def send_refusal(send: Send, refusal: Refusal, extra: list[tuple[bytes, bytes]] | None
                       = None) -> None:
    body = json.dumps({"detail": {"status": refusal.status, "message": refusal.message}},
                      ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode("ascii")), *(extra or [])]
    await send({"type": "http.response.start", "status": refusal.status_code,
                "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, list[Message]]:
    """The whole body (up to `limit` bytes, else a 413 refusal) and the messages read."""
    chunks: list[bytes] = []
    size = 0
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refusal(413, "request_too_large", f"The JSON body is larger than "
                          f"{limit // (1024 * 1024)} MB.")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages


class EngineGuard:
    """ASGI middleware applying the checks above to every HTTP request."""

    def __init__(self, app: ASGIApp, token: str | None = None) -> None:
        self.app = app
        self.token = token or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check_request(scope, self.token)
            media = _headers(scope).get("content-type", "").split(";")[0].strip().lower()
            if media == "application/json" or media.endswith("+json"):
                body, messages = await _read_body(receive, MAX_JSON_BYTES)
                check_json(body)
                receive = _replay(messages, receive)
        except Refusal as refusal:
            await send_refusal(send, refusal)
            return
        await self.app(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that first gives back the messages already read."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


__all__ = ["FORM_TYPES", "MAX_JSON_BYTES", "MAX_JSON_DEPTH", "EngineGuard", "Refusal",
           "check_json", "check_request", "depth_ok", "host_name", "is_loopback_host",
           "is_loopback_origin", "send_refusal"]
