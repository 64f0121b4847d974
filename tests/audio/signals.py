"""Test audio made on the spot: tones, encoded files and numpy G.711 encoders."""

from __future__ import annotations

import io

import numpy as np
import soundfile


def tone(rate: int, seconds: float, freq: float = 440.0, amplitude: float = 0.5,
         channels: int = 1) -> np.ndarray:
    """A sine as float32: 1-D for mono, (frames, channels) otherwise."""
    t = np.arange(round(rate * seconds)) / rate
    wave = (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    if channels == 1:
        return wave
    return np.stack([wave * (1.0 - 0.3 * c) for c in range(channels)], axis=1)


def encode(samples: np.ndarray, rate: int, **kwargs: str) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, **kwargs)
    return buffer.getvalue()


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    return encode(samples, rate, format="WAV", subtype="PCM_16")


def mp3_bytes(samples: np.ndarray, rate: int) -> bytes:
    return encode(samples, rate, format="MP3")


def opus_bytes(samples: np.ndarray, rate: int = 48000) -> bytes:
    return encode(samples, rate, format="OGG", subtype="OPUS")


def pcm16_bytes(samples: np.ndarray) -> bytes:
    return to_int16(samples).astype("<i2").tobytes()


def to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype(np.int16)


def ulaw_encode(samples: np.ndarray) -> bytes:
    """ITU-T G.711 u-law, the classic bias-and-segment encoder."""
    s = to_int16(samples).astype(np.int32)
    sign = (s < 0).astype(np.int32)
    magnitude = np.minimum(np.abs(s), 32635) + 0x84
    exponent = np.clip(np.floor(np.log2(magnitude)).astype(np.int32) - 7, 0, 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return (~((sign << 7) | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes()


def alaw_encode(samples: np.ndarray) -> bytes:
    """ITU-T G.711 A-law (segment encoder with even-bit inversion)."""
    s = to_int16(samples).astype(np.int32)
    sign = np.where(s >= 0, 0x80, 0)
    magnitude = np.minimum(np.where(s >= 0, s, -s - 1), 32767)
    exponent = np.where(
        magnitude >= 256,
        np.clip(np.floor(np.log2(np.maximum(magnitude, 1))).astype(np.int32) - 7, 1, 7),
        0,
    )
    mantissa = np.where(exponent == 0, magnitude >> 4, (magnitude >> (exponent + 3)) & 0x0F)
    return ((sign | (exponent << 4) | mantissa) ^ 0x55).astype(np.uint8).tobytes()


def dominant_hz(samples: np.ndarray, rate: int) -> float:
    mono = samples if samples.ndim == 1 else samples.mean(axis=1)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    return float(np.fft.rfftfreq(len(mono), 1 / rate)[int(np.argmax(spectrum))])
