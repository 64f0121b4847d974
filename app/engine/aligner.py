"""Offline forced alignment: exact word times for a known text (PocketSphinx's aligner).

PocketSphinx 5 builds a left-to-right grammar of the text's words (`set_align_text`),
with optional silence between them, and finds the best path through the audio: each
word's first and last 10 ms frame. Much more accurate than recognising the words
(measured on espeak-ng speech: every word within ~60 ms, at ~25x real time on one core).

Words the dictionary does not know get a pronunciation made up here (a known stem plus
its ending, a number as it is read out, or letter by letter): close enough for the
aligner to find where the word is. When the aligner cannot get through the whole text
(fast speech: sounds shorter than the model's 30 ms minimum, as with espeak's male
voices), the same audio is tried again heard 1.25x and 1.5x slower (Rubber Band, pitch
kept; the times scaled back). If that fails too, the words it did place are kept, the
word it stuck on is timed between its neighbours, and the rest of the text is aligned
on the rest of the audio; so there is always an answer and every input word is in it,
in order.

`align_file` turns the result into the API's `ForcedAlignmentResponseModel`.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from app.engine.recognizer import (
    FRAME_MS,
    RECOGNITION_RATE_HZ,
    RecognitionCancelledError,
    load_audio_for_recognition,
    to_recognition_pcm,
)

_PAD_SAMPLES = RECOGNITION_RATE_HZ * 3 // 10  # 300 ms of silence either side
_BLOCK_SAMPLES = RECOGNITION_RATE_HZ  # fed 1 s at a time, checking for cancel between
# Noise removal smears the synthetic silence between sentences into the speech and the
# aligner then fails to place whole phrases; without it every test voice aligns better.
ALIGNER_OPTIONS: dict[str, Any] = {"lm": None, "remove_noise": False}
_NOT_WORDS = {"<s>", "</s>", "<sil>"}
UNPLACED_LOSS = 1.0  # a word the aligner could not place: its time is an estimate
SLOWER_RETRIES = (1.25, 1.5)  # when a pass stops early: the same audio, heard slower

_LETTER_PHONES = {
    "a": "AE", "b": "B", "c": "K", "d": "D", "e": "EH", "f": "F", "g": "G", "h": "HH",
    "i": "IH", "j": "JH", "k": "K", "l": "L", "m": "M", "n": "N", "o": "AA", "p": "P",
    "q": "K", "r": "R", "s": "S", "t": "T", "u": "AH", "v": "V", "w": "W", "x": "K S",
    "y": "Y", "z": "Z",
}
_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
          "seventeen", "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))


def number_words(n: int) -> list[str]:
    """A whole number as it is read out ("2026" -> two thousand twenty six)."""
    if n < 10:
        return [_DIGIT_WORDS[n]]
    if n < 20:
        return [_TEENS[n - 10]]
    if n < 100:
        return [_TENS[n // 10]] + ([_DIGIT_WORDS[n % 10]] if n % 10 else [])
    for size, name in _SCALES:
        if n >= size:
            rest = n % size
            return [*number_words(n // size), name, *(number_words(rest) if rest else [])]
    return [_DIGIT_WORDS[d] for d in map(int, str(n))]

CancelCheck = Callable[[], bool]


class AlignmentTextError(ValueError):
    """The text holds nothing that can be spoken (no letters or digits)."""


@dataclass(frozen=True, slots=True)
class TextWord:
    text: str  # as written in the text, punctuation included
    key: str  # what the aligner says: lower case letters, digits and apostrophes
    start_char: int  # offset in the text


@dataclass(frozen=True, slots=True)
class AlignedWord:
    text: str
    start_ms: int
    end_ms: int
    loss: float  # 0 = certain, 1 = the aligner could not place it (time estimated)
    start_char: int


def split_words(text: str) -> list[TextWord]:
    """The text's words in order; a token without letters or digits (a dash) is kept
    with an empty key: it has no sound and takes its neighbour's time."""
    words = []
    for match in re.finditer(r"\S+", text):
        key = re.sub(r"[^a-z0-9']", "", match.group().lower()).strip("'")
        words.append(TextWord(match.group(), key, match.start()))
    return words


