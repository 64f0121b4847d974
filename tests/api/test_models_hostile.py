"""One damaged model in `GET /v1/models` (a language that is a number, a name that is a
list) refused the whole list: no model could be used and the Speech tab said "Voices
could not be loaded". The readable models are kept; only a list with none readable is
refused. Against the cloud test server on loopback."""

from __future__ import annotations

import pytest

from app.api.client import ApiClient
from app.api.errors import ApiProtocolError
from app.api.voices import VoicesService
from tests.support.cloud import Cloud

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

GOOD = {"model_id": "eleven_multilingual_v2", "name": "Eleven Multilingual v2",
        "languages": [{"language_id": "en", "name": "English"}]}


def _serve(cloud: Cloud, body: object) -> None:
    cloud.control.add_faults({"path_regex": "^/v1/models$", "fault": "json_body",
                              "body": body})


@pytest.mark.parametrize("damaged", [
    {"model_id": "m2", "languages": [1]},
    {"model_id": "m2", "name": ["x"]},
    {"name": "no id"},
    "eleven_v3",
    None,
], ids=["language-number", "name-list", "no-id", "a-string", "null"])
async def test_one_damaged_model_leaves_the_others(client: ApiClient, cloud: Cloud,
                                                   damaged: object) -> None:
    _serve(cloud, [damaged, GOOD])
    models = await VoicesService(client).list_models()
    assert [m.model_id for m in models] == ["eleven_multilingual_v2"]


@pytest.mark.parametrize("body", [[{"name": "no id"}, 7], {"models": [GOOD]}, "x"],
                         ids=["none-readable", "an-object", "a-string"])
async def test_a_list_with_no_readable_model_is_refused(client: ApiClient, cloud: Cloud,
                                                         body: object) -> None:
    _serve(cloud, body)
    with pytest.raises(ApiProtocolError, match="model"):
        await VoicesService(client).list_models()


async def test_an_empty_list_is_an_empty_list(client: ApiClient, cloud: Cloud) -> None:
    _serve(cloud, [])
    assert await VoicesService(client).list_models() == []
