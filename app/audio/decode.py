"""Whole-file decoding: bytes or a file to an AudioClip.

Headerless formats (16-bit PCM, u-law, a-law) are turned into samples with numpy at the
rate the OutputFormat names. Everything else goes to soundfile (WAV, MP3, Ogg Opus,
FLAC...) and, when soundfile cannot read it (AAC/M4A, video files...), to PyAV. Any
failure comes out as AudioDecodeError with a message in plain words.
"""

from __future__ import annotations

import io
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from app.audio._codecs import ALAW_TABLE, ULAW_TABLE, frame_to_array, g711_to_float, pcm16_to_float
from app.audio.clip import AudioClip
from app.audio.errors import AudioDecodeError
from app.domain.formats import Codec, OutputFormat

__all__ = ["AudioDecodeError", "decode_bytes", "decode_file"]


# Headers that mean "this is a container", even when a headerless format was expected
# (e.g. a WAV file stored under a pcm_* format by an older version or another tool).
_CONTAINER_MAGIC = (b"RIFF", b"RIFX", b"OggS", b"ID3", b"fLaC", b"FORM", b"caff")

_HEADERLESS_SUFFIXES = {".pcm": Codec.PCM, ".raw": Codec.PCM, ".ulaw": Codec.ULAW,
                        ".alaw": Codec.ALAW}
_RATE_IN_NAME = re.compile(r"(?:^|[^0-9])(8000|16000|22050|24000|32000|44100|48000)(?:[^0-9]|$)")

Source = Callable[[], Any]  # returns a fresh path or file object for each reader


def decode_bytes(data: bytes | bytearray | memoryview, fmt: OutputFormat | None) -> AudioClip:
    """Decode a complete response or file held in memory.

    `fmt` is needed for headerless formats (it gives the sample rate); with None the
    container is recognised from its contents.
    """
    data = bytes(data)
    if not data:
        raise AudioDecodeError("No audio arrived: the data is empty.")
    if fmt is not None and fmt.is_headerless and not data.startswith(_CONTAINER_MAGIC):
        return _decode_headerless(data, fmt)
    mp3 = (fmt is not None and fmt.codec is Codec.MP3) or _looks_like_mp3(data[:4])
    return _decode_container(lambda: io.BytesIO(data), "The data", mp3)


def decode_file(path: str | Path, fmt: OutputFormat | None = None) -> AudioClip:
    """Decode an audio (or video) file. Raw .pcm/.ulaw/.alaw files need `fmt`, or a
    sample rate in their name (e.g. `take_pcm_24000.pcm`)."""
    path = Path(path)
    try:
        status = path.stat()
    except OSError as exc:
        raise AudioDecodeError(f"Could not open {path.name}: {exc.strerror or exc}.") from exc
    # Before the size: a named pipe or a device says it holds 0 bytes, and was called
    # "empty" (a pipe, opened, waits for ever for someone to write to it).
    if stat.S_ISDIR(status.st_mode):
        raise AudioDecodeError(f"{path.name} is a folder, not an audio file.")
    if not stat.S_ISREG(status.st_mode):
        raise AudioDecodeError(f"{path.name} is not an ordinary file (a pipe or a device), "
                               "so it holds no audio to read.")
    size = status.st_size
    if size == 0:
        raise AudioDecodeError(f"{path.name} is empty: it holds no audio.")
    if fmt is None:
        fmt = _headerless_format_from_name(path)
    if fmt is not None and fmt.is_headerless:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise AudioDecodeError(f"Could not read {path.name}: {exc.strerror or exc}.") from exc
        return decode_bytes(data, fmt)
    try:
        with path.open("rb") as file:
            head = file.read(4)
    except OSError as exc:
        raise AudioDecodeError(f"Could not read {path.name}: {exc.strerror or exc}.") from exc
    mp3 = (fmt is not None and fmt.codec is Codec.MP3) or _looks_like_mp3(head)
    return _decode_container(lambda: str(path), path.name, mp3)


def _looks_like_mp3(head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF
                                       and (head[1] & 0xE6) in (0xE2, 0xE4, 0xE6))


