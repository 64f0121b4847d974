"""Hostile script files: each is refused with a message naming the field, never with a
Python error, and never read in a form that would later write outside the takes folder
or save a file that cannot be opened again."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from app.domain.script_file import ScriptFormatError, script_from_json

GOOD: dict[str, Any] = {
    "format": "xi-studio-script", "format_version": 1, "model_id": "m",
    "output_format": "mp3_44100_128", "cast": [],
    "blocks": [{"block_id": "b_1", "speaker": "ANNA", "text": "Hello.", "takes": [{
        "take_id": "t_1", "file": "b_1/t_1.mp3", "text": "Hello.", "voice_id": "v",
        "model_id": "m", "output_format": "mp3_44100_128", "duration_ms": 800,
        "alignment": [["Hello.", 0, 700]]}]}],
}


def _with(path: list[Any], value: Any) -> str:
    data = copy.deepcopy(GOOD)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(data)


TAKE = ["blocks", 0, "takes", 0]


@pytest.mark.parametrize("text, where", [
    # json reads these as floats int() cannot take: OverflowError / ValueError before
    (json.dumps(GOOD).replace('"duration_ms": 800', '"duration_ms": Infinity'),
     "blocks[0].takes[0].duration_ms"),
    (json.dumps(GOOD).replace('"duration_ms": 800', '"duration_ms": 1e400'),
     "blocks[0].takes[0].duration_ms"),
    (json.dumps({**GOOD, "gap_ms": 0}).replace('"gap_ms": 0', '"gap_ms": NaN'), "gap_ms"),
    (json.dumps({**GOOD, "target_lufs": 0}).replace('"target_lufs": 0',
                                                   '"target_lufs": NaN'), "target_lufs"),
    # negative durations and times
    (_with([*TAKE, "duration_ms"], -5), "blocks[0].takes[0].duration_ms"),
    (_with([*TAKE, "alignment"], [["Hello.", -300, -100]]), "blocks[0].takes[0].alignment"),
    # block ids name the folder new takes are written into
    (_with(["blocks", 0, "block_id"], "../../outside"), "blocks[0].block_id"),
    (_with(["blocks", 0, "block_id"], ""), "blocks[0].block_id"),
    (_with(["blocks", 0, "block_id"], "/tmp"), "blocks[0].block_id"),
    (_with(["blocks", 0, "block_id"], ".."), "blocks[0].block_id"),
    (_with(["blocks", 0, "block_id"], "C:"), "blocks[0].block_id"),
    # take files outside the takes folder on some system, or not a path at all
    (_with([*TAKE, "file"], "C:/Windows/win.ini"), "blocks[0].takes[0].file"),
    (_with([*TAKE, "file"], "C:win.ini"), "blocks[0].takes[0].file"),
    (_with([*TAKE, "file"], "b_1\\..\\..\\x.mp3"), "blocks[0].takes[0].file"),
    (_with([*TAKE, "file"], "b_1/t\x00.mp3"), "blocks[0].takes[0].file"),
    # two takes with one id: choosing or removing one would mean both
    (_with(["blocks", 0, "takes"], [GOOD["blocks"][0]["takes"][0]] * 2),
     "blocks[0].takes"),
    # bool("no") is True: a hand-edited flag must not read as yes
    (_with([*TAKE, "from_dialogue"], "no"), "blocks[0].takes[0].from_dialogue"),
    # nested thousands deep: RecursionError before
    ('{"format": "xi-studio-script", "format_version": 1, "blocks": '
     + "[" * 100_000 + "]" * 100_000 + "}", "nested"),
], ids=["infinity", "1e400", "nan gap", "nan lufs", "negative duration",
        "negative times", "block id ..", "empty block id", "absolute block id",
        "block id dot dot", "drive block id", "drive file", "drive-relative file",
        "backslash dot dot", "nul in file", "duplicate take ids", "flag as text",
        "nested"])
def test_hostile_values_are_refused_naming_the_field(text: str, where: str) -> None:
    with pytest.raises(ScriptFormatError) as caught:
        script_from_json(text)
    assert where in str(caught.value)


def test_the_good_file_and_ordinary_ids_still_read() -> None:
    assert script_from_json(json.dumps(GOOD)).blocks[0].takes[0].duration_ms == 800
    for block_id in ("b1", "b_0123456789ab", "intro 2", "Ünïcode-1.2"):
        script = script_from_json(_with(["blocks", 0, "block_id"], block_id))
        assert script.blocks[0].block_id == block_id
