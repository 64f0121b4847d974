"""Whole-file decoding of every codec the API returns, and of damaged data."""

from __future__ import annotations

import io
import json
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile

from app.audio.clip import AudioClip
from app.audio.decode import AudioDecodeError, decode_bytes, decode_file
from app.domain.formats import OutputFormat
from tests.audio.signals import (
    alaw_encode,
    dominant_hz,
    mp3_bytes,
    opus_bytes,
    pcm16_bytes,
    to_int16,
    tone,
    ulaw_encode,
    wav_bytes,
)

F = OutputFormat.parse


def test_wav_mono_is_exact() -> None:
    samples = tone(16000, 0.5)
    clip = decode_bytes(wav_bytes(samples, 16000), F("wav_16000"))
    assert clip.sample_rate_hz == 16000
    assert clip.samples.shape == (8000, 1) and clip.samples.dtype == np.float32
    # libsndfile truncates where we round: one 16-bit step apart at most
    np.testing.assert_allclose(clip.samples[:, 0], samples, atol=1 / 32768)
    assert clip.duration_ms == 500


def test_wav_stereo_keeps_channels() -> None:
    samples = tone(44100, 0.25, channels=2)
    clip = decode_bytes(wav_bytes(samples, 44100), None)
    assert clip.channels == 2 and clip.frames == len(samples)
    np.testing.assert_allclose(clip.samples, samples, atol=1 / 32768)


@pytest.mark.parametrize("name,rate", [("mp3_44100_128", 44100), ("mp3_22050_32", 22050),
                                       ("mp3_24000_48", 24000)])
def test_mp3(name: str, rate: int) -> None:
    samples = tone(rate, 0.6)
    clip = decode_bytes(mp3_bytes(samples, rate), F(name))
    assert clip.sample_rate_hz == rate
    assert clip.frames == len(samples)  # encoder delay and padding trimmed
    assert abs(dominant_hz(clip.samples, rate) - 440) < 5
    # the middle of the tone comes back closely (lossy, so not exactly)
    middle = slice(rate // 10, rate // 2)
    assert np.abs(clip.samples[middle, 0] - samples[middle]).max() < 0.05


def test_mp3_without_xing_header_is_read_to_the_end() -> None:
    rate = 24000
    data = mp3_bytes(tone(rate, 1.0), rate)
    first_frame = bytes(av.CodecContext.create("mp3float", "r").parse(data)[0])
    assert b"Info" in first_frame or b"Xing" in first_frame
    clip = decode_bytes(data[len(first_frame):], F("mp3_24000_48"))
    # libsndfile guesses the length from the first frame and stops early on VBR files
    assert clip.frames >= rate


def test_ogg_opus() -> None:
    samples = tone(48000, 0.7)
    clip = decode_bytes(opus_bytes(samples), F("opus_48000_64"))
    assert clip.sample_rate_hz == 48000
    assert clip.frames == len(samples)
    assert abs(dominant_hz(clip.samples, 48000) - 440) < 5


@pytest.mark.parametrize("rate", [16000, 22050, 24000, 44100])
def test_raw_pcm_at_the_format_rate(rate: int) -> None:
    samples = tone(rate, 0.3)
    clip = decode_bytes(pcm16_bytes(samples), F(f"pcm_{rate}"))
    assert clip.sample_rate_hz == rate and clip.channels == 1
    np.testing.assert_array_equal(clip.samples[:, 0], to_int16(samples) / np.float32(32768))


def test_raw_pcm_odd_byte_is_ignored() -> None:
    data = pcm16_bytes(tone(8000, 0.1)) + b"\x01"
    assert decode_bytes(data, F("pcm_8000")).frames == 800


@pytest.mark.parametrize("codec,encoder", [("ulaw", ulaw_encode), ("alaw", alaw_encode)])
def test_g711(codec: str, encoder: object) -> None:
    samples = tone(8000, 0.5)
    data = encoder(samples)  # type: ignore[operator]
    clip = decode_bytes(data, F(f"{codec}_8000"))
    assert clip.sample_rate_hz == 8000 and clip.frames == 4000
    # G.711 keeps about 12 bits of precision near the peaks
    np.testing.assert_allclose(clip.samples[:, 0], samples, atol=0.02)
    # and agrees with libsndfile's own tables
    reference, _ = soundfile.read(io.BytesIO(data), format="RAW", subtype=codec.upper(),
                                  samplerate=8000, channels=1, dtype="float32")
    np.testing.assert_allclose(clip.samples[:, 0], reference, atol=2 / 32768)


def test_g711_every_byte_decodes_monotonically() -> None:
    # the 256 codes decode to 256 distinct levels (255 for u-law: two zeros)
    ulaw = decode_bytes(bytes(range(256)), F("ulaw_8000")).samples[:, 0]
    alaw = decode_bytes(bytes(range(256)), F("alaw_8000")).samples[:, 0]
    assert len(set(ulaw.tolist())) == 255 and len(set(alaw.tolist())) == 256
    assert np.abs(ulaw).max() <= 1 and np.abs(alaw).max() <= 1


def test_container_under_headerless_format_is_still_read() -> None:
    samples = tone(16000, 0.2)
    clip = decode_bytes(wav_bytes(samples, 16000), F("pcm_24000"))
    assert clip.sample_rate_hz == 16000 and clip.frames == len(samples)


@pytest.mark.parametrize("make", [lambda: wav_bytes(tone(16000, 0.2), 16000),
                                  lambda: mp3_bytes(tone(44100, 0.2), 44100),
                                  lambda: opus_bytes(tone(48000, 0.2))])
def test_sniffed_without_format(make: object) -> None:
    clip = decode_bytes(make(), None)  # type: ignore[operator]
    assert 190 <= clip.duration_ms <= 210


def test_bytearray_and_memoryview_accepted() -> None:
    data = wav_bytes(tone(8000, 0.1), 8000)
    assert decode_bytes(bytearray(data), None).frames == 800
    assert decode_bytes(memoryview(data), None).frames == 800


# -- files -------------------------------------------------------------------------------
def test_decode_file_by_extension_and_format(tmp_path: Path) -> None:
    (tmp_path / "a.wav").write_bytes(wav_bytes(tone(16000, 0.25), 16000))
    (tmp_path / "a.mp3").write_bytes(mp3_bytes(tone(44100, 0.25), 44100))
    (tmp_path / "a.opus").write_bytes(opus_bytes(tone(48000, 0.25)))
    (tmp_path / "a.pcm").write_bytes(pcm16_bytes(tone(22050, 0.25)))
    (tmp_path / "take_pcm_24000.pcm").write_bytes(pcm16_bytes(tone(24000, 0.25)))
    (tmp_path / "a.ulaw").write_bytes(ulaw_encode(tone(8000, 0.25)))
    assert decode_file(tmp_path / "a.wav").duration_ms == 250
    assert decode_file(tmp_path / "a.mp3", F("mp3_44100_128")).duration_ms == 250
    assert decode_file(str(tmp_path / "a.opus")).duration_ms == 250
    assert decode_file(tmp_path / "a.pcm", F("pcm_22050")).sample_rate_hz == 22050
    assert decode_file(tmp_path / "take_pcm_24000.pcm").duration_ms == 250
    assert decode_file(tmp_path / "a.ulaw").sample_rate_hz == 8000
    with pytest.raises(AudioDecodeError, match="sample rate"):
        decode_file(tmp_path / "a.pcm")


def test_decode_file_falls_back_to_pyav_for_m4a(tmp_path: Path) -> None:
    path = tmp_path / "voice.m4a"
    samples = tone(44100, 0.5)
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=44100)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = 44100
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    with pytest.raises(soundfile.LibsndfileError):
        soundfile.read(path)
    clip = decode_file(path)
    assert clip.sample_rate_hz == 44100
    assert abs(clip.duration_ms - 500) < 60
    assert abs(dominant_hz(clip.samples, 44100) - 440) < 5


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(AudioDecodeError, match="Could not open"):
        decode_file(tmp_path / "nothing.mp3")
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioDecodeError, match="empty"):
        decode_file(tmp_path / "empty.wav")
    (tmp_path / "text.mp3").write_text("hello, not a song")
    with pytest.raises(AudioDecodeError):
        decode_file(tmp_path / "text.mp3")


