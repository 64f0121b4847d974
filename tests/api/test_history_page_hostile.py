"""One unreadable item in a page of the account's history (no id, a date that is text)
refused the whole page: none of the account's generations could be listed. The readable
items are kept; a page with items but none readable is still refused. Against the cloud
test server on loopback."""

from __future__ import annotations

import pytest

from app.api.client import ApiClient
from app.api.errors import ApiProtocolError
from app.api.history import HistoryService
from tests.support.cloud import Cloud

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

GOOD = {"history_item_id": "h1", "date_unix": 1_700_000_000, "text": "Hello",
        "character_count_change_from": 0, "character_count_change_to": 5}


def _serve(cloud: Cloud, items: list[object]) -> None:
    cloud.control.add_faults({"path_regex": "^/v1/history$", "fault": "json_body",
                              "body": {"history": items, "has_more": False}})


@pytest.mark.parametrize("damaged", [
    {"date_unix": 1_700_000_000},
    {"history_item_id": "h2", "date_unix": "yesterday"},
    7,
], ids=["no-id", "date-as-text", "a-number"])
async def test_one_unreadable_item_leaves_the_others(client: ApiClient, cloud: Cloud,
                                                     damaged: object) -> None:
    _serve(cloud, [damaged, GOOD])
    page = await HistoryService(client).page()
    assert [item.history_item_id for item in page.history] == ["h1"]


async def test_a_page_of_only_unreadable_items_is_refused(client: ApiClient,
                                                          cloud: Cloud) -> None:
    _serve(cloud, [{"date_unix": 1}, None])
    with pytest.raises(ApiProtocolError, match="history"):
        await HistoryService(client).page()
