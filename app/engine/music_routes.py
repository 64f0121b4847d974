"""The local engine's music endpoints, answered offline with the music sketcher.

    POST /v1/music           audio (+ `song-id`)
    POST /v1/music/stream    audio, chunked (+ `song-id`)
    POST /v1/music/detailed  multipart/mixed: JSON metadata, then the audio (+ `song-id`)
    POST /v1/music/detailed/stream  the same as Server-Sent Events, section times as the
                             song is made (music_detailed_events.py; format documented in
                             app/domain/music_detailed_stream.py)
    POST /v1/music/plan      a MusicPrompt (music_v1) or CompositionPlan (music_v2);
                             with a source plan, reworked by the prompt (music_plan_rework)

The bodies and their rules are in `music_bodies`, the songs and the store that keeps them
for later plans (`source_from`, `AudioRefChunk`) in `music_songs`; this module wires them
to the routes. Rendering, voicing and encoding run in worker threads.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.domain.formats import OutputFormat
from app.domain.music_detailed import build_detailed_response
from app.domain.music_plan import Plan, Section
from app.domain.music_plan_json import plan_from_json
from app.domain.music_plan_rework import rework_plan
from app.domain.music_plan_write import to_wire_plan
from app.engine.cancel import run_until_disconnected
from app.engine.music_bodies import (
    MusicBody,
    PlanBody,
    body_error,
    check_music_body,
    check_output_format,
    plan_json,
)
from app.engine.music_detailed_events import detailed_events
from app.engine.music_planner import plan_from_prompt
from app.engine.music_sketch_plan import SketchPlan
from app.engine.music_song_errors import song_not_found
from app.engine.music_songs import RENDER_RATE_HZ, Song, SongKeeper, encode_blocks
from app.engine.music_stream_render import RenderCancelled
from app.engine.sketch_registry import Fingerprint, SketchRegistry
from app.engine.song_store_registry import song_store_for

VoiceLinesFactory = Callable[[], Callable[[str], tuple[np.ndarray, int]] | None]


def _default_voice_lines(request: Request) -> Callable[[str], tuple[np.ndarray, int]]:
    """Lyric lines spoken by the engine's own synthesiser (the first engine voice)."""
    engine = getattr(request.app.state, "engine", None)
    if engine is not None:
        synthesizer, voice = engine.synthesizer, engine.catalog.voices[0]
    else:
        from app.engine.espeak import Espeak
        from app.engine.synth import Synthesizer
        from app.engine.voices import ENGINE_VOICES

        synthesizer, voice = Synthesizer(Espeak()), ENGINE_VOICES[0]
    from app.engine.synth import SpeechParams

    def speak(text: str) -> tuple[np.ndarray, int]:
        pieces = list(synthesizer.speak(text, voice, SpeechParams(stability=0.2, style=0.6)))
        samples = np.concatenate([p.samples for p in pieces]) if pieces else np.zeros(0)
        return samples.astype(np.float32) / np.float32(32768.0), synthesizer.sample_rate_hz

    return speak


# --- the router ----------------------------------------------------------------------------


