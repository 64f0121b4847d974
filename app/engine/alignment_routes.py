"""The local engine's forced alignment: `POST /v1/forced-alignment`, answered offline.

A multipart form with `file` (any audio or video the decoders read) and `text`; the
answer is the API's `ForcedAlignmentResponseModel` (words and characters with times in
seconds, a loss per word and overall). PocketSphinx's aligner (app/engine/aligner.py)
runs in a worker thread and stops when the client goes away. Form problems are answered
422 in FastAPI's shape, audio that cannot be decoded or a text without words 400.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect

from app.engine.stt_routes import _error, _watch_disconnect

MAX_TEXT_CHARS = 675_000  # the cloud's documented limit for one alignment text


def _missing(field: str) -> JSONResponse:
    return JSONResponse({"detail": [{"type": "missing", "loc": ["body", field],
                                     "msg": "Field required", "input": None}]},
                        status_code=422)


def _spool(upload: UploadFile, folder: str) -> Path:
    import shutil

    suffix = Path(upload.filename or "").suffix.lower()
    target = Path(folder) / f"upload{suffix if 1 < len(suffix) <= 6 else '.bin'}"
    upload.file.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1 << 20)
    return target


def create_router() -> APIRouter:
    router = APIRouter()

    @router.post("/v1/forced-alignment")
    async def forced_alignment(request: Request) -> Response:
        try:
            form = await request.form(max_files=1, max_fields=10)
        except ClientDisconnect:
            return Response(status_code=499)
        upload = form.get("file")
        text = form.get("text")
        if not isinstance(upload, UploadFile):
            return _missing("file")
        if not isinstance(text, str):
            return _missing("text")
        if len(text) > MAX_TEXT_CHARS:
            return _error(400, "text_too_long",
                          f"The text has {len(text)} characters; at most {MAX_TEXT_CHARS} "
                          "can be aligned at once.")
        cancelled = threading.Event()
        watcher = asyncio.ensure_future(_watch_disconnect(request, cancelled))
        try:
            with tempfile.TemporaryDirectory(prefix="xi-align-") as folder:
                path = await run_in_threadpool(_spool, upload, folder)
                await form.close()

                def work() -> dict[str, Any]:
                    from app.engine.aligner import align_file

                    return align_file(path, text, cancel_check=cancelled.is_set)

                result = await run_in_threadpool(work)
        except Exception as exc:
            return _alignment_error(exc, path.name if "path" in locals() else "",
                                    Path(upload.filename or "").name or "the recording")
        finally:
            cancelled.set()
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        return JSONResponse(result)

    return router


def _alignment_error(exc: Exception, spooled_name: str, sent_name: str) -> Response:
    from app.engine.aligner import AlignmentTextError
    from app.engine.recognizer import RecognitionCancelledError, UnsupportedAudioError

    if isinstance(exc, RecognitionCancelledError):
        return Response(status_code=499)
    if isinstance(exc, UnsupportedAudioError):
        message = str(exc).replace(spooled_name, sent_name) if spooled_name else str(exc)
        return _error(400, "invalid_audio", message)
    if isinstance(exc, AlignmentTextError):
        return _error(400, "invalid_text", str(exc))
    raise exc


__all__ = ["create_router"]
