"""Text to speech with espeak-ng, one sentence at a time, with character timings.

The text is split at sentence ends (lossless: the pieces join back to the text), each
piece is spoken separately so streaming can send audio as soon as the first sentence is
ready, and each character gets a start and end time. Word events from espeak give the
start of every word; characters in between are spread evenly, and the trailing silence
of a sentence goes to its trailing whitespace.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from app.domain.pronunciation import AliasRule, Rule
from app.domain.text_split import split_for_limit, split_sentences_keep_all
from app.domain.wire import VoiceSettings
from app.engine.espeak import DEFAULT_RATE_WPM, Espeak, Prosody, Synthesis, WordMark
from app.engine.pronounce import rewrite
from app.engine.voices import EngineVoice

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from app.engine.piper_voices import PiperSpeaker

# Longer sentences are cut (at spaces) so streaming still gets going quickly.
MAX_PIECE_CHARS = 400
_SILENCE_LEVEL = 200  # int16 amplitude under which a sample counts as silence


@dataclass(frozen=True, slots=True)
class SpeechParams:
    """What a request asks for, reduced to what the engine can honour."""

    speed: float = 1.0
    stability: float = 0.5
    style: float = 0.0
    seed: int | None = None
    language_code: str | None = None

    @classmethod
    def from_request(cls, settings: VoiceSettings | None, seed: int | None,
                     language_code: str | None) -> SpeechParams:
        s = settings or VoiceSettings()
        return cls(
            speed=1.0 if s.speed is None else float(s.speed),
            stability=0.5 if s.stability is None else float(s.stability),
            style=0.0 if s.style is None else float(s.style),
            seed=seed,
            language_code=language_code,
        )

    def prosody(self) -> Prosody:
        # Less stable = livelier intonation; style adds a little more.
        pitch_range = round(75 - 50 * self.stability + 25 * self.style)
        # A seed nudges the pitch by a small, repeatable amount (-3..+3).
        pitch = 50 if self.seed is None else 50 + (self.seed * 2654435761 % 7) - 3
        return Prosody(rate_wpm=round(DEFAULT_RATE_WPM * self.speed), pitch=pitch,
                       pitch_range=pitch_range)


@dataclass(slots=True)
class SpokenPiece:
    """One synthesised piece of the text."""

    text_start: int  # offset of `text` in the whole request text
    text: str
    samples: np.ndarray  # int16 mono at the synthesiser's rate
    start_s: float  # where this piece starts in the whole audio
    duration_s: float
    char_starts_s: list[float]  # absolute times, one per character of `text`
    char_ends_s: list[float]


def split_pieces(text: str) -> list[tuple[int, str]]:
    """(offset, piece) pairs covering the whole text, in order."""
    pieces: list[tuple[int, str]] = []
    offset = 0
    for sentence in split_sentences_keep_all(text):
        parts = split_for_limit(sentence, MAX_PIECE_CHARS) if len(sentence) > MAX_PIECE_CHARS \
            else [sentence]
        for part in parts:
            pieces.append((offset, part))
            offset += len(part)
    return pieces


def speech_bounds(samples: np.ndarray, rate: int) -> tuple[float, float]:
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > _SILENCE_LEVEL)
    if loud.size == 0:
        return 0.0, 0.0
    return float(loud[0]) / rate, float(loud[-1] + 1) / rate


def align_characters(text: str, words: list[WordMark], duration_s: float,
                     speech_end_s: float) -> tuple[list[float], list[float]]:
    """Start/end times (relative to the piece) for each character of `text`."""
    n = len(text)
    if n == 0:
        return [], []
    content_end = len(text.rstrip())  # characters after this are trailing whitespace
    speech_end_s = min(max(speech_end_s, 0.0), duration_s)
    # Anchors: (character index, time), strictly increasing in index, non-decreasing in time.
    anchors: list[tuple[int, float]] = [(0, 0.0)]
    for w in words:
        index, t = w.text_start, min(w.start_ms / 1000.0, speech_end_s)
        if anchors[-1][0] < index < content_end and t >= anchors[-1][1]:
            anchors.append((index, t))
        elif index == 0 and len(anchors) == 1:
            anchors[0] = (0, t)
    anchors.append((max(content_end, anchors[-1][0] + 1) if content_end else 0, speech_end_s))
    starts = [0.0] * n
    ends = [0.0] * n
    for (a, ta), (b, tb) in itertools.pairwise(anchors):
        count = b - a
        if count <= 0:
            continue
        step = max(tb - ta, 0.0) / count
        for i in range(a, min(b, n)):
            starts[i] = ta + (i - a) * step
            ends[i] = starts[i] + step
    # Trailing whitespace takes the pause after the speech.
    tail = list(range(max(anchors[-1][0], 0), n))
    if tail:
        step = max(duration_s - speech_end_s, 0.0) / len(tail)
        for k, i in enumerate(tail):
            starts[i] = speech_end_s + k * step
            ends[i] = starts[i] + step
    return starts, ends


class Synthesizer:
    def __init__(self, espeak: Espeak) -> None:
        self.espeak = espeak
        self._piper: PiperSpeaker | None = None  # made when a Piper voice first speaks

    def _speak_piece(self, piece: str, voice: EngineVoice, params: SpeechParams,
                     name: str, prosody: Prosody,
                     rules: Sequence[Rule] = ()) -> tuple[np.ndarray, list[WordMark]]:
        """One piece's samples and word marks (pointing into the ORIGINAL piece), from
        espeak or from an installed Piper voice, with the pronunciation rules applied."""
        from app.engine.piper_voices import PiperEngineVoice

        if not isinstance(voice, PiperEngineVoice):
            result = self._say(piece, name, prosody, rules)
            return result.samples, result.words
        from app.engine.piper_voices import PiperSpeaker, borrowed_word_marks

        if self._piper is None:
            self._piper = PiperSpeaker()
        # Piper reads text through its own phonemizer: alias rules apply, phoneme rules
        # (espeak-ng's notation) cannot, and the word is read as written.
        aliases = [rule for rule in rules if isinstance(rule, AliasRule)]
        if len(aliases) < len(rules):
            log.warning("Piper voices cannot use phoneme rules; those words are read as written")
        spoken = rewrite(piece, aliases)
        samples = self._piper.synthesize(voice, spoken.text, params.speed, self.sample_rate_hz)
        start, end = speech_bounds(samples, self.sample_rate_hz)
        marks = borrowed_word_marks(self.espeak, voice, spoken.text, start, end)
        return samples, [WordMark(spoken.to_original(m.text_start), m.text_length, m.start_ms)
                         for m in marks]

    def prepare(self, voice: EngineVoice) -> None:
        """Load an installed Piper voice before a streamed answer starts, so a damaged one
        is refused with a plain message instead of a stream cut after its headers
        (raises VoiceModelMissingError). eSpeak voices need nothing."""
        from app.engine.piper_voices import PiperEngineVoice, PiperSpeaker

        if isinstance(voice, PiperEngineVoice):
            if self._piper is None:
                self._piper = PiperSpeaker()
            self._piper.prepare(voice)

    @property
    def sample_rate_hz(self) -> int:
        return self.espeak.sample_rate_hz

    def espeak_voice_name(self, voice: EngineVoice, language_code: str | None) -> str:
        """The voice's espeak name, switched to another language if the request asks."""
        if language_code:
            code = language_code.strip().lower()
            own = voice.espeak_language.lower()
            if code and code != voice.language and not own.startswith(code):
                other = self.espeak.voice_for_language(code)
                if other:  # unsupported codes are ignored, as the API does
                    return f"{other}+{voice.variant}"
        return voice.espeak_name

    def _say(self, piece: str, name: str, prosody: Prosody,
             rules: Sequence[Rule]) -> Synthesis:
        """One piece, with the pronunciation rules applied; word marks point into the
        ORIGINAL piece, so the alignment still describes the text as written."""
        if not rules:
            return self.espeak.synthesize(piece, name, prosody)
        spoken = rewrite(piece, rules)
        if spoken.skipped:  # said plainly in the engine's log, the word is read as written
            log.warning("espeak-ng cannot say the phoneme rules for %s; read as written",
                        ", ".join(repr(w) for w in spoken.skipped))
        result = self.espeak.synthesize(spoken.text, name, prosody,
                                        phonemes=spoken.uses_phonemes)
        result.words = [WordMark(spoken.to_original(w.text_start), w.text_length, w.start_ms)
                        for w in result.words]
        return result

    def speak(self, text: str, voice: EngineVoice, params: SpeechParams,
              rules: Sequence[Rule] = ()) -> Iterator[SpokenPiece]:
        """Synthesise piece by piece (blocking: call from a worker thread); `rules` are
        pronunciation rules, applied in order (app/engine/pronounce.py)."""
        rate = self.sample_rate_hz
        name = self.espeak_voice_name(voice, params.language_code)
        prosody = params.prosody()
        clock = 0.0
        for offset, piece in split_pieces(text):
            if piece.strip():
                samples, words = self._speak_piece(piece, voice, params, name, prosody,
                                                   rules)
                duration = len(samples) / rate
                _, speech_end = speech_bounds(samples, rate)
                rel_starts, rel_ends = align_characters(piece, words, duration,
                                                        speech_end)
            else:
                samples = np.zeros(0, dtype=np.int16)
                duration = 0.0
                rel_starts = rel_ends = [0.0] * len(piece)
            yield SpokenPiece(
                text_start=offset,
                text=piece,
                samples=samples,
                start_s=clock,
                duration_s=duration,
                char_starts_s=[round(clock + t, 4) for t in rel_starts],
                char_ends_s=[round(clock + t, 4) for t in rel_ends],
            )
            clock += duration
