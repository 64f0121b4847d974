"""The Scripts tab's parts that need no server: the blocks model (checked by Qt's model
tester), undo that never takes a paid take away, word timing lookups, file routing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt

from app.domain import script_edit
from app.domain.script import Block, CastMember, Script, Take, WordTime
from app.ui.scripts.blocks_model import SPEAKER, STATUS, TAKE, TEXT, BlocksModel, Live
from app.ui.scripts.script_audio import Segment, Timeline, word_spans
from app.ui.scripts.script_document import ScriptDocument, keep_new_takes
from app.ui.scripts.script_files import is_script_file

VOICE = "EXAVITQu4vr4xnSDxMaL"


def _take(take_id: str, text: str, voice: str = VOICE) -> Take:
    return Take(take_id=take_id, file=f"b/{take_id}.mp3", text=text, voice_id=voice,
                model_id="eleven_multilingual_v2", output_format="mp3_44100_128",
                request_id=f"req-{take_id}", character_cost=len(text), duration_ms=1500)


def _script() -> Script:
    cast = (CastMember("ANNA", VOICE, "Sarah"),)
    done = Block("b1", "ANNA", "Hello there.", takes=(_take("t1", "Hello there."),),
                 chosen_take_id="t1")
    stale = Block("b2", "ANNA", "Changed text.", takes=(_take("t2", "Old text."),),
                  chosen_take_id="t2")
    return Script(title="t", cast=cast, blocks=(done, stale, Block("b3", "BEN", "Hi.")))


def test_blocks_model_passes_qt_model_tester(qtmodeltester) -> None:
    model = BlocksModel()
    model.set_script(_script())
    qtmodeltester.check(model, force_py=True)
    model.set_live("b3", Live("generating", 0.5))
    model.set_script(script_edit.move_block(_script(), 0, 2))
    qtmodeltester.check(model, force_py=True)


def test_blocks_model_shows_status_take_and_asks_for_edits() -> None:
    model = BlocksModel()
    model.set_script(_script())
    statuses = [model.index(row, STATUS).data() for row in range(3)]
    assert statuses == ["done", "stale", "missing"]
    assert model.index(0, TAKE).data() == "1 of 1"
    model.set_live("b3", Live("generating", 0.42))
    assert model.index(2, STATUS).data() == "generating 42%"
    model.set_live("b3", None)
    assert model.index(2, STATUS).data() == "missing"
    asked: list[tuple[str, str]] = []
    model.text_edit_requested.connect(lambda block_id, text: asked.append((block_id, text)))
    assert model.setData(model.index(1, TEXT), "New words.")
    assert asked == [("b2", "New words.")]
    assert model.flags(model.index(0, SPEAKER)) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, STATUS)) & Qt.ItemFlag.ItemIsEditable
    assert model.rowCount(model.index(0, 0)) == 0 and model.rowCount(QModelIndex()) == 3


def test_blocks_model_drop_asks_for_a_move_and_removes_nothing() -> None:
    model = BlocksModel()
    model.set_script(_script())
    moves: list[tuple[list, int]] = []
    model.move_requested.connect(lambda ids, row: moves.append((ids, row)))
    data = model.mimeData([model.index(0, 0)])
    assert not model.dropMimeData(data, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    assert moves == [(["b1"], 3)] and model.rowCount() == 3


def test_undo_keeps_takes_made_after_the_edit(qapp) -> None:
    document = ScriptDocument()
    document.load(_script(), None)
    document.edit("Edit text", lambda s: script_edit.edit_text(s, "b3", "Hi there."))
    # The queue adds a take (not undoable), then the user undoes the text edit.
    document.update(lambda s: script_edit.add_take(s, "b3", _take("t3", "Hi there.")))
    document.undo_stack.undo()
    block = document.script.block("b3")
    assert block.text == "Hi."
    assert [t.take_id for t in block.takes] == ["t3"] and block.chosen_take_id == "t3"
    document.undo_stack.redo()
    assert document.script.block("b3").text == "Hi there."
    assert len(document.script.block("b3").takes) == 1


def test_keep_new_takes_leaves_older_choices_alone() -> None:
    older = _script()
    current = script_edit.choose_take(older, "b2", "t2")
    assert keep_new_takes(older, current) == older


def test_word_spans_and_timeline_lookup() -> None:
    alignment = (WordTime("Hello", 0, 400), WordTime("there.", 450, 900))
    spans = word_spans("Hello there.", alignment)
    assert spans == ((0, 400, 0, 5), (450, 900, 6, 12))
    timeline = Timeline(clip=None, segments=[Segment("b1", 0, 1000, "Hello there.", spans),
                                             Segment("b2", 1400, 2000, "x", ())])
    assert timeline.word_at(100) == (timeline.segments[0], (0, 5))
    assert timeline.word_at(420) == (timeline.segments[0], None)  # between words
    assert timeline.word_at(1200) is None  # the gap between blocks
    assert timeline.word_at(1500)[0].block_id == "b2"  # type: ignore[index]
    # Which part is heard (A/B names it): none in the gap or past the end.
    assert [timeline.index_at(ms) for ms in (-1, 0, 999, 1000, 1400, 1999, 2000)] == \
        [None, 0, 0, None, 1, 1, None]


def test_script_files_are_told_from_prose(tmp_path: Path) -> None:
    dialogue = tmp_path / "ad.txt"
    dialogue.write_text("ANNA: Hello.\nBEN: Hi there.\n")
    prose = tmp_path / "essay.txt"
    prose.write_text("Once upon a time there was a voice.\n\nIt spoke.\n")
    table = tmp_path / "lines.csv"
    table.write_text("speaker,text\nANNA,Hello\n")
    document = tmp_path / "ad.xiscript.json"
    document.write_text("{}")
    assert [is_script_file(p) for p in (dialogue, prose, table, document)] == \
        [True, False, True, True]
