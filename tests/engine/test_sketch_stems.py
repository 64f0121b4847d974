"""Exact stems of the engine's own sketches: the sketcher renders in layers that add up
to its mix; stem separation recognises a sketch by its audio (even as an MP3) and returns
its real layers, summing to the file; other audio keeps the documented approximation."""

from __future__ import annotations

import io
import warnings
import zipfile

import numpy as np
import pytest
import soundfile as sf
from fastapi import FastAPI

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from app.domain.music_plan import Plan, Section
from app.domain.music_request import compose_body
from app.engine.music_instruments import LAYERS
from app.engine.music_routes import create_router as music_router
from app.engine.music_sketch import render_plan
from app.engine.music_stream_render import render_blocks
from app.engine.sketch_registry import SketchRegistry
from app.engine.stem_routes import create_router as stem_router
from tests.engine.test_music_routes import PLAN as SUNG_PLAN
from tests.engine.test_music_routes import _silent

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PLAN = Plan(["upbeat pop", "piano", "guitar", "drums", "110 bpm"], [], [
    Section("Intro", 3_000, ["soft"]), Section("Verse", 5_000, ["groove"], [],
                                              ["Here we go again"]),
    Section("Chorus", 5_000, ["big"]), Section("Outro", 3_000, ["fade"])])


def _db(residual: np.ndarray, reference: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(residual ** 2) / np.mean(reference ** 2)))


def test_layers_add_up_to_the_mix() -> None:
    from app.engine.music_sketch_plan import SketchPlan, SketchSection

    sketch = SketchPlan(("pop", "piano", "drums"), (), tuple(
        SketchSection(s.name, s.duration_ms, tuple(s.positive_styles), (), tuple(s.lines))
        for s in PLAN.sections))
    mix = np.concatenate(list(render_blocks(sketch, 22050, 5, voice_lines=_silent)))
    layers = np.concatenate(list(render_blocks(sketch, 22050, 5, voice_lines=_silent,
                                               layered=True)), axis=1)
    assert layers.shape == (len(LAYERS), *mix.shape)
    assert _db(layers.sum(axis=0) - mix, mix) < -100  # float rounding only
    for name in ("vocals", "drums", "bass", "piano", "other"):
        assert np.abs(layers[LAYERS.index(name)]).max() > 0.01, name
    assert len(render_plan(sketch, 22050, 5)) == len(mix)


SKETCHES = SketchRegistry()


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.include_router(music_router(None, voice_lines=lambda: _silent, sketches=SKETCHES))
    app.include_router(stem_router(SKETCHES))
    return TestClient(app)


def _stems(client: TestClient, audio: bytes, variation: str = "six_stems_v1"
           ) -> tuple[dict[str, np.ndarray], str]:
    response = client.post("/v1/music/stem-separation?output_format=pcm_44100",
                           files={"file": ("song.mp3", audio, "audio/mpeg")},
                           data={"stem_variation_id": variation})
    assert response.status_code == 200, response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        stems = {n.rsplit(".", 1)[0]: np.frombuffer(archive.read(n), "<i2") / 32768.0
                 for n in archive.namelist()}
    return stems, response.headers["stem-method"]


