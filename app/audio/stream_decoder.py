"""Incremental decoding of a response that is still arriving.

`StreamDecoder(fmt).feed(chunk)` accepts chunks split at any byte boundary (mid-sample,
mid-frame, mid-page) and returns the float32 samples that became complete: a 1-D array
for mono, (frames, channels) otherwise, possibly empty. `flush()` returns the rest once
the response has ended. The concatenated output equals a whole-file decode:

- PCM / u-law / a-law: numpy; an odd byte is carried to the next chunk.
- MP3: PyAV's parser + float decoder; the Xing/LAME header frame is not decoded and
  its encoder delay/padding are trimmed, as FFmpeg's demuxer and mpg123 do.
- Opus: Ogg pages are split here and each Opus packet goes to PyAV's decoder as soon as
  its page is complete (so playback starts after the first page, not at the end). The
  end is trimmed to the last page's granule position. Output is always 48 kHz, the rate
  of every Opus format the API offers (`sample_rate_hz` says so).
- WAV: the header is read incrementally, then the data chunk streams like raw PCM;
  anything that is not a RIFF/WAVE stream is buffered and decoded whole at flush().
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.audio._codecs import (
    ALAW_TABLE,
    ULAW_TABLE,
    frame_to_array,
    g711_to_float,
    id3v2_size,
    mp3_info_frame,
    pcm16_to_float,
)
from app.audio.decode import AudioDecodeError, decode_bytes
from app.domain.formats import Codec, OutputFormat

_EMPTY = np.zeros(0, dtype=np.float32)
OPUS_RATE_HZ = 48000


def _shape(samples: np.ndarray) -> np.ndarray:
    """(n, 1) → (n,); (n, ch) stays; always float32."""
    samples = samples.astype(np.float32, copy=False)
    if samples.ndim == 2 and samples.shape[1] == 1:
        return samples[:, 0]
    return samples


def _join(parts: list[np.ndarray]) -> np.ndarray:
    parts = [p for p in parts if p.size]
    if not parts:
        return _EMPTY
    if len(parts) == 1:
        return _shape(parts[0])
    return _shape(np.concatenate(parts))


class StreamDecoder:
    """Decode one streamed response of the given output format, chunk by chunk."""

    def __init__(self, fmt: OutputFormat) -> None:
        self.fmt = fmt
        self._impl: _Impl
        if fmt.codec is Codec.PCM:
            self._impl = _Pcm16()
        elif fmt.codec is Codec.ULAW:
            self._impl = _G711(ULAW_TABLE)
        elif fmt.codec is Codec.ALAW:
            self._impl = _G711(ALAW_TABLE)
        elif fmt.codec is Codec.MP3:
            self._impl = _Mp3()
        elif fmt.codec is Codec.OPUS:
            self._impl = _OggOpus()
        else:
            self._impl = _Wav(fmt)
        self._flushed = False

    @property
    def sample_rate_hz(self) -> int:
        """The rate of the samples this decoder returns."""
        return self._impl.rate or self.fmt.sample_rate_hz

    def feed(self, chunk: bytes | bytearray | memoryview) -> np.ndarray:
        if self._flushed:
            raise AudioDecodeError("The audio stream was already finished.")
        if not chunk:
            return _EMPTY
        try:
            return self._impl.feed(bytes(chunk))
        except AudioDecodeError:
            raise
        except Exception as exc:
            raise AudioDecodeError("The audio stream could not be decoded.") from exc

    def flush(self) -> np.ndarray:
        if self._flushed:
            return _EMPTY
        self._flushed = True
        try:
            return self._impl.flush()
        except AudioDecodeError:
            raise
        except Exception as exc:
            raise AudioDecodeError("The end of the audio stream could not be decoded.") from exc


class _Impl:
    rate: int | None = None

    def feed(self, chunk: bytes) -> np.ndarray:
        raise NotImplementedError

    def flush(self) -> np.ndarray:
        return _EMPTY


class _Pcm16(_Impl):
    def __init__(self) -> None:
        self._carry = b""

    def feed(self, chunk: bytes) -> np.ndarray:
        data = self._carry + chunk if self._carry else chunk
        usable = len(data) - len(data) % 2
        self._carry = data[usable:]
        return pcm16_to_float(memoryview(data)[:usable]) if usable else _EMPTY


class _G711(_Impl):
    def __init__(self, table: np.ndarray) -> None:
        self._table = table

    def feed(self, chunk: bytes) -> np.ndarray:
        return g711_to_float(chunk, self._table)


class _Trim:
    """Drop the first `skip` samples and keep at most `total` (None: no limit)."""

    def __init__(self) -> None:
        self.skip = 0
        self.total: int | None = None
        self.emitted = 0

    def apply(self, samples: np.ndarray) -> np.ndarray:
        if self.skip:
            dropped = min(self.skip, len(samples))
            samples = samples[dropped:]
            self.skip -= dropped
        if self.total is not None:
            samples = samples[: max(0, self.total - self.emitted)]
        self.emitted += len(samples)
        return samples


class _Mp3(_Impl):
    def __init__(self) -> None:
        import av

        self._av = av
        self._ctx: Any = av.CodecContext.create("mp3float", "r")
        self._head = b""
        self._id3_left: int | None = None  # None: not yet known whether a tag leads
        self._first_packet = True
        self._trim = _Trim()

    def feed(self, chunk: bytes) -> np.ndarray:
        data = self._strip_id3(chunk)
        return self._decode(self._ctx.parse(data)) if data else _EMPTY

    def flush(self) -> np.ndarray:
        parts = []
        if self._id3_left is None and self._head:
            self._id3_left = 0
            parts.append(self._decode(self._ctx.parse(self._head)))
        parts.append(self._decode(self._ctx.parse(None)))
        parts.append(self._decode([None]))
        return _join(parts)

    def _strip_id3(self, chunk: bytes) -> bytes:
        if self._id3_left is None:
            self._head += chunk
            size = id3v2_size(self._head[:10])
            if size is None:
                return b""
            self._id3_left, chunk, self._head = size, self._head, b""
        if self._id3_left:
            dropped = min(self._id3_left, len(chunk))
            self._id3_left -= dropped
            chunk = chunk[dropped:]
        return chunk

    def _decode(self, packets: Any) -> np.ndarray:
        parts: list[np.ndarray] = []
        for packet in packets:
            if packet is not None and self._first_packet:
                self._first_packet = False
                gapless = mp3_info_frame(bytes(packet))
                if gapless is not None:  # a header frame, not sound
                    self._trim.skip, self._trim.total = gapless.skip, gapless.total
                    continue
            try:
                frames = self._ctx.decode(packet)
            except self._av.error.InvalidDataError:
                continue  # a damaged frame: skip it as players do
            for frame in frames:
                if self.rate is None:
                    self.rate = int(frame.sample_rate)
                parts.append(self._trim.apply(frame_to_array(frame)))
        return _join(parts)


class _OggOpus(_Impl):
    rate = OPUS_RATE_HZ

    def __init__(self) -> None:
        import av

        self._av = av
        self._buffer = bytearray()
        self._packet = bytearray()  # a packet continued across pages
        self._ctx: Any = None
        self._pre_skip = 0
        self._trim = _Trim()

    def feed(self, chunk: bytes) -> np.ndarray:
        self._buffer += chunk
        return self._pages()

    def flush(self) -> np.ndarray:
        parts = [self._pages()]
        if self._ctx is not None:
            parts.append(self._decode(None))
        self._buffer.clear()
        return _join(parts)

    def _pages(self) -> np.ndarray:
        parts: list[np.ndarray] = []
        buf = self._buffer
        while True:
            start = buf.find(b"OggS")
            if start == -1:
                del buf[: max(0, len(buf) - 3)]
                break
            if start:
                del buf[:start]  # resynchronise on the next page
            if len(buf) < 27:
                break
            segments = buf[26]
            header = 27 + segments
            if len(buf) < header:
                break
            lacing = bytes(buf[27:header])
            end = header + sum(lacing)
            if len(buf) < end:
                break
            header_type = buf[5]
            granule = int.from_bytes(buf[6:14], "little", signed=True)
            body = bytes(buf[header:end])
            del buf[:end]
            if not header_type & 0x01:
                self._packet.clear()  # a fresh packet starts this page
            packets: list[bytes] = []
            offset = 0
            for size in lacing:
                self._packet += body[offset : offset + size]
                offset += size
                if size < 255:
                    packets.append(bytes(self._packet))
                    self._packet.clear()
            if header_type & 0x04 and granule >= 0:  # last page: trim the padding
                self._trim.total = granule - self._pre_skip
            for packet in packets:
                parts.append(self._packet_samples(packet))
        return _join(parts)

    def _packet_samples(self, packet: bytes) -> np.ndarray:
        if packet.startswith(b"OpusHead"):
            tail = self._decode(None) if self._ctx is not None else _EMPTY
            self._ctx = self._av.CodecContext.create("opus", "r")
            self._ctx.extradata = packet
            self._pre_skip = int.from_bytes(packet[10:12], "little")
            self._trim = _Trim()
            return tail
        if packet.startswith(b"OpusTags") or self._ctx is None or not packet:
            return _EMPTY
        return self._decode(self._av.Packet(packet))

    def _decode(self, packet: Any) -> np.ndarray:
        # The decoder drops the pre-skip itself (it reads it from the OpusHead).
        try:
            frames = self._ctx.decode(packet)
        except self._av.error.InvalidDataError:
            return _EMPTY
        return _join([self._trim.apply(frame_to_array(frame)) for frame in frames])


class _Wav(_Impl):
    def __init__(self, fmt: OutputFormat) -> None:
        self._fmt = fmt
        self._head = bytearray()
        self._whole: bytearray | None = None  # not a plain RIFF/WAVE: decode at flush
        self._convert: Any = None
        self._frame_bytes = 0
        self._channels = 1
        self._remaining: int | None = None
        self._carry = b""

    def feed(self, chunk: bytes) -> np.ndarray:
        if self._whole is not None:
            self._whole += chunk
            return _EMPTY
        if self._convert is None:
            self._head += chunk
            if not self._parse_header():
                return _EMPTY
            chunk, self._head = bytes(self._head), bytearray()
        return self._samples(chunk)

    def flush(self) -> np.ndarray:
        if self._whole is not None:
            if not self._whole:
                return _EMPTY
            clip = decode_bytes(bytes(self._whole), self._fmt)
            self.rate = clip.sample_rate_hz
            return _shape(clip.samples)
        if self._convert is None and self._head:
            raise AudioDecodeError("The WAV stream ended before its header was complete.")
        return _EMPTY

    def _samples(self, data: bytes) -> np.ndarray:
        if self._remaining is not None:
            data = data[: self._remaining]
            self._remaining -= len(data)
        data = self._carry + data if self._carry else data
        usable = len(data) - len(data) % self._frame_bytes
        self._carry = data[usable:]
        if not usable:
            return _EMPTY
        flat = self._convert(memoryview(data)[:usable])
        return _shape(flat.reshape(-1, self._channels))

    def _parse_header(self) -> bool:
        """True once the data chunk starts (its offset left at the front of _head)."""
        head = self._head
        if len(head) < 12:
            if not b"RIFF".startswith(bytes(head[:4])):
                self._give_up()
            return False
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            self._give_up()
            return False
        pos = 12
        fmt_chunk: bytes | None = None
        while len(head) >= pos + 8:
            chunk_id = bytes(head[pos : pos + 4])
            size = int.from_bytes(head[pos + 4 : pos + 8], "little")
            if chunk_id == b"data":
                if fmt_chunk is None or not self._setup(fmt_chunk):
                    self._give_up()
                    return False
                if size not in (0, 0xFFFFFFFF):
                    self._remaining = size
                del head[: pos + 8]
                return True
            if len(head) < pos + 8 + size:
                return False
            if chunk_id == b"fmt ":
                fmt_chunk = bytes(head[pos + 8 : pos + 8 + size])
            pos += 8 + size + (size & 1)
        return False

    def _give_up(self) -> None:
        self._whole = bytearray(self._head)
        self._head = bytearray()

    def _setup(self, fmt_chunk: bytes) -> bool:
        if len(fmt_chunk) < 16:
            return False
        tag = int.from_bytes(fmt_chunk[0:2], "little")
        channels = int.from_bytes(fmt_chunk[2:4], "little")
        rate = int.from_bytes(fmt_chunk[4:8], "little")
        bits = int.from_bytes(fmt_chunk[14:16], "little")
        if tag == 0xFFFE and len(fmt_chunk) >= 26:
            tag = int.from_bytes(fmt_chunk[24:26], "little")
        width = (bits + 7) // 8
        converters: dict[tuple[int, int], Any] = {
            (1, 1): lambda b: (np.frombuffer(b, np.uint8).astype(np.float32) - 128) / 128,
            (1, 2): pcm16_to_float,
            (1, 3): _pcm24_to_float,
            (1, 4): lambda b: (np.frombuffer(b, "<i4") / 2147483648.0).astype(np.float32),
            (3, 4): lambda b: np.frombuffer(b, "<f4").astype(np.float32),
            (3, 8): lambda b: np.frombuffer(b, "<f8").astype(np.float32),
            (6, 1): lambda b: g711_to_float(b, ALAW_TABLE),
            (7, 1): lambda b: g711_to_float(b, ULAW_TABLE),
        }
        convert = converters.get((tag, width))
        if convert is None or channels < 1 or rate < 1:
            return False
        self._convert = convert
        self._channels = channels
        self._frame_bytes = width * channels
        self.rate = rate
        return True


def _pcm24_to_float(data: bytes | memoryview) -> np.ndarray:
    raw = np.frombuffer(data, np.uint8).reshape(-1, 3).astype(np.int32)
    ints = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
    ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
    return (ints / 8388608.0).astype(np.float32)
