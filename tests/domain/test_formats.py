from __future__ import annotations

import json

import pytest

from app.domain.formats import (
    MUSIC_FORMATS,
    TTS_FORMATS,
    TTS_STREAM_FORMATS,
    Codec,
    OutputFormat,
)
from tests.support.spec import load_spec


def _enum(path: str) -> set[str]:
    op = load_spec()["paths"][path]["post"]
    param = next(p for p in op["parameters"] if p["name"] == "output_format")
    schema = param["schema"]
    values = schema.get("enum") or next(o["enum"] for o in schema["anyOf"] if "enum" in o)
    return set(values)


def test_tts_lists_match_the_spec() -> None:
    assert {f.value for f in TTS_FORMATS} == _enum("/v1/text-to-speech/{voice_id}")
    assert {f.value for f in TTS_STREAM_FORMATS} == _enum("/v1/text-to-speech/{voice_id}/stream")


def test_music_formats_are_the_spec_list_minus_auto() -> None:
    assert {f.value for f in MUSIC_FORMATS} == _enum("/v1/music") - {"auto"}


@pytest.mark.parametrize("value", ["mp3_44100_128", "pcm_16000", "ulaw_8000", "opus_48000_64"])
def test_parse_round_trips(value: str) -> None:
    assert OutputFormat.parse(value).value == value


@pytest.mark.parametrize("value", ["", "mp3", "flac_44100", "mp3_fast", "mp3_1_2_3"])
def test_parse_rejects_nonsense(value: str) -> None:
    with pytest.raises(ValueError):
        OutputFormat.parse(value)


def test_plan_notes() -> None:
    assert OutputFormat.parse("mp3_44100_192").minimum_plan == "Creator"
    assert OutputFormat.parse("pcm_44100").minimum_plan == "Pro"
    assert OutputFormat.parse("mp3_44100_128").minimum_plan is None
    assert not OutputFormat.parse("wav_16000").can_stream
    assert OutputFormat.parse("ulaw_8000").is_headerless
    assert OutputFormat.parse("opus_48000_32").codec is Codec.OPUS
    json.dumps([f.label for f in TTS_FORMATS])
