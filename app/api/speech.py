"""Text to speech: whole file, streamed, and both with character timestamps.

    POST /v1/text-to-speech/{voice_id}                        -> audio bytes
    POST /v1/text-to-speech/{voice_id}/stream                 -> audio, chunked
    POST /v1/text-to-speech/{voice_id}/with-timestamps        -> JSON
    POST /v1/text-to-speech/{voice_id}/stream/with-timestamps -> JSON, one object per line

Query parameters come from `SpeechOptions.to_params()`, the body from
`SpeechRequest.to_json()` (unset fields left out).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.api._parse import parse_model, path_part
from app.api.audio_base64 import BIG_BASE64_CHARS, loads_lifting_audio
from app.api.client import JSON_LINES_TYPES, ApiClient, ApiStream, ResponseInfo
from app.api.errors import ApiProtocolError, error_in_success_body
from app.domain.formats import OutputFormat

# The wire models (pydantic) are imported on first use: see app/api/_parse.py.
if TYPE_CHECKING:
    from app.domain.wire import AudioWithTimestamps, SpeechOptions, SpeechRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SpeechResult:
    audio: bytes
    info: ResponseInfo


class TimestampStream:
    """`stream_with_timestamps`: `.info` and `async chunks()` of AudioWithTimestamps."""

    def __init__(self, stream: ApiStream) -> None:
        self._stream = stream
        self.info = stream.info
        self.skipped_lines = 0

    async def chunks(self) -> AsyncIterator[AudioWithTimestamps]:
        from app.domain.wire import AudioWithTimestamps

        items = 0
        async for line in self._stream.lines():
            # A line is ~1 s of audio from ElevenLabs, but a server may send a whole long
            # take as one line: read that off the event loop (the GUI thread).
            item = (self._read(line, AudioWithTimestamps) if len(line) < BIG_BASE64_CHARS
                    else await asyncio.to_thread(self._read, line, AudioWithTimestamps))
            if item is None:
                continue
            items += 1
            yield item
        if items == 0 and self.skipped_lines:
            raise ApiProtocolError("The server's answer was not timestamped audio: none of "
                                   "its lines could be read.", self.info.request_id)

    def _read(self, line: str, model: type[AudioWithTimestamps]) -> AudioWithTimestamps | None:
        """One line's item; None (counted) for a line that is not JSON."""
        try:
            data = loads_lifting_audio(line)
        except RecursionError as exc:  # hostile, not merely damaged: stop
            raise ApiProtocolError("The server sent a timestamp line nested too deeply "
                                   "to read.", self.info.request_id) from exc
        except ValueError:
            # The SDK silently skips lines it cannot parse; count them instead.
            self.skipped_lines += 1
            log.debug("skipped a line that is not JSON: %.80r", line)
            return None
        if isinstance(data, dict) and "detail" in data and "audio_base64" not in data:
            error = error_in_success_body(line.encode("utf-8"), None, self.info.request_id)
            if error is not None:  # the server's error written into the stream
                raise error
        return parse_model(model, data, self.info)


def _default_options() -> SpeechOptions:
    from app.domain.wire import SpeechOptions

    return SpeechOptions()


def _path(voice_id: str, suffix: str = "") -> str:
    return f"/v1/text-to-speech/{path_part(voice_id)}{suffix}"


def _streamable(options: SpeechOptions) -> None:
    try:
        fmt = OutputFormat.parse(options.output_format)
    except ValueError:
        return  # let the server say what it accepts
    if not fmt.can_stream:
        raise ValueError(f"{fmt.value} cannot be streamed; use convert() for WAV")


class SpeechService:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def convert(self, voice_id: str, request: SpeechRequest,
                      options: SpeechOptions | None = None) -> SpeechResult:
        options = options or _default_options()
        audio, info = await self._client.request_bytes(
            "POST", _path(voice_id), params=options.to_params(), json=request.to_json())
        return SpeechResult(audio, info)

    @asynccontextmanager
    async def stream(self, voice_id: str, request: SpeechRequest,
                     options: SpeechOptions | None = None) -> AsyncIterator[ApiStream]:
        """`async with speech.stream(...) as s: async for chunk in s.chunks(): ...`"""
        options = options or _default_options()
        _streamable(options)
        async with self._client.stream(
            "POST", _path(voice_id, "/stream"), params=options.to_params(),
            json=request.to_json(),
        ) as stream:
            yield stream

    async def with_timestamps(
        self, voice_id: str, request: SpeechRequest, options: SpeechOptions | None = None
    ) -> tuple[AudioWithTimestamps, ResponseInfo]:
        options = options or _default_options()
        data, info = await self._client.request_json(
            "POST", _path(voice_id, "/with-timestamps"), params=options.to_params(),
            json=request.to_json(), max_bytes=self._client.audio_json_cap)
        from app.domain.wire import AudioWithTimestamps

        result = parse_model(AudioWithTimestamps, data, info)
        self._client.check_audio_size(result.audio_base64, info)
        return result, info

    @asynccontextmanager
    async def stream_with_timestamps(
        self, voice_id: str, request: SpeechRequest, options: SpeechOptions | None = None
    ) -> AsyncIterator[TimestampStream]:
        """`async with speech.stream_with_timestamps(...) as s: async for item in s.chunks()`"""
        options = options or _default_options()
        _streamable(options)
        async with self._client.stream(
            "POST", _path(voice_id, "/stream/with-timestamps"), params=options.to_params(),
            json=request.to_json(), expect=JSON_LINES_TYPES,
        ) as stream:
            yield TimestampStream(stream)
