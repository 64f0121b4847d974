"""Reading the videos a person chose for music (`POST /v1/music/video-to-music` takes
them whole, as bytes), bounded by what the service accepts: a named pipe among them
waited for ever in a thread nobody can stop (and kept the app from quitting), and a
video of gigabytes was read whole into memory only to be refused."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.library.bounded_read import NotRegularFileError, TooLargeError, read_bounded
from app.services.video_soundtrack import NoPictures

#: The service's limit on all the videos together (openapi: video-to-music, `videos`).
MAX_VIDEOS_BYTES = 200 * 1024 * 1024


def read_videos(videos: Sequence[Path]) -> list[tuple[str, bytes]]:
    """(name, bytes) of each video, in order. Raises NoPictures naming the video that
    cannot be read or that takes them all past 200 MB. Blocking: call it in a thread."""
    read: list[tuple[str, bytes]] = []
    total = 0
    for video in videos:
        try:
            data = read_bounded(video, MAX_VIDEOS_BYTES - total)
        except TooLargeError as exc:
            raise NoPictures(f"“{video.name}” takes the videos past 200 MB, the most the "
                             "service takes for all of them together") from exc
        except NotRegularFileError as exc:
            raise NoPictures(f"{exc}") from exc
        except OSError as exc:
            raise NoPictures(f"“{video.name}” could not be read: "
                             f"{exc.strerror or exc}") from exc
        total += len(data)
        read.append((video.name, data))
    return read


__all__ = ["MAX_VIDEOS_BYTES", "read_videos"]
