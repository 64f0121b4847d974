"""The Scripts tab end to end, as a user drives it: the real app against the cloud test
server on 127.0.0.1. Import a three-speaker screenplay, cast the voices, generate all,
make a new take of one block, choose a take, undo, export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QWidget,
)

from tests.support.spec import validate_request
from tests.ui.conftest import save_screenshot

pytestmark = pytest.mark.e2e

GEORGE = "JBFqnCBsd6RMkjVDRZzb"
SARAH = "EXAVITQu4vr4xnSDxMaL"
CLONE = "aB3cD4eF5gH6iJ7kL8mN"
SCREENPLAY = """\
NARRATOR: It was the first warm day of spring.
NARRATOR: The park was full of people.
ANNA: Ben, look, the ice cream van is back!
BEN: Then the first round is on me.
ANNA: I will hold you to that.
"""


def cast_voice(studio: Any, qtbot: Any, speaker: str, voice_id: str) -> None:
    combo: QComboBox = studio.find(QComboBox, f"scripts.voice_{speaker.lower()}")
    qtbot.waitUntil(lambda: combo.count() > 0, timeout=20_000)  # the voices have come
    from app.ui.speech.voice_model import VoiceIdRole

    index = combo.findData(voice_id, VoiceIdRole)
    assert index >= 0, f"{voice_id} is not offered for {speaker}"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # what a user's pick in the list emits


def tts_requests(cloud: Any) -> list[dict[str, Any]]:
    return [r for r in cloud.control.requests()
            if r["method"] == "POST" and r["path"].startswith("/v1/text-to-speech/")]


def statuses(table: QTableView) -> list[str]:
    model = table.model()
    return [model.index(row, 3).data() for row in range(model.rowCount())]


def open_screenplay(launch: Any, cloud: Any, qtbot: Any, tmp_path: Path) -> Any:
    studio = launch(cloud_url=cloud.url)
    source = tmp_path / "spring ad.txt"
    source.write_text(SCREENPLAY, encoding="utf-8")
    studio.window.open_paths([source])
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.waitUntil(lambda: table.model().rowCount() == 5, timeout=10_000)
    assert studio.window.tabs.currentWidget().objectName() == "scripts.tab"
    return studio


def test_script_from_screenplay_to_takes(launch, cloud, qtbot, tmp_path: Path,
                                         alsa_played_file: Path) -> None:
    studio = open_screenplay(launch, cloud, qtbot, tmp_path)
    tab = studio.window.scripts_tab
    table = studio.find(QTableView, "scripts.blocks")
    assert statuses(table) == ["missing"] * 5
    generate_all = studio.find(QPushButton, "scripts.generate_all")
    for speaker, voice in (("NARRATOR", GEORGE), ("ANNA", SARAH), ("BEN", CLONE)):
        cast_voice(studio, qtbot, speaker, voice)
    estimate = studio.find(QLabel, "scripts.estimate")
    characters = sum(len(b.text) for b in tab.document.script.blocks)
    # Counted in a worker thread, shortly after the last change.
    qtbot.waitUntil(lambda: "Choose a voice" not in estimate.text() and
                    f"missing: 5 blocks ≈ {characters:,} credits" in estimate.text())
    assert generate_all.isEnabled()

    qtbot.mouseClick(generate_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(table) == ["done"] * 5, timeout=30_000)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    script = tab.document.script
    status = studio.find(QLabel, "scripts.status")
    progress = studio.find(QProgressBar, "scripts.progress")
    assert status.text() == "All 5 blocks have a take."
    # The narrow bar has the count; its tooltip has the words.
    assert progress.text() == "5 of 5 blocks"
    assert progress.toolTip() == "All 5 blocks have a take"

    # Five requests, one per block, each valid against the spec, in the speaker's voice,
    # with timestamps; the narrator's second line is stitched to the first.
    sent = tts_requests(cloud)
    assert len(sent) == 5
    voices = {"NARRATOR": GEORGE, "ANNA": SARAH, "BEN": CLONE}
    by_text = {r["json"]["text"]: r for r in sent}
    for block in script.blocks:
        request = by_text[block.text]
        assert request["path"] == f"/v1/text-to-speech/{voices[block.speaker]}/with-timestamps"
        assert request["query"]["output_format"] == [script.output_format]
        validate_request("POST", request["path"], request["query"], request["json"])
    first, second = script.blocks[0], script.blocks[1]
    assert by_text[second.text]["json"]["previous_request_ids"] == \
        [first.chosen_take.request_id]
    assert by_text[first.text]["json"].get("next_text") == second.text
    assert all(b.chosen_take.alignment for b in script.blocks)
    # Saved as it went: the script file on disk has every take, and the audio is there.
    from app.library.script_store import load_script, take_path

    on_disk = load_script(tab.document.path)
    assert all(b.chosen_take_id for b in on_disk.blocks)
    assert all(take_path(tab.document.path, b.chosen_take.file).stat().st_size > 0
               for b in on_disk.blocks)

    # A new take of block 2: the dialog names block 1 (same voice, stitched); the user
    # keeps block 1 as it is, so only block 2 is requested.
    tab.select_block(second.block_id)
    qtbot.mouseClick(studio.find(QPushButton, "scripts.block_generate"),
                     Qt.MouseButton.LeftButton)
    dialog = studio.find(QWidget, "scripts.regenerate_dialog")
    neighbour = dialog.findChild(QCheckBox, "scripts.regenerate_neighbour_0")
    assert "block 1" in neighbour.text() and not neighbour.isChecked()
    qtbot.mouseClick(dialog.findChild(QPushButton, "scripts.regenerate_go"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tab.document.script.block(second.block_id).takes) == 2,
                    timeout=20_000)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    again = tts_requests(cloud)[5:]
    assert [r["json"]["text"] for r in again] == [second.text]
    assert again[0]["json"]["previous_request_ids"] == [first.chosen_take.request_id]
    validate_request("POST", again[0]["path"], again[0]["query"], again[0]["json"])
    block = tab.document.script.block(second.block_id)
    assert block.chosen_take_id == block.takes[1].take_id  # the new take is heard
    assert table.model().index(1, 4).data() == "2 of 2"
    # What was made, and the whole script after it (not "All 1 block(s)", "1 of 1").
    assert status.text() == "Made 1 block; all 5 blocks have a take."
    assert progress.text() == "5 of 5 blocks"
    assert progress.toolTip() == "All 5 blocks have a take"
    assert (progress.value(), progress.maximum()) == (5, 5)

    # Choose the first take back in the take switcher; undo and redo the choice.
    takes = tab.block_panel.takes
    takes.item(0).setSelected(True)
    takes.item(1).setSelected(False)
    qtbot.mouseClick(studio.find(QPushButton, "scripts.take_choose"),
                     Qt.MouseButton.LeftButton)
    chosen = lambda: tab.document.script.block(second.block_id).chosen_take_id  # noqa: E731
    assert chosen() == block.takes[0].take_id
    assert table.model().index(1, 4).data() == "1 of 2"
    studio.window.activateWindow()
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert chosen() == block.takes[1].take_id
    qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert chosen() == block.takes[0].take_id

    # Play the whole script: the block being heard is selected and its spoken word lit.
    events: list[object] = []  # what happened, said if playing never starts
    tab.playback.stopped_following.connect(lambda: events.append("stopped following"))
    runner = studio.window.runner
    runner.task_started.connect(lambda name: events.append(f"started {name}"))
    runner.task_cancelled.connect(lambda name: events.append(f"cancelled {name}"))
    play_script = studio.find(QPushButton, "scripts.play_script")
    play_script.clicked.connect(lambda: events.append("clicked"))
    qtbot.waitUntil(play_script.isEnabled)
    qtbot.mouseClick(play_script, Qt.MouseButton.LeftButton)
    try:
        qtbot.waitUntil(lambda: tab.playback.timeline is not None, timeout=15_000)
    except Exception:
        raise AssertionError(f"{tab.status.text()} | {events}") from None
    timeline = tab.playback.timeline
    duration = timeline.clip.duration_ms
    # Click on the waveform in the middle of the third block's second word (a user's
    # seek; on a busy machine the playhead alone may step over a short word).
    segment = timeline.segments[2]
    start_ms, end_ms, first, end = segment.spans[1]
    studio.window.player_bar.waveform.seek_requested.emit(
        (segment.start_ms + (start_ms + end_ms) // 2) / duration)
    qtbot.waitUntil(lambda: tab.block_panel.highlighted() == segment.text[first:end])
    assert tab.current_block_id() == segment.block_id
    assert table.model().index(2, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    studio.ctx.player.stop()

    # Reorder from the keyboard (undoable too); moving blocks asks nothing of the server.
    order = lambda: [b.block_id for b in tab.document.script.blocks]  # noqa: E731
    before = order()
    tab.select_block(second.block_id)
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert order() == [before[0], before[2], before[1], *before[3:]]
    assert tab.current_block_id() == second.block_id
    qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert order() == before
    assert len(tts_requests(cloud)) == 6  # nothing was paid for twice

    # Export: a 300 ms gap; the joined file is the chosen takes plus the gaps, and the
    # captions follow the blocks in order, placed by the takes' word timings.
    export_and_check(studio, qtbot, tmp_path / "delivery", gap_ms=300)
    take_screenshots(studio, qtbot, tmp_path)


def take_screenshots(studio: Any, qtbot: Any, tmp_path: Path) -> None:
    """The tab at 1024x640 (History hidden, as on a small screen), light and dark."""
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    window = studio.window
    window.history_dock.hide()

    def fits() -> bool:
        window.resize(1024, 640)  # again once the hidden dock's minimum is gone
        return window.width() <= 1024 and window.height() <= 640

    try:
        qtbot.waitUntil(fits)
    except Exception:
        raise AssertionError(f"{window.size()} min {window.minimumSizeHint()} "
                             f"tab {window.scripts_tab.minimumSizeHint()}") from None
    tab = window.scripts_tab
    assert tab.minimumSizeHint().width() <= 1024 and tab.minimumSizeHint().height() <= 640
    app = QApplication.instance()
    original = app.palette()
    save_screenshot(window, "scripts-light", tmp_path)
    try:
        dark = QPalette(original)
        for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"),
                             (QPalette.ColorRole.Base, "#1e1e1e"),
                             (QPalette.ColorRole.AlternateBase, "#333333"),
                             (QPalette.ColorRole.Button, "#3a3a3a"),
                             (QPalette.ColorRole.Text, "#e8e8e8"),
                             (QPalette.ColorRole.WindowText, "#e8e8e8"),
                             (QPalette.ColorRole.ButtonText, "#e8e8e8")):
            dark.setColor(role, QColor(colour))
        app.setPalette(dark)
        qtbot.waitUntil(lambda: tab.table.palette().color(QPalette.ColorRole.Base).name()
                        == "#1e1e1e")
        save_screenshot(window, "scripts-dark", tmp_path)
    finally:
        app.setPalette(original)


def export_and_check(studio: Any, qtbot: Any, out: Path, gap_ms: int) -> None:
    from app.audio.decode import decode_file
    from app.domain.formats import OutputFormat
    from app.library.script_store import take_path

    tab = studio.window.scripts_tab
    qtbot.mouseClick(studio.find(QPushButton, "scripts.export"), Qt.MouseButton.LeftButton)
    dialog = studio.find(QWidget, "scripts.export_dialog")
    dialog.findChild(QLineEdit, "scripts.export_folder").setText(str(out))
    dialog.findChild(QSpinBox, "scripts.export_gap").setValue(gap_ms)
    qtbot.mouseClick(dialog.findChild(QPushButton, "scripts.export_go"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.exporter.last_export is not None, timeout=30_000)
    summary_box = studio.find(QMessageBox, "scripts.export_summary")
    assert "Wrote" in summary_box.text()
    script = tab.document.script
    assert script.gap_ms == gap_ms  # remembered with the script
    chosen = [b.chosen_take for b in script.blocks]
    lengths = [decode_file(take_path(tab.document.path, t.file),
                           OutputFormat.parse(t.output_format)).duration_ms for t in chosen]
    joined = next(out.glob("*.wav"))
    expected = sum(lengths) + gap_ms * (len(lengths) - 1)
    assert abs(decode_file(joined).duration_ms - expected) <= 20
    assert len(list((out / "blocks").iterdir())) == len(chosen)
    srt = next(out.glob("*.srt")).read_text(encoding="utf-8")
    assert next(out.glob("*.vtt")).read_text(encoding="utf-8").startswith("WEBVTT")
    cues = [c for c in srt.strip().split("\n\n") if c.strip()]
    starts = [_srt_ms(c.splitlines()[1].split(" --> ")[0]) for c in cues]
    assert starts == sorted(starts)
    spoken = " ".join(" ".join(c.splitlines()[2:]) for c in cues)
    assert " ".join(spoken.split()) == " ".join(" ".join(b.text for b in script.blocks).split())
    # Block 2's caption starts where block 2 sits in the joined file, at its first word.
    first_word_ms = chosen[1].alignment[0].start_ms
    assert any(abs(s - (lengths[0] + gap_ms + first_word_ms)) <= 20 for s in starts)


def _srt_ms(stamp: str) -> int:
    hours, minutes, rest = stamp.strip().split(":")
    seconds, millis = rest.split(",")
    return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def test_split_join_edit_and_bad_import(launch, cloud, qtbot, tmp_path: Path) -> None:
    """Editing without the server: split at the cursor, join back, edit text in the
    table (the block goes stale, not lost), undo all; a broken CSV names its line."""
    from PySide6.QtGui import QTextCursor

    studio = open_screenplay(launch, cloud, qtbot, tmp_path)
    tab = studio.window.scripts_tab
    table = studio.find(QTableView, "scripts.blocks")
    first = tab.document.script.blocks[0]
    tab.select_block(first.block_id)
    editor = tab.block_panel.editor
    cursor = editor.textCursor()
    cursor.setPosition(first.text.index("of spring"))
    editor.setTextCursor(cursor)
    qtbot.mouseClick(studio.find(QPushButton, "scripts.split"), Qt.MouseButton.LeftButton)
    blocks = tab.document.script.blocks
    assert [b.text for b in blocks[:2]] == ["It was the first warm day", "of spring."]
    assert blocks[1].speaker == "NARRATOR" and table.model().rowCount() == 6
    qtbot.mouseClick(studio.find(QPushButton, "scripts.join"), Qt.MouseButton.LeftButton)
    assert tab.document.script.blocks[0].text == first.text
    # Typing in the block's editor is handed over after a pause (or on leaving it).
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor, " Really.")
    qtbot.waitUntil(lambda: tab.document.script.blocks[0].text.endswith("Really."))
    table.model().setData(table.model().index(1, 2), "The park was empty.")
    assert tab.document.script.blocks[1].text == "The park was empty."
    # Edits reach the file on disk by themselves (autosave), atomically.
    from app.library.script_store import load_script

    qtbot.waitUntil(lambda: load_script(tab.document.path).blocks[1].text
                    == "The park was empty.", timeout=10_000)
    # A row dragged below the next one: one undoable move.
    model = table.model()
    ids = [b.block_id for b in tab.document.script.blocks]
    model.dropMimeData(model.mimeData([model.index(0, 0)]), Qt.DropAction.MoveAction, 2, 0,
                       model.index(-1, -1))
    assert [b.block_id for b in tab.document.script.blocks] == [ids[1], ids[0], *ids[2:]]
    stack = tab.document.undo_stack
    while stack.canUndo():
        stack.undo()
    assert [b.text for b in tab.document.script.blocks] == \
        [line.split(": ", 1)[1] for line in SCREENPLAY.splitlines()]

    # The script written back as CSV, through the save dialog.
    from PySide6.QtWidgets import QFileDialog

    qtbot.mouseClick(studio.find(QPushButton, "scripts.export_text"), Qt.MouseButton.LeftButton)
    dialog = studio.find(QFileDialog, "scripts.export_text_dialog")
    table_file = tmp_path / "back.csv"
    dialog.selectFile(str(table_file))
    dialog.accept()
    qtbot.waitUntil(table_file.exists, timeout=10_000)
    rows = table_file.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "speaker,text,voice" and rows[1].startswith("NARRATOR,It was the first")
    assert len(rows) == 6

    bad = tmp_path / "lines.csv"
    bad.write_text("speaker,text\nANNA,Hello\nBEN\n", encoding="utf-8")
    studio.window.open_paths([bad])
    banner = studio.find(QLabel, "scripts.error.text")
    qtbot.waitUntil(lambda: "could not be imported" in banner.text(), timeout=10_000)
    assert "line 3" in banner.text()
    assert table.model().rowCount() == 5  # the open script stays as it was


def test_selected_blocks_made_as_one_dialogue(launch, cloud, qtbot, tmp_path: Path) -> None:
    from PySide6.QtCore import QItemSelectionModel

    studio = open_screenplay(launch, cloud, qtbot, tmp_path)
    tab = studio.window.scripts_tab
    table = studio.find(QTableView, "scripts.blocks")
    for speaker, voice in (("NARRATOR", GEORGE), ("ANNA", SARAH), ("BEN", CLONE)):
        cast_voice(studio, qtbot, speaker, voice)
    model_combo = studio.find(QComboBox, "scripts.model")
    index = model_combo.findData("eleven_v3")
    assert index >= 0
    model_combo.setCurrentIndex(index)
    model_combo.activated.emit(index)
    assert tab.document.script.model_id == "eleven_v3"
    # Shift-select blocks 3 and 4 (Anna, then Ben).
    selection = table.selectionModel()
    selection.select(table.model().index(2, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                     | QItemSelectionModel.SelectionFlag.Rows)
    selection.select(table.model().index(3, 0), QItemSelectionModel.SelectionFlag.Select
                     | QItemSelectionModel.SelectionFlag.Rows)
    dialogue = studio.find(QPushButton, "scripts.dialogue")
    qtbot.waitUntil(dialogue.isEnabled)
    qtbot.mouseClick(dialogue, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(table)[2:4] == ["done", "done"], timeout=30_000)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    sent = [r for r in cloud.control.requests() if r["method"] == "POST"
            and r["path"].startswith("/v1/text-to-")]
    assert [r["path"] for r in sent] == ["/v1/text-to-dialogue/with-timestamps"]
    body = sent[0]["json"]
    script = tab.document.script
    assert body["inputs"] == [{"text": script.blocks[2].text, "voice_id": SARAH},
                              {"text": script.blocks[3].text, "voice_id": CLONE}]
    assert body["model_id"] == "eleven_v3"
    validate_request("POST", sent[0]["path"], sent[0]["query"], body)
    for block in script.blocks[2:4]:
        assert block.chosen_take.from_dialogue and block.chosen_take.alignment
    assert statuses(table)[:2] == ["missing", "missing"]  # nothing else was made


def test_offline_voices_make_a_script_for_free(launch, engine_url: str, qtbot,
                                               tmp_path: Path) -> None:
    studio = launch(engine_url=engine_url)
    source = tmp_path / "duo.txt"
    source.write_text("ANNA: Offline voices need no key.\nBEN: And they cost nothing.\n",
                      encoding="utf-8")
    studio.window.open_paths([source])
    tab = studio.window.scripts_tab
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.waitUntil(lambda: table.model().rowCount() == 2, timeout=10_000)
    for speaker, row in (("ANNA", 0), ("BEN", 1)):
        combo = studio.find(QComboBox, f"scripts.voice_{speaker.lower()}")
        qtbot.waitUntil(lambda c=combo: c.count() > 1, timeout=20_000)
        combo.setCurrentIndex(row)
        combo.activated.emit(row)
    estimate = studio.find(QLabel, "scripts.estimate")
    qtbot.waitUntil(lambda: estimate.text().startswith("Free with offline voices · 2 blocks"))
    qtbot.mouseClick(studio.find(QPushButton, "scripts.generate_all"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(table) == ["done", "done"], timeout=60_000)
    takes = [b.chosen_take for b in tab.document.script.blocks]
    assert all(t.alignment and t.duration_ms for t in takes)
    script = tab.document.script
    assert [t.voice_id for t in takes] == [script.voice_of(b) for b in script.blocks]
    assert takes[0].voice_id != takes[1].voice_id  # each speaker in their own voice
