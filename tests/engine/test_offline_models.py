"""The engine with REAL installed models: the Piper voice Joe and Whisper base.

Models come from the test-only packages (copies of the hub's files), installed the way a
user without internet would (from a folder). Audio is kept short: 2 shared CPU cores.
"""

from __future__ import annotations

import base64
import io
import itertools
import re
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile as sf

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from app.domain.formats import TTS_FORMATS
from app.engine.app import create_app
from app.engine.voices import ENGINE_VOICES
from app.library.models.store import ModelStore
from tests.engine.conftest import decode
from tests.support.model_hub import install_test_models
from tests.support.spec import validate_response_json

PARAGRAPH = ("Offline speech matters to many people. A writer can hear a draft read aloud "
             "without sending a single word to the cloud. A teacher can turn a recorded "
             "lesson into text on an old laptop, and nothing leaves the computer.")

# The engine answers loopback Host headers only (TestClient's default is "testserver").
LOOPBACK = "http://127.0.0.1"
# Form posts (uploads) carry a key, as the app and the SDK send; web pages cannot.
KEY = {"xi-api-key": "offline"}


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def recognised_share(reference: str, heard: str) -> float:
    """Share of the reference's words heard, in order (longest common subsequence)."""
    ref, hyp = words_of(reference), words_of(heard)
    row = [0] * (len(hyp) + 1)
    for r in ref:
        prev = 0
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], prev + 1 if r == h else max(row[j], row[j - 1])
    return row[-1] / len(ref)


def check_words_in_order(words: list[dict]) -> None:
    spoken = [w for w in words if w["type"] == "word"]
    assert spoken and {w["type"] for w in words} <= {"word", "spacing"}
    for a, b in itertools.pairwise(spoken):
        assert a["start"] <= a["end"] <= b["start"] + 1e-6 <= b["end"] + 1e-6


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ModelStore:
    base = tmp_path_factory.mktemp("offline-models")
    return install_test_models(base / "models", base / "scratch")


