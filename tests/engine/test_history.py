"""The engine's own speech history: kept for every generation except zero-retention
ones, served with the API's endpoints (answers checked against the spec), and read by
the official SDK from a real engine process."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile as sf
from elevenlabs import ElevenLabs

from app.domain.formats import OutputFormat
from app.engine.app import create_app
from app.engine.history_store import HistoryStore
from app.engine.launcher import LocalEngineProcess
from app.engine.voices import ENGINE_VOICES
from tests.engine.conftest import TestClient
from tests.support.disk_full import fill_disk_half_way
from tests.support.spec import validate_response_json

AVA = ENGINE_VOICES[0].voice_id


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[TestClient]:
    # The engine answers loopback Host headers only (TestClient's default is "testserver").
    with TestClient(create_app(tmp_path / "engine"), base_url="http://127.0.0.1") as test_client:
        yield test_client


def test_generations_are_kept_unless_zero_retention(fresh: TestClient, tmp_path: Path) -> None:
    body = {"text": "First one.", "voice_settings": {"stability": 0.3}}
    assert fresh.post(f"/v1/text-to-speech/{AVA}", json=body).status_code == 200
    streamed = fresh.post(f"/v1/text-to-speech/{AVA}/stream", json={"text": "Second one."})
    assert streamed.status_code == 200
    secret = fresh.post(f"/v1/text-to-speech/{AVA}?enable_logging=false",
                        json={"text": "Not kept."})
    assert secret.status_code == 200
    page = fresh.get("/v1/history").json()
    validate_response_json("GET", "/v1/history", 200, page)
    assert [i["text"] for i in page["history"]] == ["Second one.", "First one."]
    first = next(i for i in page["history"] if i["text"] == "First one.")
    assert first["settings"]["stability"] == 0.3
    item = fresh.get(f"/v1/history/{first['history_item_id']}").json()
    validate_response_json("GET", f"/v1/history/{first['history_item_id']}", 200, item)
    audio = fresh.get(f"/v1/history/{first['history_item_id']}/audio")
    assert audio.status_code == 200
    assert sf.info(io.BytesIO(audio.content)).duration > 0.3
    ids = [i["history_item_id"] for i in page["history"]]
    zipped = fresh.post("/v1/history/download", json={"history_item_ids": ids})
    assert zipped.headers["content-type"] == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()) == 2
    one_page = fresh.get("/v1/history", params={"page_size": 1}).json()
    assert one_page["has_more"] is True
    rest = fresh.get("/v1/history", params={
        "page_size": 1, "start_after_history_item_id": one_page["last_history_item_id"]}).json()
    assert len(rest["history"]) == 1 and rest["has_more"] is False
    deleted = fresh.delete(f"/v1/history/{first['history_item_id']}")
    validate_response_json("DELETE", f"/v1/history/{first['history_item_id']}", 200,
                           deleted.json())
    assert fresh.get(f"/v1/history/{first['history_item_id']}").status_code == 404
    # Kept in the data folder: a new engine on the same folder still has the rest.
    with TestClient(create_app(tmp_path / "engine"), base_url="http://127.0.0.1") as again:
        assert [i["text"] for i in again.get("/v1/history").json()["history"]] == [
            "Second one."]


@pytest.mark.e2e
def test_official_sdk_reads_the_history(serve_process: LocalEngineProcess) -> None:
    sdk = ElevenLabs(base_url=serve_process.base_url, api_key="offline")
    b"".join(sdk.text_to_speech.convert(voice_id=AVA, text="Kept for the SDK."))
    history = sdk.history.list(page_size=100)
    assert "Kept for the SDK." in [i.text for i in history.history]


def test_a_disk_full_half_way_leaves_no_half_item(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "engine")
    (tmp_path / "engine" / "history").mkdir(parents=True)
    fill_disk_half_way(monkeypatch, tmp_path / "engine")
    with pytest.raises(OSError):
        store.add(text="Hello.", voice_id="v", voice_name="V", model_id="m", settings={},
                  fmt=OutputFormat.parse("mp3_44100_128"), audio=b"\xff" * 4096)
    assert list((tmp_path / "engine" / "history").iterdir()) == []
    assert store.all() == []