def create_router(data_dir: Path | None = None, *,
                  voice_lines: VoiceLinesFactory | None = None,
                  sketches: SketchRegistry | None = None) -> APIRouter:
    """The music endpoints. `data_dir` keeps stored songs across restarts; `voice_lines`
    makes the callable that voices lyric lines (default: the engine's synthesiser);
    `sketches` remembers each finished song's recipe (shared with stem separation)."""
    store = song_store_for(data_dir)  # shared with /v1/music/upload
    recipes = sketches if sketches is not None else SketchRegistry()
    router = APIRouter()

    def song_for(request: Request, body: MusicBody, output_format: str
                 ) -> tuple[Song, OutputFormat]:
        fmt = check_output_format(output_format, body.model_id)
        wire = check_music_body(body)
        if wire is not None:
            plan = plan_from_json(plan_json(wire))
            # These two need the stored songs, so they are checked here, not with the body.
            for index, section in enumerate(plan.sections):
                if section.source is not None and \
                        not 0 <= section.source.start_ms < section.source.end_ms:
                    raise body_error("composition_plan", "A range must start at 0 or later "
                                     "and end after it starts.", index, "range")
                for ref in (section.source, section.conditioning):
                    if ref is not None and store.get(ref.song_id) is None:
                        raise song_not_found(ref.song_id)
        else:
            sketch = plan_from_prompt(body.prompt or "", body.music_length_ms, body.seed)
            plan = _plan_from_sketch(sketch)
        factory = voice_lines or (lambda: _default_voice_lines(request))
        lines = factory() or (lambda _text: (np.zeros(0, np.float32), RENDER_RATE_HZ))
        return Song(plan, body.model_id, body.seed, body.force_instrumental, store, lines), fmt

    def render_and_encode(song: Song, body: MusicBody, fmt: OutputFormat,
                          cancelled: Callable[[], bool]) -> bytes:
        return b"".join(encoded(song, body, fmt, cancelled))

    def kept_blocks(song: Song, body: MusicBody, cancelled: Callable[[], bool]
                    ) -> Iterator[np.ndarray]:
        """The song's blocks; once it is complete, kept for inpainting (if asked) and
        its recipe remembered (for exact stems)."""
        keeper = SongKeeper(round(song.plan.total_ms * RENDER_RATE_HZ / 1000)) \
            if body.store_for_inpainting else None
        fingerprint = Fingerprint()
        for block in song.blocks(cancelled):
            if keeper is not None:
                keeper.add(block)
            fingerprint.add(block)
            yield block
        if keeper is not None:
            store.put(song.song_id, keeper.samples)
        recipes.add(song, fingerprint)

    def encoded(song: Song, body: MusicBody, fmt: OutputFormat,
                cancelled: Callable[[], bool]) -> Iterator[bytes]:
        """The song encoded section by section."""
        yield from encode_blocks(kept_blocks(song, body, cancelled), fmt)

    async def whole(request: Request, song: Song, body: MusicBody, fmt: OutputFormat
                    ) -> bytes | None:
        """The encoded song, or None when the client left (the rendering stopped)."""
        try:
            return await run_until_disconnected(
                request, lambda cancelled: render_and_encode(song, body, fmt, cancelled))
        except RenderCancelled:
            return None

    @router.post("/v1/music")
    async def compose(request: Request, body: MusicBody, output_format: str = "auto",
                      enable_logging: bool = True) -> Response:
        song, fmt = song_for(request, body, output_format)
        data = await whole(request, song, body, fmt)
        if data is None:
            return Response(status_code=499)  # the client went away; nobody reads this
        return Response(data, media_type=fmt.mime_type, headers={"song-id": song.song_id})

    @router.post("/v1/music/stream")
    async def stream(request: Request, body: MusicBody, output_format: str = "auto",
                     enable_logging: bool = True) -> StreamingResponse:
        song, fmt = song_for(request, body, output_format)
        # A plain generator: Starlette iterates it in a worker thread and stops at the
        # first chunk it cannot send, so a client that leaves stops the rendering.
        return StreamingResponse(encoded(song, body, fmt, lambda: False),
                                 media_type=fmt.mime_type, headers={"song-id": song.song_id})

    @router.post("/v1/music/detailed")
    async def detailed(request: Request, body: MusicBody, output_format: str = "auto",
                       enable_logging: bool = True) -> Response:
        song, fmt = song_for(request, body, output_format)
        data = await whole(request, song, body, fmt)
        if data is None:
            return Response(status_code=499)
        metadata = song.metadata(body.prompt, body.with_timestamps)
        content_type, payload = build_detailed_response(
            metadata, data, boundary=secrets.token_hex(16), audio_content_type=fmt.mime_type,
            filename=f"{song.song_id}.{fmt.file_extension}")
        return Response(payload, media_type=content_type, headers={"song-id": song.song_id})

    @router.post("/v1/music/detailed/stream")
    async def detailed_stream(request: Request, body: MusicBody, output_format: str = "auto",
                              enable_logging: bool = True) -> StreamingResponse:
        song, fmt = song_for(request, body, output_format)
        metadata = song.metadata(body.prompt, body.with_timestamps)
        # Server-Sent Events (music_detailed_events.py); a plain generator, as /stream.
        events = detailed_events(song, metadata, fmt, kept_blocks(song, body, lambda: False))
        return StreamingResponse(events, media_type="text/event-stream",
                                 headers={"song-id": song.song_id, "cache-control": "no-cache"})

    @router.post("/v1/music/plan")
    async def compose_plan(body: PlanBody) -> dict[str, Any]:
        if body.source_composition_plan is not None:
            plan = plan_from_json(plan_json(body.source_composition_plan))
            plan = rework_plan(plan, body.prompt)  # the instruction, offline (its rules)
            if body.music_length_ms is not None and plan.sections:
                plan = _scaled(plan, body.music_length_ms)
        else:
            plan = _plan_from_sketch(await run_in_threadpool(
                plan_from_prompt, body.prompt, body.music_length_ms, None))
        return to_wire_plan(plan, body.model_id)

    return router


def _plan_from_sketch(sketch: SketchPlan) -> Plan:
    """A plan the prompt planner wrote, as the domain's `Plan` the songs and replies use."""
    return Plan(list(sketch.global_positive_styles), list(sketch.global_negative_styles),
                [Section(s.name, s.duration_ms, list(s.positive_styles),
                         list(s.negative_styles), list(s.lines)) for s in sketch.sections])


def _scaled(plan: Plan, total_ms: int) -> Plan:
    """The plan stretched to `total_ms`, each section kept within 3-120 s."""
    result = plan.copy()
    factor = total_ms / max(1, plan.total_ms)
    for section in result.sections:
        section.duration_ms = min(120_000, max(3_000, round(section.duration_ms * factor)))
    return result


router = create_router()
"""Ready to include: `app.include_router(router)` (songs kept in memory only)."""

__all__ = ["create_router", "router"]
