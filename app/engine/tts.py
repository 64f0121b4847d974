"""One text-to-speech job rendered the four ways the API offers (no HTTP here).

Everything in this module blocks (synthesis and encoding): the web layer runs it in a
worker thread, and iterates the streaming generators in one too.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.domain.formats import OutputFormat
from app.domain.pronunciation import Rule
from app.engine.cancel import WorkCancelled
from app.engine.encode import StreamEncoder, encode
from app.engine.synth import SpeechParams, SpokenPiece, Synthesizer
from app.engine.voices import EngineVoice


def _never() -> bool:
    return False


def _alignment(pieces: list[SpokenPiece]) -> dict[str, Any]:
    chars: list[str] = []
    starts: list[float] = []
    ends: list[float] = []
    for p in pieces:
        chars.extend(p.text)
        starts.extend(p.char_starts_s)
        ends.extend(p.char_ends_s)
    return {
        "characters": chars,
        "character_start_times_seconds": starts,
        "character_end_times_seconds": ends,
    }


@dataclass(frozen=True, slots=True)
class TtsJob:
    synthesizer: Synthesizer
    voice: EngineVoice
    text: str
    params: SpeechParams
    output_format: OutputFormat
    # Pronunciation rules of the request's dictionaries, in order; the alignment still
    # describes `text` as written.
    rules: tuple[Rule, ...] = field(default=())
    # Handed the whole audio once it is made (the engine's history); None: not kept.
    on_done: Callable[[bytes], None] | None = None

    def _finished(self, audio: bytes) -> None:
        if self.on_done is not None:
            self.on_done(audio)

    def _pieces(self, cancelled: Callable[[], bool] = _never) -> Iterator[SpokenPiece]:
        for piece in self.synthesizer.speak(self.text, self.voice, self.params, self.rules):
            yield piece
            if cancelled():  # checked per sentence: a client that left stops the work
                raise WorkCancelled

    def _whole(self, cancelled: Callable[[], bool] = _never) -> tuple[bytes, list[SpokenPiece]]:
        pieces = list(self._pieces(cancelled))
        samples = (np.concatenate([p.samples for p in pieces]) if pieces
                   else np.zeros(0, dtype=np.int16))
        audio = encode(samples, self.synthesizer.sample_rate_hz, self.output_format)
        self._finished(audio)
        return audio, pieces

    def audio(self, cancelled: Callable[[], bool] = _never) -> bytes:
        """`POST /v1/text-to-speech/{voice_id}`: the whole file."""
        return self._whole(cancelled)[0]

    def audio_with_timestamps(self, cancelled: Callable[[], bool] = _never) -> dict[str, Any]:
        """`.../with-timestamps`: `AudioWithTimestampsResponseModel`."""
        audio, pieces = self._whole(cancelled)
        alignment = _alignment(pieces)
        return {
            "audio_base64": base64.b64encode(audio).decode("ascii"),
            "alignment": alignment,
            # The engine does not normalise text (numbers are read by espeak as written).
            "normalized_alignment": alignment,
        }

    def stream(self) -> Iterator[bytes]:
        """`.../stream`: audio bytes as each sentence is ready."""
        encoder = StreamEncoder(self.output_format, self.synthesizer.sample_rate_hz)
        sent: list[bytes] = []
        for piece in self._pieces():
            data = encoder.feed(piece.samples)
            if data:
                sent.append(data)
                yield data
        tail = encoder.finish()
        if tail:
            sent.append(tail)
            yield tail
        self._finished(b"".join(sent))

    def stream_with_timestamps(self) -> Iterator[bytes]:
        """`.../stream/with-timestamps`: one JSON object per line, audio + alignment.

        A chunk carries the alignment of the sentences spoken since the last chunk, so
        the alignments of all chunks together cover the text exactly once.
        """
        encoder = StreamEncoder(self.output_format, self.synthesizer.sample_rate_hz)
        pending: list[SpokenPiece] = []
        sent: list[bytes] = []

        def chunk(data: bytes) -> bytes:
            sent.append(data)
            alignment = _alignment(pending) if pending else None
            pending.clear()
            body = {
                "audio_base64": base64.b64encode(data).decode("ascii"),
                "alignment": alignment,
                "normalized_alignment": alignment,
            }
            return json.dumps(body, ensure_ascii=False).encode("utf-8") + b"\n"

        for piece in self._pieces():
            pending.append(piece)
            data = encoder.feed(piece.samples)
            if data:
                yield chunk(data)
        tail = encoder.finish()
        if tail or pending:
            yield chunk(tail)
        self._finished(b"".join(sent))
