from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from app.domain.formats import TTS_FORMATS, Codec, OutputFormat
from app.engine.encode import (
    StreamEncoder,
    alaw_encode,
    encode,
    mp3_compression_level,
    resample,
    ulaw_encode,
)
from tests.engine.conftest import container_kind, decode

RATE = 22050


def _tone(seconds: float = 1.5) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (np.sin(2 * np.pi * 440 * t) * 12000).astype(np.int16)


EXPECTED_KIND = {Codec.MP3: "mp3", Codec.OPUS: "ogg-opus", Codec.WAV: "wav",
                 Codec.PCM: "raw", Codec.ULAW: "raw", Codec.ALAW: "raw"}


@pytest.mark.parametrize("fmt", TTS_FORMATS, ids=str)
def test_every_format_decodes_at_its_rate(fmt: OutputFormat) -> None:
    tone = _tone()
    data = encode(tone, RATE, fmt)
    if not fmt.is_headerless:
        assert container_kind(data) == EXPECTED_KIND[fmt.codec]
    samples, rate = decode(data, fmt)
    assert rate == fmt.sample_rate_hz
    assert abs(len(samples) / rate - 1.5) < 0.1
    rms = float(np.sqrt(np.mean(np.square(samples))))
    assert 0.2 < rms < 0.35  # a 12000/32768 sine has rms 0.26


@pytest.mark.parametrize("fmt", [f for f in TTS_FORMATS if f.can_stream], ids=str)
def test_stream_encoder_pieces_join_into_one_valid_stream(fmt: OutputFormat) -> None:
    tone = _tone(2.0)
    encoder = StreamEncoder(fmt, RATE)
    parts = [encoder.feed(tone[:9000]), encoder.feed(tone[9000:30000]),
             encoder.feed(tone[30000:]), encoder.finish()]
    data = b"".join(parts)
    samples, rate = decode(data, fmt)
    assert rate == fmt.sample_rate_hz
    assert abs(len(samples) / rate - 2.0) < 0.12
    if fmt.codec is not Codec.OPUS:  # the Ogg muxer holds pages back
        assert parts[0], "the first piece should already give bytes"


def test_mp3_bitrate_follows_the_format() -> None:
    tone = _tone(4.0)
    for value, kbps in (("mp3_44100_32", 32), ("mp3_44100_128", 128), ("mp3_44100_192", 192),
                        ("mp3_22050_32", 32), ("mp3_24000_48", 48)):
        data = encode(tone, RATE, OutputFormat.parse(value))
        measured = len(data) * 8 / 4.0 / 1000
        assert kbps * 0.9 < measured < kbps * 1.15, (value, measured)
    assert mp3_compression_level(44100, 32) < 1.0


def test_g711_matches_libsndfile_decoding() -> None:
    ramp = np.linspace(-32768, 32767, 8000).astype(np.int16)
    for encoder, subtype in ((ulaw_encode, "ULAW"), (alaw_encode, "ALAW")):
        data = encoder(ramp)
        assert len(data) == len(ramp)
        decoded, _ = sf.read(io.BytesIO(data), format="RAW", subtype=subtype, samplerate=8000,
                             channels=1, dtype="int16")
        error = np.abs(decoded.astype(np.int32) - ramp.astype(np.int32))
        # G.711 keeps ~4 significant bits: the error grows with the amplitude.
        assert np.all(error <= np.maximum(64, np.abs(ramp.astype(np.int32)) // 16 + 32))


def test_resample_keeps_duration() -> None:
    out = resample(_tone(1.0), RATE, 48000)
    assert abs(len(out) - 48000) <= 2
    assert out.dtype == np.float32


def test_empty_audio_still_gives_valid_files() -> None:
    empty = np.zeros(0, dtype=np.int16)
    for value in ("mp3_44100_128", "wav_16000", "opus_48000_64"):
        fmt = OutputFormat.parse(value)
        _, rate = decode(encode(empty, RATE, fmt), fmt)
        assert rate == fmt.sample_rate_hz
