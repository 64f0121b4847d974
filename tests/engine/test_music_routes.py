"""The engine's music endpoints, in-process: requests and answers checked against the spec."""

from __future__ import annotations

import io
import warnings
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import soundfile as sf
from fastapi import FastAPI

with warnings.catch_warnings():  # Starlette asks for httpx2; httpx works fine here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from app.domain.formats import MUSIC_FORMATS, OutputFormat
from app.domain.music_detailed import parse_detailed_response
from app.domain.music_plan import Plan, Section, SongRef
from app.domain.music_plan_write import to_v1_composition_plan, to_v2_chunks
from app.domain.music_request import compose_body
from app.engine.music_routes import create_router
from tests.engine.conftest import container_kind, decode
from tests.support.spec import validate_request, validate_response_json

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PLAN = Plan(
    global_positive_styles=["pop", "120 bpm", "C major"],
    global_negative_styles=["metal"],
    sections=[
        Section("Intro", 3_000, ["soft pads"]),
        Section("Verse", 4_000, ["plucked"], [], ["Hello little world"]),
        Section("Outro", 3_000, ["fade out"]),
    ],
)


def _silent(_text: str) -> tuple[np.ndarray, int]:
    return np.full(8000, 0.5, np.float32), 16000  # a loud "voice" that is easy to detect


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    app = FastAPI()
    app.include_router(create_router(tmp_path_factory.mktemp("music-data"),
                                     voice_lines=lambda: _silent))
    return TestClient(app)


def call(client: TestClient, url: str, body: Any) -> Any:
    parts = urlsplit(url)
    validate_request("POST", parts.path, parse_qs(parts.query), body)
    response = client.post(url, json=body)
    if response.headers.get("content-type", "").startswith("application/json"):
        validate_response_json("POST", parts.path, response.status_code, response.json())
    return response


