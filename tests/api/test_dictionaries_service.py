"""The dictionaries service against the cloud test server: every request checked
against the spec, answers parsed, errors plain."""

from __future__ import annotations

import pytest

from app.api import errors
from app.api.client import ApiClient
from app.api.dictionaries import DictionariesService
from app.api.speech import SpeechService
from app.domain.pronunciation import AliasRule, PhonemeRule, PlsError, RuleError, read_pls
from app.domain.wire import PronunciationDictionaryLocator, SpeechRequest
from tests.support.cloud import Cloud
from tests.support.cloud_dictionaries import forget
from tests.support.spec import validate_request

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

GEORGE = "JBFqnCBsd6RMkjVDRZzb"
RULES = [AliasRule("XI", "eleven"), PhonemeRule("tomato", "/təˈmɑːtoʊ/", "ipa")]


def _all_valid(cloud: Cloud) -> None:
    for r in cloud.control.requests():
        if r["json"] is not None or r["method"] == "GET":
            validate_request(r["method"], r["path"], r["query"], r["json"])


async def test_full_life_of_a_dictionary(cloud: Cloud, client: ApiClient) -> None:
    service = DictionariesService(client)
    made = await service.create_from_rules("Brand", RULES)
    assert made.version_rules_num == 2
    listed = await service.list_all()
    assert [d.id for d in listed] == [made.id]
    got = await service.get(made.id)
    assert got.domain_rules() == RULES
    renamed = await service.rename(made.id, "Brand names")
    assert renamed.name == "Brand names"
    added = await service.add_rules(made.id, [AliasRule("SQL", "sequel")])
    assert added.version_rules_num == 3
    removed = await service.remove_rules(made.id, ["tomato"])
    assert removed.version_rules_num == 2
    pls = await service.download(made.id, made.version_id)
    assert read_pls(pls) == RULES
    fresh = await service.create_from_file("Imported", pls)
    assert (await service.get(fresh.id)).domain_rules() == RULES
    await service.set_rules(fresh.id, [])
    assert (await service.get(fresh.id)).rules == []
    _all_valid(cloud)


async def test_speech_with_a_locator_and_after_deletion(cloud: Cloud,
                                                        client: ApiClient) -> None:
    service = DictionariesService(client)
    made = await service.create_from_rules("Brand", RULES)
    locator = PronunciationDictionaryLocator(pronunciation_dictionary_id=made.id,
                                             version_id=made.version_id)
    request = SpeechRequest(text="XI", pronunciation_dictionary_locators=[locator])
    result = await SpeechService(client).convert(GEORGE, request)
    assert result.audio
    sent = [r for r in cloud.control.requests() if r["path"].startswith("/v1/text-to")]
    assert sent[-1]["json"]["pronunciation_dictionary_locators"] == [
        {"pronunciation_dictionary_id": made.id, "version_id": made.version_id}]
    forget(cloud.server, made.id)
    with pytest.raises(errors.ApiError) as caught:
        await SpeechService(client).convert(GEORGE, request)
    assert caught.value.status_code == 404
    _all_valid(cloud)


async def test_bad_input_never_leaves(cloud: Cloud, client: ApiClient) -> None:
    service = DictionariesService(client)
    with pytest.raises(RuleError):
        await service.create_from_rules("x", [AliasRule("", "y")])
    with pytest.raises(PlsError):
        await service.create_from_file("x", b"<lexicon>")
    with pytest.raises(ValueError):
        await service.create_from_rules("  ", RULES)
    assert not [r for r in cloud.control.requests() if "pronunciation" in r["path"]]
    with pytest.raises(errors.ApiError) as caught:
        await service.get("missing")
    assert caught.value.status_code == 404


async def test_a_cursor_that_repeats_ends_the_listing_without_doubles(
        cloud: Cloud, client: ApiClient) -> None:
    """A server that answers the same page and cursor again and again: the listing
    stopped only after 50 requests, with the dictionary listed 50 times."""
    page = {"pronunciation_dictionaries": [{
        "id": "dict1", "latest_version_id": "v1", "latest_version_rules_num": 1,
        "name": "Brand", "permission_on_resource": "admin", "created_by": "me",
        "creation_time_unix": 1, "archived_time_unix": None, "description": None}],
        "next_cursor": "same", "has_more": True}
    cloud.control.add_faults({"path_regex": "^/v1/pronunciation-dictionaries$",
                              "method": "GET", "fault": "json_body", "body": page,
                              "count": 60})
    listed = await DictionariesService(client).list_all()
    assert [d.id for d in listed] == ["dict1"]
    sent = [r for r in cloud.control.requests()
            if r["path"] == "/v1/pronunciation-dictionaries"]
    assert len(sent) == 2
