"""Text to dialogue: several lines in several voices, spoken as one performance.

    POST /v1/text-to-dialogue                        -> audio bytes
    POST /v1/text-to-dialogue/stream                 -> audio, chunked
    POST /v1/text-to-dialogue/with-timestamps        -> JSON with voice_segments
    POST /v1/text-to-dialogue/stream/with-timestamps -> JSON, one object per line

The body is `DialogueRequest.to_json()`; the query takes `output_format` (and
`enable_logging`), as for text to speech.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from app.api._parse import parse_model
from app.api.client import JSON_LINES_TYPES, ApiClient, ApiStream, ResponseInfo
from app.api.speech import SpeechResult
from app.api.timed_lines import TimedLines

if TYPE_CHECKING:
    from app.domain.dialogue import DialogueRequest, DialogueWithTimestamps

log = logging.getLogger(__name__)
PATH = "/v1/text-to-dialogue"


def _params(output_format: str, enable_logging: bool | None) -> dict[str, str]:
    params = {"output_format": output_format}
    if enable_logging is not None:
        params["enable_logging"] = "true" if enable_logging else "false"
    return params


def _dialogue_with_timestamps() -> type[DialogueWithTimestamps]:
    from app.domain.dialogue import DialogueWithTimestamps

    return DialogueWithTimestamps


class DialogueStream(TimedLines["DialogueWithTimestamps"]):
    """`stream_with_timestamps`: `.info` and `async chunks()` of DialogueWithTimestamps
    (read as speech's timed lines are: app/api/timed_lines.py)."""

    def __init__(self, stream: ApiStream) -> None:
        super().__init__(stream, _dialogue_with_timestamps)


class DialogueService:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def convert(self, request: DialogueRequest, output_format: str = "mp3_44100_128",
                      enable_logging: bool | None = None) -> SpeechResult:
        audio, info = await self._client.request_bytes(
            "POST", PATH, params=_params(output_format, enable_logging),
            json=request.to_json())
        return SpeechResult(audio, info)

    @asynccontextmanager
    async def stream(self, request: DialogueRequest, output_format: str = "mp3_44100_128",
                     enable_logging: bool | None = None) -> AsyncIterator[ApiStream]:
        async with self._client.stream(
            "POST", f"{PATH}/stream", params=_params(output_format, enable_logging),
            json=request.to_json(),
        ) as stream:
            yield stream

    async def with_timestamps(
        self, request: DialogueRequest, output_format: str = "mp3_44100_128",
        enable_logging: bool | None = None,
    ) -> tuple[DialogueWithTimestamps, ResponseInfo]:
        from app.domain.dialogue import DialogueWithTimestamps

        data, info = await self._client.request_json(
            "POST", f"{PATH}/with-timestamps", params=_params(output_format, enable_logging),
            json=request.to_json(), max_bytes=self._client.audio_json_cap)
        result = parse_model(DialogueWithTimestamps, data, info)
        self._client.check_audio_size(result.audio_base64, info)
        return result, info

    @asynccontextmanager
    async def stream_with_timestamps(
        self, request: DialogueRequest, output_format: str = "mp3_44100_128",
        enable_logging: bool | None = None,
    ) -> AsyncIterator[DialogueStream]:
        async with self._client.stream(
            "POST", f"{PATH}/stream/with-timestamps",
            params=_params(output_format, enable_logging), json=request.to_json(),
            expect=JSON_LINES_TYPES,
        ) as stream:
            yield DialogueStream(stream)
