"""Text to dialogue on the local engine: the four endpoints, answers checked against the
contract, voice segments that match the audio, the official SDK against a running
engine, and the service layer's split of a dialogue back onto its lines."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import warnings

import pytest
import soundfile as sf
from elevenlabs import ElevenLabs

from app.api.client import ApiClient, ClientConfig
from app.api.dialogue import DialogueService
from app.domain.dialogue import DialogueInput, DialogueRequest, pieces_by_input
from app.engine.launcher import LocalEngineProcess
from app.engine.voices import ENGINE_VOICES
from tests.engine.conftest import container_kind
from tests.support.spec import validate_request, validate_response_json

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

A, B = ENGINE_VOICES[0].voice_id, ENGINE_VOICES[1].voice_id
LINES = [{"text": "Hello there, neighbour.", "voice_id": A},
         {"text": "Oh, hi! Lovely day.", "voice_id": B},
         {"text": "It is indeed.", "voice_id": A}]
BODY = {"inputs": LINES, "model_id": "eleven_v3", "settings": {"stability": 0.5}}


def _post(client: TestClient, path: str, body: object = BODY, **query: str) -> object:
    validate_request("POST", path, {k: [v] for k, v in query.items()}, body)
    return client.post(path, json=body, params=query)


def test_full_audio(client: TestClient) -> None:
    response = _post(client, "/v1/text-to-dialogue")
    assert response.status_code == 200 and response.headers["content-type"] == "audio/mpeg"
    assert container_kind(response.content) == "mp3"
    wav = _post(client, "/v1/text-to-dialogue", output_format="wav_16000")
    assert sf.info(io.BytesIO(wav.content)).samplerate == 16000


def test_with_timestamps_segments_cover_each_line(client: TestClient) -> None:
    response = _post(client, "/v1/text-to-dialogue/with-timestamps",
                     output_format="wav_22050")
    assert response.status_code == 200
    data = response.json()
    validate_response_json("POST", "/v1/text-to-dialogue/with-timestamps", 200, data)
    segments = data["voice_segments"]
    assert [s["dialogue_input_index"] for s in segments] == [0, 1, 2]
    assert [s["voice_id"] for s in segments] == [A, B, A]
    chars = data["alignment"]["characters"]
    for line, segment in zip(LINES, segments, strict=True):
        lo, hi = segment["character_start_index"], segment["character_end_index"]
        assert "".join(chars[lo:hi]) == line["text"]
    starts = [s["start_time_seconds"] for s in segments]
    assert starts == sorted(starts)
    audio = base64.b64decode(data["audio_base64"])
    seconds = sf.info(io.BytesIO(audio)).duration
    assert segments[-1]["end_time_seconds"] <= seconds + 0.05


def test_streams(client: TestClient) -> None:
    audio = _post(client, "/v1/text-to-dialogue/stream")
    assert audio.status_code == 200 and container_kind(audio.content) == "mp3"
    lines = _post(client, "/v1/text-to-dialogue/stream/with-timestamps")
    assert lines.status_code == 200
    chunks = [json.loads(x) for x in lines.text.splitlines() if x.strip()]
    assert len(chunks) == 3
    for chunk in chunks:
        # The contract's 200 schema for the stream is one chunk.
        validate_response_json("POST", "/v1/text-to-dialogue/stream/with-timestamps", 200,
                               chunk)
        assert {"audio_base64", "voice_segments"} <= chunk.keys()
    text = "".join("".join(c["alignment"]["characters"]) for c in chunks)
    assert text == " ".join(line["text"] for line in LINES)


def test_bad_dialogues(client: TestClient) -> None:
    missing = client.post("/v1/text-to-dialogue", json={
        "inputs": [{"text": "Hi.", "voice_id": "noSuchVoice"}]})
    assert missing.status_code == 404
    assert missing.json()["detail"]["status"] == "voice_not_found"
    empty = client.post("/v1/text-to-dialogue", json={"inputs": []})
    assert empty.status_code == 400
    shape = client.post("/v1/text-to-dialogue", json={"inputs": [{"text": "Hi."}]})
    assert shape.status_code == 422


@pytest.fixture(scope="module")
def sdk(serve_process: LocalEngineProcess) -> ElevenLabs:
    return ElevenLabs(base_url=serve_process.base_url, api_key="offline")


@pytest.mark.e2e
def test_sdk_dialogue_convert(sdk: ElevenLabs) -> None:
    audio = b"".join(sdk.text_to_dialogue.convert(inputs=LINES))
    assert container_kind(audio) == "mp3"
    assert sf.info(io.BytesIO(audio)).duration > 2.0


@pytest.mark.e2e
def test_sdk_dialogue_convert_with_timestamps(sdk: ElevenLabs) -> None:
    result = sdk.text_to_dialogue.convert_with_timestamps(inputs=LINES)
    assert [s.dialogue_input_index for s in result.voice_segments] == [0, 1, 2]
    assert result.alignment is not None
    assert "".join(result.alignment.characters) == " ".join(x["text"] for x in LINES)


@pytest.mark.e2e
def test_service_splits_a_dialogue_onto_its_lines(engine_process: LocalEngineProcess) -> None:
    async def run() -> None:
        client = ApiClient(ClientConfig(base_url=engine_process.base_url,
                                         api_key=engine_process.token))
        try:
            request = DialogueRequest(inputs=[DialogueInput(**x) for x in LINES])
            result, info = await DialogueService(client).with_timestamps(request)
            assert info.request_id
            pieces = pieces_by_input(result, len(LINES))
            assert [[w.word for w in p.words] for p in pieces] == [
                x["text"].split() for x in LINES]
            assert all(p.end_ms > p.start_ms for p in pieces)
            assert pieces[1].start_ms >= pieces[0].end_ms
            async with DialogueService(client).stream_with_timestamps(request) as stream:
                chunks = [c async for c in stream.chunks()]
            assert [c.voice_segments[0].dialogue_input_index for c in chunks] == [0, 1, 2]
        finally:
            await client.aclose()

    asyncio.run(run())
