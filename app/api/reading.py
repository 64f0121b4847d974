"""Reading an answer's body within limits, whatever the server sends.

A hostile or broken server must not exhaust memory or time, so every body is read here:

- caps on the bytes on the wire AND on the decompressed size, checked piece by piece:
  the body is decompressed here (not by httpx) in pieces of at most PIECE bytes, so a
  1 MB gzip bomb is stopped at the cap having held only a piece at a time;
- an overall deadline (loop time) beside httpx's read timeout, so a body that drips a
  byte a second still ends;
- lines split incrementally with a maximum length (no re-splitting of what is pending);
- an audio body that turns out to be the API's JSON error becomes that error's message.
"""

from __future__ import annotations

import asyncio
import io
import math
import re
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # httpx loads with the first request (app/api/client.py)
    import httpx

from app.api.errors import (
    ApiConnectionError,
    ApiProtocolError,
    ApiTimeoutError,
    error_in_success_body,
)

PIECE = 64 * 1024
MAX_LINE_BYTES = 16 * 1024 * 1024  # a timestamp line carries ~1 s of base64 audio: KBs
MAX_ERROR_BYTES = 1024 * 1024
ACCEPT_ENCODING = "gzip, deflate"  # what _Inflater reads; never br/zstd
# The API's error object at the start of a piece of an audio body.
_ERROR_START = re.compile(rb'\{\s*"(?:detail|error)"\s*:')
_TAIL = 24  # bytes kept from the previous piece, so a marker split in two is found


def header_number(value: str | None) -> int | None:
    """A non-negative integer header (Content-Length, character-cost...); None for
    anything else: absent, garbage, negative, NaN, infinite or absurdly large."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except (ValueError, OverflowError):
        return None
    if not math.isfinite(number) or number < 0 or number >= 2**63:
        return None
    return int(number)


@contextmanager
def body_errors(what: str) -> Iterator[None]:
    """Translate httpx failures while a response body arrives."""
    import httpx

    try:
        yield
    except httpx.TimeoutException as exc:
        raise ApiTimeoutError(f"The server stopped sending {what} (timed out).") from exc
    except httpx.RemoteProtocolError as exc:
        raise ApiProtocolError(f"The server's {what} was cut off before the end.") from exc
    except (httpx.ReadError, httpx.NetworkError) as exc:
        raise ApiConnectionError(f"The connection broke while {what} was arriving.") from exc
    except httpx.DecodingError as exc:
        raise ApiProtocolError(f"The server's {what} could not be decoded.") from exc
    except httpx.HTTPError as exc:
        raise ApiConnectionError(f"The connection failed while {what} was arriving.") from exc


def deadline_error(what: str) -> ApiTimeoutError:
    return ApiTimeoutError(f"The server took longer than allowed to send {what}, so XI "
                           "Studio stopped waiting. Try again later.")


@asynccontextmanager
async def within(deadline: float | None, what: str) -> AsyncIterator[None]:
    """Raise ApiTimeoutError if the block is still running at `deadline` (loop time)."""
    if deadline is None:
        yield
        return
    try:
        async with asyncio.timeout_at(deadline):
            yield
    except TimeoutError as exc:
        raise deadline_error(what) from exc


async def send_within(client: httpx.AsyncClient, request: httpx.Request, *,
                      follow_redirects: bool, deadline: float,
                      answer_within_s: float) -> httpx.Response:
    """Send `request` and return once its final status arrives: by `deadline`, and within
    `answer_within_s` of the request having been sent however many `100 Continue` lines
    come meanwhile (each of which would reset a read timeout). Raises TimeoutError."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout_at(deadline) as scope:
        async def trace(name: str, info: dict[str, object]) -> None:
            if name.endswith("receive_response_headers.started"):  # the request is sent
                scope.reschedule(min(deadline, loop.time() + answer_within_s))

        request.extensions = {**request.extensions, "trace": trace}
        return await client.send(request, stream=True, follow_redirects=follow_redirects)