class Aligner:
    """One PocketSphinx decoder in alignment mode, used by one caller at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._decoder: Any = None

    def _get_decoder(self) -> Any:
        if self._decoder is None:
            from pocketsphinx import Decoder

            self._decoder = Decoder(samprate=RECOGNITION_RATE_HZ, loglevel="FATAL",
                                    **ALIGNER_OPTIONS)
        return self._decoder

    # --- pronunciations -------------------------------------------------------------

    def _phones(self, decoder: Any, key: str) -> str:
        known = decoder.lookup_word(key)
        if known:
            return str(known)
        if key.isdigit():
            said = number_words(int(key)) if len(key) <= 12 and key[0] != "0" else \
                [_DIGIT_WORDS[int(d)] for d in key]
            return " ".join(str(decoder.lookup_word(w)) for w in said)
        for ending, phones in (("'s", "Z"), ("s", "Z"), ("ed", "D"), ("ing", "IH NG"),
                               ("'", "")):
            stem = key[: -len(ending)]
            if key.endswith(ending) and len(stem) >= 2 and decoder.lookup_word(stem):
                return f"{decoder.lookup_word(stem)} {phones}".strip()
        letters: list[str] = []
        for ch in key:
            phone = _LETTER_PHONES.get(ch)
            if phone is None and ch.isdigit():
                phone = str(decoder.lookup_word(_DIGIT_WORDS[int(ch)]))
            if phone and (not letters or letters[-1] != phone):
                letters.append(phone)
        return " ".join(letters) or "AH"

    def _ensure_words(self, decoder: Any, keys: list[str]) -> None:
        for key in set(keys):
            if not decoder.lookup_word(key):
                decoder.add_word(key, self._phones(decoder, key), True)

    # --- alignment ------------------------------------------------------------------

    def _pass(self, decoder: Any, pcm: np.ndarray, keys: list[str],
              cancel_check: CancelCheck | None, slower: float = 1.0,
              ) -> tuple[list[tuple[str, int, int, float]], bool]:
        """One alignment of `keys` over `pcm` (padded): ([(key, start, end ms, prob)],
        whether the whole text was placed). With `slower` > 1 the audio is first played
        that much slower (pitch kept) and the times scaled back."""
        decoder.set_align_text(" ".join(keys))
        audio = pcm
        if slower != 1.0:
            from app.audio.stretch import stretch

            stretched = stretch(pcm.astype(np.float32).reshape(-1, 1) / 32768.0,
                                RECOGNITION_RATE_HZ, 1.0 / slower)[:, 0]
            audio = np.clip(np.rint(stretched * 32767.0), -32768, 32767).astype(np.int16)
        window = np.concatenate([np.zeros(_PAD_SAMPLES, np.int16), audio,
                                 np.zeros(_PAD_SAMPLES, np.int16)])
        decoder.reinit_feat()
        decoder.start_utt()
        try:
            for i in range(0, len(window), _BLOCK_SAMPLES):
                if cancel_check is not None and cancel_check():
                    raise RecognitionCancelledError("alignment was cancelled")
                decoder.process_raw(window[i:i + _BLOCK_SAMPLES].tobytes(), False, False)
        finally:
            decoder.end_utt()
        pad_ms = _PAD_SAMPLES * 1000 // RECOGNITION_RATE_HZ
        length_ms = len(pcm) * 1000 // RECOGNITION_RATE_HZ
        logmath = decoder.get_logmath()
        placed: list[tuple[str, int, int, float]] = []
        for seg in decoder.seg() or []:
            word = str(seg.word)
            if word in _NOT_WORDS or word.startswith("["):
                continue
            if word.endswith(")") and "(" in word:
                word = word[: word.rindex("(")]
            start_at = (int(seg.start_frame) * FRAME_MS - pad_ms) / slower
            end_at = ((int(seg.end_frame) + 1) * FRAME_MS - pad_ms) / slower
            start = min(length_ms, max(0, round(start_at)))
            end = min(length_ms, max(start, round(end_at)))
            prob = float(logmath.exp(int(seg.prob))) if int(seg.prob) < 0 else 1.0
            placed.append((word, start, end, prob))
        whole = [p[0] for p in placed] == keys
        return placed, whole

    def align(self, samples: np.ndarray, sample_rate_hz: int, text: str, *,
              cancel_check: CancelCheck | None = None) -> list[AlignedWord]:
        """Every word of `text`, in order, with its time in ms from the start of the audio."""
        words = split_words(text)
        spoken = [w for w in words if w.key]
        if not spoken:
            raise AlignmentTextError("The text has no words to align: it needs letters or "
                                     "digits.")
        pcm = to_recognition_pcm(samples, sample_rate_hz)
        total_ms = len(pcm) * 1000 // RECOGNITION_RATE_HZ
        keys = [w.key for w in spoken]
        times: list[tuple[int, int, float] | None] = [None] * len(keys)
        with self._lock:
            decoder = self._get_decoder()
            self._ensure_words(decoder, keys)
            first, offset_ms = 0, 0
            while first < len(keys):
                chunk = pcm[offset_ms * RECOGNITION_RATE_HZ // 1000:]
                if len(chunk) < _PAD_SAMPLES // 3:
                    break  # no audio left for the rest: they are estimated below
                placed, whole = self._pass(decoder, chunk, keys[first:], cancel_check)
                for slower in SLOWER_RETRIES:
                    if whole:
                        break
                    # Fast speech has sounds shorter than the model's shortest (30 ms a
                    # sound): heard slower, the whole text usually goes through.
                    again, whole_again = self._pass(decoder, chunk, keys[first:],
                                                    cancel_check, slower)
                    if whole_again or len(again) > len(placed):
                        placed, whole = again, whole_again
                # Keep the words placed in order; when the aligner stopped early its
                # last word is unreliable (it absorbed what it could not match).
                good = 0
                while good < len(placed) and placed[good][0] == keys[first + good]:
                    good += 1
                if not whole:
                    good = max(0, good - 1)
                for i in range(good):
                    _, start, end, prob = placed[i]
                    times[first + i] = (offset_ms + start, offset_ms + end, 1.0 - prob)
                if whole:
                    break
                if good:
                    offset_ms += placed[good - 1][2]
                first += good + 1  # the word it stuck on is estimated below
        return _with_estimates(words, spoken, times, total_ms)


def _with_estimates(words: list[TextWord], spoken: list[TextWord],
                    times: list[tuple[int, int, float] | None], total_ms: int,
                    ) -> list[AlignedWord]:
    """Fill the words the aligner could not place: spread over the time between the
    placed words either side, by length; silent tokens take the previous word's end."""
    filled: list[tuple[int, int, float]] = []
    i = 0
    while i < len(times):
        if times[i] is not None:
            filled.append(times[i])  # type: ignore[arg-type]
            i += 1
            continue
        j = i
        while j < len(times) and times[j] is None:
            j += 1
        lo = filled[-1][1] if filled else 0
        hi = times[j][0] if j < len(times) else total_ms  # type: ignore[index]
        hi = max(lo, hi)
        lengths = [max(1, len(w.key)) for w in spoken[i:j]]
        step = (hi - lo) / sum(lengths)
        at = float(lo)
        for length in lengths:
            filled.append((round(at), round(at + length * step), UNPLACED_LOSS))
            at += length * step
        i = j
    out: list[AlignedWord] = []
    by_char = {w.start_char: t for w, t in zip(spoken, filled, strict=True)}
    last_end = 0
    for w in words:
        start, end, loss = by_char.get(w.start_char, (last_end, last_end, 0.0))
        out.append(AlignedWord(w.text, start, end, round(min(1.0, max(0.0, loss)), 3),
                               w.start_char))
        last_end = end
    return out


