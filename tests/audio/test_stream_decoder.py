"""Streaming decode: any chunk split gives the same samples as a whole-file decode."""

from __future__ import annotations

import av
import numpy as np
import pytest

from app.audio.decode import AudioDecodeError, decode_bytes
from app.audio.stream_decoder import StreamDecoder
from app.domain.formats import OutputFormat
from tests.audio.signals import (
    alaw_encode,
    mp3_bytes,
    opus_bytes,
    pcm16_bytes,
    tone,
    ulaw_encode,
    wav_bytes,
)

F = OutputFormat.parse


def _feed_in_pieces(data: bytes, fmt: OutputFormat, seed: int, largest: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    decoder = StreamDecoder(fmt)
    parts, start = [], 0
    while start < len(data):
        size = int(rng.integers(1, largest + 1))
        parts.append(decoder.feed(data[start : start + size]))
        start += size
    parts.append(decoder.flush())
    for part in parts:
        assert part.dtype == np.float32
    parts = [p for p in parts if p.size]
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def _whole(data: bytes, fmt: OutputFormat) -> np.ndarray:
    samples = decode_bytes(data, fmt).samples
    return samples[:, 0] if samples.shape[1] == 1 else samples


CASES = {
    "mp3_44100_128": lambda: mp3_bytes(tone(44100, 1.1), 44100),
    "mp3_22050_32": lambda: mp3_bytes(tone(22050, 0.8), 22050),
    "mp3_24000_48": lambda: mp3_bytes(tone(24000, 0.9, channels=2), 24000),
    "opus_48000_64": lambda: opus_bytes(tone(48000, 1.3)),
    "opus_48000_128": lambda: opus_bytes(tone(48000, 0.4, channels=2)),
    "pcm_24000": lambda: pcm16_bytes(tone(24000, 0.5)),
    "pcm_16000": lambda: pcm16_bytes(tone(16000, 0.5)),
    "ulaw_8000": lambda: ulaw_encode(tone(8000, 0.5)),
    "alaw_8000": lambda: alaw_encode(tone(8000, 0.5)),
    "wav_22050": lambda: wav_bytes(tone(22050, 0.5, channels=2), 22050),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("seed,largest", [(1, 7), (2, 300), (3, 5000)])
def test_random_splits_equal_whole_decode(name: str, seed: int, largest: int) -> None:
    fmt = F(name)
    data = CASES[name]()
    whole = _whole(data, fmt)
    streamed = _feed_in_pieces(data, fmt, seed, largest)
    assert streamed.shape == whole.shape
    np.testing.assert_allclose(streamed, whole, atol=1e-5)
    assert StreamDecoder(fmt).sample_rate_hz == fmt.sample_rate_hz


def test_every_byte_boundary_for_pcm() -> None:
    data = pcm16_bytes(tone(16000, 0.01))
    whole = _whole(data, F("pcm_16000"))
    for cut in range(len(data)):
        decoder = StreamDecoder(F("pcm_16000"))
        first = decoder.feed(data[:cut])
        second = decoder.feed(data[cut:])
        joined = np.concatenate([first, second, decoder.flush()])
        np.testing.assert_array_equal(joined, whole)


def test_streaming_starts_before_the_end() -> None:
    """Samples come out while the response is still arriving, for every codec.

    (libsndfile writes Ogg pages of about a second, so Opus needs most of the bytes.)"""
    for name, make in CASES.items():
        data = make()
        decoder = StreamDecoder(F(name))
        early = [decoder.feed(data[i : i + 1024]) for i in range(0, len(data) * 9 // 10, 1024)]
        assert sum(len(e) for e in early) > 0, name


def test_mp3_with_id3_tag_and_without_info_frame() -> None:
    fmt = F("mp3_44100_128")
    data = mp3_bytes(tone(44100, 0.7), 44100)
    info_frame = bytes(av.CodecContext.create("mp3float", "r").parse(data)[0])
    tag = b"ID3\x04\x00\x00\x00\x00\x01\x00" + b"\x00" * 128  # a 138-byte ID3v2 tag
    for variant in (tag + data, data[len(info_frame):], tag + data[len(info_frame):]):
        whole = _whole(variant, fmt)
        streamed = _feed_in_pieces(variant, fmt, seed=5, largest=40)
        assert streamed.shape == whole.shape
        np.testing.assert_allclose(streamed, whole, atol=1e-5)


def test_empty_chunks_and_nothing_at_all() -> None:
    for name in CASES:
        decoder = StreamDecoder(F(name))
        assert decoder.feed(b"").size == 0
        assert decoder.flush().size == 0


def test_feeding_after_flush_is_an_error() -> None:
    decoder = StreamDecoder(F("pcm_16000"))
    decoder.flush()
    with pytest.raises(AudioDecodeError):
        decoder.feed(b"\x00\x00")


@pytest.mark.parametrize("name", ["mp3_44100_128", "opus_48000_64", "wav_16000"])
def test_garbage_never_raises_anything_but_decode_error(name: str) -> None:
    garbage = np.random.default_rng(3).integers(0, 256, 20000, dtype=np.uint8).tobytes()
    decoder = StreamDecoder(F(name))
    try:
        for i in range(0, len(garbage), 1000):
            decoder.feed(garbage[i : i + 1000])
        decoder.flush()
    except AudioDecodeError:
        pass


def test_wav_without_riff_header_is_decoded_at_flush() -> None:
    # a WAV format that turned out to be something else entirely: whole-file decode
    data = mp3_bytes(tone(16000, 0.3), 16000)
    decoder = StreamDecoder(F("wav_16000"))
    assert decoder.feed(data).size == 0
    assert len(decoder.flush()) == len(_whole(data, F("mp3_16000_32")))
