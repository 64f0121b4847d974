"""The local engine's music endpoints, answered offline with the music sketcher.

    POST /v1/music           audio (+ `song-id`)
    POST /v1/music/stream    audio, chunked (+ `song-id`)
    POST /v1/music/detailed  multipart/mixed: JSON metadata, then the audio (+ `song-id`)
    POST /v1/music/plan      a MusicPrompt (music_v1) or CompositionPlan (music_v2)

Bodies are checked with the spec's limits (shared/api/openapi-subset.json) and the rules
its prose states (prompt xor plan; seed only with a plan; length and instrumental only
with a prompt; sections for music_v1, chunks for music_v2); anything else is answered
422 in FastAPI's shape, as the cloud does. Songs composed with `store_for_inpainting`
are kept (in memory, and in `data_dir` when given), so a later plan can take sections
from them (`source_from`, `AudioRefChunk`): those stretches are copied in, the rest is
rendered anew. Rendering, voicing and encoding run in worker threads.
"""

from __future__ import annotations

import re
import secrets
import string
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from app.domain.formats import MUSIC_FORMATS, OutputFormat
from app.domain.music_plan import Plan, Section, limits_for, plan_from_json, to_wire_plan
from app.domain.music_request import build_detailed_response
from app.engine.encode import StreamEncoder, encode

_ID_ALPHABET = string.ascii_letters + string.digits
_FORMATS = ("auto", *(f.value for f in MUSIC_FORMATS))
# `auto` (the spec): mp3_44100_128 for music_v1, mp3_48000_192 for the v2 models.
_AUTO = {"sections": "mp3_44100_128", "chunks": "mp3_48000_192"}
RENDER_RATE_HZ = 44100
STREAM_BLOCK_S = 0.5
MAX_STORED_SONGS = 32
_SONG_ID = re.compile(r"^[A-Za-z0-9]{1,100}$")