def pcm(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768


@pytest.mark.parametrize("fmt", [f.value for f in MUSIC_FORMATS])
def test_every_format_decodes(client: TestClient, fmt: str) -> None:
    body = compose_body("music_v2", plan=Plan(["calm"], [], [Section("Verse", 3_000)]))
    response = call(client, f"/v1/music?output_format={fmt}", body)
    assert response.status_code == 200
    output = OutputFormat.parse(fmt)
    assert response.headers["content-type"].startswith(output.mime_type)
    assert len(response.headers["song-id"]) == 20
    samples, rate = decode(response.content, output)
    assert rate == output.sample_rate_hz
    assert abs(len(samples) / rate - 3.0) < 0.2
    assert np.max(np.abs(samples)) > 0.05


def test_auto_format_follows_the_model(client: TestClient) -> None:
    for model_id, rate in (("music_v1", 44100), ("music_v2", 48000)):
        response = call(client, "/v1/music", compose_body(model_id, plan=PLAN))
        assert container_kind(response.content) == "mp3"
        assert sf.info(io.BytesIO(response.content)).samplerate == rate


def test_prompt_length_and_stream(client: TestClient) -> None:
    body = compose_body("music_v2", prompt="A calm piano piece", music_length_ms=5_000,
                        force_instrumental=True, endpoint="stream")
    url = "/v1/music/stream?output_format=pcm_24000"
    validate_request("POST", "/v1/music/stream", {"output_format": ["pcm_24000"]}, body)
    with client.stream("POST", url, json=body) as response:
        assert response.status_code == 200
        assert response.headers["song-id"]
        chunks = list(response.iter_bytes())
    assert len(chunks) > 1
    assert len(pcm(b"".join(chunks))) == 5 * 24000


def test_lyrics_are_voiced_unless_instrumental(client: TestClient) -> None:
    sung = pcm(call(client, "/v1/music?output_format=pcm_16000",
                    compose_body("music_v1", plan=PLAN, seed=7)).content)
    quiet = PLAN.copy()
    for s in quiet.sections:
        s.lines = []
    plain = pcm(call(client, "/v1/music?output_format=pcm_16000",
                     compose_body("music_v1", plan=quiet, seed=7)).content)
    assert len(sung) == len(plain) == 10 * 16000
    verse = slice(3 * 16000, 7 * 16000)
    assert np.abs(sung[verse] - plain[verse]).max() > 0.1
    intro = slice(0, 2 * 16000)
    assert np.abs(sung[intro] - plain[intro]).max() < 0.05


def test_detailed_is_multipart_with_metadata(client: TestClient) -> None:
    body = compose_body("music_v1", plan=PLAN, with_timestamps=True, endpoint="detailed")
    response = call(client, "/v1/music/detailed?output_format=mp3_44100_128", body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("multipart/mixed; boundary=")
    result = parse_detailed_response(response.headers["content-type"], response.content,
                                     response.headers["song-id"])
    assert result.song_id == response.headers["song-id"]
    assert container_kind(result.audio) == "mp3"
    assert result.section_timings_ms == [(0, 3_000), (3_000, 7_000), (7_000, 10_000)]
    song = result.metadata["song_metadata"]
    assert set(song) == {"title", "description", "genres", "languages", "is_explicit"}
    assert song["languages"] == ["en"]
    assert [w.word for w in result.words] == ["Hello", "little", "world"]
    assert all(3_000 <= w.start_ms < w.end_ms <= 7_000 for w in result.words)
    assert result.filename and result.filename.endswith(".mp3")


@pytest.mark.parametrize("model_id", ["music_v1", "music_v2"])
def test_plan_from_prompt(client: TestClient, model_id: str) -> None:
    body = {"prompt": "An epic orchestral trailer", "music_length_ms": 200_000,
            "model_id": model_id}
    data = call(client, "/v1/music/plan", body).json()
    items = data["sections" if model_id == "music_v1" else "chunks"]
    assert sum(i["duration_ms"] for i in items) == 200_000


def test_plan_reworks_a_source_plan(client: TestClient) -> None:
    body = {"prompt": "make it longer", "music_length_ms": 20_000, "model_id": "music_v2",
            "source_composition_plan": to_v2_chunks(PLAN)}
    data = call(client, "/v1/music/plan", body).json()
    assert [c["duration_ms"] for c in data["chunks"]] == [6_000, 8_000, 6_000]


@pytest.mark.parametrize(("body", "where"), [
    ({"prompt": "x", "composition_plan": to_v1_composition_plan(PLAN)}, "prompt"),
    ({"model_id": "music_v1"}, "prompt"),
    ({"prompt": "x", "seed": 3}, "seed"),
    ({"composition_plan": to_v1_composition_plan(PLAN), "music_length_ms": 9000},
     "music_length_ms"),
    ({"composition_plan": to_v1_composition_plan(PLAN), "model_id": "music_v2"},
     "composition_plan"),
    ({"composition_plan": to_v2_chunks(PLAN), "model_id": "music_v1"}, "composition_plan"),
])
def test_rule_breaking_bodies_are_422(client: TestClient, body: dict[str, Any],
                                      where: str) -> None:
    response = call(client, "/v1/music", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", where]


def test_schema_breaking_bodies_are_422(client: TestClient) -> None:
    plan = to_v1_composition_plan(PLAN)
    plan["sections"][0]["duration_ms"] = 1_000
    for url, body in (("/v1/music", {"composition_plan": plan}),
                      ("/v1/music?output_format=wav_44100", {"prompt": "x"}),
                      ("/v1/music/plan", {"music_length_ms": 5000})):
        response = client.post(url, json=body)
        assert response.status_code == 422
        validate_response_json("POST", urlsplit(url).path, 422, response.json())


@pytest.mark.parametrize("model_id", ["music_v1", "music_v2"])
def test_kept_sections_come_from_the_stored_song(client: TestClient, model_id: str) -> None:
    first = call(client, "/v1/music?output_format=pcm_44100",
                 compose_body(model_id, plan=PLAN, seed=1, store_for_inpainting=True))
    song_id = first.headers["song-id"]
    again = PLAN.copy()
    again.sections[1].source = SongRef(song_id, 3_000, 7_000)
    # A key of its own: the intro really differs (a mood word alone may not change a pad).
    again.sections[0].positive_styles = ["dark", "A minor"]
    second = call(client, "/v1/music?output_format=pcm_44100",
                  compose_body(model_id, plan=again, seed=99))
    a, b = pcm(first.content), pcm(second.content)
    assert len(a) == len(b)
    kept = slice(3 * 44100 + 2000, 7 * 44100 - 2000)
    assert np.abs(a[kept] - b[kept]).max() < 2 / 32768
    assert np.abs(a[: 2 * 44100] - b[: 2 * 44100]).max() > 0.05


@pytest.mark.parametrize("model_id", ["music_v1", "music_v2"])
def test_unknown_song_reference_is_404_song_not_found(client: TestClient,
                                                      model_id: str) -> None:
    plan = PLAN.copy()
    plan.sections[0].source = SongRef("nosuchsong", 0, 3_000)
    for url in ("/v1/music", "/v1/music/stream", "/v1/music/detailed",
                "/v1/music/detailed/stream"):
        response = client.post(url, json=compose_body(model_id, plan=plan))
        assert response.status_code == 404, url
        detail = response.json()["detail"]
        assert detail["status"] == "song_not_found" and "Upload" in detail["message"]


def test_stored_songs_survive_a_new_router(tmp_path: Any) -> None:
    app = FastAPI()
    app.include_router(create_router(tmp_path, voice_lines=lambda: _silent))
    first = TestClient(app).post("/v1/music", json=compose_body(
        "music_v2", plan=PLAN, store_for_inpainting=True))
    song_id = first.headers["song-id"]
    other = FastAPI()
    other.include_router(create_router(tmp_path, voice_lines=lambda: _silent))
    plan = PLAN.copy()
    plan.sections[0].source = SongRef(song_id, 0, 3_000)
    assert TestClient(other).post("/v1/music", json=compose_body(
        "music_v2", plan=plan)).status_code == 200


def test_lyrics_are_sung_by_the_engine_voice() -> None:
    """Without a `voice_lines` factory the engine's own synthesiser voices the lyrics
    (inside the full engine app it is the app's synthesiser; here a fresh one)."""
    app = FastAPI()
    app.include_router(create_router())
    client = TestClient(app)
    plan = Plan(["calm", "no drums"], [], [Section("Verse", 4_000, [], [],
                                                  ["Sing a little song"])])
    sung = pcm(client.post("/v1/music?output_format=pcm_16000",
                           json=compose_body("music_v2", plan=plan, seed=3)).content)
    plan.sections[0].lines = []
    plain = pcm(client.post("/v1/music?output_format=pcm_16000",
                            json=compose_body("music_v2", plan=plan, seed=3)).content)
    assert len(sung) == len(plain) == 4 * 16000
    assert np.abs(sung - plain).max() > 0.1


def test_inside_the_engine_app(tmp_path: Any) -> None:
    """The engine's app serves them, with its synthesiser and request ids."""
    from app.engine.app import create_app

    app = create_app(tmp_path)
    client = TestClient(app, base_url="http://127.0.0.1")  # the engine answers loopback only
    plan = Plan(["pop"], [], [Section("Chorus", 3_000, [], [], ["Oh yeah"])])
    response = client.post("/v1/music", json=compose_body("music_v1", plan=plan))
    assert response.status_code == 200
    assert response.headers["request-id"] and response.headers["song-id"]
    assert container_kind(response.content) == "mp3"
