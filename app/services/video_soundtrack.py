"""A video with a new soundtrack: its pictures copied as they are (no re-encoding), the
music encoded as AAC, cut to the video's length. Blocking: run it off the UI thread."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.audio.clip import AudioClip

AAC_RATE_HZ = 48000


def replace_soundtrack(video: Path, music: AudioClip, out: Path) -> Path:
    """`video`'s pictures with `music` as its only sound, written to `out` (MP4)."""
    import av

    partial = out.with_name(out.name + ".partial")
    with av.open(str(video), "r") as source, av.open(str(partial), "w", format="mp4") as sink:
        if not source.streams.video:
            raise ValueError(f"“{video.name}” has no pictures to put the music under.")
        in_video = source.streams.video[0]
        out_video = sink.add_stream_from_template(in_video)
        out_audio = sink.add_stream("aac", rate=AAC_RATE_HZ)
        out_audio.layout = "stereo"
        end_s = 0.0
        for packet in source.demux(in_video):
            if packet.dts is None:
                continue
            if packet.pts is not None and packet.time_base is not None:
                end_s = max(end_s, float((packet.pts + (packet.duration or 0))
                                         * packet.time_base))
            packet.stream = out_video
            sink.mux(packet)
        samples = _stereo_at(music, AAC_RATE_HZ)[: max(1, round(end_s * AAC_RATE_HZ))]
        frame_size = 1024
        for at in range(0, len(samples), frame_size):
            block = np.ascontiguousarray(samples[at:at + frame_size].T)
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
            frame.sample_rate = AAC_RATE_HZ
            frame.pts = at
            for packet in out_audio.encode(frame):
                sink.mux(packet)
        for packet in out_audio.encode(None):
            sink.mux(packet)
    partial.replace(out)
    return out


def poster_strip(video: Path, count: int = 6, height: int = 72) -> np.ndarray:
    """`count` pictures spread over the video, side by side: RGB (height, width, 3)."""
    import av

    with av.open(str(video), "r") as source:
        if not source.streams.video:
            raise ValueError(f"“{video.name}” has no pictures.")
        frames = [f.to_ndarray(format="rgb24") for f in source.decode(video=0)]
    if not frames:
        raise ValueError(f"“{video.name}” has no pictures.")
    picks = [frames[round(i * (len(frames) - 1) / max(1, count - 1))] for i in range(count)]
    scaled = []
    for picture in picks:
        h, w = picture.shape[:2]
        width = max(1, round(w * height / h))
        rows = (np.arange(height) * h // height)[:, None]
        cols = (np.arange(width) * w // width)[None, :]
        scaled.append(picture[rows, cols])
    return np.ascontiguousarray(np.concatenate(scaled, axis=1))


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


__all__ = ["poster_strip", "replace_soundtrack"]
