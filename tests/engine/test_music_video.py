"""Music for a video on the engine: the official SDK's `music.video_to_music` gets music
as long as the two videos together; a file without pictures is refused plainly."""

from __future__ import annotations

import io
from typing import Any

import av
import numpy as np
import pytest
import soundfile as sf
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError
from fastapi import HTTPException

from app.engine.launcher import LocalEngineProcess

pytestmark = pytest.mark.e2e


def make_video(seconds: float, fps: int = 10) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(round(seconds * fps)):
            picture = np.full((48, 64, 3), (i * 7) % 255, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def make_sound_only(seconds: float, container_format: str = "mp4",
                    empty_video_track: bool = False) -> bytes:
    """A container with a sound track and no pictures: in MP4 no picture track at all
    (what a voice memo is); with `empty_video_track` (Matroska keeps one, MP4 drops it)
    a picture track that holds no picture."""
    rate = 48000
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container_format) as container:
        if empty_video_track:
            pictures = container.add_stream("mpeg4", rate=10)
            pictures.width, pictures.height, pictures.pix_fmt = 64, 48, "yuv420p"
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "mono"
        tone = (0.2 * np.sin(2 * np.pi * 220 * np.arange(round(seconds * rate)) / rate)
                ).astype(np.float32)
        for at in range(0, len(tone), 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(tone[None, at:at + 1024]),
                                               format="fltp", layout="mono")
            frame.sample_rate, frame.pts = rate, at
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def test_sdk_video_to_music_lasts_as_long_as_the_videos(
        serve_process: LocalEngineProcess) -> None:
    sdk = ElevenLabs(base_url=serve_process.base_url, api_key="offline")
    videos = [("a.mp4", make_video(3.0), "video/mp4"), ("b.mp4", make_video(2.5), "video/mp4")]
    audio = b"".join(sdk.music.video_to_music(videos=videos, description="calm piano",
                                              tags=["cinematic", "slow"]))
    info = sf.info(io.BytesIO(audio))
    assert info.format == "MP3"
    assert abs(info.duration - 5.5) < 0.15
    samples, _rate = sf.read(io.BytesIO(audio))
    assert np.abs(samples).max() > 0.05


def test_a_file_without_pictures_is_refused(serve_process: LocalEngineProcess) -> None:
    sdk = ElevenLabs(base_url=serve_process.base_url, api_key="offline")
    tone = io.BytesIO()
    sf.write(tone, np.zeros(8000, np.float32), 8000, format="WAV")
    with pytest.raises(ApiError) as caught:
        b"".join(sdk.music.video_to_music(videos=[("sound.wav", tone.getvalue(), "audio/wav")]))
    assert caught.value.status_code == 400
    assert "no pictures" in str(caught.value.body)


@pytest.mark.parametrize(("name", "data", "why"), [
    ("voice.mp4", lambda: make_sound_only(1.0), "no video track"),
    ("empty.mkv", lambda: make_sound_only(1.0, "matroska", empty_video_track=True),
     "its video track is empty")])
def test_a_container_with_sound_and_no_pictures_is_refused(
        serve_process: LocalEngineProcess, name: str, data: Any, why: str) -> None:
    """Real containers, not text named .mp4: one without a picture track, and one whose
    picture track holds no picture (the engine reads its frames and finds none). The
    answer names the file and says which."""
    from app.engine.music_video_routes import video_length_ms

    sdk = ElevenLabs(base_url=serve_process.base_url, api_key="offline")
    with pytest.raises(ApiError) as caught:
        b"".join(sdk.music.video_to_music(videos=[("clip.mp4", make_video(1.0), "video/mp4"),
                                                  (name, data(), "video/mp4")]))
    assert caught.value.status_code == 400
    assert caught.value.body["detail"] == {
        "status": "invalid_video", "message": f"“{name}” has no pictures ({why})."}
    with pytest.raises(HTTPException) as direct:  # the same branch, in this process
        video_length_ms(data(), name)
    assert why in direct.value.detail["message"]


def test_stems_of_the_video_music_are_its_real_layers(
        serve_process: LocalEngineProcess) -> None:
    """The engine's music for a video is its own sketch: separated, it gives the sketch's
    real layers (not the approximation for foreign audio), adding up to the file."""
    import zipfile

    sdk = ElevenLabs(base_url=serve_process.base_url, api_key="offline")
    videos = [("clip.mp4", make_video(6.0), "video/mp4")]
    mp3 = b"".join(sdk.music.video_to_music(videos=videos, description="drums and piano",
                                            tags=["upbeat"], output_format="mp3_44100_128"))
    mix, _rate = sf.read(io.BytesIO(mp3), dtype="float64")
    response = sdk.music.with_raw_response.separate_stems(
        file=("music.mp3", mp3, "audio/mpeg"), output_format="pcm_44100")
    with response as raw:
        assert raw.headers["stem-method"] == "sketch-layers"
        archive = b"".join(raw.data)
    with zipfile.ZipFile(io.BytesIO(archive)) as stems_zip:
        stems = {n.rsplit(".", 1)[0]: np.frombuffer(stems_zip.read(n), "<i2") / 32768.0
                 for n in stems_zip.namelist()}
    assert list(stems) == ["vocals", "drums", "bass", "guitar", "piano", "other"]
    total = sum(stems.values())
    residual = total[:len(mix)] - mix[:len(total)]
    assert 10 * np.log10(np.mean(residual ** 2) / np.mean(mix ** 2)) < -40
    assert np.abs(stems["vocals"]).max() < 2 / 32768  # instrumental: no voice
