"""Music for a video, end to end without the window: the service layer asks the real
engine (over HTTP) for music for a video, and the video is written again with that
music as its soundtrack (the pictures copied, the sound as long as the pictures)."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from app.api.client import ApiClient
from app.api.config import ClientConfig
from app.api.music_video import MusicVideoService
from app.audio.decode import decode_bytes
from app.engine.launcher import LocalEngineProcess
from app.services.video_soundtrack import replace_soundtrack
from tests.engine.test_music_video import make_video

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_music_for_a_video_becomes_its_soundtrack(serve_process: LocalEngineProcess,
                                                        tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(make_video(4.0))
    client = ApiClient(ClientConfig(base_url=serve_process.base_url, api_key="offline"))
    try:
        audio, _info = await MusicVideoService(client).video_to_music(
            [("clip.mp4", video.read_bytes())], description="warm synth", tags=["calm"])
    finally:
        await client.aclose()
    music = decode_bytes(audio, None)
    assert abs(music.duration_ms - 4000) < 150
    out = replace_soundtrack(video, music, tmp_path / "clip with music.mp4")
    with av.open(str(out), "r") as result:
        assert len(result.streams.video) == 1 and len(result.streams.audio) == 1
        pictures = sum(1 for _ in result.decode(video=0))
    assert pictures == 40
    with av.open(str(out), "r") as result:  # read again from the start for the sound
        sound = sum(f.samples for f in result.decode(audio=0))
    assert abs(sound / 48000 - 4.0) < 0.1
