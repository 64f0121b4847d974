"""The local engine's HTTP app: the ElevenLabs API, answered offline.

Endpoints (shapes per shared/api/openapi-subset.json):
  GET  /v1/models                                   one offline model
  GET  /v2/voices, /v1/voices, /v1/voices/{id}       the curated espeak-ng voices
  GET  /v1/voices/settings/default, /v1/voices/{id}/settings
  GET  /v1/user/subscription                         tier "offline", nothing used up
  POST /v1/text-to-speech/{voice_id}[/stream][/with-timestamps]
  GET  /v1/engine/previews/{voice_id}.mp3            voice previews (engine-only)
  POST /v1/speech-to-text, GET/DELETE /v1/speech-to-text/transcripts/{id}
                                                    offline recognition (stt_routes.py)
  POST /v1/music[/stream|/detailed|/detailed/stream], /v1/music/plan  offline music
                                                    sketches (music_routes.py)
  POST /v1/text-to-dialogue[/stream][/with-timestamps]  lines in several voices
                                                    (dialogue_routes.py)
  /v1/pronunciation-dictionaries...                 stored rules, applied to speech
                                                    (dictionary_routes.py)
  /v1/history...                                    the engine's own speech history
                                                    (history_routes.py)

Errors: 422 `{"detail": [...]}` for invalid requests (FastAPI's shape, as the cloud),
other errors `{"detail": {"status": ..., "message": ...}}`. Every response carries a
`request-id`; speech responses also `character-cost: 0`. Synthesis and encoding run in
worker threads, never on the event loop.
"""

from __future__ import annotations

import secrets
import string
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import ConfigDict
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import __version__
from app.domain.formats import TTS_FORMATS, TTS_STREAM_FORMATS, OutputFormat
from app.domain.wire import SpeechRequest
from app.engine import dictionary_routes, history_routes
from app.engine.admission import AdmissionMiddleware, WorkLimiter
from app.engine.alignment_routes import create_router as create_alignment_router
from app.engine.cancel import WorkCancelled, run_until_disconnected
from app.engine.catalog import MAX_TEXT_CHARS, accepts_model, model_json, subscription_json
from app.engine.dialogue_routes import create_router as create_dialogue_router
from app.engine.espeak import Espeak
from app.engine.guard import EngineGuard
from app.engine.music_finetune_routes import create_router as create_finetune_router
from app.engine.music_routes import create_router as create_music_router
from app.engine.music_upload_routes import create_router as create_upload_router
from app.engine.music_video_routes import create_router as create_video_router
from app.engine.piper_voices import VoiceModelMissingError
from app.engine.sketch_registry import SketchRegistry
from app.engine.stem_routes import create_router as create_stem_router
from app.engine.stt_routes import create_router as create_stt_router
from app.engine.synth import SpeechParams, Synthesizer
from app.engine.tts import TtsJob
from app.engine.voices import EngineVoice, VoiceCatalog, VoiceQuery, default_settings
from app.engine.voices_installed import InstalledVoices
from app.engine.whisper_stt import best_transcriber
from app.library.atomic import atomic_write_bytes
from app.library.bounded_read import read_bounded
from app.library.models.store import ModelStore

_ID_ALPHABET = string.ascii_letters + string.digits
_FULL_FORMATS = tuple(f.value for f in TTS_FORMATS)
_STREAM_FORMATS = tuple(f.value for f in TTS_STREAM_FORMATS)
_PREVIEW_FORMAT = OutputFormat.parse("mp3_44100_128")
MAX_PREVIEW_BYTES = 5 * 1024 * 1024  # a preview is a few seconds of MP3 (tens of KB)


def new_request_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(20))


class TtsBody(SpeechRequest):
    """The TTS body. Unlike the client's model, unknown fields are ignored (as the cloud
    does), so newer SDKs sending newer fields (e.g. `audio_effects`) still work."""

    model_config = ConfigDict(extra="ignore")


