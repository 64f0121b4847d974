"""The cloud test server's text-to-dialogue endpoints answer in the contract's shapes
(the UI's end-to-end tests rely on them), and the service layer reads them."""

from __future__ import annotations

import io
import json

import httpx
import pytest
import soundfile as sf

from app.api.client import ApiClient
from app.api.dialogue import DialogueService
from app.api.errors import NotFoundError
from app.domain.dialogue import DialogueInput, DialogueRequest
from tests.support.cloud import Cloud
from tests.support.cloud_server import CREATOR_KEY
from tests.support.spec import validate_request, validate_response_json

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

GEORGE, SARAH = "JBFqnCBsd6RMkjVDRZzb", "EXAVITQu4vr4xnSDxMaL"
BODY = {"inputs": [{"text": "Hello!", "voice_id": GEORGE},
                   {"text": "Hi, George.", "voice_id": SARAH}]}


def test_answers_match_the_contract(cloud: Cloud) -> None:
    headers = {"xi-api-key": CREATOR_KEY}
    with httpx.Client(base_url=cloud.url, headers=headers, timeout=30) as http:
        for path in ("/v1/text-to-dialogue/with-timestamps",
                     "/v1/text-to-dialogue/stream/with-timestamps"):
            response = http.post(path, json=BODY)
            assert response.status_code == 200
            for line in response.text.splitlines():
                validate_response_json("POST", path, 200, json.loads(line))
        audio = http.post("/v1/text-to-dialogue", json=BODY,
                          params={"output_format": "wav_16000"})
        assert sf.info(io.BytesIO(audio.content)).samplerate == 16000
        assert http.post("/v1/text-to-dialogue/stream", json=BODY).status_code == 200
        assert http.post("/v1/text-to-dialogue", json={"inputs": [{"text": "x"}]}
                         ).status_code == 422
    sent = [r for r in cloud.control.requests() if r["json"] == BODY]
    assert len(sent) == 4
    for request in sent:  # what was sent is valid; the broken body above is not
        validate_request(request["method"], request["path"], request["query"],
                         request["json"])
    assert cloud.control.stats()["generations"]["text_to_dialogue"] == 1


async def test_service_reads_answers_and_errors(client: ApiClient) -> None:
    service = DialogueService(client)
    request = DialogueRequest(inputs=[DialogueInput(**x) for x in BODY["inputs"]])
    result, info = await service.with_timestamps(request)
    assert [s.voice_id for s in result.voice_segments] == [GEORGE, SARAH]
    assert info.character_cost == len("Hello!") + len("Hi, George.")
    converted = await service.convert(request, "mp3_44100_128")
    assert sf.info(io.BytesIO(converted.audio)).format == "MP3"
    with pytest.raises(NotFoundError):
        await service.convert(DialogueRequest(inputs=[DialogueInput(text="Hi", voice_id="x")]))
