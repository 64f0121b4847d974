"""A response whose body the caller reads as it arrives: audio pieces (refusing an
error object written into the audio) or text lines, within the request's limits."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # httpx loads with the first request (app/api/client.py)
    import httpx

from app.api.audio_base64 import loads_lifting_audio
from app.api.errors import ApiError, ApiProtocolError, error_in_success_body, parse_json_safely
from app.api.reading import (
    MAX_ERROR_BYTES,
    BodyCounter,
    LineSplitter,
    collect,
    iter_body,
    read_body,
    refuse_error_body,
)
from app.api.responses import JSON_TYPES, ResponseInfo, type_matches
from app.domain import json_io

_T = TypeVar("_T")
log = logging.getLogger(__name__)


def expects_json(expect: tuple[str, ...]) -> bool:
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


# Answers at least this big are decoded in a worker thread (a 3-hour transcript is ~7 MB;
# json.loads of it would hold the event loop, which is the GUI thread, for ~60 ms).
BIG_JSON_BYTES = 256 * 1024


async def decode_json_answer(body: bytes, info: ResponseInfo) -> Any:
    """A JSON answer's value; any failure (nesting too deep included) is ApiProtocolError."""
    try:
        if len(body) < BIG_JSON_BYTES:
            return parse_json_safely(body)
        # A long transcript's answer: decoded off the event loop (the GUI thread). Long
        # base64 audio (a timestamped take) is cut out first: scanning it holds the GIL.
        return await asyncio.to_thread(_loads_big, body)
    except (ValueError, RecursionError) as exc:
        reason = ("is nested too deeply to read" if isinstance(exc, RecursionError)
                  or isinstance(exc.__cause__, RecursionError) else "is not valid JSON")
        raise ApiProtocolError(f"The server's answer {reason}.", info=info) from exc


def _loads_big(body: bytes) -> Any:
    # Decoded as json.loads decodes bytes (UTF-8, -16 or -32, a UTF-8 BOM skipped).
    try:
        text = body.decode(json.detect_encoding(body), "surrogatepass")
    except UnicodeDecodeError:
        return json_io.loads(body)  # the same error json.loads gives
    return loads_lifting_audio(text, json_io.loads)


async def refuse_unexpected_type(response: httpx.Response, info: ResponseInfo,
                      expect: tuple[str, ...], deadline: float) -> None:
    """Refuse an answer of the wrong type; a JSON or text answer where audio was
    expected is read (1 MB at most) for the server's own error message."""
    if not expect or type_matches(info.content_type, expect):
        return
    if type_matches(info.content_type, (*JSON_TYPES, "text/*")):
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
        f"{info.content_type or 'no content type'}.", info=info)


async def read_whole_answer(response: httpx.Response, info: ResponseInfo,
                            expect: tuple[str, ...], limit: int, deadline: float) -> bytes:
    """A whole binary answer of an expected type, within `limit` (wire and unpacked);
    where audio is expected, an error object in the body is raised, never returned."""
    await refuse_unexpected_type(response, info, expect, deadline)
    # Named as what it is in messages: a dictionary's PLS text or a zip of stems cut off
    # is not "audio" (users were told their audio was cut off when there was none).
    what = "audio" if any(t.startswith("audio/") for t in expect) else "answer"
    pieces = iter_body(response, what=what, max_wire=limit, max_bytes=limit,
                       deadline=deadline)
    if not expects_json(expect):
        pieces = refuse_error_body(pieces, info.content_type, info.request_id)
    return await collect(pieces)


__all__ = ["BIG_JSON_BYTES", "ApiStream", "decode_json_answer", "expects_json",
           "read_whole_answer", "refuse_unexpected_type"]
