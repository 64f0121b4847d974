"""Pronunciation dictionaries on a script: saved in the file, part of the fingerprint
(a changed dictionary makes a take stale) while scripts written before dictionaries
existed load with their takes still fresh."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from app.domain.script import Script
from app.domain.script_file import (
    ScriptFormatError,
    script_from_json,
    script_to_dict,
    script_to_json,
)
from tests.domain.test_script import sample, take_for

BRANDS = {"pronunciation_dictionary_id": "dict1", "version_id": "v1", "name": "Brand names"}


def with_dictionary(script: Script, locator: dict[str, str] = BRANDS) -> Script:
    return replace(script, pronunciation_dictionary_locators=(locator,))


def test_locators_and_take_dictionaries_round_trip() -> None:
    script = with_dictionary(sample(with_takes=False))
    block = script.blocks[0]
    take = replace(take_for(script, block, "t1"), dictionaries=script.dictionaries)
    script = replace(script, blocks=(replace(block, takes=(take,), chosen_take_id="t1"),
                                     *script.blocks[1:]))
    loaded = script_from_json(script_to_json(script))
    assert loaded == script
    assert loaded.pronunciation_dictionary_locators == (BRANDS,)
    assert loaded.blocks[0].takes[0].dictionaries == (("dict1", "v1"),)
    assert not loaded.is_stale(loaded.blocks[0])


def test_old_files_without_dictionaries_keep_their_takes_fresh() -> None:
    data = script_to_dict(sample())
    data.pop("pronunciation_dictionary_locators")
    for block in data["blocks"]:
        for take in block["takes"]:
            assert "dictionaries" not in take  # none written when none were used
    script = script_from_json(json.dumps(data))
    assert script.pronunciation_dictionary_locators == ()
    assert not any(script.is_stale(b) for b in script.blocks)
    assert not script.missing_blocks()


def test_changing_the_dictionaries_makes_takes_stale_and_back_fresh() -> None:
    script = sample()
    attached = with_dictionary(script)
    assert all(attached.is_stale(b) for b in attached.blocks)
    assert attached.missing_blocks()  # "generate missing" makes them again
    newer = with_dictionary(script, {**BRANDS, "version_id": "v2"})
    assert newer.fingerprint_of(newer.blocks[0]) != attached.fingerprint_of(attached.blocks[0])
    detached = replace(attached, pronunciation_dictionary_locators=())
    assert not any(detached.is_stale(b) for b in detached.blocks)


def test_a_malformed_take_dictionary_names_the_field() -> None:
    data = script_to_dict(sample())
    data["blocks"][0]["takes"][0]["dictionaries"] = [["only-an-id"]]
    with pytest.raises(ScriptFormatError, match=r"blocks\[0\]\.takes\[0\]\.dictionaries\[0\]"):
        script_from_json(json.dumps(data))


def test_too_many_or_nameless_dictionaries_are_refused() -> None:
    data = script_to_dict(sample())
    data["pronunciation_dictionary_locators"] = [BRANDS] * 4
    with pytest.raises(ScriptFormatError, match="at most 3"):
        script_from_json(json.dumps(data))
    data["pronunciation_dictionary_locators"] = [{"version_id": "v1"}]
    with pytest.raises(ScriptFormatError,
                       match=r"pronunciation_dictionary_locators\[0\]\.pronunciation_dictionary_id"):
        script_from_json(json.dumps(data))
