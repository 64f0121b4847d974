"""Encode synthesised samples into every TTS output format of the API.

- mp3: whole files with libsndfile (LAME, constant bitrate from the compression level,
  with an Info header so players know the duration); streams with PyAV's libmp3lame,
  whose packets are plain MP3 frames that can be sent as soon as they exist.
- pcm_*: raw signed 16-bit little-endian mono at the format's rate.
- ulaw_8000 / alaw_8000: G.711 (numpy, the reference Sun algorithm).
- opus_48000_*: Ogg Opus through PyAV at the exact bitrate (also incremental).
- wav_*: 16-bit PCM WAV (whole files only; the API does not stream WAV).

Samples are resampled with soxr (a streaming resampler for incremental encoding, so
piece boundaries leave no clicks).
"""

from __future__ import annotations

import io
from typing import Any

import av
import numpy as np
import soundfile as sf
import soxr

from app.domain.formats import Codec, OutputFormat

# --- samples ---------------------------------------------------------------------------


def to_float32(samples: np.ndarray) -> np.ndarray:
    """int16 or float samples -> float32 in [-1, 1], mono."""
    x = np.asarray(samples)
    if x.ndim > 1:
        x = x.mean(axis=1)
    if np.issubdtype(x.dtype, np.integer):
        return (x.astype(np.float32) / 32768.0).astype(np.float32)
    return x.astype(np.float32, copy=False)


def to_int16(samples: np.ndarray) -> np.ndarray:
    x = np.asarray(samples)
    if x.dtype == np.int16:
        return x
    if np.issubdtype(x.dtype, np.integer):
        return np.clip(x, -32768, 32767).astype(np.int16)
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)


def resample(samples: np.ndarray, from_hz: int, to_hz: int) -> np.ndarray:
    """float32 samples at another rate (unchanged when the rates are equal)."""
    x = to_float32(samples)
    if from_hz == to_hz or x.size == 0:
        return x
    return np.asarray(soxr.resample(x, from_hz, to_hz, quality="HQ"), dtype=np.float32)


# --- G.711 -----------------------------------------------------------------------------

_SEG_ALAW_END = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])
_SEG_ULAW_END = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])


def ulaw_encode(samples: np.ndarray) -> bytes:
    """int16 -> G.711 μ-law bytes."""
    pcm = to_int16(samples).astype(np.int32) >> 2
    mask = np.where(pcm < 0, 0x7F, 0xFF)
    pcm = np.minimum(np.abs(pcm), 8159) + (0x84 >> 2)
    seg = np.searchsorted(_SEG_ULAW_END, pcm, side="left")
    value = (np.minimum(seg, 7) << 4) | ((pcm >> (np.minimum(seg, 7) + 1)) & 0x0F)
    value = np.where(seg >= 8, 0x7F, value)
    return ((value ^ mask) & 0xFF).astype(np.uint8).tobytes()


def alaw_encode(samples: np.ndarray) -> bytes:
    """int16 -> G.711 A-law bytes."""
    pcm = to_int16(samples).astype(np.int32) >> 3
    negative = pcm < 0
    mask = np.where(negative, 0x55, 0xD5)
    pcm = np.where(negative, -pcm - 1, pcm)
    seg = np.searchsorted(_SEG_ALAW_END, pcm, side="left")
    shift = np.where(seg < 2, 1, seg)
    value = (np.minimum(seg, 7) << 4) | ((pcm >> np.minimum(shift, 7)) & 0x0F)
    value = np.where(seg >= 8, 0x7F, value)
    return ((value ^ mask) & 0xFF).astype(np.uint8).tobytes()


# --- whole files -----------------------------------------------------------------------


def mp3_compression_level(sample_rate_hz: int, bitrate_kbps: int) -> float:
    """libsndfile maps compression 0..1 linearly onto the MPEG version's bitrate range."""
    if sample_rate_hz >= 32000:
        top, bottom = 320.0, 32.0  # MPEG-1
    elif sample_rate_hz >= 16000:
        top, bottom = 160.0, 8.0  # MPEG-2
    else:
        top, bottom = 64.0, 8.0  # MPEG-2.5
    level = (top - bitrate_kbps) / (top - bottom)
    return min(max(level, 0.0), 0.999)  # libsndfile refuses exactly 1.0


def _soundfile_bytes(x: np.ndarray, rate: int, **kwargs: Any) -> bytes:
    buffer = io.BytesIO()
    with sf.SoundFile(buffer, "w", samplerate=rate, channels=1, **kwargs) as f:
        f.write(x)
    return buffer.getvalue()


