"""Stem separation on the engine: the official SDK's `music.separate_stems` against a real
running engine; the stems add up to the mix; bad input says what happened."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
import soundfile as sf
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError

from app.engine.launcher import LocalEngineProcess

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sdk(serve_process: LocalEngineProcess) -> ElevenLabs:
    return ElevenLabs(base_url=serve_process.base_url, api_key="offline")


@pytest.fixture(scope="module")
def sketch_wav(sdk: ElevenLabs) -> tuple[bytes, np.ndarray]:
    """An engine sketch (composed through the SDK), as a WAV file and its samples."""
    mp3 = b"".join(sdk.music.compose(prompt="upbeat pop with drums, bass and piano, 110 bpm",
                                     music_length_ms=10_000, force_instrumental=True))
    samples, rate = sf.read(io.BytesIO(mp3), dtype="float32", always_2d=True)
    assert rate == 44100 and len(samples) > 9 * rate
    mono = samples.mean(axis=1)
    buffer = io.BytesIO()
    sf.write(buffer, mono, rate, format="WAV", subtype="FLOAT")
    return buffer.getvalue(), mono


def _stems(zip_bytes: bytes) -> dict[str, np.ndarray]:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        return {name.rsplit(".", 1)[0]:
                np.frombuffer(archive.read(name), "<i2").astype(np.float64) / 32768.0
                for name in archive.namelist()}


def test_sdk_separates_a_sketch_into_six_stems_that_add_up(
        sdk: ElevenLabs, sketch_wav: tuple[bytes, np.ndarray]) -> None:
    wav, mix = sketch_wav
    data = b"".join(sdk.music.separate_stems(file=("sketch.wav", wav, "audio/wav"),
                                             output_format="pcm_44100"))
    stems = _stems(data)
    assert list(stems) == ["vocals", "drums", "bass", "guitar", "piano", "other"]
    assert {len(s) for s in stems.values()} == {len(mix)}
    total = sum(stems.values())
    residual_db = 10 * np.log10(np.mean((total - mix) ** 2) / np.mean(mix ** 2))
    assert residual_db < -40.0
    # The engine knows its own sketch: the stems are its real layers, so the piano has
    # sound of its own too (the approximation for other audio leaves piano silent).
    for name in ("drums", "bass", "piano"):
        assert np.sqrt(np.mean(stems[name] ** 2)) > 0.01 * np.sqrt(np.mean(mix ** 2)), name
    assert not np.any(stems["vocals"])  # composed instrumental: no voice at all


def test_two_stems_of_an_mp3(sdk: ElevenLabs, sketch_wav: tuple[bytes, np.ndarray]) -> None:
    wav, _mix = sketch_wav
    data = b"".join(sdk.music.separate_stems(file=("sketch.wav", wav, "audio/wav"),
                                             stem_variation_id="two_stems_v1"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["instrumental.mp3", "vocals.mp3"]
        info = sf.info(io.BytesIO(archive.read("instrumental.mp3")))
    assert info.format == "MP3" and info.duration > 9.0


def test_non_audio_upload_is_refused_with_a_plain_message(sdk: ElevenLabs) -> None:
    with pytest.raises(ApiError) as caught:
        b"".join(sdk.music.separate_stems(file=("notes.txt", b"not a song at all",
                                                "text/plain")))
    assert caught.value.status_code == 400
    assert "not audio" in str(caught.value.body)
