"""Forced alignment through the service layer against the cloud test server: the request
the app sends validates against the spec's form schema (the server refuses one that does
not, as a broken form shows), and the answer is read."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf

from app.api.alignment import AlignmentInputError, AlignmentService
from app.api.client import ApiClient
from app.api.errors import AuthError
from tests.support.cloud import Cloud
from tests.support.cloud_server import CREATOR_KEY
from tests.support.spec import validate_response_json

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TEXT = "Hello there, this is the approved script."


def _wav(path: Path, seconds: float = 2.0) -> Path:
    t = np.arange(int(16000 * seconds)) / 16000
    sf.write(str(path), (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    return path


async def test_service_sends_a_valid_form_and_reads_the_answer(
        client: ApiClient, cloud: Cloud, tmp_path: Path) -> None:
    result, info = await AlignmentService(client).create(_wav(tmp_path / "a.wav"), TEXT)
    validate_response_json("POST", "/v1/forced-alignment", 200, result)
    assert [w["text"] for w in result["words"]] == TEXT.split()
    assert result["words"][-1]["end"] == pytest.approx(2.0, abs=0.01)
    assert info.request_id
    sent = [r for r in cloud.control.requests() if r["path"] == "/v1/forced-alignment"]
    assert len(sent) == 1 and sent[0]["has_key"]
    assert sent[0]["content_type"].startswith("multipart/form-data")


async def test_the_server_checks_the_form_against_the_spec(cloud: Cloud, tmp_path: Path) -> None:
    wav = _wav(tmp_path / "a.wav").read_bytes()
    async with httpx.AsyncClient(base_url=cloud.url, headers={"xi-api-key": CREATOR_KEY},
                                 timeout=30) as http:
        no_text = await http.post("/v1/forced-alignment",
                                  files={"file": ("a.wav", io.BytesIO(wav), "audio/wav")})
        assert no_text.status_code == 422
        assert any(e["loc"][:2] == ["body", "text"] or "text" in e.get("msg", "")
                   for e in no_text.json()["detail"])
        ok = await http.post("/v1/forced-alignment", data={"text": TEXT},
                             files={"file": ("a.wav", io.BytesIO(wav), "audio/wav")})
        assert ok.status_code == 200
    async with httpx.AsyncClient(base_url=cloud.url, timeout=30) as anonymous:
        refused = await anonymous.post("/v1/forced-alignment", data={"text": TEXT},
                                       files={"file": ("a.wav", io.BytesIO(wav), "audio/wav")})
        assert refused.status_code == 401


async def test_refused_before_sending(client: ApiClient, tmp_path: Path) -> None:
    service = AlignmentService(client)
    with pytest.raises(AlignmentInputError, match="no words"):
        await service.create(_wav(tmp_path / "a.wav"), "  ...  ")
    with pytest.raises(AlignmentInputError, match="cannot be read"):
        await service.create(tmp_path / "missing.wav", TEXT)


async def test_a_wrong_key_is_an_auth_error(cloud: Cloud, tmp_path: Path) -> None:
    api = cloud.client("not-a-key")
    try:
        with pytest.raises(AuthError):
            await AlignmentService(api).create(_wav(tmp_path / "a.wav"), TEXT)
    finally:
        await api.aclose()