# -- damage ------------------------------------------------------------------------------
GARBAGE = [
    b"",
    b"hello, not audio at all" * 20,
    json.dumps({"detail": {"status": "quota_exceeded", "message": "no"}}).encode(),
    np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes(),
    np.random.default_rng(8).integers(0, 256, 50000, dtype=np.uint8).tobytes(),
    b"\x00" * 1000,
]


@pytest.mark.parametrize("data", GARBAGE)
@pytest.mark.parametrize("fmt", [None, "mp3_44100_128", "opus_48000_64", "wav_16000"])
def test_garbage_raises_decode_error(data: bytes, fmt: str | None) -> None:
    with pytest.raises(AudioDecodeError) as info:
        decode_bytes(data, F(fmt) if fmt else None)
    assert str(info.value)  # plain words, never empty


@pytest.mark.parametrize("cut", [4, 12, 30, 44])
def test_truncated_wav_header(cut: int) -> None:
    with pytest.raises(AudioDecodeError):
        decode_bytes(wav_bytes(tone(16000, 0.2), 16000)[:cut], F("wav_16000"))


@pytest.mark.parametrize("cut", [3, 50, 150])
def test_truncated_mp3_before_any_sound(cut: int) -> None:
    with pytest.raises(AudioDecodeError):
        decode_bytes(mp3_bytes(tone(44100, 0.5), 44100)[:cut], F("mp3_44100_128"))


@pytest.mark.parametrize("cut", [4, 27, 60])
def test_truncated_ogg_before_any_sound(cut: int) -> None:
    with pytest.raises(AudioDecodeError):
        decode_bytes(opus_bytes(tone(48000, 0.5))[:cut], F("opus_48000_64"))


def test_mp3_cut_midway_plays_what_arrived() -> None:
    data = mp3_bytes(tone(44100, 1.0), 44100)
    clip = decode_bytes(data[: len(data) // 2], F("mp3_44100_128"))
    assert 300 < clip.duration_ms < 700


def test_headerless_too_short() -> None:
    with pytest.raises(AudioDecodeError):
        decode_bytes(b"\x01", F("pcm_16000"))
    with pytest.raises(AudioDecodeError):
        decode_bytes(b"", F("ulaw_8000"))


# -- the clip ----------------------------------------------------------------------------
def test_clip_shape_and_mono() -> None:
    clip = AudioClip(np.ones(48, dtype=np.float64), 48000)
    assert clip.samples.shape == (48, 1) and clip.samples.dtype == np.float32
    assert clip.frames == 48 and clip.channels == 1 and clip.duration_ms == 1
    assert clip.mono() is clip
    stereo = AudioClip(np.stack([np.ones(10), -np.ones(10) * 0.5], axis=1), 10)
    mono = stereo.mono()
    assert mono.channels == 1 and mono.duration_ms == 1000
    np.testing.assert_allclose(mono.samples[:, 0], 0.25)
    with pytest.raises(ValueError):
        AudioClip(np.zeros(3), 0)
