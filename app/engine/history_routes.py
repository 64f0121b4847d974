"""The engine's speech history, with the API's endpoints (shapes per the spec):

  GET    /v1/history                    pages, newest first; voice/model/search filters
  GET    /v1/history/{id}               one item with its settings
  GET    /v1/history/{id}/audio         its audio as generated
  POST   /v1/history/download           several as a zip (one: the audio itself)
  DELETE /v1/history/{id}

`install(app, data_dir)` adds them and returns a `Recorder`, which text to speech asks
for a callback that stores the finished audio. A request with `enable_logging=false`
(zero-retention mode) is never stored: a small ASGI middleware notes the flag.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.types import ASGIApp, Receive, Scope, Send

from app.domain.formats import OutputFormat
from app.domain.wire import SpeechRequest
from app.engine.history_store import HistoryStore, order_key
from app.engine.voices import EngineVoice

_LOGGING_ENABLED: ContextVar[bool] = ContextVar("xi_engine_logging_enabled", default=True)


class _ZeroRetention:
    """Notes `enable_logging=false` of a text-to-speech request for the recorder."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/text-to-speech/"):
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            _LOGGING_ENABLED.set(query.get("enable_logging", ["true"])[-1] != "false")
        await self.app(scope, receive, send)


class Recorder:
    def __init__(self, store: HistoryStore) -> None:
        self.store = store

    def on_done(self, voice: EngineVoice, body: SpeechRequest,
                fmt: OutputFormat) -> Callable[[bytes], None] | None:
        """What the finished audio of this request is handed to (None: not kept)."""
        if not _LOGGING_ENABLED.get():
            return None
        settings: dict[str, Any] = (body.voice_settings.model_dump(mode="json",
                                                                    exclude_none=True)
                                    if body.voice_settings else {})

        def store(audio: bytes) -> None:
            self.store.add(text=body.text, voice_id=voice.voice_id, voice_name=voice.name,
                           model_id=body.model_id or "eleven_multilingual_v2",
                           settings=settings, fmt=fmt, audio=audio)
        return store


class DownloadBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    history_item_ids: list[str]
    output_format: str | None = None


def _not_found(item_id: str) -> JSONResponse:
    return JSONResponse({"detail": {"status": "history_item_not_found",
                                    "message": f"History item {item_id} was not found."}},
                        status_code=404)


def _router(store: HistoryStore) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/history")
    async def list_history(
        page_size: Annotated[int, Query(ge=1, le=1000)] = 100,
        start_after_history_item_id: str | None = None,
        voice_id: str | None = None,
        model_id: str | None = None,
        date_before_unix: int | None = None,
        date_after_unix: int | None = None,
        sort_direction: str | None = "desc",
        search: str | None = None,
        source: str | None = None,
    ) -> Any:
        items = sorted(store.all(), key=order_key, reverse=sort_direction != "asc")
        if voice_id:
            items = [r for r in items if r["voice_id"] == voice_id]
        if model_id:
            items = [r for r in items if r["model_id"] == model_id]
        if search:
            items = [r for r in items if search.lower() in (r["text"] or "").lower()]
        if date_before_unix is not None:
            items = [r for r in items if r["date_unix"] < date_before_unix]
        if date_after_unix is not None:
            items = [r for r in items if r["date_unix"] > date_after_unix]
        if start_after_history_item_id:
            ids = [r["history_item_id"] for r in items]
            if start_after_history_item_id not in ids:
                return _not_found(start_after_history_item_id)
            items = items[ids.index(start_after_history_item_id) + 1:]
        page = items[:page_size]
        return {"history": [HistoryStore.public(r) for r in page],
                "has_more": len(items) > page_size,
                "last_history_item_id": page[-1]["history_item_id"] if page else None,
                "scanned_until": None}

    @router.post("/v1/history/download")
    async def download(body: DownloadBody) -> Response:
        found = [(i, store.get(i), store.audio(i)) for i in dict.fromkeys(body.history_item_ids)]
        missing = [i for i, record, audio in found if record is None or audio is None]
        if missing or not found:
            return _not_found(missing[0] if missing else "(none)")
        if len(found) == 1:
            _, record, audio = found[0]
            assert record is not None and audio is not None
            return Response(audio, media_type=record["content_type"])
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for item_id, record, audio in found:
                assert record is not None and audio is not None
                archive.writestr(f"{item_id}.{record['extension']}", audio)
        return Response(buffer.getvalue(), media_type="application/zip")

    @router.get("/v1/history/{history_item_id}")
    async def get_item(history_item_id: str) -> Any:
        record = store.get(history_item_id)
        return _not_found(history_item_id) if record is None else HistoryStore.public(record)

    @router.get("/v1/history/{history_item_id}/audio")
    async def get_audio(history_item_id: str) -> Response:
        record, audio = store.get(history_item_id), store.audio(history_item_id)
        if record is None or audio is None:
            return _not_found(history_item_id)
        return Response(audio, media_type=record["content_type"])

    @router.delete("/v1/history/{history_item_id}")
    async def delete_item(history_item_id: str) -> Any:
        return ({"status": "ok"} if store.delete(history_item_id)
                else _not_found(history_item_id))

    return router


def install(app: FastAPI, data_dir: Path | None) -> Recorder:
    store = HistoryStore(data_dir)
    app.include_router(_router(store))
    app.add_middleware(_ZeroRetention)
    return Recorder(store)


__all__ = ["Recorder", "install"]
