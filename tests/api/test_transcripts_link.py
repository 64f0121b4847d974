"""Transcribing from a web address through the service layer against the cloud test
server: the link goes as the spec's `source_url` (not the deprecated
`cloud_storage_url`) in a multipart form without a file; the server validates it."""

from __future__ import annotations

import httpx
import pytest

from app.api.client import ApiClient
from app.api.errors import ValidationError
from app.api.transcripts import TranscriptionOptionsError, TranscriptsService
from app.domain.stt_options import TranscriptionOptions
from tests.support.cloud import Cloud
from tests.support.cloud_server import CREATOR_KEY
from tests.support.spec import validate_response_json

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
LINK = "https://cdn.example.com/media/interview.mp3"


async def test_a_link_is_sent_as_source_url(client: ApiClient, cloud: Cloud) -> None:
    raw, info = await TranscriptsService(client).create_from_url(
        LINK, TranscriptionOptions(diarize=True, num_speakers=2))
    validate_response_json("POST", "/v1/speech-to-text", 200, raw)
    assert raw["words"] and info.request_id
    sent = [r for r in cloud.control.requests() if r["path"] == "/v1/speech-to-text"]
    assert len(sent) == 1 and sent[0]["content_type"].startswith("multipart/form-data")
    assert cloud.server._stt_music["sources"] == [
        {"source_url": LINK, "cloud_storage_url": None, "file": None}]


async def test_a_bad_link_is_refused_before_sending(client: ApiClient, cloud: Cloud) -> None:
    service = TranscriptsService(client)
    for bad in ("", "ftp://example.com/a.mp3", "interview.mp3"):
        with pytest.raises(TranscriptionOptionsError):
            await service.create_from_url(bad, TranscriptionOptions())
    assert not [r for r in cloud.control.requests() if r["path"] == "/v1/speech-to-text"]


async def test_the_server_validates_the_link(cloud: Cloud) -> None:
    async with httpx.AsyncClient(base_url=cloud.url, headers={"xi-api-key": CREATOR_KEY},
                                 timeout=30) as http:
        reply = await http.post("/v1/speech-to-text", data={"model_id": "scribe_v2"},
                                files={"source_url": (None, b"https://not a link")})
        assert reply.status_code == 422
        assert any(d["loc"] == ["body", "source_url"] for d in reply.json()["detail"])
        both = await http.post("/v1/speech-to-text", data={"model_id": "scribe_v2"},
                               files=[("source_url", (None, LINK.encode())),
                                      ("file", ("a.wav", b"RIFF", "audio/wav"))])
        assert both.status_code == 422


async def test_a_refused_link_reads_as_a_validation_error(client: ApiClient,
                                                          cloud: Cloud) -> None:
    # Looks like a link to the app, not to the server (no dot in the host).
    with pytest.raises(ValidationError):
        await TranscriptsService(client).create_from_url("https://localhost/a.mp3",
                                                         TranscriptionOptions())
