"""Offline speech recognition for the local engine, with real word timings.

PocketSphinx 5 (its wheel ships an English acoustic model, dictionary and language
model) decodes 16 kHz mono 16-bit audio; its word segmentation gives each word's first
and last 10 ms frame. Long audio is cut into windows of about 30 s at the quietest
moment near each cut, and each window is one utterance (padded with 300 ms of silence
and normalised on its own), so the decoder's memory stays bounded, the same audio always
gives the same words, progress can be reported and a cancel request is honoured within
half a second of audio. About 9x real time on one core (see DECODER_OPTIONS).

`transcribe_file` turns the words into the ElevenLabs speech-to-text response
(`SpeechToTextChunkResponseModel`, or `MultichannelSpeechToTextResponseModel` when the
caller asks for one transcript per channel), times in seconds.

What the cloud does and this does not: language detection (always English),
punctuation, diarisation (one speaker per channel) and audio events beyond "(noise)".
"""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

RECOGNITION_RATE_HZ = 16000
FRAME_MS = 10  # PocketSphinx frames: 100 per second
_FRAME_SAMPLES = RECOGNITION_RATE_HZ * FRAME_MS // 1000

WINDOW_S = 30.0  # target length of one utterance
_WINDOW_SEARCH_S = 10.0  # look this far back from the target for a quiet place to cut
_WINDOW_SLACK_S = 5.0  # a tail shorter than this joins the last window
_PAD_SAMPLES = RECOGNITION_RATE_HZ * 3 // 10  # 300 ms of silence around each window
_BLOCK_SAMPLES = RECOGNITION_RATE_HZ // 2  # fed to the decoder 0.5 s at a time
_SILENCE_RMS = 60.0  # int16 RMS (about -55 dBFS): a window quieter than this is skipped
_LOGPROB_FLOOR = -20.0

# Tuned for speed on espeak-ng speech (4 voices, 1 min): PocketSphinx's defaults ran at
# 3.9x real time (CPU) with 52 % of the words right; these at ~9x with ~46 %. The cap on
# active HMMs and word exits per frame is what buys the speed (tighter beams cost far
# more accuracy); the second, flat-lexicon pass is left out; the best-path lattice
# stays, for the word posteriors that become `logprob`.
DECODER_OPTIONS: dict[str, Any] = {
    "beam": 1e-48,
    "pbeam": 1e-48,
    "wbeam": 7e-29,
    "maxhmmpf": 2500,
    "maxwpf": 10,
    "fwdflat": False,
    "bestpath": True,
}

# A one-word grammar: decoding with it costs next to nothing, and its pass over a window
# leaves the window's cepstral mean behind (see Recognizer._normalise).
_WARMUP_SEARCH = "_cmn_warmup"
_WARMUP_GRAMMAR = "#JSGF V1.0; grammar warmup; public <any> = hello;"

_SKIPPED_TOKENS = {"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]"}
_NOISE_TOKENS = {"[NOISE]"}
_MIN_EVENT_MS = 300

ProgressCallback = Callable[[float], None]
CancelCheck = Callable[[], bool]


class UnsupportedAudioError(ValueError):
    """The input is not audio that can be decoded; the message says why in plain words."""


class RecognitionCancelledError(Exception):
    """The caller's cancel_check asked recognition to stop."""


@dataclass(frozen=True, slots=True)
class RecognizedWord:
    text: str  # lower case, as the dictionary spells it; "[noise]" for a noise event
    start_ms: int
    end_ms: int
    logprob: float  # natural log of the word's posterior probability, <= 0
    is_event: bool = False


# --- decoding files ----------------------------------------------------------------


def load_audio_for_recognition(path_or_bytes: str | Path | bytes | bytearray | memoryview,
                               ) -> tuple[np.ndarray, int]:
    """Decode any common audio or video file (or its bytes) to float32 (frames, channels).

    soundfile reads WAV/FLAC/Ogg/MP3; PyAV (FFmpeg) reads the rest (M4A/AAC, MP4, WebM...).
    Raises UnsupportedAudioError when the input holds no decodable sound.
    """
    from app.audio.decode import AudioDecodeError, decode_bytes, decode_file

    try:
        if isinstance(path_or_bytes, str | Path):
            clip = decode_file(path_or_bytes)
        else:
            clip = decode_bytes(path_or_bytes, None)
    except AudioDecodeError as exc:
        raise UnsupportedAudioError(str(exc)) from exc
    if clip.frames == 0:
        raise UnsupportedAudioError("The file holds no sound: no samples could be decoded.")
    return clip.samples, clip.sample_rate_hz