Styles = Annotated[list[str], Field(max_length=50)]
ModelId = Literal["music_v1", "music_v2", "music_v2_5"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TimeRange(_Body):
    start_ms: int
    end_ms: int


class SectionSource(_Body):
    song_id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    range: TimeRange
    negative_ranges: Annotated[list[TimeRange], Field(max_length=10)] = []


class SongSection(_Body):
    section_name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    positive_local_styles: Styles
    negative_local_styles: Styles
    duration_ms: Annotated[int, Field(ge=3000, le=120000)]
    lines: Annotated[list[Annotated[str, StringConstraints(max_length=200)]],
                     Field(max_length=30)]
    source_from: SectionSource | None = None


class MusicPrompt(_Body):
    positive_global_styles: Styles
    negative_global_styles: Styles
    sections: Annotated[list[SongSection], Field(max_length=30)]


class AudioRefChunk(_Body):
    song_id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    range: TimeRange


class GenerationChunk(_Body):
    text: Annotated[str, StringConstraints(max_length=6000)]
    duration_ms: Annotated[int, Field(ge=3000, le=120000)]
    positive_styles: Styles
    negative_styles: Styles = []
    context_adherence: Literal["low", "medium", "high"] = "high"
    conditioning_ref: AudioRefChunk | None = None
    condition_strength: Literal["low", "medium", "high", "xhigh"] | None = None


class CompositionPlan(_Body):
    chunks: Annotated[list[GenerationChunk | AudioRefChunk], Field(max_length=30)]


class MusicBody(_Body):
    prompt: Annotated[str, StringConstraints(max_length=4100)] | None = None
    music_prompt: MusicPrompt | None = None
    composition_plan: MusicPrompt | CompositionPlan | None = None
    music_length_ms: Annotated[int, Field(ge=3000, le=600000)] | None = None
    model_id: ModelId = "music_v1"
    seed: Annotated[int, Field(ge=0, le=2147483647)] | None = None
    force_instrumental: bool = False
    respect_sections_durations: bool = True
    store_for_inpainting: bool = False
    with_timestamps: bool = False
    sign_with_c2pa: bool = False


class PlanBody(_Body):
    prompt: Annotated[str, StringConstraints(max_length=4100)]
    music_length_ms: Annotated[int, Field(ge=3000, le=600000)] | None = None
    source_composition_plan: MusicPrompt | CompositionPlan | None = None
    model_id: ModelId = "music_v1"


def _invalid(field: str, message: str, *loc: str | int) -> RequestValidationError:
    return RequestValidationError([{"type": "value_error", "loc": ("body", field, *loc),
                                    "msg": message, "input": None}])


def _check_format(value: str, model_id: str) -> OutputFormat:
    if value not in _FORMATS:
        expected = ", ".join(f"'{v}'" for v in _FORMATS)
        raise RequestValidationError([{"type": "enum", "loc": ("query", "output_format"),
                                       "msg": f"Input should be {expected}", "input": value}])
    return OutputFormat.parse(_AUTO[limits_for(model_id).shape] if value == "auto" else value)


def _wire(plan: MusicPrompt | CompositionPlan) -> dict[str, Any]:
    return plan.model_dump(mode="json", exclude_none=True)


# --- stored songs (inpainting) -------------------------------------------------------------


class SongStore:
    """Songs kept for later reference, as mono float32 at RENDER_RATE_HZ."""

    def __init__(self, data_dir: Path | None) -> None:
        self.folder = data_dir / "songs" if data_dir is not None else None
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, song_id: str, samples: np.ndarray) -> None:
        with self._lock:
            self._memory[song_id] = samples
            while len(self._memory) > MAX_STORED_SONGS:
                self._memory.popitem(last=False)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{song_id}.npy.partial"
            with open(tmp, "wb") as f:
                np.save(f, samples.astype(np.float32))
            tmp.replace(self.folder / f"{song_id}.npy")
            stored = sorted(self.folder.glob("*.npy"), key=lambda p: p.stat().st_mtime)
            for old in stored[:-MAX_STORED_SONGS * 4]:
                old.unlink(missing_ok=True)

    def get(self, song_id: str) -> np.ndarray | None:
        with self._lock:
            if song_id in self._memory:
                return self._memory[song_id]
        if self.folder is not None and _SONG_ID.match(song_id):
            path = self.folder / f"{song_id}.npy"
            if path.is_file():
                return np.load(path)
        return None


# --- rendering -----------------------------------------------------------------------------

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


