"""Acceptance: the official `elevenlabs` SDK, unmodified, against a real running engine."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile as sf
from elevenlabs import ElevenLabs

from app.engine.launcher import LocalEngineProcess
from app.engine.voices import ENGINE_MODEL_ID, ENGINE_VOICES

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ElevenLabs]:
    # As `xi-studio serve` runs it for other programs: no per-launch token, any key.
    log = tmp_path_factory.mktemp("sdk-engine") / "engine.log"
    with LocalEngineProcess(log_path=log, use_token=False) as engine:
        yield ElevenLabs(base_url=engine.base_url, api_key="offline")


def _mp3_seconds(path: Path) -> float:
    info = sf.info(str(path))
    assert info.format == "MP3" and info.samplerate == 44100
    return float(info.duration)


def test_models_list(sdk: ElevenLabs) -> None:
    models = sdk.models.list()
    assert [m.model_id for m in models] == [ENGINE_MODEL_ID]
    assert models[0].can_do_text_to_speech


def test_voices_search(sdk: ElevenLabs) -> None:
    page = sdk.voices.search()
    assert page.total_count == len(ENGINE_VOICES)
    assert {v.voice_id for v in page.voices} <= {v.voice_id for v in ENGINE_VOICES}
    german = sdk.voices.search(search="German")
    assert [v.name for v in german.voices] == ["Lena (German)"]
    assert sdk.voices.get(ENGINE_VOICES[0].voice_id).name == ENGINE_VOICES[0].name


def test_convert_to_a_decodable_mp3_file(sdk: ElevenLabs, tmp_path: Path) -> None:
    voice_id = sdk.voices.search().voices[0].voice_id
    out = tmp_path / "convert.mp3"
    # The SDK's defaults: model eleven_multilingual_v2, output mp3_44100_128.
    with out.open("wb") as f:
        for chunk in sdk.text_to_speech.convert(voice_id=voice_id,
                                                text="The official SDK, fully offline."):
            f.write(chunk)
    assert _mp3_seconds(out) > 1.0
    samples, _ = sf.read(str(out))
    assert abs(samples).max() > 0.05


def test_stream_to_a_decodable_mp3_file(sdk: ElevenLabs, tmp_path: Path) -> None:
    voice_id = sdk.voices.search().voices[1].voice_id
    chunks = list(sdk.text_to_speech.stream(
        voice_id=voice_id, text="First sentence. Second sentence. Third sentence.",
        model_id="eleven_flash_v2_5", voice_settings={"speed": 1.1},
    ))
    assert len(chunks) > 1
    out = tmp_path / "stream.mp3"
    out.write_bytes(b"".join(chunks))
    assert _mp3_seconds(out) > 1.5


def test_with_timestamps_and_other_formats(sdk: ElevenLabs) -> None:
    voice_id = ENGINE_VOICES[2].voice_id
    result = sdk.text_to_speech.convert_with_timestamps(voice_id=voice_id, text="Hi there.")
    assert result.alignment is not None
    assert "".join(result.alignment.characters) == "Hi there."
    chunks = list(sdk.text_to_speech.stream_with_timestamps(
        voice_id=voice_id, text="One. Two.", output_format="pcm_16000"))
    text = "".join("".join(c.alignment.characters) for c in chunks if c.alignment)
    assert text == "One. Two."
    wav = b"".join(sdk.text_to_speech.convert(voice_id=voice_id, text="Wave.",
                                              output_format="wav_16000"))
    assert sf.info(io.BytesIO(wav)).samplerate == 16000


def test_subscription(sdk: ElevenLabs) -> None:
    assert sdk.user.subscription.get().tier == "offline"


def test_forced_alignment_create(sdk: ElevenLabs) -> None:
    text = "The quick brown fox jumps over the lazy dog."
    voice_id = ENGINE_VOICES[0].voice_id
    wav = b"".join(sdk.text_to_speech.convert(voice_id=voice_id, text=text,
                                              output_format="wav_16000"))
    result = sdk.forced_alignment.create(file=("fox.wav", wav, "audio/wav"), text=text)
    assert [w.text for w in result.words] == text.split()
    starts = [w.start for w in result.words]
    assert starts == sorted(starts) and starts[-1] > 1.0
    assert "".join(c.text for c in result.characters) == text
    assert 0.0 <= result.loss < 1.0
