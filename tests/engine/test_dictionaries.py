"""Pronunciation dictionaries in the engine: the endpoints (answers checked against the
spec), rules applied to speech, and the official SDK against a real engine process."""

from __future__ import annotations

import base64

import pytest
from elevenlabs import ElevenLabs, PronunciationDictionaryVersionLocator
from elevenlabs.pronunciation_dictionaries import (
    BodyAddAPronunciationDictionaryV1PronunciationDictionariesAddFromRulesPostRulesItem_Alias as Alias,  # noqa: E501
)
from elevenlabs.pronunciation_dictionaries import (
    BodyAddAPronunciationDictionaryV1PronunciationDictionariesAddFromRulesPostRulesItem_Phoneme as Phoneme,  # noqa: E501
)

from app.domain.pronunciation import AliasRule, PhonemeRule, read_pls
from app.engine.launcher import LocalEngineProcess
from app.engine.voices import ENGINE_VOICES
from tests.support.spec import validate_request, validate_response_json

AVA = ENGINE_VOICES[0].voice_id
KEY = {"xi-api-key": "offline"}
BASE = "/v1/pronunciation-dictionaries"
RULES = [{"string_to_replace": "XI", "type": "alias", "alias": "eleven"},
         {"string_to_replace": "tomato", "type": "phoneme", "phoneme": "/təˈmɑːtoʊ/",
          "alphabet": "ipa"}]


def _call(client, method: str, path: str, body: dict | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    if body is not None:
        validate_request(method, path, {}, body)
    response = client.request(method, path, json=body)
    assert response.status_code == status, response.text
    if status == 200 and response.headers["content-type"].startswith("application/json"):
        validate_response_json(method, path, 200, response.json())
    return response


def test_create_change_and_download(client) -> None:  # type: ignore[no-untyped-def]
    made = _call(client, "POST", f"{BASE}/add-from-rules", {"name": "Brand", "rules": RULES})
    info = made.json()
    assert info["version_rules_num"] == 2
    did = info["id"]
    listed = _call(client, "GET", BASE).json()
    assert did in [d["id"] for d in listed["pronunciation_dictionaries"]]
    full = _call(client, "GET", f"{BASE}/{did}").json()
    assert [r["string_to_replace"] for r in full["rules"]] == ["XI", "tomato"]
    added = _call(client, "POST", f"{BASE}/{did}/add-rules", {"rules": [
        {"string_to_replace": "SQL", "type": "alias", "alias": "sequel"}]}).json()
    assert added["version_rules_num"] == 3 and added["version_id"] != info["version_id"]
    removed = _call(client, "POST", f"{BASE}/{did}/remove-rules",
                    {"rule_strings": ["tomato"]}).json()
    assert removed["version_rules_num"] == 2
    renamed = _call(client, "PATCH", f"{BASE}/{did}", {"name": "Brand names"}).json()
    assert renamed["name"] == "Brand names"
    # The first version is still there, as the API keeps versions.
    pls = client.get(f"{BASE}/{did}/{info['version_id']}/download")
    assert pls.status_code == 200
    assert read_pls(pls.content) == [AliasRule("XI", "eleven"),
                                     PhonemeRule("tomato", "/təˈmɑːtoʊ/", "ipa")]
    _call(client, "POST", f"{BASE}/{did}/set-rules", {"rules": []})
    assert _call(client, "GET", f"{BASE}/{did}").json()["rules"] == []


def test_from_file_and_bad_input(client) -> None:  # type: ignore[no-untyped-def]
    pls_bytes = (b'<?xml version="1.0" encoding="UTF-8"?>\n<lexicon version="1.0" '
                 b'xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" '
                 b'xml:lang="en-US"><lexeme><grapheme>GIF</grapheme><alias>jif</alias>'
                 b'</lexeme></lexicon>')
    # A form post carries a key, as the app and the SDK send (the engine refuses keyless
    # forms: a web page could send those).
    made = client.post(f"{BASE}/add-from-file", data={"name": "From file"},
                       files={"file": ("x.pls", pls_bytes, "application/xml")},
                       headers=KEY)
    assert made.status_code == 200, made.text
    validate_response_json("POST", f"{BASE}/add-from-file", 200, made.json())
    assert made.json()["version_rules_num"] == 1
    broken = client.post(f"{BASE}/add-from-file", data={"name": "Broken"}, headers=KEY,
                         files={"file": ("x.pls", b"<lexicon><lexeme>", "application/xml")})
    assert broken.status_code == 400
    assert "line" in broken.json()["detail"]["message"]
    empty = client.post(f"{BASE}/add-from-rules", json={"name": "E", "rules": [
        {"string_to_replace": " ", "type": "alias", "alias": "x"}]})
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]["message"]
    missing = client.get(f"{BASE}/nope")
    assert missing.status_code == 404
    tts = client.post(f"/v1/text-to-speech/{AVA}", json={
        "text": "Hi.", "pronunciation_dictionary_locators": [
            {"pronunciation_dictionary_id": "gone", "version_id": "v"}]})
    assert tts.status_code == 404
    assert tts.json()["detail"]["status"] == "pronunciation_dictionary_not_found"


def test_rules_change_the_audio_but_not_the_alignment(client) -> None:  # type: ignore[no-untyped-def]
    did = client.post(f"{BASE}/add-from-rules", json={"name": "A", "rules": RULES}).json()
    text = "XI says tomato. Bye."
    plain = client.post(f"/v1/text-to-speech/{AVA}/with-timestamps", json={"text": text})
    ruled = client.post(f"/v1/text-to-speech/{AVA}/with-timestamps", json={
        "text": text, "pronunciation_dictionary_locators": [
            {"pronunciation_dictionary_id": did["id"], "version_id": did["version_id"]}]})
    assert plain.status_code == ruled.status_code == 200
    a, b = plain.json(), ruled.json()
    assert base64.b64decode(a["audio_base64"]) != base64.b64decode(b["audio_base64"])
    assert "".join(b["alignment"]["characters"]) == text
    starts = b["alignment"]["character_start_times_seconds"]
    assert starts == sorted(starts)


@pytest.mark.e2e
def test_official_sdk_against_a_real_engine(serve_process: LocalEngineProcess) -> None:
    sdk = ElevenLabs(base_url=serve_process.base_url, api_key="offline")
    made = sdk.pronunciation_dictionaries.create_from_rules(
        name="SDK dictionary",
        rules=[Alias(string_to_replace="XI", alias="eleven"),
               Phoneme(string_to_replace="tomato", phoneme="təˈmɑːtoʊ", alphabet="ipa")])
    listed = sdk.pronunciation_dictionaries.list()
    assert made.id in [d.id for d in listed.pronunciation_dictionaries]
    text = "XI grows a tomato."
    plain = b"".join(sdk.text_to_speech.convert(voice_id=AVA, text=text))
    locator = PronunciationDictionaryVersionLocator(pronunciation_dictionary_id=made.id,
                                                    version_id=made.version_id)
    ruled = b"".join(sdk.text_to_speech.convert(
        voice_id=AVA, text=text, pronunciation_dictionary_locators=[locator]))
    assert len(ruled) > 1000 and ruled != plain
    timed = sdk.text_to_speech.convert_with_timestamps(
        voice_id=AVA, text=text, pronunciation_dictionary_locators=[locator])
    assert timed.alignment is not None
    assert "".join(timed.alignment.characters) == text
    pls = b"".join(sdk.pronunciation_dictionaries.download(made.id, made.version_id))
    assert [r.string_to_replace for r in read_pls(pls)] == ["XI", "tomato"]