@pytest.mark.parametrize("model_id", ["music_v1", "music_v2"])
def test_an_mp3_of_a_sketch_separates_into_its_real_layers(client: TestClient,
                                                          model_id: str) -> None:
    response = client.post("/v1/music?output_format=mp3_44100_128",
                           json=compose_body(model_id, plan=PLAN))  # no seed: its own
    mp3 = response.content
    mix, _rate = sf.read(io.BytesIO(mp3), dtype="float64")
    stems, method = _stems(client, mp3)
    assert method == "sketch-layers"
    assert list(stems) == ["vocals", "drums", "bass", "guitar", "piano", "other"]
    total = sum(stems.values())
    assert _db(total - mix, mix) < -60  # the stems add up to the file (16-bit rounding)
    # Real layers: piano and guitar have sound of their own (the approximation leaves
    # them silent), the voice is in the vocals, and each stem is that layer exactly.
    for name in ("vocals", "drums", "bass", "guitar", "piano"):
        assert np.sqrt(np.mean(stems[name] ** 2)) > 0.01 * np.sqrt(np.mean(mix ** 2)), name
    # Each stem but the last is its layer, rendered again from the recipe (the MP3
    # decoder's delay lined up, one level for all): far closer than any estimate.
    recipe = SKETCHES.get(response.headers["song-id"])
    assert recipe is not None and recipe.song.seed is None
    layers = np.concatenate(list(recipe.song.blocks(layered=True)), axis=1)
    lag = int(np.argmax([np.dot(stems["drums"][k:k + 44100], layers[1][:44100])
                         for k in range(0, 3000)]))
    piece = slice(lag, lag + layers.shape[1])
    level = np.dot(stems["drums"][piece], layers[1]) / np.dot(layers[1], layers[1])
    assert 0.8 < level < 1.1  # one level for all: the file's own (its decoder's)
    for index, name in enumerate(LAYERS[:-1]):
        layer = layers[index] * level
        if np.any(layer):
            assert _db(stems[name][piece] - layer, layer) < -40, name
    two, method = _stems(client, mp3, "two_stems_v1")
    assert method == "sketch-layers"
    assert np.abs(two["vocals"] - stems["vocals"]).max() < 2 / 32768
    assert _db(two["vocals"] + two["instrumental"] - mix, mix) < -60


def test_other_audio_keeps_the_approximation(client: TestClient) -> None:
    t = np.arange(3 * 44100) / 44100
    tone = (0.3 * np.sin(2 * np.pi * 110 * t) + 0.2 * np.sin(2 * np.pi * 880 * t))
    buffer = io.BytesIO()
    sf.write(buffer, tone, 44100, format="WAV", subtype="PCM_16")
    stems, method = _stems(client, buffer.getvalue())
    assert method == "approximate"
    assert np.abs(stems["piano"]).max() == 0 and np.abs(stems["guitar"]).max() == 0
    assert _db(sum(stems.values()) - tone, tone) < -40


def test_a_sung_sketch_with_a_kept_section(client: TestClient) -> None:
    """A song whose section comes from a stored song: still recognised, the kept audio
    in other, the stems adding up."""
    first = client.post("/v1/music?output_format=pcm_44100",
                        json=compose_body("music_v1", plan=SUNG_PLAN, seed=2,
                                          store_for_inpainting=True))
    from app.domain.music_plan import SongRef

    plan = SUNG_PLAN.copy()
    plan.sections[2].source = SongRef(first.headers["song-id"], 7_000, 10_000)
    second = client.post("/v1/music?output_format=mp3_44100_128",
                         json=compose_body("music_v1", plan=plan, seed=9))
    mix, _rate = sf.read(io.BytesIO(second.content), dtype="float64")
    stems, method = _stems(client, second.content)
    assert method == "sketch-layers"
    assert _db(sum(stems.values()) - mix, mix) < -60
    assert np.abs(stems["vocals"]).max() > 0.1  # the loud test "voice"


def test_the_right_sketch_among_look_alikes(client: TestClient) -> None:
    """Two sketches of one plan (same length, same shape of loudness), different seeds:
    the file is matched to its own, not to the newer look-alike."""
    first = client.post("/v1/music?output_format=mp3_44100_128",
                        json=compose_body("music_v1", plan=PLAN, seed=11))
    client.post("/v1/music?output_format=mp3_44100_128",
                json=compose_body("music_v1", plan=PLAN, seed=12))
    stems, method = _stems(client, first.content)
    assert method == "sketch-layers"
    recipe = SKETCHES.get(first.headers["song-id"])
    assert recipe is not None
    drums = np.concatenate(list(recipe.song.blocks(layered=True)), axis=1)[1]
    lag = int(np.argmax([np.dot(stems["drums"][k:k + 44100], drums[:44100])
                         for k in range(0, 3000)]))
    piece = stems["drums"][lag:lag + len(drums)]
    level = np.dot(piece, drums) / np.dot(drums, drums)
    assert _db(piece - level * drums, drums) < -40
