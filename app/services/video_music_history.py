"""Music made for a video (`POST /v1/music/video-to-music`) kept in History like any
other generation, and read back to re-open it.

The row is a `music` generation whose settings say `"mode": "video"` with the videos,
the description and the tags it was made from; its extra says the endpoint, the song id
(if the server sent one) and, once exported, the videos written with it
(`exported_videos`, one a chosen video; `exported_video` is the first, as older rows
have it). Blocking (file and database writes): call it in a worker thread.
Nothing is listed unless the audio file was written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.library.history import Generation, HistoryStore, NewGeneration

VIDEO_MODE = "video"
VIDEO_ENDPOINT = "video_to_music"


@dataclass(frozen=True)
class VideoMusic:
    """A video-music row read back."""

    videos: list[Path]
    description: str
    tags: list[str]
    exported_video: Path | None
    exported_videos: list[Path]


def save_video_music(history: HistoryStore, audio: bytes, *, output_format: str,
                     file_extension: str, videos: Sequence[Path], description: str,
                     tags: Sequence[str], model_id: str, duration_ms: int,
                     request_id: str | None, song_id: str | None,
                     session_id: str) -> Generation:
    """Store `audio` and add its History row (raises if anything fails)."""
    writer = history.open_audio_writer(file_extension)
    with writer:
        writer.write(audio)
    path = writer.final_path
    names = ", ".join(p.name for p in videos)
    settings = {"mode": VIDEO_MODE, "model_id": model_id, "output_format": output_format,
                "videos": [str(p) for p in videos], "description": description,
                "tags": list(tags)}
    extra = {"endpoint": VIDEO_ENDPOINT, "song_id": song_id, "exported_video": None}
    text = " · ".join(part for part in (description, ", ".join(tags), names) if part)
    try:
        return history.add(NewGeneration(
            kind="music", title=f"Music for {names}"[:80], text=text, voice_id=None,
            voice_name=None, model_id=model_id, output_format=output_format,
            settings_json=json.dumps(settings, ensure_ascii=False),
            request_ids=[request_id] if request_id else [], character_cost=None,
            duration_ms=duration_ms, file_path=path, session_id=session_id,
            extra_json=json.dumps(extra, ensure_ascii=False)))
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def record_exported_videos(history: HistoryStore, generation: Generation,
                           videos: Sequence[Path]) -> Generation | None:
    """Note in the row that its music was exported as `videos` (the latest export)."""
    extra = _load(generation.extra_json)
    extra["exported_video"] = str(videos[0]) if videos else None
    extra["exported_videos"] = [str(v) for v in videos]
    return history.update_extra(generation.id, json.dumps(extra, ensure_ascii=False))


def video_music(generation: Generation) -> VideoMusic | None:
    """What a video-music row was made from; None for other rows."""
    settings = _load(generation.settings_json)
    if settings.get("mode") != VIDEO_MODE:
        return None
    videos = [Path(v) for v in settings.get("videos") or [] if isinstance(v, str)]
    tags = [t for t in settings.get("tags") or [] if isinstance(t, str)]
    extra = _load(generation.extra_json)
    exported = extra.get("exported_video")
    all_exported = [Path(v) for v in extra.get("exported_videos") or [] if isinstance(v, str)]
    first = Path(exported) if isinstance(exported, str) and exported else None
    return VideoMusic(videos, str(settings.get("description") or ""), tags, first,
                      all_exported or ([first] if first else []))


def _load(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


__all__ = ["VIDEO_MODE", "VideoMusic", "record_exported_videos", "save_video_music",
           "video_music"]