class _Inflater:
    """Undoes Content-Encoding with bounded output: at most PIECE bytes per piece.

    A compressed body carries its own end: one that stops before it was cut off on the
    way (a proxy, a dropped connection on a close-delimited body), however the HTTP
    framing looked, and is refused rather than handed over as complete audio. gzip may
    hold several members one after another (RFC 1952); anything else after the end is
    refused too. zlib keeps returning nothing for data after its end, so that data must
    never be fed back in a loop (it froze the app for good)."""

    def __init__(self, encoding: str, what: str) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        self._what = what
        self._zlib: zlib._Decompress | None = None
        self._deflate_pending = False
        self._gzip = False
        self._fed = False  # an empty body with a Content-Encoding is just empty
        if not codings:
            return
        if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
            raise ApiProtocolError(
                f"The server compressed its {what} in a way XI Studio cannot read "
                f"({encoding.strip()[:40]}).")
        if codings[0] == "deflate":
            self._deflate_pending = True  # zlib-wrapped or raw: known from the first bytes
        else:
            self._gzip = True
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)

    def _broken(self) -> ApiProtocolError:
        return ApiProtocolError(f"The server's {self._what} could not be decompressed.")

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._deflate_pending and data:
            self._deflate_pending = False
            wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        if self._zlib is None:
            if data:
                yield data
            return
        self._fed = self._fed or bool(data)
        try:
            while data:
                if self._zlib.eof:
                    data = self._next_member(data)
                piece = self._zlib.decompress(data, PIECE)
                if piece:
                    yield piece
                # Past the end of a stream, zlib leaves the rest in unused_data (and may
                # keep a stale unconsumed_tail): it is the next member's, not this one's.
                rest = (self._zlib.unused_data if self._zlib.eof
                        else self._zlib.unconsumed_tail)
                if not piece and not self._zlib.eof and len(rest) >= len(data):
                    raise self._broken()  # no progress: never spin on the event loop
                data = rest
        except zlib.error as exc:
            raise self._broken() from exc

    def _next_member(self, data: bytes) -> bytes:
        """Start the next gzip member with `data`; anything else after the end is refused."""
        if not (self._gzip and data[:2] == b"\x1f\x8b"):
            raise self._broken()
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        return data

    def flush(self) -> Iterator[bytes]:
        if self._zlib is None or not self._fed:
            return
        if not self._zlib.eof:
            raise ApiProtocolError(f"The server's {self._what} was cut off before the end.")
        try:
            rest = self._zlib.flush()
        except zlib.error as exc:
            raise self._broken() from exc
        if rest:
            yield rest


class BodyCounter:
    """Bytes received so far, on the wire and after decompression."""

    def __init__(self) -> None:
        self.wire = 0
        self.decoded = 0


async def iter_body(response: httpx.Response, *, what: str, max_wire: int, max_bytes: int,
                    deadline: float | None,
                    counter: BodyCounter | None = None) -> AsyncIterator[bytes]:
    """The body's (decompressed) bytes as they arrive, in pieces of at most PIECE bytes
    (more only for an uncompressed body), within both caps and the deadline."""
    declared = header_number(response.headers.get("content-length"))
    if declared is not None and declared > max_wire:
        raise ApiProtocolError(f"The server's {what} is too large ({declared} bytes).")
    counter = counter or BodyCounter()
    import httpx

    try:  # an in-memory response (httpx.MockTransport) is read, and unpacked, already
        content = response.content
    except httpx.ResponseNotRead:
        inflater = _Inflater(response.headers.get("content-encoding", ""), what)
        raw = response.aiter_raw()
    else:
        inflater = _Inflater("", what)
        raw = _one(content)
    try:
        while True:
            with body_errors(what):
                async with within(deadline, what):
                    try:
                        chunk = await raw.__anext__()
                    except StopAsyncIteration:
                        break
            counter.wire += len(chunk)
            if counter.wire > max_wire:
                raise ApiProtocolError(
                    f"The server's {what} is too large (over {max_wire} bytes); stopped reading.")
            for piece in inflater.feed(chunk):
                counter.decoded += len(piece)
                if counter.decoded > max_bytes:
                    raise ApiProtocolError(
                        f"The server's {what} is too large (over {max_bytes} bytes once "
                        "unpacked); stopped reading.")
                yield piece
        for piece in inflater.flush():
            counter.decoded += len(piece)
            if counter.decoded > max_bytes:
                raise ApiProtocolError(f"The server's {what} is too large (over {max_bytes} "
                                       "bytes once unpacked); stopped reading.")
            yield piece
    finally:
        close = getattr(raw, "aclose", None)  # httpx's reader is an async generator
        if close is not None:
            await close()


