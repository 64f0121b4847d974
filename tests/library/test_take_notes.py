"""Notes of takes the script file does not list yet (a crash between two saves of a
queue): adopted on open when their audio is there, and only then."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.domain.script_edit import remove_takes
from app.library.take_notes import NOTE_SUFFIX, adopt_noted_takes, write_note
from tests.support.long_script import long_script, write_take_files


def test_noted_takes_with_audio_are_adopted_and_chosen(tmp_path: Path) -> None:
    made = long_script(blocks=4, speakers=2, takes=2)
    write_take_files(tmp_path, made)
    for block in made.blocks:
        for take in block.takes:
            write_note(tmp_path, block.block_id, take)
    # The file as last saved: before the last take of blocks 1 and 2.
    saved = remove_takes(made, [("b1", "t1_1"), ("b2", "t2_1")])
    saved = saved.with_block(replace(saved.block("b1"), chosen_take_id="t1_0"))
    saved = saved.with_block(replace(saved.block("b2"), chosen_take_id="t2_0"))

    script, adopted = adopt_noted_takes(tmp_path, saved)

    assert script == made  # every take back, the newest chosen
    assert sorted(p.name for p in adopted) == ["t1" + NOTE_SUFFIX, "t1" + NOTE_SUFFIX]
    # The notes of takes the file listed already are gone; the adopted ones stay until
    # the caller has saved the script.
    assert sorted(tmp_path.glob(f"*/*{NOTE_SUFFIX}")) == sorted(adopted)


def test_a_note_without_audio_or_block_or_sense_adopts_nothing(tmp_path: Path) -> None:
    made = long_script(blocks=2, speakers=1, takes=1)
    take = made.block("b0").takes[0]
    write_note(tmp_path, "b0", take)  # its audio was never written
    write_note(tmp_path, "gone", replace(take, take_id="t9", file="gone/t9.mp3"))
    (tmp_path / "gone" / "t9.mp3").touch()  # its block was deleted since
    (tmp_path / "b1").mkdir()
    (tmp_path / "b1" / f"t5{NOTE_SUFFIX}").write_text("{not json", encoding="utf-8")
    empty = remove_takes(made, [("b0", take.take_id), ("b1", "t1_0")])

    script, adopted = adopt_noted_takes(tmp_path, empty)

    assert script == empty and adopted == []
