"""Output formats: `codec_samplerate[_bitrate]` strings as the API names them.

The lists mirror the spec's enums (see shared/api/ELEVENLABS_API.md §1): the full TTS
endpoints accept 28 formats, the streaming ones the same minus `wav_*`, music adds
`auto` and four 48 kHz MP3 rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Codec(StrEnum):
    MP3 = "mp3"
    PCM = "pcm"
    ULAW = "ulaw"
    ALAW = "alaw"
    OPUS = "opus"
    WAV = "wav"


_EXTENSIONS = {
    Codec.MP3: "mp3",
    Codec.PCM: "pcm",
    Codec.ULAW: "ulaw",
    Codec.ALAW: "alaw",
    Codec.OPUS: "opus",
    Codec.WAV: "wav",
}

_MIME_TYPES = {
    Codec.MP3: "audio/mpeg",
    Codec.PCM: "audio/pcm",
    Codec.ULAW: "audio/basic",
    Codec.ALAW: "audio/x-alaw-basic",
    Codec.OPUS: "audio/ogg",
    Codec.WAV: "audio/wav",
}


@dataclass(frozen=True, slots=True)
class OutputFormat:
    codec: Codec
    sample_rate_hz: int
    bitrate_kbps: int | None = None

    @classmethod
    def parse(cls, value: str) -> OutputFormat:
        """Parse `mp3_44100_128`, `pcm_16000`, `ulaw_8000`... Raises ValueError."""
        parts = value.strip().lower().split("_")
        try:
            codec = Codec(parts[0])
            rate = int(parts[1])
            bitrate = int(parts[2]) if len(parts) > 2 else None
        except (ValueError, IndexError) as exc:
            raise ValueError(f"not an output format: {value!r}") from exc
        if len(parts) > 3:
            raise ValueError(f"not an output format: {value!r}")
        return cls(codec, rate, bitrate)

    @property
    def value(self) -> str:
        tail = f"_{self.bitrate_kbps}" if self.bitrate_kbps is not None else ""
        return f"{self.codec.value}_{self.sample_rate_hz}{tail}"

    def __str__(self) -> str:
        return self.value

    @property
    def file_extension(self) -> str:
        return _EXTENSIONS[self.codec]

    @property
    def mime_type(self) -> str:
        return _MIME_TYPES[self.codec]

    @property
    def is_headerless(self) -> bool:
        """Raw sample streams that carry no header: the sample rate must be known."""
        return self.codec in (Codec.PCM, Codec.ULAW, Codec.ALAW)

    @property
    def can_stream(self) -> bool:
        return self.codec is not Codec.WAV

    @property
    def minimum_plan(self) -> str | None:
        """The cheapest plan allowed to request this format, where the spec says one."""
        if self.codec is Codec.MP3 and self.bitrate_kbps is not None and self.bitrate_kbps >= 192:
            return "Creator"
        if self.codec in (Codec.PCM, Codec.WAV) and self.sample_rate_hz >= 44100:
            return "Pro"
        return None

    @property
    def label(self) -> str:
        """Plain words for pickers, e.g. 'MP3 · 44.1 kHz · 128 kbps'."""
        names = {
            Codec.MP3: "MP3",
            Codec.PCM: "PCM (raw 16-bit)",
            Codec.ULAW: "μ-law (telephony)",
            Codec.ALAW: "A-law (telephony)",
            Codec.OPUS: "Opus",
            Codec.WAV: "WAV",
        }
        rate = self.sample_rate_hz / 1000
        rate_text = f"{rate:g} kHz"
        parts = [names[self.codec], rate_text]
        if self.bitrate_kbps:
            parts.append(f"{self.bitrate_kbps} kbps")
        return " · ".join(parts)


def _formats(names: str) -> tuple[OutputFormat, ...]:
    return tuple(OutputFormat.parse(n) for n in names.split())


TTS_STREAM_FORMATS: tuple[OutputFormat, ...] = _formats(
    "mp3_22050_32 mp3_24000_48 mp3_44100_32 mp3_44100_64 mp3_44100_96 mp3_44100_128 "
    "mp3_44100_192 pcm_8000 pcm_16000 pcm_22050 pcm_24000 pcm_32000 pcm_44100 pcm_48000 "
    "ulaw_8000 alaw_8000 opus_48000_32 opus_48000_64 opus_48000_96 opus_48000_128 "
    "opus_48000_192"
)
TTS_FORMATS: tuple[OutputFormat, ...] = TTS_STREAM_FORMATS + _formats(
    "wav_8000 wav_16000 wav_22050 wav_24000 wav_32000 wav_44100 wav_48000"
)
MUSIC_FORMATS: tuple[OutputFormat, ...] = TTS_STREAM_FORMATS + _formats(
    "mp3_48000_128 mp3_48000_192 mp3_48000_240 mp3_48000_320"
)
DEFAULT_FORMAT = OutputFormat.parse("mp3_44100_128")