class ApiError(Exception):
    """An error in the API's object shape: `{"detail": {"status", "message"}}`."""

    def __init__(self, status_code: int, status: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.status = status
        self.message = message


class _RequestIdMiddleware:
    """Gives every request an id (`request.state.request_id`) and a `request-id` header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("request-id", request_id)
            await send(message)

        await self.app(scope, receive, send_with_id)


class Engine:
    """The engine's state: synthesiser, voices, preview cache."""

    def __init__(self, data_dir: Path | None, espeak: Espeak | None = None,
                 catalog: VoiceCatalog | None = None, models: ModelStore | None = None) -> None:
        self.data_dir = data_dir
        self.synthesizer = Synthesizer(espeak or Espeak())
        self.models = models or ModelStore()
        self._installed = InstalledVoices(catalog or VoiceCatalog(), self.models)
        self._previews: dict[str, bytes] = {}
        self._preview_lock = threading.Lock()

    @property
    def catalog(self) -> VoiceCatalog:
        """The espeak voices plus the Piper voices installed right now."""
        return self._installed.catalog()

    def preview(self, voice: EngineVoice) -> bytes:
        """The voice's preview MP3 (made once, kept in memory and in data_dir)."""
        with self._preview_lock:
            cached = self._previews.get(voice.voice_id)
            if cached is not None:
                return cached
            path = None
            if self.data_dir is not None:
                path = self.data_dir / "previews" / f"{voice.voice_id}-{__version__}.mp3"
                try:  # bounded: a file of gigabytes in the cache is not a preview (made
                    # again, over it); a pipe or a folder there is refused, never waited on
                    self._previews[voice.voice_id] = read_bounded(path, MAX_PREVIEW_BYTES)
                    return self._previews[voice.voice_id]
                except OSError:
                    pass
            job = TtsJob(self.synthesizer, voice, voice.preview_text, SpeechParams(),
                         _PREVIEW_FORMAT)
            audio = job.audio()
            if path is not None:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    atomic_write_bytes(path, audio)
                except OSError:
                    pass  # a cache only: serving from memory is fine
            self._previews[voice.voice_id] = audio
            return audio


def _check_format(value: str, allowed: tuple[str, ...]) -> OutputFormat:
    if value not in allowed:
        expected = ", ".join(f"'{v}'" for v in allowed)
        raise RequestValidationError([{
            "type": "enum",
            "loc": ("query", "output_format"),
            "msg": f"Input should be {expected}",
            "input": value,
            "ctx": {"expected": expected},
        }])
    return OutputFormat.parse(value)


def _speech_query(
    output_format: str = "mp3_44100_128",
    enable_logging: bool = True,
    optimize_streaming_latency: Annotated[int | None, Query(ge=0, le=4)] = None,
) -> str:
    """The query every text-to-speech endpoint takes. Logging and latency hints are
    accepted (and checked) as the API does; they change nothing offline."""
    return output_format


SpeechFormat = Annotated[str, Depends(_speech_query)]


def create_app(data_dir: Path | None = None, *, espeak: Espeak | None = None,
               catalog: VoiceCatalog | None = None, token: str | None = None,
               public_url: str | None = None, limiter: WorkLimiter | None = None,
               models: ModelStore | None = None) -> FastAPI:
    """The engine as an ASGI app. `data_dir` keeps caches (previews); None = memory only.
    `token`: the per-launch key the app sends (None: any key, see guard.py);
    `public_url`: the bind address `preview_url`s are built from (never the Host header);
    `limiter`: the bounded work queue (admission.py; default: one slot per CPU core);
    `models` is the folder of installed offline models (default: the user's)."""
    engine = Engine(data_dir, espeak, catalog, models)
    app = FastAPI(
        title="XI Studio engine",
        version=__version__,
        description="An offline server speaking the ElevenLabs HTTP API.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    # The engine's sketches, shared so stem separation returns their real layers.
    sketches = SketchRegistry()
    app.include_router(create_stem_router(sketches))  # stem_routes.py
    app.include_router(create_upload_router(data_dir))  # music_upload_routes.py
    app.include_router(create_finetune_router())  # music_finetune_routes.py
    app.include_router(create_video_router(sketches))  # music_video_routes.py
    app.include_router(create_stt_router(data_dir, transcribe=best_transcriber(engine.models)))
    app.include_router(create_music_router(data_dir, sketches=sketches))
    app.include_router(create_dialogue_router(engine))
    app.include_router(create_alignment_router())
    dictionaries = dictionary_routes.install(app, data_dir)  # pronunciation dictionaries
    history = history_routes.install(app, data_dir)  # the engine's own speech history
    # Outermost first: request id, then the front door (guard.py), then the work queue.
    app.state.limiter = limiter = limiter or WorkLimiter()
    app.add_middleware(AdmissionMiddleware, limiter=limiter)
    app.add_middleware(EngineGuard, token=token)
    app.add_middleware(_RequestIdMiddleware)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": {"status": "internal_error", "message":
                             "The offline engine failed on this request; see its log."}},
                            status_code=500)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"detail": {"status": exc.status, "message": exc.message}},
                            status_code=exc.status_code)

    @app.exception_handler(VoiceModelMissingError)
    async def _voice_files_gone(request: Request, exc: VoiceModelMissingError) -> JSONResponse:
        # An installed voice removed or damaged on disk: as the cloud answers a voice it
        # does not have, with the message saying which voice and how to get it back.
        return JSONResponse({"detail": {"status": "voice_not_found", "message": str(exc)}},
                            status_code=404)

    def voice_or_404(voice_id: str, *, resolve: bool = False) -> EngineVoice:
        voice = engine.catalog.resolve(voice_id) if resolve else engine.catalog.get(voice_id)
        if voice is None:
            from app.engine.piper_voices import voice_not_found_message

            raise ApiError(404, "voice_not_found", voice_not_found_message(voice_id))
        return voice

    def base_url(request: Request) -> str:
        # The guard only lets loopback Host headers in; the bind address wins when known.
        return public_url.rstrip("/") + "/" if public_url else str(request.base_url)

    # --- models, account -------------------------------------------------------------

    @app.get("/v1/models")
    async def get_models() -> list[dict[str, Any]]:
        return [model_json(engine.catalog.languages)]

    @app.get("/v1/user/subscription")
    async def get_subscription() -> dict[str, Any]:
        return subscription_json(len(engine.catalog.voices))

    # --- voices ----------------------------------------------------------------------

    @app.get("/v2/voices")
    async def get_voices_v2(
        request: Request,
        next_page_token: str | None = None,
        page_size: Annotated[int, Query(ge=1, le=100)] = 10,
        search: str | None = None,
        sort: str | None = None,
        sort_direction: str | None = None,
        voice_type: str | None = None,
        category: str | None = None,
        fine_tuning_state: str | None = None,
        collection_id: str | None = None,
        gender: str | None = None,
        age: str | None = None,
        accent: str | None = None,
        language: Annotated[list[str] | None, Query()] = None,
        use_cases: Annotated[list[str] | None, Query()] = None,
        voice_ids: Annotated[list[str] | None, Query(max_length=100)] = None,
        min_notice_period_days: int | None = None,
        include_custom_rates: bool | None = None,
        include_live_moderated: bool | None = None,
        high_quality: bool | None = None,
        include_total_count: bool = True,
    ) -> dict[str, Any]:
        found = engine.catalog.search(VoiceQuery(
            search=search, category=category, voice_type=voice_type, gender=gender,
            age=age, accent=accent, language=language or (), use_cases=use_cases or (),
            voice_ids=voice_ids or (), collection_id=collection_id,
            fine_tuning_state=fine_tuning_state, sort=sort, sort_direction=sort_direction,
        ))
        try:
            start = max(0, int(next_page_token)) if next_page_token else 0
        except ValueError:
            raise RequestValidationError([{
                "type": "value_error", "loc": ("query", "next_page_token"),
                "msg": "Not a page token returned by this server", "input": next_page_token,
            }]) from None
        page = found[start:start + page_size]
        has_more = start + page_size < len(found)
        url = base_url(request)
        return {
            "voices": [v.to_json(url) for v in page],
            "has_more": has_more,
            "total_count": len(found),
            "next_page_token": str(start + page_size) if has_more else None,
        }

    @app.get("/v1/voices")
    async def get_voices(request: Request, show_legacy: bool | None = False) -> dict[str, Any]:
        url = base_url(request)
        return {"voices": [v.to_json(url) for v in engine.catalog.voices]}

    @app.get("/v1/voices/settings/default")
    async def get_default_settings() -> dict[str, Any]:
        return default_settings()

    @app.get("/v1/voices/{voice_id}")
    async def get_voice(request: Request, voice_id: str,
                        with_settings: bool = True) -> dict[str, Any]:
        return voice_or_404(voice_id).to_json(base_url(request))

    @app.get("/v1/voices/{voice_id}/settings")
    async def get_voice_settings(voice_id: str) -> dict[str, Any]:
        voice_or_404(voice_id)
        return default_settings()

    @app.get("/v1/engine/previews/{voice_id}.mp3")
    async def get_preview(voice_id: str) -> Response:
        voice = voice_or_404(voice_id)
        audio = await run_in_threadpool(engine.preview, voice)
        return Response(audio, media_type=_PREVIEW_FORMAT.mime_type,
                        headers={"cache-control": "public, max-age=86400"})

    @app.get("/v1/engine/info")
    async def get_info() -> dict[str, Any]:
        return {"name": "XI Studio engine", "version": __version__, "offline": True,
                "voices": len(engine.catalog.voices)}

    # --- text to speech --------------------------------------------------------------

    def make_job(voice_id: str, body: TtsBody, output_format: str,
                 allowed: tuple[str, ...]) -> TtsJob:
        fmt = _check_format(output_format, allowed)
        voice = voice_or_404(voice_id, resolve=True)
        problem = InstalledVoices.missing_files(voice)
        if problem:
            raise ApiError(404, "voice_not_found", problem)
        if not accepts_model(body.model_id):
            raise ApiError(400, "model_not_found",
                           f"The model {body.model_id} does not exist or cannot do text to "
                           "speech.")
        if len(body.text) > MAX_TEXT_CHARS:
            raise ApiError(400, "max_character_limit_exceeded",
                           f"This request's text has {len(body.text)} characters and exceeds "
                           f"the character limit of {MAX_TEXT_CHARS} characters.")
        if not body.text.strip():
            raise ApiError(400, "empty_text", "There is no text to speak.")
        params = SpeechParams.from_request(body.voice_settings, body.seed, body.language_code)
        rules = dictionary_routes.rules_for(dictionaries, body.pronunciation_dictionary_locators)
        return TtsJob(engine.synthesizer, voice, body.text, params, fmt, rules,
                      history.on_done(voice, body, fmt))

    def speech_headers() -> dict[str, str]:
        return {"character-cost": "0"}

    @app.post("/v1/text-to-speech/{voice_id}")
    async def text_to_speech_full(
        request: Request, voice_id: str, body: TtsBody, output_format: SpeechFormat
    ) -> Response:
        job = make_job(voice_id, body, output_format, _FULL_FORMATS)
        try:
            audio = await run_until_disconnected(request, job.audio)
        except WorkCancelled:
            return Response(status_code=499)  # the client went away; nobody reads this
        return Response(audio, media_type=job.output_format.mime_type,
                        headers=speech_headers())

    @app.post("/v1/text-to-speech/{voice_id}/stream")
    async def text_to_speech_stream(
        voice_id: str, body: TtsBody, output_format: SpeechFormat
    ) -> StreamingResponse:
        job = make_job(voice_id, body, output_format, _STREAM_FORMATS)
        await run_in_threadpool(engine.synthesizer.prepare, job.voice)
        # A plain generator: Starlette iterates it in a worker thread.
        return StreamingResponse(job.stream(), media_type=job.output_format.mime_type,
                                 headers=speech_headers())

    @app.post("/v1/text-to-speech/{voice_id}/with-timestamps")
    async def text_to_speech_with_timestamps(
        request: Request, voice_id: str, body: TtsBody, output_format: SpeechFormat
    ) -> Response:
        job = make_job(voice_id, body, output_format, _FULL_FORMATS)
        try:
            result = await run_until_disconnected(request, job.audio_with_timestamps)
        except WorkCancelled:
            return Response(status_code=499)
        return JSONResponse(result, headers=speech_headers())

    @app.post("/v1/text-to-speech/{voice_id}/stream/with-timestamps")
    async def text_to_speech_stream_with_timestamps(
        voice_id: str, body: TtsBody, output_format: SpeechFormat
    ) -> StreamingResponse:
        job = make_job(voice_id, body, output_format, _STREAM_FORMATS)
        await run_in_threadpool(engine.synthesizer.prepare, job.voice)
        return StreamingResponse(job.stream_with_timestamps(), media_type="application/json",
                                 headers=speech_headers())

    return app


__all__ = ["ApiError", "Engine", "create_app", "new_request_id"]
