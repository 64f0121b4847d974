"""The generation pipeline without Qt: real files in a real History, a real Player on the
ALSA file sink, and a real HTTP stream from the cloud test server on loopback."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from app.api.speech import SpeechService
from app.audio.clip import AudioClip
from app.audio.encode import encode_clip
from app.audio.player import Player
from app.domain.formats import OutputFormat
from app.domain.wire import SpeechRequest
from app.library.history import HistoryStore, NewGeneration
from app.services.generation import GenerationRun, PeakThrottle
from tests.audio.signals import tone
from tests.support.cloud import Cloud

pytestmark = pytest.mark.anyio

PCM = OutputFormat.parse("pcm_24000")
WAV = OutputFormat.parse("wav_24000")
MP3 = OutputFormat.parse("mp3_44100_128")
GEORGE = "JBFqnCBsd6RMkjVDRZzb"


@pytest.fixture
def history(tmp_path: Path) -> Iterator[HistoryStore]:
    store = HistoryStore(tmp_path / "history.sqlite3", tmp_path / "audio")
    yield store
    store.close()


@pytest.fixture
def player() -> Iterator[Player]:
    p = Player()
    yield p
    p.close()


def audio_files(history: HistoryStore) -> list[Path]:
    """Every file in the audio folder, partials (hidden dot files) included."""
    folder = history.new_audio_dir
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def entry(**changes: Any) -> NewGeneration:
    values: dict[str, Any] = dict(
        kind="speech", title="Hello", text="Hello there", voice_id="v", voice_name="Voice",
        model_id="m", output_format=PCM.value, settings_json="{}", request_ids=["r1"],
        character_cost=11, duration_ms=0, file_path=None, session_id="s")
    values.update(changes)
    return NewGeneration(**values)


def pieces(data: bytes, sizes: tuple[int, ...] = (1, 7, 333, 4096)) -> list[bytes]:
    """`data` cut at awkward boundaries (odd sizes, a lone byte of a 16-bit sample)."""
    out, at, index = [], 0, 0
    while at < len(data):
        size = sizes[index % len(sizes)]
        out.append(data[at:at + size])
        at, index = at + size, index + 1
    return out


async def chunks_of(parts: list[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        await asyncio.sleep(0)
        yield part


def wait_until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.005)


def loudest_played(path: Path) -> float:
    """The loudest sample the ALSA file sink received (float32)."""
    data = path.read_bytes()
    return float(np.abs(np.frombuffer(data[: len(data) - len(data) % 4], np.float32)).max(
        initial=0.0))


# -- the whole way through -----------------------------------------------------------------
async def test_a_stream_is_saved_heard_drawn_and_recorded(
        history: HistoryStore, player: Player, alsa_played_file: Path) -> None:
    samples = tone(24000, 1.0)
    data = encode_clip(AudioClip(samples, 24000), PCM)
    reports: list[tuple[np.ndarray, float]] = []
    async with GenerationRun(history, player, PCM, on_audio=lambda p, s: reports.append((p, s)),
                             peaks_interval_s=0.0) as run:
        await run.feed_stream(chunks_of(pieces(data)))
        path = await run.finish()
    generation = await run.record(entry())

    assert path.read_bytes() == data  # the very bytes that arrived, under the final name
    assert audio_files(history) == [path]  # no partial left beside it
    assert run.duration_ms == 1000 and run.playback_problem is None
    assert reports and reports[-1][1] == pytest.approx(1.0)
    assert len(reports[-1][0]) > 0 and float(np.max(reports[-1][0])) > 0.4
    stored = history.get(generation.id)
    assert stored is not None and stored.file_path == path and stored.duration_ms == 1000
    assert stored.request_ids == ["r1"] and stored.character_cost == 11
    # and it was heard: the tone reached the sound device as it arrived
    wait_until(lambda: loudest_played(alsa_played_file) > 0.4)


async def test_a_stream_from_the_server_is_saved_as_sent(
        cloud: Cloud, history: HistoryStore) -> None:
    client = cloud.client()
    speech = SpeechService(client)
    request = SpeechRequest(text="The pipeline writes what the server sends.")
    try:
        expected = (await speech.convert(GEORGE, request)).audio
        reports: list[float] = []
        async with GenerationRun(history, None, MP3,
                                 on_audio=lambda _p, s: reports.append(s)) as run:
            async with speech.stream(GEORGE, request) as stream:
                await run.feed_stream(stream.chunks())
                info = stream.info
            await run.finish()
    finally:
        await client.aclose()
    generation = await run.record(entry(output_format=MP3.value,
                                        request_ids=[info.request_id or ""]))
    assert generation.file_path is not None
    assert generation.file_path.read_bytes() == expected
    assert generation.file_path.suffix == ".mp3"
    assert run.duration_ms > 0 and reports[-1] == pytest.approx(run.duration_ms / 1000)


async def test_several_wav_parts_become_one_valid_file(history: HistoryStore) -> None:
    first = encode_clip(AudioClip(tone(24000, 0.5), 24000), WAV)
    second = encode_clip(AudioClip(tone(24000, 0.25, freq=880.0), 24000), WAV)
    async with GenerationRun(history, None, WAV, multipart=True) as run:
        await run.feed_whole(first)
        await run.feed_whole(second)
        path = await run.finish()
    audio, rate = soundfile.read(io.BytesIO(path.read_bytes()))
    assert rate == 24000 and len(audio) == 18000  # one header, both parts' samples
    assert run.duration_ms == 750


# -- nothing half-done is ever kept ---------------------------------------------------------
async def test_a_failure_midway_removes_the_partial_file(history: HistoryStore) -> None:
    data = encode_clip(AudioClip(tone(24000, 0.5), 24000), PCM)

    async def broken() -> AsyncIterator[bytes]:
        yield data[:4000]
        raise ConnectionError("the connection dropped")

    with pytest.raises(ConnectionError):
        async with GenerationRun(history, None, PCM) as run:
            await run.feed_stream(broken())
            await run.finish()
    assert run.path is None
    assert audio_files(history) == []
    assert history.list() == []


async def test_cancelling_mid_stream_removes_the_partial_file(history: HistoryStore) -> None:
    data = encode_clip(AudioClip(tone(24000, 0.5), 24000), PCM)
    first_arrived = asyncio.Event()

    async def stalled() -> AsyncIterator[bytes]:
        yield data[:4000]
        first_arrived.set()
        await asyncio.Event().wait()  # the server goes quiet
        yield b""

    async def generate() -> None:
        async with GenerationRun(history, None, PCM) as run:
            await run.feed_stream(stalled())
            await run.finish()

    task = asyncio.create_task(generate())
    await asyncio.wait_for(first_arrived.wait(), 10)
    assert any(p.name.endswith(".partial") for p in audio_files(history))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert audio_files(history) == []


async def test_cancelling_while_the_file_opens_removes_it(history: HistoryStore) -> None:
    async def generate() -> None:
        async with GenerationRun(history, None, PCM) as run:
            await run.sink()

    task = asyncio.create_task(generate())
    await asyncio.sleep(0)  # the opening has started in its worker thread
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert audio_files(history) == []


async def test_leaving_without_finishing_keeps_nothing(history: HistoryStore) -> None:
    async with GenerationRun(history, None, PCM) as run:
        await run.feed_whole(encode_clip(AudioClip(tone(24000, 0.1), 24000), PCM))
        assert run.frames == 2400
    assert audio_files(history) == []
    with pytest.raises(RuntimeError):
        await run.record(entry())


# -- the waveform's pace ---------------------------------------------------------------------
class _Sink:
    frames = 0

    def peaks(self) -> np.ndarray:
        return np.zeros(3, np.float32)

    @property
    def duration_ms(self) -> int:
        return 1500


def test_peaks_are_passed_on_at_most_every_interval() -> None:
    now = [100.0]
    seen: list[float] = []
    throttle = PeakThrottle(lambda _p, s: seen.append(s), interval_s=0.1,
                            clock=lambda: now[0])
    sink: Any = _Sink()
    assert throttle.offer(sink)  # the first one at once
    now[0] += 0.05
    assert not throttle.offer(sink)  # too soon
    assert throttle.offer(sink, force=True)  # unless forced (a whole part, the end)
    now[0] += 0.099
    assert not throttle.offer(sink)
    now[0] += 0.002
    assert throttle.offer(sink)
    assert seen == [1.5, 1.5, 1.5]
    assert not PeakThrottle(None).offer(sink)  # nobody listening: nothing computed