@pytest.fixture(scope="module")
def client(store: ModelStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(tmp_path_factory.mktemp("engine"), models=store)
    with TestClient(app, base_url=LOOPBACK, headers=KEY) as c:
        yield c


@pytest.fixture(scope="module")
def joe_id(client: TestClient) -> str:
    page = client.get("/v2/voices", params={"search": "Piper"}).json()
    assert [v["name"] for v in page["voices"]] == ["Joe (English, US) · Piper"]
    return str(page["voices"][0]["voice_id"])


def test_piper_voice_is_listed_beside_the_espeak_ones(client: TestClient, joe_id: str) -> None:
    page = client.get("/v2/voices", params={"page_size": 100}).json()
    validate_response_json("GET", "/v2/voices", 200, page)
    assert page["total_count"] == len(ENGINE_VOICES) + 1
    joe = next(v for v in page["voices"] if v["voice_id"] == joe_id)
    assert joe["labels"]["engine"] == "piper" and joe["labels"]["quality"] == "medium"
    assert joe_id in {v["voice_id"] for v in client.get("/v1/voices").json()["voices"]}
    preview = client.get(joe["preview_url"].split("testserver")[-1])
    assert preview.status_code == 200
    samples, _ = sf.read(io.BytesIO(preview.content))
    assert len(samples) > 44100 and abs(samples).max() > 0.05


def test_piper_speaks_every_format(client: TestClient, joe_id: str) -> None:
    for fmt in TTS_FORMATS:
        response = client.post(f"/v1/text-to-speech/{joe_id}",
                               params={"output_format": fmt.value}, json={"text": "Hi."})
        assert response.status_code == 200, fmt.value
        samples, rate = decode(response.content, fmt)
        assert rate == fmt.sample_rate_hz and len(samples) > rate * 0.2, fmt.value
        assert abs(samples).max() > 0.05, fmt.value


def test_piper_streams_with_timestamps(client: TestClient, joe_id: str) -> None:
    text = "First sentence here. And a second one."
    with client.stream("POST", f"/v1/text-to-speech/{joe_id}/stream/with-timestamps",
                       json={"text": text}) as response:
        lines = [line for line in response.iter_lines() if line]
    chars: list[str] = []
    starts: list[float] = []
    for line in lines:
        import json

        alignment = json.loads(line)["alignment"]
        if alignment:
            chars += alignment["characters"]
            starts += alignment["character_start_times_seconds"]
    assert "".join(chars) == text
    assert starts == sorted(starts) and starts[-1] > 1.0


def test_round_trip_piper_then_whisper(client: TestClient, joe_id: str) -> None:
    """Acceptance: Piper speaks a paragraph, Whisper base hears >= 90 % of its words."""
    spoken = client.post(f"/v1/text-to-speech/{joe_id}/with-timestamps",
                         params={"output_format": "mp3_44100_128"}, json={"text": PARAGRAPH})
    assert spoken.status_code == 200
    body = spoken.json()
    validate_response_json("POST", "/v1/text-to-speech/x/with-timestamps", 200, body)
    assert "".join(body["alignment"]["characters"]) == PARAGRAPH
    starts = body["alignment"]["character_start_times_seconds"]
    assert starts == sorted(starts)
    audio = base64.b64decode(body["audio_base64"])
    heard = client.post("/v1/speech-to-text", data={"model_id": "scribe_v1"},
                        files={"file": ("paragraph.mp3", audio, "audio/mpeg")})
    assert heard.status_code == 200
    assert heard.headers["x-xi-engine-model"] == "whisper-base"
    result = heard.json()
    validate_response_json("POST", "/v1/speech-to-text", 200, result)
    assert recognised_share(PARAGRAPH, result["text"]) >= 0.9, result["text"]
    check_words_in_order(result["words"])
    assert result["language_code"] == "en" and result["language_probability"] > 0.8
    assert result["xi_studio_engine"]["model"] == "whisper-base"
    assert result["xi_studio_engine"]["approximate"] is False


def test_a_removed_voice_is_a_clear_404(store: ModelStore, tmp_path: Path) -> None:
    copy = ModelStore(tmp_path / "models")
    shutil.copytree(store.root / "piper-en_US-joe-medium", copy.root / "piper-en_US-joe-medium",
                    symlinks=True)
    with TestClient(create_app(None, models=copy), base_url=LOOPBACK, headers=KEY) as c:
        joe = c.get("/v2/voices", params={"search": "Piper"}).json()["voices"][0]["voice_id"]
        onnx = copy.root / "piper-en_US-joe-medium" / "en_US-joe-medium.onnx"
        onnx.unlink()  # deleted by hand while the engine runs
        response = c.post(f"/v1/text-to-speech/{joe}", json={"text": "Hello."})
        assert response.status_code == 404
        assert "was removed" in response.json()["detail"]["message"]
        espeak = c.post(f"/v1/text-to-speech/{ENGINE_VOICES[0].voice_id}", json={"text": "Hi."})
        assert espeak.status_code == 200  # the rest of the engine keeps working
        copy.remove("piper-en_US-joe-medium")
        page = c.get("/v2/voices", params={"page_size": 100}).json()
        assert page["total_count"] == len(ENGINE_VOICES)
        # Removed with `models remove` (the voice is gone from the list): still named,
        # with what to do, on every endpoint that takes a voice.
        for response in (
                c.post(f"/v1/text-to-speech/{joe}", json={"text": "Hello."}),
                c.post(f"/v1/text-to-speech/{joe}/with-timestamps", json={"text": "Hi."}),
                c.post("/v1/text-to-dialogue",
                       json={"inputs": [{"text": "Hi.", "voice_id": joe}]})):
            assert response.status_code == 404, response.text
            message = response.json()["detail"]["message"]
            assert "Joe (English, US) · Piper" in message and "not installed" in message
            assert "xi-studio models install piper-en_US-joe-medium" in message
        unknown = c.post("/v1/text-to-speech/nosuchvoice0000000000", json={"text": "Hi."})
        assert unknown.json()["detail"]["message"].startswith("A voice with the voice_id")


def test_a_voice_damaged_on_disk_says_to_install_it_again(store: ModelStore,
                                                          tmp_path: Path) -> None:
    copy = ModelStore(tmp_path / "models")
    shutil.copytree(store.root / "piper-en_US-joe-medium", copy.root / "piper-en_US-joe-medium")
    with TestClient(create_app(None, models=copy), base_url=LOOPBACK, headers=KEY) as c:
        joe = c.get("/v2/voices", params={"search": "Piper"}).json()["voices"][0]["voice_id"]
        onnx = copy.root / "piper-en_US-joe-medium" / "en_US-joe-medium.onnx"
        with onnx.open("r+b") as f:  # damaged in place, same size: only loading tells
            f.write(b"\xff" * 65536)
        for path in (f"/v1/text-to-speech/{joe}", f"/v1/text-to-speech/{joe}/stream",
                     f"/v1/text-to-speech/{joe}/with-timestamps",
                     f"/v1/text-to-speech/{joe}/stream/with-timestamps"):
            response = c.post(path, json={"text": "Hello."})
            assert response.status_code == 404, (path, response.text)
            message = response.json()["detail"]["message"]
            assert "Joe (English, US) · Piper is damaged" in message, path
            assert "Install it again in Settings > Offline voices and transcripts" in message
        dialogue = c.post("/v1/text-to-dialogue/stream",
                          json={"inputs": [{"text": "Hi.", "voice_id": joe}]})
        assert dialogue.status_code == 404 and "is damaged" in dialogue.text
        espeak = c.post(f"/v1/text-to-speech/{ENGINE_VOICES[0].voice_id}", json={"text": "Hi."})
        assert espeak.status_code == 200  # the rest of the engine keeps working


def test_without_models_pocketsphinx_still_answers(tmp_path: Path) -> None:
    app = create_app(None, models=ModelStore(tmp_path / "none"))
    with TestClient(app, base_url=LOOPBACK, headers=KEY) as c:
        audio = c.post(f"/v1/text-to-speech/{ENGINE_VOICES[0].voice_id}",
                       params={"output_format": "wav_16000"}, json={"text": "Hello there."})
        heard = c.post("/v1/speech-to-text", data={"model_id": "scribe_v1"},
                       files={"file": ("a.wav", audio.content, "audio/wav")})
        assert heard.status_code == 200
        assert heard.headers["x-xi-engine-model"] == "pocketsphinx"
        assert heard.json()["xi_studio_engine"]["approximate"] is True


@pytest.mark.e2e
def test_the_official_sdk_round_trip_through_a_real_engine(
        store: ModelStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Acceptance: the same round trip by the unmodified `elevenlabs` SDK against the
    engine process (`xi-studio serve`'s server), with the models in the user's folder."""
    from elevenlabs import ElevenLabs

    from app.engine.launcher import LocalEngineProcess

    monkeypatch.setenv("XI_STUDIO_MODELS_DIR", str(store.root))
    with LocalEngineProcess(log_path=tmp_path / "engine.log", use_token=False) as engine:
        sdk = ElevenLabs(base_url=engine.base_url, api_key="offline")
        voices = sdk.voices.search(search="Piper").voices
        assert [v.name for v in voices] == ["Joe (English, US) · Piper"]
        assert voices[0].labels and voices[0].labels["engine"] == "piper"
        spoken = sdk.text_to_speech.convert_with_timestamps(
            voice_id=voices[0].voice_id, text=PARAGRAPH, output_format="mp3_44100_128")
        assert spoken.alignment is not None
        assert "".join(spoken.alignment.characters) == PARAGRAPH
        audio = base64.b64decode(spoken.audio_base_64)
        heard = sdk.speech_to_text.convert(file=("paragraph.mp3", audio, "audio/mpeg"),
                                           model_id="scribe_v1")
        assert recognised_share(PARAGRAPH, heard.text) >= 0.9, heard.text
        assert heard.language_code == "en"
        check_words_in_order([w.model_dump() for w in heard.words])


def test_listing_installed_models_loads_no_model_library(store: ModelStore) -> None:
    """Start-up and idle memory unchanged: Piper and Whisper load on first use only."""
    import os
    import subprocess
    import sys

    script = (
        "import sys, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "from starlette.testclient import TestClient\n"
        "from app.engine.app import create_app\n"
        "c = TestClient(create_app(None), base_url=\"http://127.0.0.1\",\n"
        "               headers={\"xi-api-key\": \"offline\"})\n"
        "assert any(v['labels'].get('engine') == 'piper'"
        " for v in c.get('/v1/voices').json()['voices'])\n"
        "heavy = {'piper', 'faster_whisper', 'onnxruntime', 'ctranslate2', 'huggingface_hub'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n")
    env = dict(os.environ, XI_STUDIO_MODELS_DIR=str(store.root))
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_with_whisper_other_languages_are_accepted(client: TestClient) -> None:
    lena = next(v for v in ENGINE_VOICES if v.language == "de").voice_id
    audio = client.post(f"/v1/text-to-speech/{lena}", params={"output_format": "wav_16000"},
                        json={"text": "Guten Morgen. Wie geht es dir heute?"}).content
    for code in ("deu", None):
        heard = client.post("/v1/speech-to-text",
                            data={"model_id": "scribe_v1",
                                  **({"language_code": code} if code else {})},
                            files={"file": ("de.wav", audio, "audio/wav")})
        assert heard.status_code == 200, heard.text
        assert heard.json()["language_code"] == "de"  # asked for, or detected


def test_a_whisper_model_removed_or_broken_falls_back_to_pocketsphinx(
        store: ModelStore, tmp_path: Path) -> None:
    import os

    from app.engine import whisper_stt

    copy = ModelStore(tmp_path / "models")
    shutil.copytree(store.root / "whisper-base", copy.root / "whisper-base",
                    copy_function=os.link)
    with TestClient(create_app(None, models=copy), base_url=LOOPBACK, headers=KEY) as c:
        audio = c.post(f"/v1/text-to-speech/{ENGINE_VOICES[0].voice_id}",
                       params={"output_format": "wav_16000"}, json={"text": "Hello there."})

        def transcribe() -> tuple[str, dict]:
            heard = c.post("/v1/speech-to-text", data={"model_id": "scribe_v1"},
                           files={"file": ("a.wav", audio.content, "audio/wav")})
            assert heard.status_code == 200, heard.text
            return heard.headers["x-xi-engine-model"], heard.json()["xi_studio_engine"]

        # Broken on disk (a damaged config): answered anyway, and the mark says why.
        (copy.root / "whisper-base" / "config.json").unlink()
        (copy.root / "whisper-base" / "config.json").write_text("{not json")
        whisper_stt._LOADED.clear()
        model, mark = transcribe()
        assert model == "pocketsphinx" and "Whisper base is damaged" in mark["note"]
        assert "Install the model again" in mark["note"]
        # Removed while the engine runs: PocketSphinx again, no error.
        copy.remove("whisper-base")
        model, mark = transcribe()
        assert model == "pocketsphinx" and "note" not in mark


def test_piper_requests_at_the_same_time(client: TestClient, joe_id: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def speak(n: int) -> int:
        response = client.post(f"/v1/text-to-speech/{joe_id}",
                               params={"output_format": "pcm_22050"},
                               json={"text": f"Request number {n} is here."})
        assert response.status_code == 200
        return len(response.content)

    with ThreadPoolExecutor(4) as pool:
        sizes = list(pool.map(speak, range(4)))
    assert all(size > 22050 for size in sizes)


def test_whisper_per_channel_with_character_times(client: TestClient, joe_id: str) -> None:
    import numpy as np

    # Both channels are spoken by the Piper voice: eSpeak's robotic speech is heard differently
    # by Whisper from one machine to the next ("Good morning" came back as "Don't worry" on CI),
    # and this test is about channels and character times, not about eSpeak.
    def speech(text: str) -> np.ndarray:
        wav = client.post(f"/v1/text-to-speech/{joe_id}",
                          params={"output_format": "wav_16000"}, json={"text": text}).content
        samples, _ = sf.read(io.BytesIO(wav), dtype="float32")
        return samples

    left, right = speech("Good morning everyone."), speech("Thank you very much.")
    stereo = np.zeros((max(len(left), len(right)), 2), dtype=np.float32)
    stereo[:len(left), 0] = left
    stereo[:len(right), 1] = right
    buffer = io.BytesIO()
    sf.write(buffer, stereo, 16000, format="WAV", subtype="PCM_16")
    heard = client.post("/v1/speech-to-text",
                        data={"model_id": "scribe_v1", "use_multi_channel": "true",
                              "timestamps_granularity": "character"},
                        files={"file": ("two.wav", buffer.getvalue(), "audio/wav")})
    assert heard.status_code == 200, heard.text
    validate_response_json("POST", "/v1/speech-to-text", 200, heard.json())
    channels = heard.json()["transcripts"]
    assert [c["channel_index"] for c in channels] == [0, 1]
    assert "morning" in channels[0]["text"].lower() and "thank" in channels[1]["text"].lower()
    word = next(w for w in channels[1]["words"] if w["type"] == "word")
    assert "".join(c["text"] for c in word["characters"]) == word["text"]
