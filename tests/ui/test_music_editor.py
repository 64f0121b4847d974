"""The section plan editor: table model, add/duplicate/delete/reorder, undo/redo of every
edit, chips, validation that blocks Compose, the timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QUndoStack
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QToolButton

from app.domain.music_plan import Plan, Section
from app.domain.music_plan_write import plan_to_dict
from app.ui.music.chip_editor import Chip, ChipEditor
from app.ui.music.compose_request import KeepBase
from app.ui.music.plan_editor import PlanEditor
from app.ui.music.section_model import KEEP, LENGTH, NAME, STYLES, SectionTableModel
from tests.ui.test_music_tab import find, make_tab  # noqa: F401  (fixture)

PLAN = Plan(
    global_positive_styles=["pop"],
    global_negative_styles=[],
    sections=[Section("Intro", 5_000, ["soft"]), Section("Verse", 10_000, [], [], ["la la"]),
              Section("Chorus", 8_000, ["big"])],
)


def snapshot(editor: PlanEditor) -> dict[str, Any]:
    return plan_to_dict(editor.model.plan)


@pytest.fixture
def editor(qtbot: Any) -> PlanEditor:
    widget = PlanEditor()
    qtbot.addWidget(widget)
    widget.set_plan(PLAN, None)
    widget.resize(900, 600)
    widget.show()
    return widget


def click(qtbot: Any, editor: PlanEditor, name: str) -> None:
    button = editor.findChild(QPushButton, name)
    assert button is not None and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_model_passes_qt_checks(qtmodeltester: Any) -> None:
    model = SectionTableModel(QUndoStack())
    model.apply_plan(PLAN)
    qtmodeltester.check(model, force_py=True)


def test_add_duplicate_delete_reorder_then_undo_and_redo_everything(qtbot: Any,
                                                                    editor: PlanEditor) -> None:
    states = [snapshot(editor)]
    editor.select_row(0)
    click(qtbot, editor, "music.add_section")
    assert editor.model.rowCount() == 4 and editor.current_row() == 1
    states.append(snapshot(editor))
    editor.select_row(2)  # "Verse"
    click(qtbot, editor, "music.duplicate_section")
    assert [s.name for s in editor.model.plan.sections] == [
        "Intro", "Section 4", "Verse", "Verse", "Chorus"]
    states.append(snapshot(editor))
    click(qtbot, editor, "music.move_up")  # the copy (row 3) moves above "Section 4"
    states.append(snapshot(editor))
    click(qtbot, editor, "music.move_up")
    assert [s.name for s in editor.model.plan.sections] == [
        "Intro", "Verse", "Section 4", "Verse", "Chorus"]
    assert editor.current_row() == 1
    states.append(snapshot(editor))
    click(qtbot, editor, "music.move_down")
    states.append(snapshot(editor))
    editor.select_row(4)
    click(qtbot, editor, "music.delete_section")
    assert editor.model.rowCount() == 4
    states.append(snapshot(editor))
    editor.model.setData(editor.model.index(0, NAME), "Hook")
    states.append(snapshot(editor))

    undo, redo = (editor.findChild(QPushButton, n) for n in ("music.undo", "music.redo"))
    for expected in reversed(states[:-1]):
        qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)
        assert snapshot(editor) == expected
    assert not undo.isEnabled()
    for expected in states[1:]:
        qtbot.mouseClick(redo, Qt.MouseButton.LeftButton)
        assert snapshot(editor) == expected
    assert not redo.isEnabled()


def test_keyboard_reorder_and_undo_shortcuts(qtbot: Any, editor: PlanEditor) -> None:
    editor.activateWindow()
    editor.select_row(1)
    editor.table.setFocus()
    qtbot.waitUntil(editor.table.hasFocus)
    qtbot.keyClick(editor.table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert [s.name for s in editor.model.plan.sections] == ["Intro", "Chorus", "Verse"]
    assert editor.current_row() == 2
    qtbot.keyClick(editor.table, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(editor.table, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert [s.name for s in editor.model.plan.sections] == ["Verse", "Intro", "Chorus"]
    qtbot.keyClick(editor.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(editor.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(editor.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert snapshot(editor) == plan_to_dict(PLAN)
    qtbot.keyClick(editor.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert [s.name for s in editor.model.plan.sections] == ["Intro", "Chorus", "Verse"]


def test_drag_and_drop_moves_a_row_undoably(editor: PlanEditor) -> None:
    model = editor.model
    data = model.mimeData([model.index(0, NAME)])
    assert model.canDropMimeData(data, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    # dropMimeData does the move itself and answers False so the view removes nothing.
    assert not model.dropMimeData(data, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    assert [s.name for s in model.plan.sections] == ["Verse", "Chorus", "Intro"]
    assert editor.undo_stack.undoText() == "Move section"
    editor.undo_stack.undo()
    assert snapshot(editor) == plan_to_dict(PLAN)
    # dropped onto a row: it goes there
    data = model.mimeData([model.index(2, NAME)])
    model.dropMimeData(data, Qt.DropAction.MoveAction, -1, 0, model.index(0, NAME))
    assert [s.name for s in model.plan.sections] == ["Chorus", "Intro", "Verse"]


def test_table_edits_through_the_delegates(editor: PlanEditor) -> None:
    model = editor.model
    assert model.data(model.index(0, LENGTH), Qt.ItemDataRole.EditRole) == 5.0
    assert model.setData(model.index(0, LENGTH), 7.5)
    assert model.setData(model.index(0, STYLES), "warm, airy , ")
    assert model.plan.sections[0].duration_ms == 7_500
    assert model.plan.sections[0].positive_styles == ["warm", "airy"]
    assert editor.undo_stack.count() == 2
    assert "7.5" in model.data(model.index(0, LENGTH))


def test_validation_marks_cells_and_blocks_compose(make_tab: Any, qtbot: Any) -> None:  # noqa: F811
    tab = make_tab()
    tab.editor.set_plan(PLAN, None)
    compose = find(tab, QPushButton, "music.compose")
    assert compose.isEnabled()
    model = tab.editor.model
    model.setData(model.index(1, LENGTH), 1.0)
    problems = find(tab, QLabel, "music.problems")
    assert "between 3 and 120 seconds" in problems.text()
    assert not compose.isEnabled()
    assert "Fix the plan first" in compose.toolTip()
    assert "Fix the plan first" in find(tab, QLabel, "music.status").text()
    background = model.data(model.index(1, LENGTH), Qt.ItemDataRole.BackgroundRole)
    assert isinstance(background, QBrush) and background.color().red() > 200
    assert "between 3 and 120" in model.data(model.index(1, LENGTH), Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(0, LENGTH), Qt.ItemDataRole.BackgroundRole) is None
    assert tab.editor.timeline.sections()[1].has_error
    tab.start_compose()  # refused, with the reason
    assert not tab.controller.is_composing
    tab.editor.undo_stack.undo()
    assert compose.isEnabled() and not problems.isVisible()

    # A name is required by music_v1 only.
    model.setData(model.index(0, NAME), "")
    assert compose.isEnabled()
    tab.output.select(find(tab, QComboBox, "music.model"), "music_v1")
    assert not compose.isEnabled()
    assert "needs a name" in problems.text()

    # Prompt mode: the prompt's own rules.
    tab.mode.setCurrentIndex(0)
    assert "Describe the music" in compose.toolTip()
    tab.prompt_panel.prompt.setPlainText("x" * 4101)
    assert "too long" in find(tab, QLabel, "music.prompt_count").text()
    assert not compose.isEnabled()


def test_chips_add_remove_and_undo(qtbot: Any, editor: PlanEditor) -> None:
    chips: ChipEditor = editor.findChild(ChipEditor, "music.global_positive")
    qtbot.keyClicks(chips.input, "rock, 120 bpm")
    qtbot.keyClick(chips.input, Qt.Key.Key_Return)
    assert editor.model.plan.global_positive_styles == ["pop", "rock", "120 bpm"]
    chip = next(c for c in chips.chip_widgets() if c.text == "rock")
    close = chip.findChild(QToolButton)
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert editor.model.plan.global_positive_styles == ["pop", "120 bpm"]
    qtbot.keyClick(chips.input, Qt.Key.Key_Backspace)
    assert editor.model.plan.global_positive_styles == ["pop"]
    editor.undo_stack.undo()
    editor.undo_stack.undo()
    assert chips.chips() == ["pop", "rock", "120 bpm"]
    assert {c.text for c in chips.findChildren(Chip) if not c.isHidden()} >= {"rock"}
    editor.undo_stack.undo()  # typing a comma made "rock" a chip of its own
    editor.undo_stack.undo()
    assert editor.model.plan.global_positive_styles == ["pop"]


def test_detail_pane_edits_one_section(qtbot: Any, editor: PlanEditor) -> None:
    editor.select_row(1)
    detail = editor.detail
    detail.lyrics.setPlainText("first line\n\nsecond line\n")
    detail.commit_lyrics()
    assert editor.model.plan.sections[1].lines == ["first line", "second line"]
    detail.name.setText("Verse 1")
    detail.name.editingFinished.emit()
    detail.duration.setValue(12)
    detail.negative.add_text("drums")
    s = editor.model.plan.sections[1]
    assert (s.name, s.duration_ms, s.negative_styles) == ("Verse 1", 12_000, ["drums"])
    assert detail.directions.isVisibleTo(editor)  # music_v2 takes directions
    detail.directions.setText("whispered")
    detail.directions.editingFinished.emit()
    assert editor.model.plan.sections[1].directions == "whispered"
    editor.set_model_id("music_v1")
    assert not detail.directions.isVisibleTo(editor)
    assert "only used by music_v2" in editor.problems.text()  # a warning, not an error
    for _ in range(5):
        editor.undo_stack.undo()
    assert snapshot(editor) == plan_to_dict(PLAN)


def test_keeping_sections_needs_an_earlier_version(editor: PlanEditor) -> None:
    model = editor.model
    assert not model.flags(model.index(0, KEEP)) & Qt.ItemFlag.ItemIsUserCheckable
    editor.set_keep_base(KeepBase("song1", "A", ("Intro", "Verse", "Chorus"),
                                  ((0, 5_000), (5_000, 15_000), (15_000, 23_000))))
    assert model.setData(model.index(1, KEEP), Qt.CheckState.Checked.value,
                         Qt.ItemDataRole.CheckStateRole)
    source = model.plan.sections[1].source
    assert source is not None and (source.song_id, source.start_ms, source.end_ms) == (
        "song1", 5_000, 15_000)
    assert model.data(model.index(1, KEEP), Qt.ItemDataRole.CheckStateRole) == \
        Qt.CheckState.Checked
    assert editor.timeline.sections()[1].kept
    assert not editor.detail.lyrics.isEnabled() or editor.detail.row != 1
    editor.undo_stack.undo()
    assert model.plan.sections[1].source is None


def test_templates_replace_the_plan_undoably(editor: PlanEditor) -> None:
    combo: QComboBox = editor.findChild(QComboBox, "music.template")
    index = combo.findData("lofi_beat")
    combo.activated.emit(index)
    assert [s.name for s in editor.model.plan.sections] == ["Intro", "Loop A", "Loop B",
                                                            "Outro"]
    assert "lo-fi hip hop" in editor.global_positive.chips()
    assert combo.currentIndex() == 0
    editor.undo_stack.undo()
    assert snapshot(editor) == plan_to_dict(PLAN)
    assert editor.global_positive.chips() == ["pop"]


def test_timeline_draws_to_scale_and_clicks_select(qtbot: Any, editor: PlanEditor) -> None:
    timeline = editor.timeline
    timeline.resize(460, 48)
    widths = [timeline.section_rect(i).width() for i in range(3)]
    assert widths[1] == pytest.approx(2 * widths[0], rel=0.01)
    seeks: list[int] = []
    editor.seek_requested.connect(seeks.append)
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton,
                     pos=timeline.section_rect(2).center().toPoint())
    assert editor.current_row() == 2
    assert seeks == [15_000]
    timeline.set_playhead(6_000)
    assert timeline.playhead_ms == 6_000
    total = find(editor, QLabel, "music.total")
    assert "23 seconds" in total.text() and "3 sections" in total.text()


def test_screenshot_of_a_problem(make_tab: Any, tmp_path: Path,  # noqa: F811
                                 qtbot: Any) -> None:
    from tests.ui.conftest import save_screenshot

    tab = make_tab()
    tab.editor.set_plan(PLAN, None)
    tab.editor.model.setData(tab.editor.model.index(1, LENGTH), 200)
    tab.resize(900, 650)
    qtbot.waitExposed(tab)
    assert save_screenshot(tab, "music_tab_problem", tmp_path).stat().st_size > 0


def test_an_empty_plan_says_how_to_start_not_what_is_wrong(make_tab: Any) -> None:  # noqa: F811
    """A new user opening the tab sees how to begin, not a red error."""
    from app.domain.music_plan import Plan

    tab = make_tab()
    tab.editor.set_plan(Plan(), None)
    hint = find(tab, QLabel, "music.problems")
    assert hint.isVisible() and "✖" not in hint.text() and "+ Add" in hint.text()
    status = find(tab, QLabel, "music.status").text()
    assert status.startswith("Add a section") and "Fix the plan" not in status
    assert not find(tab, QPushButton, "music.compose").isEnabled()


def test_tab_reaches_each_chips_remove_button_where_it_is_drawn(editor: PlanEditor) -> None:
    """The chips' × buttons joined the window's focus chain at its end: Tab reached them
    after everything else on the page (and the whole side column), far from their chips.
    Now they come in order just before their editor's input, as they are drawn."""
    chips: ChipEditor = editor.findChild(ChipEditor, "music.global_positive")
    chips.set_chips(["pop", "rock", "120 bpm"])
    closes = [c.findChild(QToolButton) for c in chips.chip_widgets()]
    walked, widget = [], closes[0]
    for _ in range(4):
        walked.append(widget)
        widget = widget.nextInFocusChain()
    assert walked == [*closes, chips.input]
    chips.set_chips(["jazz"])  # new chips take the same place
    [close] = [c.findChild(QToolButton) for c in chips.chip_widgets()]
    assert close.nextInFocusChain() is chips.input
