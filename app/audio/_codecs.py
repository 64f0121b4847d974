"""Small codec helpers shared by the whole-file and the streaming decoders.

G.711 (u-law, A-law) tables, 16-bit PCM conversion, PyAV frame conversion and the
MP3 Xing/LAME "gapless" header, so that a streamed MP3 yields the same samples as a
whole-file decode (encoder delay and padding trimmed the way FFmpeg and mpg123 do).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np


def _ulaw_table() -> np.ndarray:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = u & 0x80
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    values = np.where(sign != 0, -magnitude, magnitude)
    return (values / 32768.0).astype(np.float32)


def _alaw_table() -> np.ndarray:
    a = np.arange(256, dtype=np.int32) ^ 0x55
    sign = a & 0x80
    exponent = (a >> 4) & 0x07
    mantissa = a & 0x0F
    magnitude = np.where(
        exponent == 0,
        (mantissa << 4) + 8,
        ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0),
    )
    values = np.where(sign != 0, magnitude, -magnitude)
    return (values / 32768.0).astype(np.float32)


ULAW_TABLE = _ulaw_table()
ALAW_TABLE = _alaw_table()


def pcm16_to_float(data: bytes | bytearray | memoryview) -> np.ndarray:
    """Little-endian signed 16-bit samples to float32 (an odd last byte is ignored)."""
    usable = len(data) - len(data) % 2
    ints = np.frombuffer(data, dtype="<i2", count=usable // 2)
    return ints.astype(np.float32) / np.float32(32768.0)


def g711_to_float(data: bytes | bytearray | memoryview, table: np.ndarray) -> np.ndarray:
    return table[np.frombuffer(data, dtype=np.uint8)]


def frame_to_array(frame: Any) -> np.ndarray:
    """A PyAV AudioFrame as float32 shaped (samples, channels)."""
    array = frame.to_ndarray()
    channels = len(frame.layout.channels) or 1
    array = array.T if frame.format.is_planar else array.reshape(-1, channels)
    if array.dtype == np.float32:
        return np.ascontiguousarray(array)
    if array.dtype == np.float64:
        return array.astype(np.float32)
    if array.dtype == np.int16:
        return array.astype(np.float32) / np.float32(32768.0)
    if array.dtype == np.int32:
        return (array / 2147483648.0).astype(np.float32)
    if array.dtype == np.uint8:
        return (array.astype(np.float32) - 128.0) / np.float32(128.0)
    return array.astype(np.float32)


@dataclass(frozen=True)
class Mp3Gapless:
    """What the Xing/Info frame says to trim: skip this many samples, keep at most total."""

    skip: int
    total: int | None


_MP3_DECODER_DELAY = 529  # samples; the value FFmpeg and mpg123 both use


def mp3_info_frame(packet: bytes) -> Mp3Gapless | None:
    """If this MP3 frame is a Xing/Info header frame, the trimming it asks for.

    Returns None for an ordinary audio frame. A header frame without a LAME tag asks
    for no trimming (Mp3Gapless(0, None)) but must still not be decoded as audio.
    """
    if len(packet) < 8 or packet[0] != 0xFF or (packet[1] & 0xE0) != 0xE0:
        return None
    at = -1
    for tag in (b"Xing", b"Info"):
        found = packet.find(tag, 4, 48)
        if found != -1:
            at = found
            break
    if at == -1:
        return None
    version_bits = (packet[1] >> 3) & 0x03
    samples_per_frame = 1152 if version_bits == 0x03 else 576
    try:
        (flags,) = struct.unpack_from(">I", packet, at + 4)
        pos = at + 8
        frames: int | None = None
        if flags & 0x01:
            (frames,) = struct.unpack_from(">I", packet, pos)
            pos += 4
        if flags & 0x02:
            pos += 4
        if flags & 0x04:
            pos += 100
        if flags & 0x08:
            pos += 4
        encoder = packet[pos : pos + 4]
        if encoder not in (b"LAME", b"Lavf", b"Lavc") or len(packet) < pos + 24:
            return Mp3Gapless(0, None)
        value = int.from_bytes(packet[pos + 21 : pos + 24], "big")
    except struct.error:
        return Mp3Gapless(0, None)
    start_pad, end_pad = value >> 12, value & 0xFFF
    total = frames * samples_per_frame - start_pad - end_pad if frames else None
    return Mp3Gapless(start_pad + _MP3_DECODER_DELAY, total)


def id3v2_size(head: bytes) -> int | None:
    """Length of a leading ID3v2 tag (0 if none); None if more bytes are needed."""
    if len(head) < 3:
        return None if b"ID3".startswith(head) else 0
    if head[:3] != b"ID3":
        return 0
    if len(head) < 10:
        return None
    size = 0
    for byte in head[6:10]:
        size = (size << 7) | (byte & 0x7F)
    footer = 10 if head[5] & 0x10 else 0
    return 10 + size + footer
