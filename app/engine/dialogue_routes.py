"""Text to dialogue, offline: each input line spoken in its own voice, one after another.

    POST /v1/text-to-dialogue                        -> audio
    POST /v1/text-to-dialogue/stream                 -> audio, chunked (a line at a time)
    POST /v1/text-to-dialogue/with-timestamps        -> AudioWithTimestampsAndVoiceSegments
    POST /v1/text-to-dialogue/stream/with-timestamps -> one such JSON object per line

The alignment covers the input texts joined with one space between lines (the space
belongs to the pause between the speakers); `voice_segments` say which stretch of audio
and which characters belong to which input (shapes per openapi-subset.json).
Synthesis and encoding run in worker threads.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from app.domain.formats import TTS_FORMATS, TTS_STREAM_FORMATS, OutputFormat
from app.domain.wire import PronunciationDictionaryLocator
from app.engine.catalog import MAX_TEXT_CHARS, accepts_model
from app.engine.encode import StreamEncoder, encode
from app.engine.synth import SpeechParams, Synthesizer
from app.engine.voices import EngineVoice

if TYPE_CHECKING:
    from app.engine.app import Engine

PAUSE_S = 0.25  # silence between two lines
MAX_VOICES = 10
_FULL = tuple(f.value for f in TTS_FORMATS)
_STREAM = tuple(f.value for f in TTS_STREAM_FORMATS)


def _format_query(output_format: str = "mp3_44100_128", enable_logging: bool = True) -> str:
    """The query of every dialogue endpoint (logging changes nothing offline)."""
    return output_format


DialogueFormat = Annotated[str, Depends(_format_query)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str
    voice_id: str


class _Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")
    stability: float | None = Field(default=None, ge=0.0, le=1.0)


class DialogueBody(BaseModel):
    """The body; unknown fields are ignored, as the cloud does (newer SDKs send more)."""

    model_config = ConfigDict(extra="ignore")
    inputs: list[_Input]
    model_id: str | None = None
    language_code: str | None = None
    settings: _Settings | None = None
    pronunciation_dictionary_locators: list[PronunciationDictionaryLocator] | None = None
    seed: int | None = Field(default=None, ge=0, le=4_294_967_295)
    apply_text_normalization: str | None = None


@dataclass(frozen=True, slots=True)
class _Line:
    index: int
    voice: EngineVoice
    text: str
    samples: np.ndarray  # int16, line then pause (the last line has no pause)
    starts: list[float]  # per character, relative to the line's start
    ends: list[float]
    speech_s: float  # the line's length without the pause after it


@dataclass(frozen=True, slots=True)
class DialogueJob:
    synthesizer: Synthesizer
    lines: list[tuple[EngineVoice, str]]
    params: SpeechParams
    output_format: OutputFormat

    def _spoken(self) -> Iterator[_Line]:
        rate = self.synthesizer.sample_rate_hz
        for index, (voice, text) in enumerate(self.lines):
            pieces = list(self.synthesizer.speak(text, voice, self.params))
            samples = (np.concatenate([p.samples for p in pieces]) if pieces
                       else np.zeros(0, np.int16))
            starts = [t for p in pieces for t in p.char_starts_s]
            ends = [t for p in pieces for t in p.char_ends_s]
            speech_s = len(samples) / rate
            if index + 1 < len(self.lines):
                samples = np.concatenate([samples, np.zeros(int(PAUSE_S * rate), np.int16)])
            yield _Line(index, voice, text, samples, starts, ends, speech_s)

    def _timed(self, line: _Line, clock: float, char_offset: int,
               ) -> tuple[dict[str, Any], dict[str, Any], float]:
        """(alignment part, voice segment, line length in s) for a line at `clock`."""
        chars = list(line.text)
        starts = [round(clock + t, 4) for t in line.starts]
        ends = [round(clock + t, 4) for t in line.ends]
        total_s = len(line.samples) / self.synthesizer.sample_rate_hz
        if line.index + 1 < len(self.lines):  # the joining space takes the pause
            chars.append(" ")
            starts.append(round(clock + line.speech_s, 4))
            ends.append(round(clock + total_s, 4))
        segment = {
            "voice_id": line.voice.voice_id,
            "start_time_seconds": round(clock, 4),
            "end_time_seconds": round(clock + line.speech_s, 4),
            "character_start_index": char_offset,
            "character_end_index": char_offset + len(line.text),
            "dialogue_input_index": line.index,
        }
        alignment = {"characters": chars, "character_start_times_seconds": starts,
                     "character_end_times_seconds": ends}
        return alignment, segment, total_s

    def audio(self) -> bytes:
        lines = list(self._spoken())
        samples = np.concatenate([x.samples for x in lines]) if lines else np.zeros(0, np.int16)
        return encode(samples, self.synthesizer.sample_rate_hz, self.output_format)

    def audio_with_timestamps(self) -> dict[str, Any]:
        lines = list(self._spoken())
        chars: list[str] = []
        starts: list[float] = []
        ends: list[float] = []
        segments: list[dict[str, Any]] = []
        clock = 0.0
        for line in lines:
            part, segment, length = self._timed(line, clock, len(chars))
            chars += part["characters"]
            starts += part["character_start_times_seconds"]
            ends += part["character_end_times_seconds"]
            segments.append(segment)
            clock += length
        samples = np.concatenate([x.samples for x in lines]) if lines else np.zeros(0, np.int16)
        audio = encode(samples, self.synthesizer.sample_rate_hz, self.output_format)
        alignment = {"characters": chars, "character_start_times_seconds": starts,
                     "character_end_times_seconds": ends}
        return {"audio_base64": base64.b64encode(audio).decode("ascii"),
                "alignment": alignment, "normalized_alignment": alignment,
                "voice_segments": segments}

    def stream(self) -> Iterator[bytes]:
        encoder = StreamEncoder(self.output_format, self.synthesizer.sample_rate_hz)
        for line in self._spoken():
            data = encoder.feed(line.samples)
            if data:
                yield data
        tail = encoder.finish()
        if tail:
            yield tail

    def stream_with_timestamps(self) -> Iterator[bytes]:
        """One JSON line per dialogue line (the encoder's tail goes with the last)."""
        encoder = StreamEncoder(self.output_format, self.synthesizer.sample_rate_hz)
        clock = 0.0
        offset = 0
        lines = list(self.lines)
        for line in self._spoken():
            part, segment, length = self._timed(line, clock, offset)
            data = encoder.feed(line.samples)
            if line.index + 1 == len(lines):
                data += encoder.finish()
            clock += length
            offset += len(part["characters"])
            body = {"audio_base64": base64.b64encode(data).decode("ascii"),
                    "alignment": part, "normalized_alignment": part,
                    "voice_segments": [segment]}
            yield json.dumps(body, ensure_ascii=False).encode("utf-8") + b"\n"


def create_router(engine: Engine) -> APIRouter:
    from app.engine.app import ApiError, _check_format

    router = APIRouter()

    def make_job(body: DialogueBody, output_format: str,
                 allowed: tuple[str, ...]) -> DialogueJob:
        fmt = _check_format(output_format, allowed)
        if not body.inputs:
            raise ApiError(400, "empty_inputs", "A dialogue needs at least one line.")
        if len({i.voice_id for i in body.inputs}) > MAX_VOICES:
            raise ApiError(400, "too_many_voices",
                           f"A dialogue can use at most {MAX_VOICES} different voices.")
        if not accepts_model(body.model_id):
            raise ApiError(400, "model_not_found",
                           f"The model {body.model_id} does not exist or cannot do text to "
                           "speech.")
        total = sum(len(i.text) for i in body.inputs)
        if total > MAX_TEXT_CHARS:
            raise ApiError(400, "max_character_limit_exceeded",
                           f"This request's text has {total} characters and exceeds the "
                           f"character limit of {MAX_TEXT_CHARS} characters.")
        lines: list[tuple[EngineVoice, str]] = []
        for number, item in enumerate(body.inputs, start=1):
            voice = engine.catalog.resolve(item.voice_id)
            if voice is None:
                from app.engine.piper_voices import voice_not_found_message

                raise ApiError(404, "voice_not_found",
                               voice_not_found_message(item.voice_id))
            if not item.text.strip():
                raise ApiError(400, "empty_text", f"Line {number} has no text to speak.")
            lines.append((voice, item.text))
        stability = body.settings.stability if body.settings is not None else None
        params = SpeechParams(stability=0.5 if stability is None else stability,
                              seed=body.seed, language_code=body.language_code)
        return DialogueJob(engine.synthesizer, lines, params, fmt)

    headers = {"character-cost": "0"}

    @router.post("/v1/text-to-dialogue")
    async def text_to_dialogue(body: DialogueBody, output_format: DialogueFormat) -> Response:
        job = make_job(body, output_format, _FULL)
        audio = await run_in_threadpool(job.audio)
        return Response(audio, media_type=job.output_format.mime_type, headers=headers)

    @router.post("/v1/text-to-dialogue/stream")
    async def text_to_dialogue_stream(body: DialogueBody,
                                      output_format: DialogueFormat) -> StreamingResponse:
        job = make_job(body, output_format, _STREAM)
        for voice in {voice.voice_id: voice for voice, _ in job.lines}.values():
            await run_in_threadpool(engine.synthesizer.prepare, voice)
        return StreamingResponse(job.stream(), media_type=job.output_format.mime_type,
                                 headers=headers)

    @router.post("/v1/text-to-dialogue/with-timestamps")
    async def text_to_dialogue_with_timestamps(body: DialogueBody,
                                               output_format: DialogueFormat) -> JSONResponse:
        job = make_job(body, output_format, _FULL)
        result = await run_in_threadpool(job.audio_with_timestamps)
        return JSONResponse(result, headers=headers)

    @router.post("/v1/text-to-dialogue/stream/with-timestamps")
    async def text_to_dialogue_stream_with_timestamps(
        body: DialogueBody, output_format: DialogueFormat
    ) -> StreamingResponse:
        job = make_job(body, output_format, _STREAM)
        return StreamingResponse(job.stream_with_timestamps(), media_type="application/json",
                                 headers=headers)

    return router
