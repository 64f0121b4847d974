"""The account's history service against the cloud test server: 120 items page
correctly, filters, one item with its settings, audio, several as a zip, delete."""

from __future__ import annotations

import io
import zipfile

import pytest
import soundfile as sf

from app.api import errors
from app.api.client import ApiClient
from app.api.history import HistoryQuery, HistoryService
from tests.support.cloud import Cloud
from tests.support.cloud_history import seed
from tests.support.spec import validate_request, validate_response_json

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

GEORGE = "JBFqnCBsd6RMkjVDRZzb"


async def test_120_items_page_correctly(cloud: Cloud, client: ApiClient) -> None:
    made = seed(cloud.server, 120)
    service = HistoryService(client)
    seen: list[str] = []
    start_after = None
    pages = 0
    while True:
        page = await service.page(page_size=50, start_after=start_after)
        pages += 1
        seen += [i.history_item_id for i in page.history]
        if not page.has_more:
            break
        start_after = page.last_history_item_id
    assert pages == 3
    assert seen == [m["history_item_id"] for m in reversed(made)]  # newest first, once each
    for r in cloud.control.requests():
        validate_request(r["method"], r["path"], r["query"], r["json"])


async def test_filters_item_audio_download_and_delete(cloud: Cloud, client: ApiClient) -> None:
    made = seed(cloud.server, 12)
    service = HistoryService(client)
    george = await service.page(HistoryQuery(voice_id=GEORGE))
    assert {i.voice_id for i in george.history} == {GEORGE} and len(george.history) == 6
    found = await service.page(HistoryQuery(search="number 7"))
    assert [i.text for i in found.history] == ["History item number 7."]
    first = made[0]["history_item_id"]
    item = await service.item(first)
    assert item.settings and item.settings["stability"] == 0.4
    assert item.characters_used == len("History item number 0.")
    audio = await service.audio(first)
    assert sf.info(io.BytesIO(audio)).duration > 0.3
    data, kind = await service.download([first, made[1]["history_item_id"]])
    assert kind == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == 2
    await service.delete(first)
    with pytest.raises(errors.NotFoundError):
        await service.item(first)
    assert len((await service.page()).history) == 11
    with pytest.raises(ValueError):
        await service.download([])
    for r in cloud.control.requests():
        validate_request(r["method"], r["path"], r["query"], r["json"])
    validate_response_json("GET", "/v1/history", 200, {
        "history": [made[1]], "has_more": False, "last_history_item_id": None})
