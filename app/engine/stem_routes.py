"""The local engine's stem separation: `POST /v1/music/stem-separation`.

multipart/form-data: `file` (the audio), `stem_variation_id` (`two_stems_v1` or
`six_stems_v1`, default six), `sign_with_c2pa` (accepted, ignored offline); query
`output_format` (default mp3_44100_128). Answer: `application/zip` with one file a stem
(`vocals.mp3`, `drums.mp3`, ...), in the requested format, mono at the format's rate.

A sketch this engine composed is separated exactly: it is recognised by its audio and
rendered again in layers (`sketch_registry`), so the stems are its real drums, bass,
piano... For any other audio there is no separation model offline: the stems come from
`app.audio.stem_split` (a harmonic/percussive split by median filtering plus frequency
bands, documented there). Either way the last stem is the mix minus the others, so the
stems always add up to the mix (up to the output format's own rounding). The answer's
`stem-method` header says which it was: `sketch-layers` or `approximate`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import numpy as np
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from app.audio.decode import decode_bytes
from app.audio.errors import AudioDecodeError
from app.audio.stem_split import DEFAULT_VARIATION, STEM_VARIATIONS, split_stems
from app.domain.formats import OutputFormat
from app.engine.cancel import WorkCancelled, run_until_disconnected
from app.engine.encode import encode
from app.engine.sketch_registry import SketchRegistry, stems_from_layers

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
MAX_SECONDS = 12 * 60


def _unprocessable(field: str, message: str) -> HTTPException:
    return HTTPException(422, [{"type": "value_error", "loc": ["body", field], "msg": message,
                                "input": None}])


def _bad_audio(message: str) -> HTTPException:
    return HTTPException(400, {"status": "invalid_audio", "message": message})


def stems_zip(data: bytes, variation: str, fmt: OutputFormat,
              sketches: SketchRegistry | None = None,
              cancelled: Callable[[], bool] = lambda: False) -> tuple[bytes, str]:
    """The zip of stems for the audio file `data` and how they were made (blocking:
    decode, recognise or split, encode). `cancelled()` (the client went away) is checked
    between pieces, and ends the work with `WorkCancelled`: a split nobody waits for
    no longer runs on to the end."""
    try:
        clip = decode_bytes(data, None)
    except AudioDecodeError as exc:
        raise _bad_audio(f"The file is not audio this engine can read: {exc} "
                         "Send an MP3, WAV, FLAC or OGG file.") from exc
    if clip.frames == 0:
        raise _bad_audio("The file holds no audio.")
    if clip.frames > MAX_SECONDS * clip.sample_rate_hz:
        raise _bad_audio(f"The audio is longer than {MAX_SECONDS // 60} minutes.")
    mono = clip.mono().samples[:, 0]
    layers = sketches.exact_layers(mono, clip.sample_rate_hz) if sketches else None
    if layers is not None:
        method = "sketch-layers"
        stems = stems_from_layers(mono, layers, STEM_VARIATIONS[variation])
    else:
        method = "approximate"
        try:
            stems = split_stems(mono, clip.sample_rate_hz, variation, cancelled)
        except InterruptedError as exc:
            raise WorkCancelled("stem separation: the client went away") from exc
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, samples in stems.items():
            if cancelled():
                raise WorkCancelled("stem separation: the client went away")
            archive.writestr(f"{name}.{fmt.file_extension}",
                             encode(np.ascontiguousarray(samples[:, 0]),
                                    clip.sample_rate_hz, fmt))
    return buffer.getvalue(), method


def create_router(sketches: SketchRegistry | None = None) -> APIRouter:
    """`sketches`: the music routes' registry, so their songs separate exactly."""
    router = APIRouter()

    @router.post("/v1/music/stem-separation")
    async def separate(request: Request, output_format: str = "mp3_44100_128",
                       enable_logging: bool = True) -> Response:
        try:
            fmt = OutputFormat.parse(output_format)
        except ValueError as exc:
            raise HTTPException(422, [{"type": "enum", "loc": ["query", "output_format"],
                                       "msg": f"Unknown output format {output_format!r}.",
                                       "input": output_format}]) from exc
        form = await request.form(max_files=1, max_fields=8)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise _unprocessable("file", "Field required: the audio file to separate.")
        variation = form.get("stem_variation_id") or DEFAULT_VARIATION
        if not isinstance(variation, str) or variation not in STEM_VARIATIONS:
            raise _unprocessable("stem_variation_id",
                                 f"Input should be one of {', '.join(STEM_VARIATIONS)}.")
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise _bad_audio("The file is larger than 200 MB.")
        try:
            payload, method = await run_until_disconnected(
                request, lambda cancelled: stems_zip(data, variation, fmt, sketches, cancelled))
        except WorkCancelled:
            return Response(status_code=499)  # the client went away; nobody reads this
        return Response(payload, media_type="application/zip",
                        headers={"Content-Disposition": "attachment; filename=stems.zip",
                                 "stem-method": method})

    return router


__all__ = ["create_router", "stems_zip"]
