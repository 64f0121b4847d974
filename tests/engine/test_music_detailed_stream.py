"""`POST /v1/music/detailed/stream` on the engine: the plan and metadata first, each
section's real times before its audio, the whole song in the audio chunks, `done` with
the song id of the header; the request follows the spec and the answer is SSE."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
import soundfile as sf
from fastapi import FastAPI

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from app.domain.music_detailed_stream import (
    DetailedStreamCollector,
    DetailedStreamParser,
    StreamEvent,
)
from app.domain.music_request import compose_body
from app.engine.music_routes import create_router
from tests.engine.test_music_routes import PLAN, _silent
from tests.support.spec import find_operation, validate_request

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
URL = "/v1/music/detailed/stream"


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.include_router(create_router(None, voice_lines=lambda: _silent))
    return TestClient(app)


def _events(client: TestClient, body: dict, query: str = "?output_format=pcm_44100"
            ) -> tuple[list[StreamEvent], dict[str, str]]:
    validate_request("POST", URL, {"output_format": [query.split("=")[1]]}, body)
    parser = DetailedStreamParser()
    events: list[StreamEvent] = []
    with client.stream("POST", URL + query, json=body) as response:
        assert response.status_code == 200
        headers = dict(response.headers)
        for chunk in response.iter_bytes():
            events += parser.feed(chunk)
    events += parser.finish()
    return events, headers


@pytest.mark.parametrize("model_id", ["music_v1", "music_v2"])
def test_sections_arrive_before_their_audio(client: TestClient, model_id: str) -> None:
    body = compose_body(model_id, plan=PLAN, seed=4, with_timestamps=True,
                        endpoint="detailed_stream")
    events, headers = _events(client, body)
    op = find_operation("POST", URL)
    assert "text/event-stream" in op.spec["responses"]["200"]["content"]
    assert headers["content-type"].startswith("text/event-stream")
    kinds = [e.type for e in events]
    assert kinds[:2] == ["composition_plan", "song_metadata"] and kinds[-1] == "done"
    collector = DetailedStreamCollector(song_id=headers["song-id"])
    audio_before: list[int] = []  # audio bytes sent before each section's event
    sent = 0
    for event in events:
        if event.type == "section":
            audio_before.append(sent)
        sent += len(event.audio)
        collector.add(event)
    assert [(s.name, s.start_ms, s.end_ms) for s in collector.sections] == [
        ("Intro", 0, 3_000), ("Verse", 3_000, 7_000), ("Outro", 7_000, 10_000)]
    # Live: the later sections are announced after earlier audio went out, each in time.
    assert audio_before[0] == 0 and 0 < audio_before[1] < audio_before[2] < sent
    assert audio_before[1] <= 3.0 * 44100 * 2 < audio_before[2] <= 7.0 * 44100 * 2
    result = collector.result()
    assert result.song_id == headers["song-id"] == events[-1].data["song_id"]
    assert len(result.audio) == 10 * 44100 * 2  # pcm_44100: 16-bit mono, the whole song
    assert result.plan is not None and len(result.plan.sections) == 3
    assert [w.word for w in result.words] == ["Hello", "little", "world"]


def test_an_mp3_stream_decodes_to_the_song(client: TestClient) -> None:
    events, _headers = _events(client, compose_body("music_v1", prompt="calm piano",
                                                     music_length_ms=6_000,
                                                     endpoint="detailed_stream"),
                               "?output_format=mp3_44100_128")
    collector = DetailedStreamCollector()
    for event in events:
        collector.add(event)
    samples, rate = sf.read(io.BytesIO(collector.result().audio), dtype="float32")
    assert rate == 44100 and abs(len(samples) / rate - 6.0) < 0.2
    assert np.abs(samples).max() > 0.05
    assert len(collector.sections) >= 1
