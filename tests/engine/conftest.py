"""Fixtures for the engine: the ASGI app in-process, and a real engine process."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

import numpy as np
import pytest
import soundfile as sf

with warnings.catch_warnings():  # Starlette asks for httpx2; httpx works fine here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from app.domain.formats import Codec, OutputFormat
from app.engine.app import create_app
from app.engine.launcher import LocalEngineProcess
from app.engine.voices import ENGINE_VOICES

AVA = ENGINE_VOICES[0].voice_id


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir = tmp_path_factory.mktemp("engine-data")
    # The engine only answers loopback Host headers (TestClient's default is "testserver").
    with TestClient(create_app(data_dir), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture(scope="session")
def engine_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEngineProcess]:
    log = tmp_path_factory.mktemp("engine-log") / "engine.log"
    with LocalEngineProcess(log_path=log) as engine:
        yield engine


@pytest.fixture(scope="session")
def serve_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEngineProcess]:
    """The engine as `xi-studio serve` runs it for other programs: no per-launch token, so
    outside clients such as the official SDK may use any key."""
    log = tmp_path_factory.mktemp("serve-log") / "engine.log"
    with LocalEngineProcess(log_path=log, use_token=False) as engine:
        yield engine


def decode(data: bytes, fmt: OutputFormat) -> tuple[np.ndarray, int]:
    """Decode audio of any TTS format to float samples and the rate it says it has."""
    if fmt.codec is Codec.PCM:
        return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0, fmt.sample_rate_hz
    if fmt.codec in (Codec.ULAW, Codec.ALAW):
        samples, rate = sf.read(io.BytesIO(data), format="RAW", subtype=fmt.codec.name,
                                samplerate=fmt.sample_rate_hz, channels=1, dtype="float32")
        return samples, rate
    samples, rate = sf.read(io.BytesIO(data), dtype="float32")
    return samples, rate


def container_kind(data: bytes) -> str:
    """What the bytes are, judged by their magic."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:4] == b"OggS":
        return "ogg-opus" if b"OpusHead" in data[:64] else "ogg"
    if data[:3] == b"ID3" or (data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    return "raw"
