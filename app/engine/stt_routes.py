"""The local engine's speech to text: the three transcript endpoints, answered offline.

    POST   /v1/speech-to-text                               multipart, recognised here
    GET    /v1/speech-to-text/transcripts/{transcription_id}
    DELETE /v1/speech-to-text/transcripts/{transcription_id}

The upload is streamed to a temporary file (Starlette spools it to disk past 1 MB, then
it is copied, off the event loop, to a named file the decoders can open); recognition
runs in a worker thread (app/engine/recognizer.py) and stops when the client goes
away. Results are kept under their `transcription_id` in memory and, with a `data_dir`,
as JSON files that survive a restart. Form problems are answered 422 in FastAPI's shape
(as the cloud does); things this engine cannot do (web addresses, webhooks, other
languages) 400 with `{"detail": {"status", "message"}}`.

Every transcript made here carries `xi_studio_engine` (extra keys are allowed by the
spec), so the app can label it a draft: offline recognition is approximate.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect

from app.engine.stt_form import FormProblem, SttRequest, additional_formats, parse_form
from app.library.atomic import atomic_write_text
from app.library.small_json import read_small_json

#: Added to every transcript this engine makes; the app shows such transcripts as drafts.
ENGINE_MARK_KEY = "xi_studio_engine"
ENGINE_MARK = {"name": "XI Studio offline engine", "recognizer": "pocketsphinx",
               "approximate": True}
MEMORY_CACHE_SIZE = 64
_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_DISCONNECT_POLL_S = 0.25

Transcribe = Callable[..., dict[str, Any]]


def _error(status_code: int, status: str, message: str) -> JSONResponse:
    return JSONResponse({"detail": {"status": status, "message": message}},
                        status_code=status_code)


def _not_found() -> JSONResponse:
    return _error(404, "not_found_error", "Transcript not found.")


class TranscriptStore:
    """Transcripts by id: the newest in memory, all of them on disk when there is a folder."""

    def __init__(self, data_dir: Path | None) -> None:
        self.folder = data_dir / "transcripts" if data_dir is not None else None
        self._memory: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def _path(self, transcription_id: str) -> Path | None:
        return None if self.folder is None else self.folder / f"{transcription_id}.json"

    def put(self, transcription_id: str, data: dict[str, Any]) -> None:
        import json

        path = self._path(transcription_id)
        if path is not None:
            atomic_write_text(path, json.dumps(data, ensure_ascii=False))
        with self._lock:
            self._memory[transcription_id] = data
            self._memory.move_to_end(transcription_id)
            limit = MEMORY_CACHE_SIZE if path is not None else MEMORY_CACHE_SIZE * 4
            while len(self._memory) > limit:
                self._memory.popitem(last=False)

    def get(self, transcription_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._memory.get(transcription_id)
        if found is not None:
            return found
        path = self._path(transcription_id)
        if path is None or not path.is_file():
            return None
        try:  # bounded, and "[[[…" nested past Python's limit is a ValueError (was a 500)
            data = read_small_json(path)
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def delete(self, transcription_id: str) -> bool:
        with self._lock:
            found = self._memory.pop(transcription_id, None) is not None
        path = self._path(transcription_id)
        if path is not None and path.is_file():
            path.unlink(missing_ok=True)
            found = True
        return found


def _default_transcribe(path: Path, **kwargs: Any) -> dict[str, Any]:
    from app.engine.recognizer import transcribe_file  # loads numpy/soxr on first use

    return transcribe_file(path, **kwargs)


def _spooled_name(upload: UploadFile, request: SttRequest) -> str:
    return f"upload{_suffix_for(request, upload)}"


def _spool_to_file(upload: UploadFile, folder: str, suffix: str) -> Path:
    """Copy the spooled upload to a named file (decoders open files by name)."""
    target = Path(folder) / f"upload{suffix}"
    upload.file.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1 << 20)
    return target


def _suffix_for(request: SttRequest, upload: UploadFile) -> str:
    if request.file_format == "pcm_s16le_16":
        return "_pcm_16000.pcm"  # decode.py reads the rate from the name
    suffix = Path(upload.filename or "").suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".bin"


def _combine_channels(result: dict[str, Any]) -> dict[str, Any]:
    """`multichannel_output_style=combined`: one transcript, all channels by time."""
    chunks = result.get("transcripts") or []
    words = [w for chunk in chunks for w in chunk.get("words", [])]
    words.sort(key=lambda w: (w.get("start") or 0.0, w.get("channel_index") or 0))
    first = chunks[0] if chunks else {}
    return {
        "language_code": first.get("language_code", "en"),
        "language_probability": first.get("language_probability", 1.0),
        "text": " ".join(c.get("text", "") for c in chunks if c.get("text")),
        "words": words,
        "transcription_id": result.get("transcription_id"),
        "audio_duration_secs": result.get("audio_duration_secs"),
    }


def _finish(result: dict[str, Any], request: SttRequest) -> dict[str, Any]:
    if "transcripts" in result and request.multichannel_output_style == "combined":
        result = _combine_channels(result)
    if request.additional_formats:
        formats = additional_formats(result, request.additional_formats)
        if "transcripts" in result:
            for chunk in result["transcripts"]:
                chunk["additional_formats"] = formats
        else:
            result["additional_formats"] = formats
    # The recogniser may say which model it used (app/engine/whisper_stt.py).
    result[ENGINE_MARK_KEY] = {**ENGINE_MARK, **(result.get(ENGINE_MARK_KEY) or {})}
    return result


async def _watch_disconnect(request: Request, cancelled: threading.Event) -> None:
    while not cancelled.is_set():
        if await request.is_disconnected():
            cancelled.set()
            return
        await asyncio.sleep(_DISCONNECT_POLL_S)


def create_router(data_dir: Path | None = None, *,
                  transcribe: Transcribe | None = None) -> APIRouter:
    """The STT endpoints. `data_dir` keeps transcripts across restarts (None: memory only);
    `transcribe(path, **options) -> dict` defaults to the PocketSphinx recogniser."""
    store = TranscriptStore(data_dir)
    recognise = transcribe or _default_transcribe
    router = APIRouter()

    @router.post("/v1/speech-to-text")
    async def speech_to_text(request: Request, enable_logging: bool = True,
                             token: str | None = None) -> Response:
        try:
            form = await request.form(max_files=2, max_fields=2000)
        except ClientDisconnect:
            return Response(status_code=499)  # the upload was cancelled; nobody reads this
        # An installed Whisper model hears other languages too (app/engine/whisper_stt.py).
        multilingual = bool(getattr(recognise, "multilingual", lambda: False)())
        try:
            parsed = parse_form(form, any_language=multilingual)
        except FormProblem as problem:
            return _error(400, problem.status, problem.message)
        upload = form.get("file")
        assert isinstance(upload, UploadFile)  # parse_form checked it
        cancelled = threading.Event()
        watcher = asyncio.ensure_future(_watch_disconnect(request, cancelled))
        try:
            with tempfile.TemporaryDirectory(prefix="xi-stt-") as folder:
                path = await run_in_threadpool(_spool_to_file, upload, folder,
                                               _suffix_for(parsed, upload))
                await form.close()

                def work() -> dict[str, Any]:
                    return recognise(
                        path, multichannel=parsed.use_multi_channel, diarize=parsed.diarize,
                        num_speakers=parsed.num_speakers,
                        timestamps_granularity=parsed.timestamps_granularity,
                        tag_audio_events=parsed.tag_audio_events,
                        cancel_check=cancelled.is_set,
                        **({"language_code": parsed.language_code} if multilingual else {}))

                result = await run_in_threadpool(work)
        except Exception as exc:
            # Messages name the file the user sent, not the engine's temporary copy.
            return _recognition_error(exc, _spooled_name(upload, parsed),
                                      Path(upload.filename or "").name or "the recording")
        finally:
            cancelled.set()
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        result = await run_in_threadpool(_finish, result, parsed)
        if enable_logging:
            transcription_id = str(result.get("transcription_id") or "")
            if _ID.match(transcription_id):
                await run_in_threadpool(store.put, transcription_id, result)
        else:  # zero retention: nothing is kept, so there is no id to fetch it by
            result["transcription_id"] = None
        model = str(result[ENGINE_MARK_KEY].get("model") or "pocketsphinx")
        return JSONResponse(result, headers={"x-xi-engine-model": model})

    @router.get("/v1/speech-to-text/transcripts/{transcription_id}")
    async def get_transcript(transcription_id: str) -> Response:
        if not _ID.match(transcription_id):
            return _not_found()
        data = await run_in_threadpool(store.get, transcription_id)
        return _not_found() if data is None else JSONResponse(data)

    @router.delete("/v1/speech-to-text/transcripts/{transcription_id}")
    async def delete_transcript(transcription_id: str) -> Response:
        if not _ID.match(transcription_id):
            return _not_found()
        found = await run_in_threadpool(store.delete, transcription_id)
        return JSONResponse({}) if found else _not_found()

    return router


def _recognition_error(exc: Exception, spooled_name: str, sent_name: str) -> Response:
    from app.engine.recognizer import RecognitionCancelledError, UnsupportedAudioError

    if isinstance(exc, RecognitionCancelledError):
        return Response(status_code=499)  # the client went away; nobody reads this
    if isinstance(exc, UnsupportedAudioError):
        return _error(400, "invalid_audio", str(exc).replace(spooled_name, sent_name))
    raise exc


__all__ = ["ENGINE_MARK", "ENGINE_MARK_KEY", "TranscriptStore", "create_router"]
