"""Bring your own song to the engine: the official SDK's `music.upload` with a plan
extracted (sections found from the audio, marked as estimated); a plan that keeps two of
its sections (`source_from` the uploaded song) and re-makes one composes, and the kept
stretches are the uploaded audio; a text file is refused plainly."""

from __future__ import annotations

import io

import httpx
import numpy as np
import pytest
import soundfile as sf
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError

from app.domain.music_plan_json import plan_from_json
from app.engine.launcher import LocalEngineProcess
from tests.audio.test_song_sections import _part
from tests.support.spec import validate_request

pytestmark = pytest.mark.e2e
RATE = 44100


def _three_part_song() -> bytes:
    rng = np.random.default_rng(3)
    song = np.concatenate([_part(20, "low", rng, RATE), _part(16, "noise", rng, RATE),
                           _part(20, "high", rng, RATE)]).astype(np.float32)
    buffer = io.BytesIO()
    sf.write(buffer, song, RATE, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def test_upload_extract_and_remake_one_section(serve_process: LocalEngineProcess) -> None:
    sdk = ElevenLabs(base_url=serve_process.base_url, api_key="offline")
    song = _three_part_song()
    answer = sdk.music.upload(file=("mine.wav", song, "audio/wav"),
                              extract_composition_plan="music_v1")
    assert answer.song_id
    plan = plan_from_json(answer.composition_plan.dict(exclude_none=True))
    starts = plan.section_starts_ms()
    assert [s.name for s in plan.sections] == ["Part 1", "Part 2", "Part 3"]
    assert abs(starts[1] - 20_000) <= 500 and abs(starts[2] - 36_000) <= 500

    sections = [{"section_name": s.name, "positive_local_styles": [],
                 "negative_local_styles": [], "duration_ms": s.duration_ms, "lines": []}
                for s in plan.sections]
    for i in (0, 2):  # keep the first and last parts as they sound
        sections[i]["source_from"] = {"song_id": answer.song_id, "range": {
            "start_ms": starts[i], "end_ms": starts[i] + plan.sections[i].duration_ms}}
    body = {"composition_plan": {"positive_global_styles": ["pop"],
                                 "negative_global_styles": [], "sections": sections},
            "model_id": "music_v1"}
    query = {"output_format": ["pcm_44100"]}
    validate_request("POST", "/v1/music", query, body)
    reply = httpx.post(f"{serve_process.base_url}/v1/music", json=body,
                       params={"output_format": "pcm_44100"}, timeout=120)
    assert reply.status_code == 200, reply.text
    made = np.frombuffer(reply.content, "<i2").astype(np.float64) / 32768
    original = sf.read(io.BytesIO(song), dtype="float64")[0]
    assert abs(len(made) - len(original)) <= RATE // 100
    # The kept first part is the uploaded audio (away from its crossfaded edge).
    lo, hi = RATE, 18 * RATE
    np.testing.assert_allclose(made[lo:hi], original[lo:hi], atol=2e-3)
    # The re-made middle is not the uploaded noise any more.
    assert not np.allclose(made[22 * RATE:34 * RATE], original[22 * RATE:34 * RATE],
                           atol=0.05)


def test_a_text_file_is_not_a_song(serve_process: LocalEngineProcess) -> None:
    sdk = ElevenLabs(base_url=serve_process.base_url, api_key="offline")
    with pytest.raises(ApiError) as caught:
        sdk.music.upload(file=("notes.txt", b"hello there", "text/plain"))
    assert caught.value.status_code == 400
    assert "not audio" in str(caught.value.body)
