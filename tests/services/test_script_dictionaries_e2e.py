"""A script with a pronunciation dictionary, against the cloud test server: every block's
request (and a dialogue's) carries the locator and validates against the spec; changing
the dictionary's version makes the takes stale so they are made again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.api.dictionaries import DictionariesService
from app.domain.pronunciation import AliasRule
from app.library.script_store import load_script
from tests.services.test_script_e2e import Harness, cast_script, check_spec, tts_sent
from tests.support.cloud import Cloud

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def test_every_block_carries_the_scripts_dictionary(cloud: Cloud,
                                                          tmp_path: Path) -> None:
    client = cloud.client()
    try:
        made = await DictionariesService(client).create_from_rules(
            "Brand names", [AliasRule("Anna", "Ahna")])
        locator = {"pronunciation_dictionary_id": made.id, "version_id": made.version_id,
                   "name": "Brand names"}
        script = replace(cast_script(), pronunciation_dictionary_locators=(locator,))
        path = tmp_path / "dict.xiscript.json"
        h = Harness(client, path, script)
        result = await h.queue().run()
        assert result.outcome == "finished", result.message
        sent = tts_sent(cloud)
        assert len(sent) == len(script.blocks)
        check_spec(sent)
        wanted = [{"pronunciation_dictionary_id": made.id, "version_id": made.version_id}]
        assert all(r["json"]["pronunciation_dictionary_locators"] == wanted for r in sent)
        saved = load_script(path)
        assert saved.pronunciation_dictionary_locators == (locator,)
        assert all(b.chosen_take is not None
                   and b.chosen_take.dictionaries == ((made.id, made.version_id),)
                   for b in saved.blocks)

        # Nothing to do again with the same dictionary: never pay twice.
        assert (await h.queue().run()).made == [] and len(tts_sent(cloud)) == len(sent)
        # A new version of the dictionary: every take is stale and made again.
        newer = {**locator, "version_id": "a-newer-version"}
        h.document.apply(lambda s: replace(s, pronunciation_dictionary_locators=(newer,)))
        assert all(h.document.script.is_stale(b) for b in h.document.script.blocks)
    finally:
        await client.aclose()


async def test_dialogue_carries_the_scripts_dictionary(cloud: Cloud, tmp_path: Path) -> None:
    client = cloud.client()
    try:
        made = await DictionariesService(client).create_from_rules(
            "Brand names", [AliasRule("Ben", "Benn")])
        locator = {"pronunciation_dictionary_id": made.id, "version_id": made.version_id}
        script = replace(cast_script(), model_id="eleven_v3",
                         pronunciation_dictionary_locators=(locator,))
        ids = [b.block_id for b in script.blocks][3:7]
        h = Harness(client, tmp_path / "d.xiscript.json", script)
        takes = await h.renderer.render_dialogue(script, ids)
        sent = [r for r in cloud.control.requests() if "dialogue" in r["path"]]
        check_spec(sent)
        assert sent[0]["json"]["pronunciation_dictionary_locators"] == [locator]
        assert all(t.dictionaries == ((made.id, made.version_id),) for t in takes.values())
    finally:
        await client.aclose()
