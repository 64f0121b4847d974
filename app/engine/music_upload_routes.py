"""The local engine's `POST /v1/music/upload`: keep a song of the user's own so later
plans can re-make parts of it (`source_from` its song id), and estimate its plan.

multipart/form-data: `file`, `extract_composition_plan` (false, true = music_v1, or a
model id), `with_timestamps` (accepted; offline there are no word times: null).
Answer: `{"song_id", "composition_plan", "words_timestamps"}`; with a plan, the header
`x-plan-estimated: novelty` says it was estimated from the audio: the sections come
from `app.audio.song_sections` (novelty on a self-similarity matrix), named "Part 1",
"Part 2"..., without styles or lyrics. The song is kept as the music endpoints keep
songs (`SongStore`, in the engine's data folder, so the music endpoints find it).
"""

from __future__ import annotations

import itertools
import secrets
import string
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.audio.decode import decode_bytes
from app.audio.errors import AudioDecodeError
from app.audio.song_sections import section_boundaries_ms
from app.domain.music_plan import MAX_SECTIONS, SECTION_MAX_MS, Plan, Section
from app.domain.music_plan_write import to_wire_plan
from app.engine.encode import resample
from app.engine.music_songs import RENDER_RATE_HZ
from app.engine.song_store_registry import song_store_for

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
MAX_SECONDS = 10 * 60
_ID_ALPHABET = string.ascii_letters + string.digits


def _bad_audio(message: str) -> HTTPException:
    return HTTPException(400, {"status": "invalid_audio", "message": message})


def _plan_model(value: Any) -> str | None:
    """The plan shape asked for: None (no plan), or a music model id."""
    text = str(value).strip().lower() if value is not None else "false"
    if text in ("", "false", "0"):
        return None
    if text in ("true", "1"):
        return "music_v1"  # the spec: `true` means the music_v1 format
    if text in ("music_v1", "music_v2"):
        return text
    raise HTTPException(422, [{"type": "value_error", "loc": ["body",
                                                              "extract_composition_plan"],
                               "msg": "Input should be true, false, music_v1 or music_v2.",
                               "input": value}])


def estimated_plan(mono: np.ndarray, rate: int) -> Plan:
    """Sections where the audio changes; each within the API's 3-120 s."""
    total_ms = len(mono) * 1000 // rate
    bounds = [0, *section_boundaries_ms(mono, rate, max_sections=MAX_SECTIONS), total_ms]
    lengths: list[int] = []
    for start, end in itertools.pairwise(bounds):
        span = end - start
        pieces = max(1, -(-span // SECTION_MAX_MS))  # too long: split evenly
        lengths += [span // pieces + (1 if k < span % pieces else 0) for k in range(pieces)]
    return Plan(sections=[Section(f"Part {i}", ms) for i, ms in enumerate(lengths, 1)])


def create_router(data_dir: Path | None = None) -> APIRouter:
    store = song_store_for(data_dir)  # the music endpoints' own
    router = APIRouter()

    def keep(data: bytes, plan_model: str | None) -> tuple[str, dict[str, Any] | None]:
        try:
            clip = decode_bytes(data, None)
        except AudioDecodeError as exc:
            raise _bad_audio(f"The file is not audio this engine can read: {exc} "
                             "Upload an MP3, WAV, FLAC or OGG file.") from exc
        if clip.frames < clip.sample_rate_hz * 3:
            raise _bad_audio("The song is shorter than 3 seconds.")
        if clip.frames > MAX_SECONDS * clip.sample_rate_hz:
            raise _bad_audio(f"The song is longer than {MAX_SECONDS // 60} minutes.")
        mono = clip.mono().samples[:, 0]
        song_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(20))
        store.put(song_id, resample(mono, clip.sample_rate_hz, RENDER_RATE_HZ)
                  .astype(np.float32))
        if plan_model is None:
            return song_id, None
        return song_id, to_wire_plan(estimated_plan(mono, clip.sample_rate_hz), plan_model)

    @router.post("/v1/music/upload")
    async def upload(request: Request) -> JSONResponse:
        form = await request.form(max_files=1, max_fields=8)
        upload_file = form.get("file")
        if not isinstance(upload_file, UploadFile):
            raise HTTPException(422, [{"type": "missing", "loc": ["body", "file"],
                                       "msg": "Field required", "input": None}])
        plan_model = _plan_model(form.get("extract_composition_plan"))
        data = await upload_file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise _bad_audio("The file is larger than 200 MB.")
        song_id, plan = await run_in_threadpool(keep, data, plan_model)
        headers = {"x-plan-estimated": "novelty"} if plan is not None else {}
        return JSONResponse({"song_id": song_id, "composition_plan": plan,
                             "words_timestamps": None}, headers=headers)

    return router


__all__ = ["create_router", "estimated_plan"]
