"""Videos with a new soundtrack: each video's pictures copied as they are (no
re-encoding), its sound replaced by its own slice of the music, encoded as AAC in MP4.

The music made for several videos is one piece for the videos played one after another
(the API combines them in order; the engine makes it as long as their pictures last
together), so video n's slice starts where the videos before it end. Each video is
written to its own file, named after it: joining videos of different sizes and codecs
would mean re-encoding their pictures, and a user who chose separate clips gets them back
separate, each with its part of the music.

Writing is all or nothing: every file is written under a `.partial` name and only
renamed when all of them are complete; a failure or a stop (`stop` set) removes the
partial files, so no half-written video is ever left looking finished. Blocking: run it
off the UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.audio.clip import AudioClip
from app.library.bounded_read import NotRegularFileError, check_regular_file

AAC_RATE_HZ = 48000
AAC_FRAME = 1024
PARTIAL_SUFFIX = ".partial"


class NoPictures(ValueError):
    """The file has no video track, or its video track holds no picture."""


class ExportStopped(Exception):
    """The user stopped the export; nothing was written."""


@dataclass(frozen=True)
class SoundtrackJob:
    video: Path
    out: Path
    start_s: float   # where this video's slice begins in the music for all the videos
    length_s: float  # how long its pictures last (so its slice's length)


def picture_seconds(video: Path) -> float:
    """How long `video`'s pictures last: the end of its last picture, read from its
    packets without decoding them (the same measure the engine makes music to)."""
    import av

    try:
        # Asked of the file system first: FFmpeg's open of a named pipe waited for ever
        # (the poster strip never came, and neither did an error).
        check_regular_file(video)
    except OSError as exc:
        why = str(exc) if isinstance(exc, NotRegularFileError) else (exc.strerror or str(exc))
        raise NoPictures(f"“{video.name}” cannot be read as a video: {why}.") from exc
    try:
        source = av.open(str(video), "r")
    except Exception as exc:  # PyAV's errors: not a container it can read
        raise NoPictures(f"“{video.name}” is not a video this program can read.") from exc
    with source:
        if not source.streams.video:
            raise NoPictures(f"“{video.name}” has no pictures (no video track).")
        stream = source.streams.video[0]
        end_s, packets = 0.0, 0
        for packet in source.demux(stream):
            if packet.size == 0:  # the demuxer's closing empty packet
                continue
            packets += 1
            if packet.pts is not None and packet.time_base is not None:
                end_s = max(end_s, float((packet.pts + (packet.duration or 0))
                                         * packet.time_base))
    if packets == 0:
        raise NoPictures(f"“{video.name}” has no pictures (its video track is empty).")
    if end_s <= 0 and stream.average_rate:
        end_s = packets / float(stream.average_rate)
    return end_s


def output_names(videos: Sequence[Path], folder: Path) -> list[Path]:
    """'<name> with music.mp4' in `folder` for each video, never an existing file nor
    a name given twice (two videos may share a name from different folders)."""
    taken: set[Path] = set()
    names: list[Path] = []
    for video in videos:
        base = f"{video.stem} with music"
        candidate, n = folder / f"{base}.mp4", 2
        while candidate in taken or candidate.exists():
            candidate, n = folder / f"{base} ({n}).mp4", n + 1
        taken.add(candidate)
        names.append(candidate)
    return names


def plan_soundtracks(videos: Sequence[Path], outs: Sequence[Path]) -> list[SoundtrackJob]:
    """Each video with its file to write and its slice of the music (videos in order)."""
    jobs: list[SoundtrackJob] = []
    at = 0.0
    for video, out in zip(videos, outs, strict=True):
        length = picture_seconds(video)
        jobs.append(SoundtrackJob(video, out, at, length))
        at += length
    return jobs


def replace_soundtracks(jobs: Sequence[SoundtrackJob], music: AudioClip,
                        stop: threading.Event | None = None,
                        on_progress: Callable[[int, SoundtrackJob], object] | None = None,
                        ) -> list[Path]:
    """Write every job's video with its slice of `music`; all files or none. `on_progress`
    hears (index, job) before each video is written (from this thread)."""
    stop = stop or threading.Event()
    stereo = _stereo_at(music, AAC_RATE_HZ)  # once, not once a video
    partials: list[Path] = []
    try:
        for index, job in enumerate(jobs):
            if on_progress is not None:
                on_progress(index, job)
            partial = job.out.with_name(job.out.name + PARTIAL_SUFFIX)
            partials.append(partial)
            _write(job, stereo, partial, stop)
        for partial, job in zip(partials, jobs, strict=True):
            partial.replace(job.out)
    except BaseException:
        for partial in partials:
            partial.unlink(missing_ok=True)
        raise
    return [job.out for job in jobs]


def replace_soundtrack(video: Path, music: AudioClip, out: Path) -> Path:
    """One video with `music` (from its start) as its only sound, written to `out`."""
    [job] = plan_soundtracks([video], [out])
    return replace_soundtracks([job], music)[0]


def _write(job: SoundtrackJob, stereo: np.ndarray, out: Path, stop: threading.Event) -> None:
    import av

    first = round(job.start_s * AAC_RATE_HZ)
    count = max(1, round(job.length_s * AAC_RATE_HZ))
    samples = stereo[first:first + count]
    if len(samples) < count:  # music shorter than the videos: the rest is silence
        samples = np.concatenate([samples, np.zeros((count - len(samples), 2), np.float32)])
    with av.open(str(job.video), "r") as source, av.open(str(out), "w", format="mp4") as sink:
        in_video = source.streams.video[0]
        out_video = sink.add_stream_from_template(in_video)
        out_audio = sink.add_stream("aac", rate=AAC_RATE_HZ)
        out_audio.layout = "stereo"
        written = 0  # samples of sound muxed so far: kept just ahead of the pictures

        def sound_until(end: int) -> None:
            nonlocal written
            while written < min(end, count):
                block = np.ascontiguousarray(samples[written:written + AAC_FRAME].T)
                frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
                frame.sample_rate = AAC_RATE_HZ
                frame.pts = written
                for packet in out_audio.encode(frame):
                    sink.mux(packet)
                written += AAC_FRAME

        for packet in source.demux(in_video):
            if stop.is_set():
                raise ExportStopped("Stopped before the video was written.")
            if packet.dts is None:
                continue
            if packet.pts is not None and packet.time_base is not None:
                sound_until(round(float(packet.pts * packet.time_base) * AAC_RATE_HZ)
                            + AAC_FRAME)
            packet.stream = out_video
            sink.mux(packet)
        sound_until(count)
        for packet in out_audio.encode(None):
            sink.mux(packet)


def _stereo_at(clip: AudioClip, rate: int) -> np.ndarray:
    x = clip.samples.astype(np.float32)
    if x.shape[1] == 1:
        x = np.repeat(x, 2, axis=1)
    x = x[:, :2]
    if clip.sample_rate_hz != rate and len(x):
        positions = np.arange(round(len(x) * rate / clip.sample_rate_hz)) \
            * clip.sample_rate_hz / rate
        x = np.stack([np.interp(positions, np.arange(len(x)), x[:, c]) for c in range(2)],
                     axis=1).astype(np.float32)
    return np.clip(x, -1.0, 1.0)


__all__ = ["ExportStopped", "NoPictures", "SoundtrackJob", "output_names", "picture_seconds",
           "plan_soundtracks", "replace_soundtrack", "replace_soundtracks"]
