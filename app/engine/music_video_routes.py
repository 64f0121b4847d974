"""The local engine's `POST /v1/music/video-to-music`: music as long as the videos.

multipart/form-data: `videos` (1-10 files, played one after another), `description`,
`tags` (repeated), `model_id`; query `output_format` (default mp3_44100_128). Offline
there is no model that watches the video: the engine reads how long the videos last
(their frames, with PyAV) and sketches instrumental music of that length from the
description and tags, as it does for a prompt. A file without pictures is refused.
The sketch is rendered as a `Song` and its recipe remembered in the music routes' registry,
so stem separation of the video's music returns its real layers (sketch_registry.py).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.domain.formats import OutputFormat
from app.engine.encode import encode
from app.engine.music_planner import plan_from_prompt
from app.engine.music_songs import RENDER_RATE_HZ, Song, SongStore
from app.engine.sketch_registry import Fingerprint, SketchRegistry

MAX_VIDEOS = 10
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_TOTAL_MS = 600_000
MIN_MUSIC_MS = 3_000


def _bad_video(message: str) -> HTTPException:
    return HTTPException(400, {"status": "invalid_video", "message": message})


def video_length_ms(data: bytes, name: str) -> int:
    """How long a video's pictures last; HTTPException 400 when it has none."""
    import av

    try:
        with av.open(io.BytesIO(data), "r") as container:
            if not container.streams.video:
                raise _bad_video(f"“{name}” has no pictures (no video track).")
            stream = container.streams.video[0]
            last_ms, frames = 0.0, 0
            for frame in container.decode(stream):
                frames += 1
                if frame.time is not None:
                    duration = float(frame.duration * frame.time_base) \
                        if frame.duration and frame.time_base else 0.0
                    last_ms = max(last_ms, (frame.time + duration) * 1000)
            if frames == 0:
                raise _bad_video(f"“{name}” has no pictures (its video track is empty).")
            if last_ms <= 0 and stream.average_rate:
                last_ms = frames * 1000 / float(stream.average_rate)
            return round(last_ms)
    except HTTPException:
        raise
    except Exception as exc:  # PyAV's errors: not a video it can read
        raise _bad_video(f"“{name}” is not a video this engine can read.") from exc


def _music(videos: list[tuple[str, bytes]], prompt: str, fmt: OutputFormat,
           sketches: SketchRegistry) -> bytes:
    from app.domain.music_plan import Plan, Section

    total = sum(video_length_ms(data, name) for name, data in videos)
    if total > MAX_TOTAL_MS:
        raise _bad_video("The videos last longer than 10 minutes together.")
    sketch = plan_from_prompt(prompt or "instrumental soundtrack", max(MIN_MUSIC_MS, total),
                              None)
    plan = Plan(list(sketch.global_positive_styles), list(sketch.global_negative_styles),
                [Section(s.name, s.duration_ms, list(s.positive_styles),
                         list(s.negative_styles)) for s in sketch.sections])
    # Instrumental, nothing pasted from kept songs: no voice and no stored songs needed.
    song = Song(plan, "music_v1", None, True, SongStore(None), _no_voice)
    fingerprint = Fingerprint()
    blocks = []
    for block in song.blocks():
        fingerprint.add(block)
        blocks.append(block)
    sketches.add(song, fingerprint)
    mono = np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
    return encode(mono, RENDER_RATE_HZ, fmt)


def _no_voice(_text: str) -> tuple[np.ndarray, int]:
    return np.zeros(0, np.float32), RENDER_RATE_HZ


def create_router(sketches: SketchRegistry | None = None) -> APIRouter:
    """`sketches`: the registry stem separation reads (the engine passes its own)."""
    recipes = sketches if sketches is not None else SketchRegistry()
    router = APIRouter()

    @router.post("/v1/music/video-to-music")
    async def video_to_music(request: Request, output_format: str = "mp3_44100_128"
                             ) -> Response:
        try:
            fmt = OutputFormat.parse(output_format)
        except ValueError as exc:
            raise HTTPException(422, [{"type": "enum", "loc": ["query", "output_format"],
                                       "msg": f"Unknown output format {output_format!r}.",
                                       "input": output_format}]) from exc
        form = await request.form(max_files=MAX_VIDEOS + 1, max_fields=32)
        uploads = [v for v in form.getlist("videos") if isinstance(v, UploadFile)]
        if not 1 <= len(uploads) <= MAX_VIDEOS:
            raise HTTPException(422, [{"type": "value_error", "loc": ["body", "videos"],
                                       "msg": "Send 1 to 10 videos.", "input": None}])
        videos: list[tuple[str, bytes]] = []
        size = 0
        for upload in uploads:
            data = await upload.read(MAX_TOTAL_BYTES + 1 - size)
            size += len(data)
            if size > MAX_TOTAL_BYTES:
                raise _bad_video("The videos are larger than 200 MB together.")
            videos.append((upload.filename or "video", data))
        words: list[Any] = [form.get("description") or "", *form.getlist("tags")]
        prompt = ", ".join(str(w).strip() for w in words if str(w).strip())
        data = await run_in_threadpool(_music, videos, prompt, fmt, recipes)
        return Response(data, media_type=fmt.mime_type)

    return router


__all__ = ["create_router", "video_length_ms"]