class Song:
    """One composition: what to render, and (after `render`) its samples."""

    def __init__(self, plan: Plan, model_id: str, seed: int | None, instrumental: bool,
                 store: SongStore, voice_lines: Callable[[str], tuple[np.ndarray, int]]) -> None:
        self.plan = plan
        self.model_id = model_id
        self.seed = seed
        self.instrumental = instrumental
        self.song_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(20))
        self._store = store
        self._voice_lines = voice_lines

    def render(self) -> np.ndarray:
        """Mono float32 at RENDER_RATE_HZ (blocking)."""
        from app.engine.music_sketch import SketchPlan, SketchSection, render_plan

        sketch = SketchPlan(
            tuple(self.plan.global_positive_styles), tuple(self.plan.global_negative_styles),
            tuple(SketchSection(s.name, s.duration_ms, tuple(s.positive_styles),
                                tuple(s.negative_styles), tuple(s.lines))
                  for s in self.plan.sections))
        stereo = render_plan(sketch, RENDER_RATE_HZ, self.seed, self.instrumental,
                             None if self.instrumental else self._voice_lines)
        audio = np.ascontiguousarray(stereo.mean(axis=1), dtype=np.float32)
        for start_ms, section in zip(self.plan.section_starts_ms(), self.plan.sections,
                                     strict=True):
            if section.source is not None:
                self._paste(audio, start_ms, section.duration_ms, section.source.song_id,
                            section.source.start_ms)
        return audio

    def _paste(self, audio: np.ndarray, at_ms: int, length_ms: int, song_id: str,
               from_ms: int) -> None:
        source = self._store.get(song_id)
        if source is None:
            return
        rate = RENDER_RATE_HZ
        at, begin = round(at_ms * rate / 1000), round(from_ms * rate / 1000)
        n = min(round(length_ms * rate / 1000), len(audio) - at, len(source) - begin)
        if n <= 0:
            return
        piece = source[begin:begin + n].copy()
        fade = min(n // 2, rate // 50)
        if fade:
            ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
            piece[:fade] = piece[:fade] * ramp + audio[at:at + fade] * (1 - ramp)
            end = at + n
            piece[-fade:] = piece[-fade:] * ramp[::-1] + audio[end - fade:end] * ramp
        audio[at:at + n] = piece

    def metadata(self, prompt: str | None, with_timestamps: bool) -> dict[str, Any]:
        styles = self.plan.global_positive_styles
        sung = [line for s in self.plan.sections for line in s.lines] if not \
            self.instrumental else []
        title = next((s.name for s in self.plan.sections if s.lines), None) if sung else None
        if prompt:
            title = " ".join(prompt.split()[:5]).rstrip(",.;:").title()
        return {
            "composition_plan": to_wire_plan(self.plan, self.model_id),
            "song_metadata": {
                "title": title or (styles[0].title() + " sketch" if styles else "Sketch"),
                "description": "An offline sketch made by XI Studio's engine"
                               + (f": {', '.join(styles[:6])}." if styles else "."),
                "genres": list(styles[:3]),
                "languages": ["en"] if sung else [],
                "is_explicit": False,
            },
            "words_timestamps": self._words() if with_timestamps and sung else None,
        }

    def _words(self) -> list[dict[str, Any]]:
        """Each section's words spread over the section (where the sketcher sings them)."""
        words: list[dict[str, Any]] = []
        for start, section in zip(self.plan.section_starts_ms(), self.plan.sections,
                                  strict=True):
            lines = [line for line in section.lines if line.strip()]
            if not lines:
                continue
            slot = section.duration_ms // len(lines)
            for i, line in enumerate(lines):
                tokens = line.split()
                step = max(1, (slot * 3 // 4) // max(1, len(tokens)))
                for k, token in enumerate(tokens):
                    at = start + i * slot + slot // 8 + k * step
                    words.append({"word": token, "start_ms": at, "end_ms": at + step})
        return words


def _encode_blocks(audio: np.ndarray, fmt: OutputFormat) -> Iterator[bytes]:
    encoder = StreamEncoder(fmt, RENDER_RATE_HZ)
    block = int(RENDER_RATE_HZ * STREAM_BLOCK_S)
    for at in range(0, len(audio), block):
        data = encoder.feed(audio[at:at + block])
        if data:
            yield data
    tail = encoder.finish()
    if tail:
        yield tail


# --- the router ----------------------------------------------------------------------------


def create_router(data_dir: Path | None = None, *,
                  voice_lines: VoiceLinesFactory | None = None) -> APIRouter:
    """The music endpoints. `data_dir` keeps stored songs across restarts; `voice_lines`
    makes the callable that voices lyric lines (default: the engine's synthesiser)."""
    store = SongStore(data_dir)
    router = APIRouter()

    def song_for(request: Request, body: MusicBody, output_format: str
                 ) -> tuple[Song, OutputFormat]:
        fmt = _check_format(output_format, body.model_id)
        wire = body.composition_plan or body.music_prompt
        if body.prompt is not None and wire is not None:
            raise _invalid("prompt", "Use either prompt or composition_plan, not both.")
        if body.prompt is None and wire is None:
            raise _invalid("prompt", "Give a prompt or a composition_plan.")
        shape = limits_for(body.model_id).shape
        if wire is not None:
            if body.music_length_ms is not None:
                raise _invalid("music_length_ms", "music_length_ms can only be used with a "
                               "prompt; a plan's length is the sum of its sections.")
            if body.force_instrumental:
                raise _invalid("force_instrumental", "force_instrumental can only be used "
                               "with a prompt.")
            if (shape == "sections") != isinstance(wire, MusicPrompt):
                raise _invalid("composition_plan", "Invalid type of composition_plan: "
                               f"{body.model_id} takes a plan made of {shape}.")
            plan = plan_from_json(_wire(wire))
            for index, section in enumerate(plan.sections):
                if section.source is None:
                    continue
                if not 0 <= section.source.start_ms < section.source.end_ms:
                    raise _invalid("composition_plan", "A range must start at 0 or later and "
                                   "end after it starts.", index, "range")
                if store.get(section.source.song_id) is None:
                    raise _invalid("composition_plan", "No stored song with this id: compose "
                                   "it with store_for_inpainting first.", index, "song_id")
        else:
            if body.seed is not None:
                raise _invalid("seed", "seed cannot be used with a prompt.")
            from app.engine.music_sketch import plan_from_prompt

            sketch = plan_from_prompt(body.prompt or "", body.music_length_ms, body.seed)
            plan = _plan_from_sketch(sketch)
        factory = voice_lines or (lambda: _default_voice_lines(request))
        lines = factory() or (lambda _text: (np.zeros(0, np.float32), RENDER_RATE_HZ))
        return Song(plan, body.model_id, body.seed, body.force_instrumental, store, lines), fmt

    def keep(song: Song, body: MusicBody, audio: np.ndarray) -> None:
        if body.store_for_inpainting:
            store.put(song.song_id, audio)

    def render_and_encode(song: Song, body: MusicBody, fmt: OutputFormat) -> bytes:
        audio = song.render()
        keep(song, body, audio)
        return encode(audio, RENDER_RATE_HZ, fmt)

    @router.post("/v1/music")
    async def compose(request: Request, body: MusicBody, output_format: str = "auto",
                      enable_logging: bool = True) -> Response:
        song, fmt = song_for(request, body, output_format)
        data = await run_in_threadpool(render_and_encode, song, body, fmt)
        return Response(data, media_type=fmt.mime_type, headers={"song-id": song.song_id})

    @router.post("/v1/music/stream")
    async def stream(request: Request, body: MusicBody, output_format: str = "auto",
                     enable_logging: bool = True) -> StreamingResponse:
        song, fmt = song_for(request, body, output_format)

        def chunks() -> Iterator[bytes]:  # Starlette iterates this in a worker thread
            audio = song.render()
            keep(song, body, audio)
            yield from _encode_blocks(audio, fmt)

        return StreamingResponse(chunks(), media_type=fmt.mime_type,
                                 headers={"song-id": song.song_id})

    @router.post("/v1/music/detailed")
    async def detailed(request: Request, body: MusicBody, output_format: str = "auto",
                       enable_logging: bool = True) -> Response:
        song, fmt = song_for(request, body, output_format)
        data = await run_in_threadpool(render_and_encode, song, body, fmt)
        metadata = song.metadata(body.prompt, body.with_timestamps)
        content_type, payload = build_detailed_response(
            metadata, data, boundary=secrets.token_hex(16), audio_content_type=fmt.mime_type,
            filename=f"{song.song_id}.{fmt.file_extension}")
        return Response(payload, media_type=content_type, headers={"song-id": song.song_id})

    @router.post("/v1/music/plan")
    async def compose_plan(body: PlanBody) -> dict[str, Any]:
        from app.engine.music_sketch import plan_from_prompt

        if body.source_composition_plan is not None:
            plan = plan_from_json(_wire(body.source_composition_plan))
            if body.music_length_ms is not None and plan.sections:
                plan = _scaled(plan, body.music_length_ms)
        else:
            plan = _plan_from_sketch(await run_in_threadpool(
                plan_from_prompt, body.prompt, body.music_length_ms, None))
        return to_wire_plan(plan, body.model_id)

    return router


def _plan_from_sketch(sketch: Any) -> Plan:
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

__all__ = ["SongStore", "create_router", "router"]
