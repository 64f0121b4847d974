"""The batch queue over a long script does a bounded amount of work per block: counted
as reads of blocks' ids (each scan of the script reads every block's), never timed.
Before, the queue scanned the whole script for each block it was asked to make (at the
start, for each take and at the end), all on the event loop: 5,000 blocks made
tens of millions of comparisons and the window froze at the start and end of the queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.domain import script_edit
from app.domain.script import Block, Script, Take
from app.services.script_document import ScriptDocument
from app.services.script_queue import ScriptQueue, generate_dialogue
from tests.support.long_script import long_script

pytestmark = pytest.mark.anyio

BLOCKS = 1000


class CountedBlock(Block):
    """A block that counts how often its id is read (edits keep the class)."""

    reads = 0

    def __getattribute__(self, name: str) -> Any:
        if name == "block_id":
            CountedBlock.reads += 1
        return super().__getattribute__(name)


def counted(script: Script) -> Script:
    blocks = tuple(CountedBlock(b.block_id, b.speaker, b.text) for b in script.blocks)
    return Script(title=script.title, model_id=script.model_id,
                  output_format=script.output_format, cast=script.cast, blocks=blocks)


class InstantRenderer:
    """Makes each take at once, as a server answering instantly would."""

    async def render(self, script: Script, block_id: str, on_fraction: object = None,
                     on_response: object = None) -> Take:
        block = script.block(block_id)
        member = script.cast_for(block.speaker)
        assert member is not None
        return Take(f"t-{block_id}", f"{block_id}/t.mp3", block.text, member.voice_id,
                    script.model_id, script.output_format, block.effective_settings(member),
                    request_id=f"r-{block_id}", character_cost=len(block.text))

    async def render_dialogue(self, script: Script, block_ids: list[str]) -> dict[str, Take]:
        return {i: await self.render(script, i) for i in block_ids}


async def test_a_long_queue_reads_each_block_a_bounded_number_of_times(tmp_path: Path) -> None:
    script = counted(long_script(blocks=BLOCKS, speakers=30, takes=0))
    document = ScriptDocument(script, tmp_path / "chapter.xiscript.json")
    queue = ScriptQueue(document, InstantRenderer(), concurrency=4)  # type: ignore[arg-type]
    CountedBlock.reads = 0
    ids = [b.block_id for b in script.missing_blocks()]  # as "Generate all missing" asks
    result = await queue.run(ids)
    assert result.outcome == "finished" and len(result.made) == BLOCKS
    assert result.remaining == []
    # A few reads per block and take (saving, finding it); a scan per block was
    # BLOCKS * BLOCKS / 2 at least.
    assert CountedBlock.reads < 30 * BLOCKS, CountedBlock.reads


async def test_a_long_dialogue_reads_each_block_a_bounded_number_of_times(
        tmp_path: Path) -> None:
    script = counted(long_script(blocks=BLOCKS, speakers=30, takes=0))
    document = ScriptDocument(script, tmp_path / "chapter.xiscript.json")
    ids = [b.block_id for b in script.blocks]
    CountedBlock.reads = 0
    takes = await generate_dialogue(document, InstantRenderer(), ids)  # type: ignore[arg-type]
    assert len(takes) == BLOCKS and document.script.all_takes_chosen
    assert CountedBlock.reads < 30 * BLOCKS, CountedBlock.reads


def test_a_recorded_take_keeps_the_scripts_block_positions() -> None:
    script = counted(long_script(blocks=BLOCKS, speakers=30, takes=0))
    script.index_of("b0")  # the position table, made once
    CountedBlock.reads = 0
    for i in range(0, BLOCKS, 10):  # a hundred takes recorded, as the queue does
        take = Take(f"t{i}", f"b{i}/t.mp3", script.block(f"b{i}").text, "v", "m", "f")
        script = script_edit.add_take(script, f"b{i}", take)
    assert script.block("b990").takes[0].take_id == "t990"
    assert CountedBlock.reads < 10 * (BLOCKS // 10), CountedBlock.reads
    assert script.has_block("b5") and not script.has_block("nope")
