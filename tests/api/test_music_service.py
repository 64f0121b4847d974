"""MusicService: every request it sends is checked against the official spec."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from app.api.client import ApiClient, ClientConfig
from app.api.errors import ApiProtocolError, ForbiddenError, ValidationError
from app.api.music import MusicService, resolve_output_format
from app.domain.music_detailed import build_detailed_response
from app.domain.music_plan import Plan, Section, SongRef
from app.domain.music_request import compose_body, plan_request_body
from tests.support.spec import validate_request

pytestmark = pytest.mark.anyio

AUDIO = b"\xff\xfb\x90\x00" + bytes(400)
PLAN = Plan(
    global_positive_styles=["pop", "120 bpm"],
    global_negative_styles=["metal"],
    sections=[
        Section("Intro", 5_000, ["soft"]),
        Section("Verse", 10_000, ["groove"], [], ["Hello there", "General Kenobi"]),
    ],
)


class Recorder:
    """A mock server that validates each request against the spec, then answers."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, list[str]], Any]] = []
        self.status = 200

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        query = parse_qs(request.url.query.decode())
        validate_request(request.method, request.url.path, query, body)
        self.requests.append((request.url.path, query, body))
        if self.status != 200:
            return httpx.Response(self.status, json={"detail": {
                "status": "feature_not_available", "message": "Not on your plan"}})
        path = request.url.path
        headers = {"song-id": "song123", "request-id": "req1"}
        if path == "/v1/music/plan":
            from app.domain.music_plan_write import to_v2_chunks

            return httpx.Response(200, json=to_v2_chunks(PLAN), headers=headers)
        if path == "/v1/music/detailed":
            meta = {"composition_plan": to_plan_json(), "song_metadata": {
                "title": "Hello", "description": None, "genres": ["pop"], "languages": ["en"],
                "is_explicit": False}, "words_timestamps": None}
            ctype, data = build_detailed_response(meta, AUDIO, boundary="b0undary")
            return httpx.Response(200, content=data, headers={**headers, "content-type": ctype})
        return httpx.Response(200, content=AUDIO, headers={**headers,
                                                           "content-type": "audio/mpeg"})


def to_plan_json() -> dict[str, Any]:
    from app.domain.music_plan_write import to_v1_composition_plan

    return to_v1_composition_plan(PLAN)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def music(recorder: Recorder) -> AsyncIterator[MusicService]:
    client = ApiClient(ClientConfig(base_url="https://api.example.test", api_key="k",
                                    max_retries=0), transport=httpx.MockTransport(recorder.handler))
    try:
        yield MusicService(client)
    finally:
        await client.aclose()


async def test_compose_prompt(music: MusicService, recorder: Recorder) -> None:
    body = compose_body("music_v2", prompt="A calm piano piece", music_length_ms=30_000,
                        force_instrumental=True)
    audio, info = await music.compose(body, "mp3_44100_128")
    assert audio == AUDIO
    assert info.song_id == "song123"
    path, query, sent = recorder.requests[0]
    assert path == "/v1/music"
    assert query == {"output_format": ["mp3_44100_128"]}
    assert sent == {"model_id": "music_v2", "prompt": "A calm piano piece",
                    "music_length_ms": 30_000, "force_instrumental": True}


@pytest.mark.parametrize("model_id", ["music_v1", "music_v2"])
async def test_compose_plan_both_shapes(music: MusicService, recorder: Recorder,
                                        model_id: str) -> None:
    body = compose_body(model_id, plan=PLAN, seed=42, store_for_inpainting=True)
    await music.compose(body)
    _path, query, sent = recorder.requests[0]
    assert query == {"output_format": ["auto"]}
    key = "sections" if model_id == "music_v1" else "chunks"
    assert key in sent["composition_plan"]
    assert sent["seed"] == 42
    assert sent["store_for_inpainting"] is True


async def test_stream(music: MusicService, recorder: Recorder) -> None:
    plan = PLAN.copy()
    plan.respect_sections_durations = False
    body = compose_body("music_v1", plan=plan, endpoint="stream")
    received = b""
    async with music.stream(body, "opus_48000_64") as stream:
        assert stream.info.song_id == "song123"
        async for chunk in stream.chunks():
            received += chunk
    assert received == AUDIO
    path, _query, sent = recorder.requests[0]
    assert path == "/v1/music/stream"
    assert "respect_sections_durations" not in sent  # not in the stream schema


async def test_references_to_an_earlier_song_are_valid(music: MusicService,
                                                       recorder: Recorder) -> None:
    plan = PLAN.copy()
    plan.sections[0].source = SongRef("song123", 0, 5_000)
    for model_id in ("music_v1", "music_v2"):
        await music.compose(compose_body(model_id, plan=plan))
    v1 = recorder.requests[0][2]["composition_plan"]["sections"][0]
    v2 = recorder.requests[1][2]["composition_plan"]["chunks"][0]
    assert v1["source_from"] == {"song_id": "song123",
                                 "range": {"start_ms": 0, "end_ms": 5_000}}
    assert v2 == {"song_id": "song123", "range": {"start_ms": 0, "end_ms": 5_000}}


async def test_detailed(music: MusicService, recorder: Recorder) -> None:
    body = compose_body("music_v1", plan=PLAN, with_timestamps=True, endpoint="detailed")
    result = await music.detailed(body, "mp3_44100_128")
    assert recorder.requests[0][0] == "/v1/music/detailed"
    assert result.audio == AUDIO
    assert result.song_id == "song123"
    assert result.title == "Hello"
    assert result.section_timings_ms == [(0, 5_000), (5_000, 15_000)]
    _result, info = await music.detailed_with_info(body)
    assert info.request_id == "req1"


async def test_plan(music: MusicService, recorder: Recorder) -> None:
    body = plan_request_body("An upbeat pop song", 60_000, "music_v2",
                             source_composition_plan=PLAN)
    data = await music.plan(body)
    assert "chunks" in data
    path, _query, sent = recorder.requests[0]
    assert path == "/v1/music/plan"
    assert sent["music_length_ms"] == 60_000
    assert "chunks" in sent["source_composition_plan"]


@pytest.mark.parametrize(("status", "error"), [(403, ForbiddenError), (422, ValidationError)])
async def test_refusals_raise_typed_errors(music: MusicService, recorder: Recorder,
                                           status: int, error: type[Exception]) -> None:
    recorder.status = status
    with pytest.raises(error):
        await music.compose(compose_body("music_v2", plan=PLAN, store_for_inpainting=True))


async def test_unreadable_detailed_reply_is_a_protocol_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"garbage",
                              headers={"content-type": "multipart/mixed"})

    client = ApiClient(ClientConfig(base_url="https://api.example.test", api_key="k"),
                       transport=httpx.MockTransport(handler))
    try:
        with pytest.raises(ApiProtocolError):
            await MusicService(client).detailed(compose_body(prompt="x"))
    finally:
        await client.aclose()


def test_auto_format_per_model() -> None:
    assert resolve_output_format("auto", "music_v1").value == "mp3_44100_128"
    assert resolve_output_format("auto", "music_v2").value == "mp3_48000_192"
    assert resolve_output_format("pcm_16000", "music_v2").value == "pcm_16000"
