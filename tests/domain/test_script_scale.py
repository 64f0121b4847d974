"""A long script's look-ups cost work in proportion to what changed, not to the whole
script again (counted, never timed)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

import app.domain.script as script_module
from app.domain.script import CastMember
from app.domain.script_file import script_from_json, script_to_json
from tests.support.long_script import long_script

BLOCKS = 1000


def test_a_takes_fingerprint_is_worked_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    script = long_script(blocks=BLOCKS, speakers=30, takes=3)
    script = replace(script, blocks=tuple(
        replace(b, text=b.text + " Edited.") if i % 2 else b  # half of them stale
        for i, b in enumerate(script.blocks)))
    made = 0
    make = script_module.make_fingerprint

    def counting(*args: object, **kwargs: object) -> str:
        nonlocal made
        made += 1
        return make(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(script_module, "make_fingerprint", counting)
    first = [b.block_id for b in script.blocks if script.needs_request(b)]
    assert len(first) == BLOCKS // 2
    made = 0
    # "Generate all missing", the summary and the table's statuses ask again and again:
    # only what each block would be made from now is worked out again (its text, voice
    # and settings may have changed), never its takes' (they cannot change).
    again = [b.block_id for b in script.blocks if script.needs_request(b)]
    assert again == first
    assert made <= 2 * BLOCKS, made  # (before: 5 per stale block, 2 per fresh one)
    made = 0
    script.missing_blocks()
    assert made <= BLOCKS, made


def test_a_cached_fingerprint_is_not_part_of_the_take() -> None:
    script = long_script(blocks=3, speakers=2, takes=2)
    take = script.blocks[0].takes[0]
    fingerprint = take.fingerprint
    assert replace(take, text="Other words.").fingerprint != fingerprint
    assert replace(take) == take and "_fingerprint" not in repr(take)
    assert script_from_json(script_to_json(script)) == script
    assert "_fingerprint" not in script_to_json(script)


class CountedMember(CastMember):
    """A cast member that counts how often its speaker's name is read."""

    reads = 0

    def __getattribute__(self, name: str) -> Any:
        if name == "speaker":
            CountedMember.reads += 1
        return super().__getattribute__(name)


def test_a_speakers_voice_is_looked_up_not_searched_for() -> None:
    script = long_script(blocks=BLOCKS, speakers=30, takes=1)
    script = replace(script, cast=tuple(CountedMember(m.speaker, m.voice_id, m.voice_name)
                                        for m in script.cast))
    CountedMember.reads = 0
    script.missing_blocks()
    statuses = [script.is_stale(b) for b in script.blocks]
    assert not any(statuses)
    # Once per speaker; a scan of the cast for each block read 15 names on average.
    assert CountedMember.reads <= 2 * len(script.cast), CountedMember.reads
    assert script.cast_for("speaker7") is script.cast[7]  # (any case, as before)
    assert script.cast_for("NOBODY") is None
