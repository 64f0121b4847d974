"""Make one take of a script block through the speech service (or several blocks as one
text-to-dialogue request), write its audio file, and describe it as a `Take`.

A block is sent to the with-timestamps endpoint so the take carries word timings. Its
request is linked to its neighbours of the same voice (`stitch_context`). A block longer
than the model's per-request limit is sent in pieces cut at sentence ends, each piece
stitched to the ones before it, and the pieces are joined into one file.

The audio file is written atomically under the script's takes folder before the `Take`
is returned, so a take recorded in the script always has its complete audio.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from app.api.audio_base64 import decode_audio_base64
from app.api.dialogue import DialogueService
from app.api.responses import ResponseInfo
from app.api.speech import SpeechService
from app.audio.clip import AudioClip
from app.audio.decode import decode_bytes
from app.audio.encode import encode_clip
from app.domain.dialogue import (
    DialogueInput,
    DialogueRequest,
    DialogueSettings,
    pieces_by_input,
    words_from_alignment,
)
from app.domain.formats import OutputFormat
from app.domain.script import Script, Take, WordTime
from app.domain.script_edit import new_take_id
from app.domain.script_plan import MAX_CONTEXT_CHARS, MAX_STITCH_IDS, stitch_context
from app.domain.text_split import split_for_limit
from app.domain.wire import (
    PronunciationDictionaryLocator,
    SpeechOptions,
    SpeechRequest,
    VoiceSettings,
)
from app.library.atomic import atomic_write_bytes

DEFAULT_CHAR_LIMIT = 10_000

Fraction = Callable[[float], None]
#: Told each answer's headers (the queue reads the server's concurrency limit from them).
ResponseHook = Callable[[ResponseInfo], None]


class RenderError(Exception):
    """A block cannot be sent as it stands; the message says what to change."""


@dataclass(frozen=True, slots=True)
class _Piece:
    audio: bytes
    request_id: str | None
    cost: int | None
    words: tuple[WordTime, ...] | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _settings(values: dict[str, object]) -> VoiceSettings | None:
    return VoiceSettings.model_validate(values) if values else None


def _locators(script: Script) -> list[PronunciationDictionaryLocator] | None:
    items = [PronunciationDictionaryLocator(pronunciation_dictionary_id=dictionary_id,
                                            version_id=version_id or None)
             for dictionary_id, version_id in script.dictionaries]
    return items or None


class BlockRenderer:
    """Renders blocks of scripts whose takes live in `takes_dir`."""

    def __init__(self, speech: SpeechService, takes_dir: Path, *,
                 char_limit: int = DEFAULT_CHAR_LIMIT, with_timestamps: bool = True,
                 dialogue: DialogueService | None = None) -> None:
        self.speech = speech
        self.dialogue = dialogue
        self.takes_dir = Path(takes_dir)
        self.char_limit = char_limit
        self.with_timestamps = with_timestamps

    # --- one block -------------------------------------------------------------------

    async def render(self, script: Script, block_id: str,
                     on_fraction: Fraction | None = None, *,
                     on_response: ResponseHook | None = None) -> Take:
        """Request a new take of the block, write its file and return it (not yet added to
        the script: the caller records it). `on_response` is told each answer's headers
        as it arrives. Raises RenderError or app.api errors."""
        block = script.block(block_id)
        member = script.cast_for(block.speaker)
        if member is None or not member.voice_id:
            raise RenderError(f"{block.speaker} has no voice yet: choose one in the cast.")
        if block.is_empty:
            raise RenderError("This block has no text to speak.")
        settings = block.effective_settings(member)
        context = stitch_context(script, block_id)
        texts = split_for_limit(block.text, self.char_limit)
        pieces: list[_Piece] = []
        for index, text in enumerate(texts):
            earlier_ids = [p.request_id for p in pieces if p.request_id]
            previous_ids = ([*context.previous_request_ids, *earlier_ids][-MAX_STITCH_IDS:]
                            if index == 0 or earlier_ids else [])
            before = "".join(texts[:index])
            previous_text = (before[-MAX_CONTEXT_CHARS:] if index
                             else context.previous_text)
            last = index == len(texts) - 1
            request = SpeechRequest(
                text=text,
                model_id=script.model_id,
                voice_settings=_settings(settings),
                pronunciation_dictionary_locators=_locators(script),
                previous_request_ids=previous_ids or None,
                next_request_ids=list(context.next_request_ids) or None if last else None,
                previous_text=previous_text or None,
                next_text=(context.next_text if last else texts[index + 1][:MAX_CONTEXT_CHARS])
                or None,
            )
            pieces.append(await self._request(member.voice_id, request, script.output_format,
                                              on_response))
            if on_fraction is not None:
                on_fraction((index + 1) / len(texts))
        fmt = OutputFormat.parse(script.output_format)
        audio, duration_ms, words = await asyncio.to_thread(_join_pieces, pieces, fmt)
        take_id = new_take_id()
        file = f"{block.block_id}/{take_id}.{fmt.file_extension}"
        await asyncio.to_thread(atomic_write_bytes, self.takes_dir / file, audio)
        costs = [p.cost for p in pieces]
        return Take(
            take_id=take_id, file=file, text=block.text, voice_id=member.voice_id,
            model_id=script.model_id, output_format=script.output_format, settings=settings,
            request_id=pieces[-1].request_id,
            piece_request_ids=tuple(p.request_id or "" for p in pieces) if len(pieces) > 1
            else (),
            character_cost=None if all(c is None for c in costs)
            else sum(c or 0 for c in costs),
            created_at=_now(), duration_ms=duration_ms, alignment=words,
            dictionaries=script.dictionaries,
        )

    async def _request(self, voice_id: str, request: SpeechRequest, output_format: str,
                       on_response: ResponseHook | None = None) -> _Piece:
        options = SpeechOptions(output_format=output_format)
        if not self.with_timestamps:
            result = await self.speech.convert(voice_id, request, options)
            if on_response is not None:
                on_response(result.info)
            return _Piece(result.audio, result.info.request_id, result.info.character_cost,
                          None)
        data, info = await self.speech.with_timestamps(voice_id, request, options)
        if on_response is not None:
            on_response(info)
        audio = await decode_audio_base64(data.audio_base64, info.request_id)
        alignment = data.alignment or data.normalized_alignment
        words = words_from_alignment(alignment) if alignment is not None else None
        return _Piece(audio, info.request_id, info.character_cost, words)

    # --- several blocks as one dialogue ----------------------------------------------

    async def render_dialogue(self, script: Script, block_ids: list[str]) -> dict[str, Take]:
        """One text-to-dialogue request for the blocks (in script order); the answer is
        cut at its voice segments into one take per block. Costs go on the first take."""
        if self.dialogue is None:
            raise RenderError("Dialogue is not available with this server.")
        blocks = [script.block(i) for i in block_ids]
        inputs: list[DialogueInput] = []
        for block in blocks:
            voice = script.voice_of(block)
            if voice is None:
                raise RenderError(f"{block.speaker} has no voice yet: choose one in the cast.")
            if block.is_empty:
                raise RenderError("A block in the selection has no text to speak.")
            inputs.append(DialogueInput(text=block.text, voice_id=voice))
        stability = next((s["stability"] for b in blocks
                          if "stability" in (s := b.effective_settings(
                              script.cast_for(b.speaker)))), None)
        request = DialogueRequest(
            inputs=inputs, model_id=script.model_id,
            settings=DialogueSettings(stability=stability) if stability is not None else None,
            pronunciation_dictionary_locators=_locators(script))
        assert self.dialogue is not None
        result, info = await self.dialogue.with_timestamps(request, script.output_format)
        fmt = OutputFormat.parse(script.output_format)
        audio = await decode_audio_base64(result.audio_base64, info.request_id)
        clip = await asyncio.to_thread(decode_bytes, audio, fmt)
        try:
            pieces = pieces_by_input(result, len(blocks))
        except ValueError as exc:
            raise RenderError(f"The server's dialogue answer is damaged ({exc}); nothing "
                              f"was kept.") from exc
        parts: list[AudioClip] = []
        for index, piece in enumerate(pieces):
            start = 0 if index == 0 else piece.start_ms
            end = pieces[index + 1].start_ms if index + 1 < len(pieces) else clip.duration_ms
            parts.append(_cut(clip, start, end))
            if not parts[-1].frames:  # (a line said to start after the audio ends)
                raise RenderError(f"The server's dialogue answer is damaged (line "
                                  f"{index + 1} starts at {piece.start_ms} ms, after its "
                                  f"{clip.duration_ms} ms of audio); nothing was kept.")
        takes: dict[str, Take] = {}
        for index, (block, piece, part) in enumerate(zip(blocks, pieces, parts, strict=True)):
            start = 0 if index == 0 else piece.start_ms
            data = await asyncio.to_thread(encode_clip, part, fmt)
            take_id = new_take_id()
            file = f"{block.block_id}/{take_id}.{fmt.file_extension}"
            await asyncio.to_thread(atomic_write_bytes, self.takes_dir / file, data)
            shift = piece.start_ms - start
            member = script.cast_for(block.speaker)
            takes[block.block_id] = Take(
                take_id=take_id, file=file, text=block.text, voice_id=piece.voice_id,
                model_id=script.model_id, output_format=script.output_format,
                settings=block.effective_settings(member), request_id=info.request_id,
                character_cost=(info.character_cost if index == 0 else 0)
                if info.character_cost is not None else None,
                created_at=_now(), duration_ms=part.duration_ms,
                alignment=tuple(WordTime(w.word, w.start_ms + shift, w.end_ms + shift)
                                for w in piece.words),
                from_dialogue=True, dictionaries=script.dictionaries)
        return takes


def _cut(clip: AudioClip, start_ms: int, end_ms: int) -> AudioClip:
    rate = clip.sample_rate_hz
    lo = max(0, start_ms * rate // 1000)
    hi = max(lo, min(clip.frames, end_ms * rate // 1000))
    return AudioClip(clip.samples[lo:hi], rate)


def _join_pieces(pieces: list[_Piece], fmt: OutputFormat
                 ) -> tuple[bytes, int, tuple[WordTime, ...] | None]:
    """One file from the pieces, its length, and the word timings moved to their place
    in it (blocking: decoding and encoding)."""
    clips = [decode_bytes(p.audio, fmt) for p in pieces]
    if len(pieces) == 1:
        return pieces[0].audio, clips[0].duration_ms, pieces[0].words
    rate = clips[0].sample_rate_hz
    channels = max(c.channels for c in clips)
    joined = np.concatenate([np.repeat(c.samples, channels // c.channels, axis=1)
                             if c.channels != channels else c.samples for c in clips])
    words: list[WordTime] | None = [] if all(p.words is not None for p in pieces) else None
    offset_frames = 0
    for piece, clip in zip(pieces, clips, strict=True):
        if words is not None and piece.words is not None:
            offset = offset_frames * 1000 // rate
            words.extend(WordTime(w.word, w.start_ms + offset, w.end_ms + offset)
                         for w in piece.words)
        offset_frames += clip.frames
    whole = AudioClip(joined, rate)
    return encode_clip(whole, fmt), whole.duration_ms, tuple(words) if words is not None \
        else None