async def _one(content: bytes) -> AsyncIterator[bytes]:
    if content:
        yield content


async def collect(pieces: AsyncIterator[bytes]) -> bytes:
    """All pieces as one bytes object. BytesIO grows in place and hands its buffer over
    without a final copy, so the peak is about the body's size, not twice it."""
    buffer = io.BytesIO()
    async for piece in pieces:
        buffer.write(piece)
    return buffer.getvalue()


async def read_body(response: httpx.Response, *, what: str, max_wire: int, max_bytes: int,
                    deadline: float | None) -> bytes:
    return await collect(iter_body(response, what=what, max_wire=max_wire,
                                   max_bytes=max_bytes, deadline=deadline))


async def refuse_error_body(pieces: AsyncIterator[bytes], content_type: str | None,
                            request_id: str | None) -> AsyncIterator[bytes]:
    """Pass audio through; if the API's JSON error object starts inside it (a 200 stream
    that turns into `{"detail": ...}`), raise it as a ServerReportedError instead."""
    tail = b""
    async for piece in pieces:
        window = tail + piece
        match = _ERROR_START.search(window)
        if match is None:
            tail = window[-_TAIL:]
            yield piece
            continue
        held = [piece]
        candidate = bytearray(window[match.start():])
        complete = True
        async for more in pieces:
            held.append(more)
            candidate += more
            if len(candidate) > MAX_ERROR_BYTES:
                complete = False
                break
        if complete:
            error = error_in_success_body(bytes(candidate), content_type, request_id)
            if error is not None:
                raise error
        for kept in held:  # a chance match in real audio: hand it over unchanged
            yield kept
        tail = held[-1][-_TAIL:]


class LineSplitter:
    """Splits bytes into lines as they arrive: each byte is scanned once, and a line
    longer than `max_line` is refused instead of being buffered forever."""

    def __init__(self, max_line: int = MAX_LINE_BYTES) -> None:
        self._pending = bytearray()
        self._max_line = max_line

    def feed(self, chunk: bytes) -> list[bytes]:
        scanned = len(self._pending)
        self._pending += chunk
        lines: list[bytes] = []
        start = 0
        while True:
            end = self._pending.find(b"\n", max(start, scanned))
            if end < 0:
                break
            if end - start > self._max_line:
                raise self._too_long()
            lines.append(bytes(self._pending[start:end]))
            start = end + 1
        if start:
            del self._pending[:start]
        if len(self._pending) > self._max_line:
            raise self._too_long()
        return lines

    def finish(self) -> bytes:
        rest, self._pending = bytes(self._pending), bytearray()
        return rest

    def _too_long(self) -> ApiProtocolError:
        return ApiProtocolError(f"The server sent a line longer than {self._max_line} bytes; "
                                "stopped reading.")


__all__ = [
    "ACCEPT_ENCODING",
    "MAX_ERROR_BYTES",
    "MAX_LINE_BYTES",
    "PIECE",
    "BodyCounter",
    "LineSplitter",
    "body_errors",
    "collect",
    "header_number",
    "iter_body",
    "read_body",
    "refuse_error_body",
    "send_within",
    "within",
]