def encode(samples: np.ndarray, sample_rate_hz: int, fmt: OutputFormat) -> bytes:
    """A whole file (or raw stream) of `samples` in `fmt`."""
    rate = fmt.sample_rate_hz
    x = resample(samples, sample_rate_hz, rate)
    if fmt.codec is Codec.PCM:
        return to_int16(x).astype("<i2").tobytes()
    if fmt.codec is Codec.ULAW:
        return ulaw_encode(to_int16(x))
    if fmt.codec is Codec.ALAW:
        return alaw_encode(to_int16(x))
    if fmt.codec is Codec.WAV:
        return _soundfile_bytes(to_int16(x), rate, format="WAV", subtype="PCM_16")
    if fmt.codec is Codec.MP3:
        if x.size == 0:  # LAME writes nothing usable for no audio; send one silent frame
            x = np.zeros(1152, dtype=np.float32)
        return _soundfile_bytes(
            x, rate, format="MP3", subtype="MPEG_LAYER_III",
            compression_level=mp3_compression_level(rate, fmt.bitrate_kbps or 128),
            bitrate_mode="CONSTANT",
        )
    if fmt.codec is Codec.OPUS:
        encoder = _OpusEncoder(rate, fmt.bitrate_kbps or 64)
        return encoder.feed(x) + encoder.finish()
    raise ValueError(f"cannot encode {fmt}")


# --- incremental -----------------------------------------------------------------------


class _Sink:
    """A write-only, non-seekable file object that hands out what was written so far."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _frame(x: np.ndarray, fmt: str, rate: int, pts: int) -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(x.reshape(1, -1), format=fmt, layout="mono")
    frame.sample_rate = rate
    frame.pts = pts
    return frame


class _Mp3Encoder:
    def __init__(self, rate: int, bitrate_kbps: int) -> None:
        ctx: Any = av.CodecContext.create("libmp3lame", "w")
        ctx.sample_rate = rate
        ctx.layout = "mono"
        ctx.format = "s16p"
        ctx.bit_rate = bitrate_kbps * 1000
        ctx.open()
        self._ctx = ctx
        self._rate = rate
        self._pts = 0

    def feed(self, x: np.ndarray) -> bytes:
        if x.size == 0:
            return b""
        frame = _frame(to_int16(x), "s16p", self._rate, self._pts)
        self._pts += x.size
        return b"".join(bytes(p) for p in self._ctx.encode(frame))

    def finish(self) -> bytes:
        tail = b""
        if self._pts == 0:  # nothing was spoken: still send a (silent) valid MP3
            tail = self.feed(np.zeros(1152, dtype=np.float32))
        return tail + b"".join(bytes(p) for p in self._ctx.encode(None))


class _OpusEncoder:
    def __init__(self, rate: int, bitrate_kbps: int) -> None:
        self._sink = _Sink()
        self._container: Any = av.open(self._sink, "w", format="ogg")
        stream: Any = self._container.add_stream("libopus", rate=rate)
        stream.bit_rate = bitrate_kbps * 1000
        stream.layout = "mono"
        self._stream = stream
        self._rate = rate
        self._pts = 0

    def feed(self, x: np.ndarray) -> bytes:
        if x.size:
            frame = _frame(to_float32(x), "flt", self._rate, self._pts)
            self._pts += x.size
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        return self._sink.take()

    def finish(self) -> bytes:
        head = b""
        if self._pts == 0:  # nothing was spoken: still make a valid (silent) file
            head = self.feed(np.zeros(self._rate // 50, dtype=np.float32))
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()
        return head + self._sink.take()


class StreamEncoder:
    """Feed samples as they are synthesised; get the bytes that are ready to send.

    `feed` returns what can be sent now (possibly nothing: encoders hold a little audio
    back), `finish` the rest. Concatenating every result gives one valid stream/file.
    """

    def __init__(self, fmt: OutputFormat, input_rate_hz: int) -> None:
        self.format = fmt
        self._input_rate = input_rate_hz
        rate = fmt.sample_rate_hz
        self._resampler = (
            soxr.ResampleStream(input_rate_hz, rate, 1, dtype="float32", quality="HQ")
            if rate != input_rate_hz else None
        )
        self._encoder: _Mp3Encoder | _OpusEncoder | None = None
        self._whole: list[np.ndarray] = []  # WAV: written at the end
        if fmt.codec is Codec.MP3:
            self._encoder = _Mp3Encoder(rate, fmt.bitrate_kbps or 128)
        elif fmt.codec is Codec.OPUS:
            self._encoder = _OpusEncoder(rate, fmt.bitrate_kbps or 64)

    def _resample(self, samples: np.ndarray, last: bool) -> np.ndarray:
        x = to_float32(samples)
        if self._resampler is None:
            return x
        return np.asarray(self._resampler.resample_chunk(x, last=last), dtype=np.float32)

    def _emit(self, x: np.ndarray) -> bytes:
        codec = self.format.codec
        if self._encoder is not None:
            return self._encoder.feed(x)
        if codec is Codec.PCM:
            return to_int16(x).astype("<i2").tobytes()
        if codec is Codec.ULAW:
            return ulaw_encode(x)
        if codec is Codec.ALAW:
            return alaw_encode(x)
        self._whole.append(x)
        return b""

    def feed(self, samples: np.ndarray) -> bytes:
        return self._emit(self._resample(samples, last=False))

    def finish(self) -> bytes:
        data = self._emit(self._resample(np.zeros(0, dtype=np.float32), last=True))
        if self._encoder is not None:
            return data + self._encoder.finish()
        if self.format.codec is Codec.WAV:
            whole = np.concatenate(self._whole) if self._whole else np.zeros(0, np.float32)
            return _soundfile_bytes(to_int16(whole), self.format.sample_rate_hz,
                                    format="WAV", subtype="PCM_16")
        return data
