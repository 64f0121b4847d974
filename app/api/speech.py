"""Text to speech: whole file, streamed, and both with character timestamps.

    POST /v1/text-to-speech/{voice_id}                        -> audio bytes
    POST /v1/text-to-speech/{voice_id}/stream                 -> audio, chunked
    POST /v1/text-to-speech/{voice_id}/with-timestamps        -> JSON
    POST /v1/text-to-speech/{voice_id}/stream/with-timestamps -> JSON, one object per line

Query parameters come from `SpeechOptions.to_params()`, the body from
`SpeechRequest.to_json()` (unset fields left out).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.api._parse import parse_model, path_part
from app.api.client import JSON_LINES_TYPES, ApiClient, ApiStream, ResponseInfo
from app.api.timed_lines import TimedLines
from app.domain.formats import OutputFormat

# The wire models (pydantic) are imported on first use: see app/api/_parse.py.
if TYPE_CHECKING:
    from app.domain.wire import AudioWithTimestamps, SpeechOptions, SpeechRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SpeechResult:
    audio: bytes
    info: ResponseInfo


def _audio_with_timestamps() -> type[AudioWithTimestamps]:
    from app.domain.wire import AudioWithTimestamps

    return AudioWithTimestamps


class TimestampStream(TimedLines["AudioWithTimestamps"]):
    """`stream_with_timestamps`: `.info` and `async chunks()` of AudioWithTimestamps."""

    def __init__(self, stream: ApiStream) -> None:
        super().__init__(stream, _audio_with_timestamps)


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
