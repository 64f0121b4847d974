"""One voice's odd extras in the voices list (its stored settings out of range, a label
that is a number) refused the whole list: the Speech tab said "Voices could not be
loaded" and no voice could be used. Those extras are dropped instead, the voice kept.
Against the cloud test server on loopback."""

from __future__ import annotations

import pytest

from app.api.client import ApiClient
from app.api.voices import VoicesService
from tests.support.cloud import Cloud

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

GOOD = {"voice_id": "v1", "name": "Good", "category": "premade",
        "labels": {"language": "en"}, "settings": {"stability": 0.5, "speed": 1.0}}


@pytest.mark.parametrize("odd", [
    {"settings": {"stability": 0.5, "speed": 5.0}},
    {"settings": {"stability": "high"}},
    {"settings": [1, 2]},
    {"labels": {"language": "en", "age": 30, "accent": None}},
    {"labels": ["en"]},
], ids=["speed-5", "stability-text", "settings-list", "label-number", "labels-list"])
async def test_one_voices_odd_extras_do_not_refuse_the_list(
        client: ApiClient, cloud: Cloud, odd: dict[str, object]) -> None:
    odd_voice = {**GOOD, "voice_id": "v2", "name": "Odd", **odd}
    cloud.control.add_faults({"path_regex": "^/v2/voices$", "fault": "json_body",
                              "body": {"voices": [GOOD, odd_voice], "has_more": False}})
    page = await VoicesService(client).search_voices()
    assert [v.voice_id for v in page.voices] == ["v1", "v2"]
    good, kept = page.voices
    assert good.settings is not None and good.settings.stability == 0.5
    if "settings" in odd:
        assert kept.settings is None  # the defaults apply
    else:
        assert all(isinstance(v, str) for v in kept.labels.values())
        assert kept.language in ("en", "")


@pytest.mark.parametrize("damaged", [
    {"voice_id": "v2", "name": "Odd", "description": 5},
    {"voice_id": "v2", "name": "Odd", "preview_url": ["http://x"]},
], ids=["description-number", "preview-list"])
async def test_a_voices_odd_description_or_sample_address_is_left_out(
        client: ApiClient, cloud: Cloud, damaged: dict[str, object]) -> None:
    cloud.control.add_faults({"path_regex": "^/v2/voices$", "fault": "json_body",
                              "body": {"voices": [GOOD, damaged], "has_more": False}})
    page = await VoicesService(client).search_voices()
    assert [v.voice_id for v in page.voices] == ["v1", "v2"]
    assert page.voices[1].description is None and page.voices[1].preview_url is None


@pytest.mark.parametrize("damaged", [{"name": "No id"}, {"voice_id": 7}, "a voice", None],
                         ids=["no-id", "id-number", "text", "null"])
async def test_one_unreadable_voice_leaves_the_others(
        client: ApiClient, cloud: Cloud, damaged: object) -> None:
    cloud.control.add_faults({"path_regex": "^/v2/voices$", "fault": "json_body",
                              "body": {"voices": [damaged, GOOD], "has_more": False}})
    page = await VoicesService(client).search_voices()
    assert [v.voice_id for v in page.voices] == ["v1"]


async def test_a_list_of_only_unreadable_voices_is_refused(client: ApiClient,
                                                           cloud: Cloud) -> None:
    from app.api.errors import ApiProtocolError

    cloud.control.add_faults({"path_regex": "^/v2/voices$", "fault": "json_body",
                              "body": {"voices": [{"name": "x"}, 3], "has_more": False}})
    with pytest.raises(ApiProtocolError):
        await VoicesService(client).search_voices()
