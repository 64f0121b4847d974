"""A long script whose takes' audio went missing opens in one pass, not one pass per
lost take (counted as look-ups of blocks by id, never timed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain import script_edit
from app.domain.script import Script
from app.library.script_store import forget_missing_takes, takes_dir_for
from tests.support.long_script import long_script, write_take_files


def test_forgetting_thousands_of_lost_takes_is_one_pass(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    script = long_script(blocks=600, speakers=30, takes=3)
    path = tmp_path / "chapter.xiscript.json"
    kept = script_edit.remove_blocks(script, [f"b{i}" for i in range(0, 600, 2)])
    write_take_files(takes_dir_for(path), kept)  # every other block's audio is gone
    lookups = 0
    index_of = Script.index_of

    def counting(self: Script, block_id: str) -> int:
        nonlocal lookups
        lookups += 1
        return index_of(self, block_id)

    monkeypatch.setattr(Script, "index_of", counting)
    forgotten, words = forget_missing_takes(path, script)
    # One by one, each of the 900 lost takes looked its block up (twice) in a new
    # script, which made a position table of all blocks: quadratic.
    assert lookups == 0
    assert words is not None and words.startswith("900 takes")
    assert [len(b.takes) for b in forgotten.blocks[:4]] == [0, 3, 0, 3]
    assert forgotten.blocks[0].chosen_take_id is None
    assert forgotten.blocks[1] is script.blocks[1]  # blocks with all their audio untouched


def test_removing_takes_together_is_removing_them_one_by_one() -> None:
    script = long_script(blocks=4, speakers=2, takes=3)
    gone = [("b0", "t0_2"), ("b0", "t0_1"), ("b1", "t1_0"), ("b2", "t2_0"), ("b2", "t2_1"),
            ("b2", "t2_2")]
    one_by_one = script
    for block_id, take_id in gone:
        one_by_one = script_edit.remove_take(one_by_one, block_id, take_id)
    assert script_edit.remove_takes(script, gone) == one_by_one
    assert script_edit.remove_takes(script, []) is script


def test_a_long_script_is_saved_piece_by_piece_never_built_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saved after every take, a 5,000-block script's 7 MB were joined and encoded as one
    text: C calls that held the interpreter lock for milliseconds each, so the window
    froze 40-80 ms per take (figure 10f). It is written a block's line at a time, and the
    file is the same text as before."""
    from app.domain.script_file import ScriptJsonWriter, script_to_json
    from app.library import atomic
    from app.library.script_store import load_script, save_script

    script = long_script(blocks=2000, speakers=10, takes=2)
    writes: list[int] = []
    original = atomic.AtomicFileWriter.write

    def counted(self: atomic.AtomicFileWriter, data: bytes) -> int:
        writes.append(len(data))
        return original(self, data)

    monkeypatch.setattr(atomic.AtomicFileWriter, "write", counted)
    path = tmp_path / "chapter.xiscript.json"
    writer = ScriptJsonWriter()
    save_script(path, script, writer)
    whole = path.read_bytes()
    assert whole == script_to_json(script).encode("utf-8")
    assert len(whole) > 1_000_000
    assert max(writes) < 10_000, max(writes)  # a block's line, never the file
    assert load_script(path) == script
    writes.clear()
    save_script(path, script, writer)  # again, from the writer's memory
    assert path.read_bytes() == whole and max(writes) < 10_000


def test_the_first_save_after_opening_a_long_script_encodes_only_what_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening reads every block in a worker; the queue's first take then saved the file
    with a writer that knew none of them, re-encoding the whole chapter (~150 ms of
    Python beside the window, which froze for over 100 ms: figure 10f)."""
    import asyncio
    from dataclasses import replace

    from app.domain import script_file
    from app.domain.script_edit import add_take
    from app.library.script_store import save_script
    from app.services.script_document import ScriptDocument
    from app.ui.scripts.script_storage import open_file

    script = long_script(blocks=1000, speakers=10, takes=1)
    path = tmp_path / "chapter.xiscript.json"
    save_script(path, script)
    write_take_files(takes_dir_for(path), script)
    opened = open_file(path, tmp_path)
    encoded = 0
    to_dict = script_file.block_to_dict

    def counting(block):  # type: ignore[no-untyped-def]
        nonlocal encoded
        encoded += 1
        return to_dict(block)

    monkeypatch.setattr(script_file, "block_to_dict", counting)
    document = ScriptDocument(opened.script, opened.path, opened.writer)
    take = replace(opened.script.blocks[5].takes[0], take_id="new", file="b5/new.mp3")
    document.apply(lambda s: add_take(s, "b5", take))
    asyncio.run(document.save())
    assert encoded == 1  # the block that got a take
    assert script_file.script_from_json(path.read_bytes()).blocks[5].chosen_take_id == "new"