@cache
def default_aligner() -> Aligner:
    return Aligner()


def _seconds(ms: float) -> float:
    return round(ms / 1000.0, 3)


def alignment_response(text: str, words: list[AlignedWord]) -> dict[str, Any]:
    """`ForcedAlignmentResponseModel`: words, every character of the text (a word's
    characters share its span evenly; spaces fill the gaps) and the mean loss."""
    chars: list[dict[str, Any]] = [{"text": ch, "start": 0.0, "end": 0.0} for ch in text]
    previous_end = 0
    for w in words:
        for i in range(max(0, _gap_start(text, w.start_char)), w.start_char):
            chars[i].update(start=_seconds(previous_end), end=_seconds(w.start_ms))
        step = (w.end_ms - w.start_ms) / max(1, len(w.text))
        for k in range(len(w.text)):
            chars[w.start_char + k].update(start=_seconds(w.start_ms + k * step),
                                           end=_seconds(w.start_ms + (k + 1) * step))
        previous_end = w.end_ms
    if words:
        tail = words[-1].start_char + len(words[-1].text)
        for i in range(tail, len(text)):
            chars[i].update(start=_seconds(previous_end), end=_seconds(previous_end))
    loss = float(np.mean([w.loss for w in words])) if words else 0.0
    return {
        "characters": chars,
        "words": [{"text": w.text, "start": _seconds(w.start_ms), "end": _seconds(w.end_ms),
                   "loss": w.loss} for w in words],
        "loss": round(loss if math.isfinite(loss) else 1.0, 4),
    }


def _gap_start(text: str, start_char: int) -> int:
    i = start_char
    while i > 0 and text[i - 1].isspace():
        i -= 1
    return i


def align_file(path: str | Path | bytes, text: str, *,
               cancel_check: CancelCheck | None = None,
               aligner: Aligner | None = None) -> dict[str, Any]:
    """Align `text` to the audio file (or its bytes): the API's response dict."""
    samples, rate = load_audio_for_recognition(path)
    words = (aligner or default_aligner()).align(samples, rate, text,
                                                 cancel_check=cancel_check)
    return alignment_response(text, words)


__all__ = ["AlignedWord", "Aligner", "AlignmentTextError", "align_file",
           "alignment_response", "default_aligner", "split_words"]
