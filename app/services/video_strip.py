"""A poster strip of one or more videos played one after another: pictures spread over
them side by side, each video given pictures in proportion to how long it lasts (at least
one), so the strip reads along the same timeline as the music made for them.

Only the chosen pictures are kept (a long video is not held in memory picture by
picture): each is found by seeking near its time and decoding forward. Blocking: run it
off the UI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from app.services.video_soundtrack import NoPictures, picture_seconds


def poster_strip(videos: Sequence[Path], count: int = 6, height: int = 72) -> np.ndarray:
    """About `count` pictures over `videos`, side by side: RGB (height, width, 3).
    Raises NoPictures naming the first video without pictures."""
    lengths = [picture_seconds(v) for v in videos]
    total = sum(lengths) or 1.0
    count = max(count, len(videos))
    pictures: list[np.ndarray] = []
    for video, length in zip(videos, lengths, strict=True):
        share = max(1, round(count * length / total))
        times = [length * (i + 0.5) / share for i in range(share)]
        pictures += _pictures_at(video, times)
    return np.ascontiguousarray(np.concatenate([_scaled(p, height) for p in pictures],
                                               axis=1))


def _pictures_at(video: Path, times: list[float]) -> list[np.ndarray]:
    import av

    found: list[np.ndarray] = []
    with av.open(str(video), "r") as source:
        stream = source.streams.video[0]
        for at in times:
            chosen = None
            try:
                if stream.time_base is not None:
                    source.seek(int(at / stream.time_base), stream=stream, backward=True)
            except av.error.FFmpegError:  # cannot seek: decode from where it is
                pass
            for frame in source.decode(stream):
                chosen = frame  # the latest before `at`, or the first at or after it
                if frame.time is None or frame.time >= at:
                    break
            if chosen is None:
                raise NoPictures(f"“{video.name}” has no pictures.")
            found.append(chosen.to_ndarray(format="rgb24"))
    return found


def _scaled(picture: np.ndarray, height: int) -> np.ndarray:
    h, w = picture.shape[:2]
    width = max(1, round(w * height / h))
    rows = (np.arange(height) * h // height)[:, None]
    cols = (np.arange(width) * w // width)[None, :]
    return np.asarray(picture[rows, cols])


__all__ = ["poster_strip"]