def _headerless_format_from_name(path: Path) -> OutputFormat | None:
    codec = _HEADERLESS_SUFFIXES.get(path.suffix.lower())
    if codec is None:
        return None
    match = _RATE_IN_NAME.search(path.stem)
    if match:
        return OutputFormat(codec, int(match.group(1)))
    if codec in (Codec.ULAW, Codec.ALAW):
        return OutputFormat(codec, 8000)  # telephony codecs: 8 kHz is the only rate in use
    raise AudioDecodeError(
        f"{path.name} is raw PCM, which does not record its sample rate, so it cannot be "
        "played without knowing the format it was generated in."
    )


def _decode_headerless(data: bytes, fmt: OutputFormat) -> AudioClip:
    if fmt.codec is Codec.PCM:
        if len(data) < 2:
            raise AudioDecodeError("The audio is too short to hold a single sample.")
        samples = pcm16_to_float(data)
    elif fmt.codec is Codec.ULAW:
        samples = g711_to_float(data, ULAW_TABLE)
    else:
        samples = g711_to_float(data, ALAW_TABLE)
    return AudioClip(samples.reshape(-1, 1), fmt.sample_rate_hz)


def _decode_container(source: Source, label: str, mp3: bool) -> AudioClip:
    if mp3:
        # libsndfile estimates an MP3's length from its first frame when there is no
        # Xing header and then stops early on VBR files; FFmpeg reads every frame (and
        # trims the LAME encoder delay exactly as mpg123 does when there is a header).
        try:
            clip = _read_with_pyav(source, label)
        except AudioDecodeError:
            clip = None
        if clip is not None and clip.frames > 0:
            return clip
    clip = _read_with_soundfile(source)
    if clip is not None and clip.frames > 0:
        return clip
    clip = _read_with_pyav(source, label)
    if clip.frames == 0:
        raise AudioDecodeError(f"{label} holds no sound: no samples could be decoded.")
    return clip


def _read_with_soundfile(source: Source) -> AudioClip | None:
    try:
        import soundfile

        samples, rate = soundfile.read(source(), dtype="float32", always_2d=True)
        return AudioClip(samples, int(rate))
    except Exception:  # unknown or damaged for libsndfile: PyAV gets a try
        return None


def _read_with_pyav(source: Source, label: str) -> AudioClip:
    try:
        import av
    except ImportError as exc:  # pragma: no cover - av is a declared dependency
        raise AudioDecodeError(f"{label} is not in a format XI Studio can read.") from exc
    try:
        container = av.open(source(), mode="r")
    except Exception as exc:
        raise AudioDecodeError(f"{label} is not audio in a format XI Studio can read.") from exc
    try:
        with container:
            if not container.streams.audio:
                raise AudioDecodeError(f"{label} has no sound track.")
            return _decode_stream(av, container, container.streams.audio[0])
    except AudioDecodeError:
        raise
    except Exception as exc:
        raise AudioDecodeError(f"{label} could not be decoded: it looks damaged.") from exc


def _decode_stream(av: Any, container: Any, stream: Any) -> AudioClip:
    chunks: list[np.ndarray] = []
    rate: int | None = None
    layout: str | None = None
    resampler: Any = None

    def take(frame: Any) -> None:
        nonlocal rate, layout, resampler
        if rate is None:
            rate, layout = int(frame.sample_rate), frame.layout.name
        if resampler is None and (frame.sample_rate != rate or frame.layout.name != layout):
            # The stream changed shape mid-way: bring the rest to the first frame's shape.
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        if resampler is None:
            chunks.append(frame_to_array(frame))
        else:
            chunks.extend(frame_to_array(out) for out in resampler.resample(frame))

    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except av.error.InvalidDataError:
            continue  # one damaged packet: keep what decodes
        for frame in frames:
            take(frame)
    if resampler is not None:
        chunks.extend(frame_to_array(out) for out in resampler.resample(None))
    if rate is None or not chunks:
        return AudioClip(np.zeros((0, 1), np.float32), rate or 1)
    return AudioClip(np.concatenate(chunks), rate)