def to_recognition_pcm(samples: np.ndarray, sample_rate_hz: int) -> np.ndarray:
    """Mono (or the mean of the channels) resampled to 16 kHz int16, in bounded chunks."""
    import soxr

    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim == 2:
        samples = samples.mean(axis=1, dtype=np.float32) if samples.shape[1] > 1 else samples[:, 0]
    if sample_rate_hz <= 0:
        raise ValueError("the sample rate must be positive")
    chunk = max(1, int(sample_rate_hz) * 10)
    out: list[np.ndarray] = []

    def convert(block: np.ndarray) -> None:
        if block.size:
            out.append(np.clip(np.rint(block * 32767.0), -32768, 32767).astype(np.int16))

    if sample_rate_hz == RECOGNITION_RATE_HZ:
        for i in range(0, len(samples), chunk):
            convert(samples[i:i + chunk])
    else:
        stream = soxr.ResampleStream(sample_rate_hz, RECOGNITION_RATE_HZ, 1, dtype="float32")
        for i in range(0, len(samples), chunk):
            last = i + chunk >= len(samples)
            convert(stream.resample_chunk(np.ascontiguousarray(samples[i:i + chunk]), last=last))
        if not len(samples):
            convert(stream.resample_chunk(np.zeros(0, np.float32), last=True))
    return np.concatenate(out) if out else np.zeros(0, np.int16)


# --- windows -----------------------------------------------------------------------


def _frame_rms(pcm: np.ndarray) -> np.ndarray:
    n = len(pcm) // _FRAME_SAMPLES
    if n == 0:
        return np.zeros(0, np.float32)
    frames = pcm[: n * _FRAME_SAMPLES].astype(np.float32).reshape(n, _FRAME_SAMPLES)
    return np.sqrt(np.mean(frames * frames, axis=1))


