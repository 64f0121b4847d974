"""Music: compose a song (whole, streamed or with details) and write composition plans.

    POST /v1/music           -> audio bytes + `song-id` header
    POST /v1/music/stream    -> audio, chunked as it is generated
    POST /v1/music/detailed  -> multipart/mixed: JSON metadata + audio
    POST /v1/music/detailed/stream -> Server-Sent Events: plan, metadata, section times,
                                audio chunks, done (app/domain/music_detailed_stream.py)
    POST /v1/music/plan      -> a composition plan (JSON)

Bodies are built (and checked against the spec's rules) by app/domain/music_request.py
(`compose_body`, `plan_request_body`); the output format goes in the query string.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from app.api.client import AUDIO_TYPES, ApiClient, ApiStream, ResponseInfo
from app.api.errors import ApiProtocolError
from app.domain.formats import OutputFormat
from app.domain.music_detailed import (
    DetailedResponseError,
    DetailedResult,
    parse_detailed_response,
)
from app.domain.music_detailed_stream import (
    EVENT_STREAM_TYPE,
    DetailedStreamError,
    DetailedStreamParser,
    StreamEvent,
)
from app.domain.music_plan import Plan, limits_for
from app.domain.music_plan_json import PlanFormatError, plan_from_json
from app.domain.music_request import (
    DEFAULT_MUSIC_OUTPUT_FORMAT,
    ENDPOINT_PATHS,
    PLAN_PATH,
    compose_query,
)

DETAILED_TYPES: tuple[str, ...] = ("multipart/mixed", "application/json", *AUDIO_TYPES)
# What `auto` means (shared/api/ELEVENLABS_API.md §1): MP3 44.1 kHz for music_v1,
# MP3 48 kHz 192 kbps for the v2 models.
AUTO_FORMAT_V1 = "mp3_44100_128"
AUTO_FORMAT_V2 = "mp3_48000_192"


def resolve_output_format(output_format: str, model_id: str) -> OutputFormat:
    """The concrete format the server sends for `output_format` (`auto` included)."""
    if output_format == "auto":
        try:
            shape = limits_for(model_id).shape
        except ValueError:
            shape = "sections"
        return OutputFormat.parse(AUTO_FORMAT_V1 if shape == "sections" else AUTO_FORMAT_V2)
    return OutputFormat.parse(output_format)


class DetailedStream:
    """An open `/v1/music/detailed/stream` answer: `info` (the `song-id` header...) and
    its events as they arrive. A damaged or cut stream raises ApiProtocolError."""

    def __init__(self, stream: ApiStream) -> None:
        self._stream = stream
        self.info = stream.info

    async def events(self) -> AsyncIterator[StreamEvent]:
        parser = DetailedStreamParser()
        try:
            async for chunk in self._stream.chunks():
                for event in parser.feed(chunk):
                    yield event
            for event in parser.finish():
                yield event
        except DetailedStreamError as exc:
            raise ApiProtocolError(str(exc), info=self.info) from exc


class MusicService:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def compose(
        self, body: Mapping[str, Any], output_format: str = DEFAULT_MUSIC_OUTPUT_FORMAT,
        on_answer: Callable[[ResponseInfo], object] | None = None,
    ) -> tuple[bytes, ResponseInfo]:
        """The whole song at once (`POST /v1/music`); `on_answer` hears its headers as
        soon as they arrive (the song is charged from then on)."""
        return await self._client.request_bytes(
            "POST", ENDPOINT_PATHS["compose"], params=compose_query(output_format),
            json=dict(body), on_answer=on_answer)

    @asynccontextmanager
    async def stream(
        self, body: Mapping[str, Any], output_format: str = DEFAULT_MUSIC_OUTPUT_FORMAT
    ) -> AsyncIterator[ApiStream]:
        """`async with music.stream(body) as s: async for chunk in s.chunks(): ...`;
        `s.info.song_id` is the new song's id."""
        async with self._client.stream(
            "POST", ENDPOINT_PATHS["stream"], params=compose_query(output_format),
            json=dict(body),
        ) as stream:
            yield stream

    @asynccontextmanager
    async def detailed_stream(
        self, body: Mapping[str, Any], output_format: str = DEFAULT_MUSIC_OUTPUT_FORMAT
    ) -> AsyncIterator[DetailedStream]:
        """`async with music.detailed_stream(body) as s: async for e in s.events(): ...`"""
        async with self._client.stream(
            "POST", ENDPOINT_PATHS["detailed_stream"], params=compose_query(output_format),
            json=dict(body), expect=(EVENT_STREAM_TYPE,),
        ) as stream:
            yield DetailedStream(stream)

    async def detailed_with_info(
        self, body: Mapping[str, Any], output_format: str = DEFAULT_MUSIC_OUTPUT_FORMAT,
        on_answer: Callable[[ResponseInfo], object] | None = None,
    ) -> tuple[DetailedResult, ResponseInfo]:
        """`detailed` with the answer's headers; `on_answer` as in `compose`."""
        data, info = await self._client.request_bytes(
            "POST", ENDPOINT_PATHS["detailed"], params=compose_query(output_format),
            json=dict(body), expect=DETAILED_TYPES, on_answer=on_answer)
        try:
            result = parse_detailed_response(info.content_type or "", data, info.song_id)
        except DetailedResponseError as exc:
            raise ApiProtocolError(str(exc), info=info) from exc
        return result, info

    async def detailed(
        self, body: Mapping[str, Any], output_format: str = DEFAULT_MUSIC_OUTPUT_FORMAT
    ) -> DetailedResult:
        """The song with what the server says about it: title, genres, the plan it
        followed and (asked for with `with_timestamps`) word times."""
        result, _info = await self.detailed_with_info(body, output_format)
        return result

    async def plan(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """A composition plan written from a prompt (`POST /v1/music/plan`); the JSON
        the server sent (a MusicPrompt or a CompositionPlan)."""
        data, _info = await self._plan_with_info(body)
        return data

    async def written_plan(self, body: Mapping[str, Any]) -> Plan:
        """`plan`, read as a Plan; ApiProtocolError (the server's fault, in words) when
        what it sent is not a plan."""
        data, info = await self._plan_with_info(body)
        try:
            return plan_from_json(data)
        except PlanFormatError as exc:
            raise ApiProtocolError(f"The server's plan could not be read: {exc}",
                                   info=info) from exc

    async def _plan_with_info(self, body: Mapping[str, Any]
                              ) -> tuple[dict[str, Any], ResponseInfo]:
        data, info = await self._client.request_json("POST", PLAN_PATH, json=dict(body))
        if not isinstance(data, dict):
            raise ApiProtocolError("The server's plan is not a JSON object.", info=info)
        return data, info


__all__ = ["AUTO_FORMAT_V1", "AUTO_FORMAT_V2", "DetailedStream", "MusicService",
           "resolve_output_format"]
