"""One unreadable pronunciation dictionary in the account's list (no id, a rule count
that is text) refused the whole page: the Pronunciation window listed none. The readable
ones are kept; a page of only unreadable ones is still refused. Against the cloud test
server on loopback."""

from __future__ import annotations

import pytest

from app.api.client import ApiClient
from app.api.dictionaries import DictionariesService
from app.api.errors import ApiProtocolError
from tests.support.cloud import Cloud

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

GOOD = {"id": "d1", "latest_version_id": "v1", "latest_version_rules_num": 2,
        "name": "Names"}


def _serve(cloud: Cloud, items: list[object]) -> None:
    cloud.control.add_faults({"path_regex": "^/v1/pronunciation-dictionaries/?$",
                              "fault": "json_body",
                              "body": {"pronunciation_dictionaries": items,
                                       "has_more": False}})


@pytest.mark.parametrize("damaged", [
    {"latest_version_id": "v9", "latest_version_rules_num": 1, "name": "No id"},
    {**GOOD, "id": "d2", "latest_version_rules_num": "two"},
    "a dictionary",
], ids=["no-id", "count-as-text", "text"])
async def test_one_unreadable_dictionary_leaves_the_others(
        client: ApiClient, cloud: Cloud, damaged: object) -> None:
    _serve(cloud, [damaged, GOOD])
    page = await DictionariesService(client).list_page()
    assert [d.id for d in page.pronunciation_dictionaries] == ["d1"]


async def test_a_page_of_only_unreadable_dictionaries_is_refused(
        client: ApiClient, cloud: Cloud) -> None:
    _serve(cloud, [{"name": "x"}, None])
    with pytest.raises(ApiProtocolError):
        await DictionariesService(client).list_page()
