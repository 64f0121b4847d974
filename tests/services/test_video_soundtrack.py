"""Videos given their slices of one piece of music (video_soundtrack.py), without the
window: each video keeps its pictures and gets the part of the music that plays while it
does, the files appear all together or not at all, and a stop leaves nothing behind."""

from __future__ import annotations

import threading
from pathlib import Path

import av
import numpy as np
import pytest

from app.audio.clip import AudioClip
from app.services.video_soundtrack import (
    AAC_RATE_HZ,
    ExportStopped,
    NoPictures,
    output_names,
    picture_seconds,
    plan_soundtracks,
    replace_soundtracks,
)
from app.services.video_strip import poster_strip
from tests.engine.test_music_video import make_sound_only, make_video

RATE = 44100


def pitched(parts: list[tuple[float, float]]) -> AudioClip:
    """(seconds, Hz) pieces one after another: which part is where can be heard."""
    pieces = [0.3 * np.sin(2 * np.pi * hz * np.arange(round(s * RATE)) / RATE)
              for s, hz in parts]
    return AudioClip(np.concatenate(pieces).astype(np.float32), RATE)


def sound_of(path: Path) -> np.ndarray:
    with av.open(str(path), "r") as video:
        return np.concatenate([f.to_ndarray()[0] for f in video.decode(audio=0)])


def pitch_of(samples: np.ndarray) -> float:
    middle = samples[len(samples) // 4: 3 * len(samples) // 4]
    spectrum = np.abs(np.fft.rfft(middle))
    return float(np.fft.rfftfreq(len(middle), 1 / AAC_RATE_HZ)[spectrum.argmax()])


def pictures_in(path: Path) -> int:
    with av.open(str(path), "r") as video:
        return sum(1 for _ in video.decode(video=0))


@pytest.fixture
def videos(tmp_path: Path) -> list[Path]:
    first, second = tmp_path / "beach.mp4", tmp_path / "sunset.mp4"
    first.write_bytes(make_video(3.0))
    second.write_bytes(make_video(2.0, fps=25))
    return [first, second]


def test_each_video_gets_the_music_playing_while_it_does(videos: list[Path],
                                                         tmp_path: Path) -> None:
    music = pitched([(3.0, 330.0), (2.0, 440.0)])
    out = tmp_path / "out"
    out.mkdir()
    jobs = plan_soundtracks(videos, output_names(videos, out))
    assert [(j.start_s, j.length_s) for j in jobs] == [(0.0, 3.0), (3.0, 2.0)]
    written = replace_soundtracks(jobs, music)
    assert [p.name for p in written] == ["beach with music.mp4", "sunset with music.mp4"]
    assert sorted(p.name for p in out.iterdir()) == [p.name for p in written]
    for path, pictures, seconds, hz in zip(written, (30, 50), (3.0, 2.0), (330, 440),
                                           strict=True):
        assert pictures_in(path) == pictures
        sound = sound_of(path)
        assert abs(len(sound) / AAC_RATE_HZ - seconds) < 0.05
        assert abs(pitch_of(sound) - hz) < 5


def test_music_shorter_than_the_videos_ends_in_silence(videos: list[Path],
                                                       tmp_path: Path) -> None:
    jobs = plan_soundtracks(videos, output_names(videos, tmp_path))
    [_, second] = replace_soundtracks(jobs, pitched([(3.5, 330.0)]))
    sound = sound_of(second)
    assert abs(len(sound) / AAC_RATE_HZ - 2.0) < 0.05  # as long as its pictures
    assert np.abs(sound[AAC_RATE_HZ:]).max() < 0.01


def test_all_or_nothing(videos: list[Path], tmp_path: Path) -> None:
    """A failure at the second video, or a stop, leaves no file at all: neither the
    first video (complete, but without its partner) nor any partial file."""
    music = pitched([(5.0, 330.0)])
    out = tmp_path / "out"
    out.mkdir()
    jobs = plan_soundtracks(videos, output_names(videos, out))
    videos[1].write_bytes(b"gone bad since")  # the second cannot be read any more
    with pytest.raises(av.error.FFmpegError):
        replace_soundtracks(jobs, music)
    assert list(out.iterdir()) == []

    videos[1].write_bytes(make_video(2.0, fps=25))
    stop = threading.Event()
    heard: list[int] = []

    def progress(index: int, _job: object) -> None:
        heard.append(index)
        if index == 1:
            stop.set()  # as Cancel does, while the second video is being written

    with pytest.raises(ExportStopped):
        replace_soundtracks(jobs, music, stop, progress)
    assert heard == [0, 1] and list(out.iterdir()) == []


def test_names_never_overwrite(tmp_path: Path) -> None:
    (tmp_path / "clip with music.mp4").write_bytes(b"the user's")
    other = tmp_path / "other"
    names = output_names([Path("/a/clip.mp4"), other / "clip.mp4", Path("/b/walk.mov")],
                         tmp_path)
    assert [n.name for n in names] == ["clip with music (2).mp4", "clip with music (3).mp4",
                                       "walk with music.mp4"]


def test_files_without_pictures_are_named(videos: list[Path], tmp_path: Path) -> None:
    sound_only = tmp_path / "voice.mp4"
    sound_only.write_bytes(make_sound_only(1.0))
    empty_track = tmp_path / "empty.mkv"
    empty_track.write_bytes(make_sound_only(1.0, "matroska", empty_video_track=True))
    with pytest.raises(NoPictures, match=r"“voice\.mp4” has no pictures"):
        poster_strip([videos[0], sound_only])
    with pytest.raises(NoPictures, match=r"“empty\.mkv” has no pictures"):
        picture_seconds(empty_track)
    assert poster_strip(videos).shape[0] == 72