def split_windows(pcm: np.ndarray, window_s: float = WINDOW_S) -> list[tuple[int, int]]:
    """Sample ranges of about `window_s` each, cut in the quietest 300 ms near each cut."""
    rate = RECOGNITION_RATE_HZ
    total = len(pcm)
    target = int(window_s * rate)
    search = min(int(_WINDOW_SEARCH_S * rate), target // 2)
    slack = int(_WINDOW_SLACK_S * rate)
    windows: list[tuple[int, int]] = []
    start = 0
    while total - start > target + slack:
        lo = start + target - search
        rms = _frame_rms(pcm[lo:start + target])
        smooth = np.convolve(rms, np.ones(30, np.float32) / 30, mode="same") if len(rms) else rms
        cut = lo + (int(np.argmin(smooth)) if len(smooth) else search) * _FRAME_SAMPLES
        cut = max(cut, start + _FRAME_SAMPLES)
        windows.append((start, cut))
        start = cut
    if total > start:
        windows.append((start, total))
    return windows


# --- the recogniser ----------------------------------------------------------------


def _logprob(prob: float) -> float:
    if not math.isfinite(prob) or prob <= 0.0:
        return _LOGPROB_FLOOR
    return max(_LOGPROB_FLOOR, min(0.0, math.log(prob)))


def _clean_word(word: str) -> str:
    # Alternative pronunciations are spelt "the(2)".
    if word.endswith(")") and "(" in word:
        head, _, tail = word[:-1].rpartition("(")
        if tail.isdigit():
            return head
    return word


class Recognizer:
    """One PocketSphinx decoder, created on first use and used by one caller at a time.

    The decoder is not thread-safe; every call holds the lock for the whole recognition.
    """

    def __init__(self, decoder_options: dict[str, Any] | None = None) -> None:
        self._options = dict(DECODER_OPTIONS if decoder_options is None else decoder_options)
        self._lock = threading.Lock()
        self._decoder: Any = None
        self._main_search = ""

    def _get_decoder(self) -> Any:
        if self._decoder is None:
            from pocketsphinx import Decoder

            decoder = Decoder(samprate=RECOGNITION_RATE_HZ, loglevel="FATAL", **self._options)
            self._main_search = decoder.current_search()
            decoder.add_jsgf_string(_WARMUP_SEARCH, _WARMUP_GRAMMAR)
            self._decoder = decoder
        return self._decoder

    def _normalise(self, decoder: Any, window: np.ndarray) -> None:
        """Set the cepstral mean from the whole window before decoding it.

        The decoder otherwise starts from a fixed prior and adapts only as it goes, so
        the first seconds of every file are misheard (about 15 % of words right on
        short clips instead of 40 %) and results depend on what was decoded before.
        The front end is reset first (its noise estimate also outlives an utterance),
        so the same window always gives the same words. A pass with a one-word
        grammar costs about 1 % of the real one.
        """
        decoder.reinit_feat()  # forget the noise estimate and means of earlier audio
        decoder.activate_search(_WARMUP_SEARCH)
        try:
            decoder.start_utt()
            decoder.process_raw(window.tobytes(), False, True)
            cmn = decoder.get_cmn(True)
            decoder.end_utt()
        finally:
            decoder.activate_search(self._main_search)
        decoder.set_cmn(cmn)

    def recognize(self, samples: np.ndarray, sample_rate_hz: int, *,
                  progress: ProgressCallback | None = None,
                  cancel_check: CancelCheck | None = None) -> list[RecognizedWord]:
        """Words (and noise events) with times in ms from the start of `samples`."""
        pcm = to_recognition_pcm(samples, sample_rate_hz)
        duration_ms = len(pcm) * 1000 // RECOGNITION_RATE_HZ
        windows = split_windows(pcm)
        total = max(1, len(pcm))
        words: list[RecognizedWord] = []
        with self._lock:
            decoder = self._get_decoder()
            for start, end in windows:
                if cancel_check is not None and cancel_check():
                    raise RecognitionCancelledError("recognition was cancelled")
                window = pcm[start:end]
                rms = _frame_rms(window)
                if not len(rms) or float(rms.max()) < _SILENCE_RMS:
                    if progress is not None:
                        progress(end / total)
                    continue
                # Quiet either side: the decoder needs a little silence to settle into
                # before the first word (without it, "hello" at 0 s is heard as "oh").
                pad = np.zeros(_PAD_SAMPLES, np.int16)
                window = np.concatenate([pad, window, pad])
                self._normalise(decoder, window)
                decoder.start_utt()
                try:
                    for i in range(0, len(window), _BLOCK_SAMPLES):
                        if cancel_check is not None and cancel_check():
                            raise RecognitionCancelledError("recognition was cancelled")
                        decoder.process_raw(window[i:i + _BLOCK_SAMPLES].tobytes(), False, False)
                        if progress is not None:
                            progress(min(start + i + _BLOCK_SAMPLES, end) / total)
                finally:
                    decoder.end_utt()
                offset_ms = (start - _PAD_SAMPLES) * 1000 // RECOGNITION_RATE_HZ
                first_ms = start * 1000 // RECOGNITION_RATE_HZ
                last_ms = min(duration_ms, end * 1000 // RECOGNITION_RATE_HZ)
                words.extend(self._segments(decoder, offset_ms, first_ms, last_ms))
        if progress is not None:
            progress(1.0)
        return words

    @staticmethod
    def _segments(decoder: Any, offset_ms: int, first_ms: int, last_ms: int,
                  ) -> list[RecognizedWord]:
        """The utterance's words, timed from the start of the audio and kept inside
        [first_ms, last_ms] (the window without its padding)."""
        out: list[RecognizedWord] = []
        for seg in decoder.seg():
            word = _clean_word(str(seg.word))
            start_ms = max(first_ms, min(last_ms, offset_ms + int(seg.start_frame) * FRAME_MS))
            end_ms = max(first_ms, min(last_ms, offset_ms + (int(seg.end_frame) + 1) * FRAME_MS))
            if end_ms <= start_ms:
                continue
            if word in _NOISE_TOKENS:
                if end_ms - start_ms >= _MIN_EVENT_MS:
                    out.append(RecognizedWord("[noise]", start_ms, end_ms,
                                              _logprob(float(seg.prob)), is_event=True))
                continue
            if word in _SKIPPED_TOKENS or word.startswith(("<", "[", "+")):
                continue
            out.append(RecognizedWord(word, start_ms, end_ms, _logprob(float(seg.prob))))
        return out


@cache
def default_recognizer() -> Recognizer:
    """The process's shared recogniser (one decoder: its model takes ~0.3 s to load)."""
    return Recognizer()


def recognize(samples_mono_float32: np.ndarray, sample_rate_hz: int, *,
              progress: ProgressCallback | None = None,
              cancel_check: CancelCheck | None = None,
              recognizer: Recognizer | None = None) -> list[RecognizedWord]:
    """Recognise English speech; returns words only (noise events left out)."""
    words = (recognizer or default_recognizer()).recognize(
        samples_mono_float32, sample_rate_hz, progress=progress, cancel_check=cancel_check)
    return [w for w in words if not w.is_event]


# --- the API response ----------------------------------------------------------------


_CAPITALISED = {"i", "i'm", "i'll", "i've", "i'd"}


def _display(word: str, first: bool) -> str:
    if word in _CAPITALISED:
        return word.capitalize()
    return word[:1].upper() + word[1:] if first else word


def _seconds(ms: int) -> float:
    return round(ms / 1000.0, 3)


def _characters(text: str, start_ms: int, end_ms: int) -> list[dict[str, Any]]:
    n = max(1, len(text))
    step = (end_ms - start_ms) / n
    return [
        {"text": ch, "start": _seconds(round(start_ms + i * step)),
         "end": _seconds(round(start_ms + (i + 1) * step))}
        for i, ch in enumerate(text)
    ]


def build_transcript(words: list[RecognizedWord], *, speaker_id: str,
                     timestamps_granularity: str = "word", tag_audio_events: bool = False,
                     channel_index: int | None = None) -> dict[str, Any]:
    """One `SpeechToTextChunkResponseModel`: words with spacing tokens between them."""
    timed = timestamps_granularity != "none"
    chars = timestamps_granularity == "character"
    items = [w for w in words if tag_audio_events or not w.is_event]
    tokens: list[dict[str, Any]] = []
    texts: list[str] = []
    first_word = True
    previous: RecognizedWord | None = None

    def token(text: str, kind: str, start_ms: int, end_ms: int, logprob: float) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "text": text, "start": _seconds(start_ms) if timed else None,
            "end": _seconds(end_ms) if timed else None, "type": kind,
            "speaker_id": speaker_id, "logprob": round(logprob, 4),
        }
        if chars:
            entry["characters"] = _characters(text, start_ms, end_ms)
        if channel_index is not None:
            entry["channel_index"] = channel_index
        return entry

    for w in items:
        if previous is not None:
            gap_end = max(previous.end_ms, w.start_ms)
            tokens.append(token(" ", "spacing", previous.end_ms, gap_end, 0.0))
            texts.append(" ")
        if w.is_event:
            text = "(noise)"
            tokens.append(token(text, "audio_event", w.start_ms, w.end_ms, w.logprob))
        else:
            text = _display(w.text, first_word)
            first_word = False
            tokens.append(token(text, "word", w.start_ms, w.end_ms, w.logprob))
        texts.append(text)
        previous = w
    spoken = [w for w in items if not w.is_event]
    # No language identification: the model is English. Say how sure we are of that as
    # the mean word confidence (1.0 for an empty transcript: nothing contradicts it).
    probability = float(np.mean([math.exp(w.logprob) for w in spoken])) if spoken else 1.0
    result: dict[str, Any] = {
        "language_code": "en",
        "language_probability": round(min(1.0, max(0.0, probability)), 3),
        "text": "".join(texts),
        "words": tokens,
    }
    if channel_index is not None:
        result["channel_index"] = channel_index
    return result


def transcribe_file(path: str | Path | bytes, *, multichannel: bool = False,
                    diarize: bool = False, num_speakers: int | None = None,
                    timestamps_granularity: str = "word", tag_audio_events: bool = True,
                    progress: ProgressCallback | None = None,
                    cancel_check: CancelCheck | None = None,
                    recognizer: Recognizer | None = None) -> dict[str, Any]:
    """Transcribe a file (or its bytes) into the ElevenLabs speech-to-text response.

    With `multichannel` and audio of more than one channel: one transcript per channel
    (`channel_index` 0, 1...; speaker "speaker_<channel>"). Otherwise the channels are
    mixed and everything is said by "speaker_0": `diarize` and `num_speakers` are
    accepted but this recogniser cannot tell voices apart.
    """
    del diarize, num_speakers  # accepted for the API's sake; see the docstring
    if timestamps_granularity not in ("none", "word", "character"):
        raise ValueError(f"unknown timestamps granularity {timestamps_granularity!r}")
    samples, rate = load_audio_for_recognition(path)
    rec = recognizer or default_recognizer()
    duration_s = round(samples.shape[0] / rate, 3)
    transcription_id = uuid.uuid4().hex
    channels = samples.shape[1]
    if multichannel and channels > 1:
        transcripts = []
        for index in range(channels):
            def channel_progress(fraction: float, index: int = index) -> None:
                if progress is not None:
                    progress((index + fraction) / channels)

            words = rec.recognize(samples[:, index], rate, progress=channel_progress,
                                  cancel_check=cancel_check)
            transcripts.append(build_transcript(
                words, speaker_id=f"speaker_{index}", channel_index=index,
                timestamps_granularity=timestamps_granularity, tag_audio_events=tag_audio_events,
            ))
        return {"transcripts": transcripts, "transcription_id": transcription_id,
                "audio_duration_secs": duration_s}
    words = rec.recognize(samples, rate, progress=progress, cancel_check=cancel_check)
    result = build_transcript(words, speaker_id="speaker_0",
                              timestamps_granularity=timestamps_granularity,
                              tag_audio_events=tag_audio_events)
    result["transcription_id"] = transcription_id
    result["audio_duration_secs"] = duration_s
    return result
