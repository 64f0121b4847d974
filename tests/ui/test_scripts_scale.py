"""The Scripts tab with a long script (30 speakers): what the window does per change is
counted, never timed."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QTableView

from app.domain import script_edit
from app.domain.script import Block, Script, Take
from app.domain.script_file import script_to_json
from app.domain.wire import Voice
from app.ui.scripts import cast_edits
from app.ui.scripts.blocks_model import STATUS
from app.ui.scripts.cast_panel import CastPanel
from app.ui.scripts.script_document import keep_new_takes
from tests.support.long_script import VOICES, long_script, speaker, write_take_files


def test_a_recorded_take_leaves_the_cast_boxes_alone(qtbot: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    panel = CastPanel()
    qtbot.addWidget(panel)
    panel.set_voices([Voice(voice_id=VOICES[0], name="George"),
                      Voice(voice_id=VOICES[1], name="Sarah")])
    script = long_script(blocks=300, speakers=30, takes=1)
    panel.show_script(script)
    box = panel.findChild(QComboBox, "scripts.voice_speaker1")
    assert box is not None and box.currentText() == "Sarah"
    shown: list[str | None] = []
    select = CastPanel._select
    monkeypatch.setattr(CastPanel, "_select", staticmethod(
        lambda combo, value, role: (shown.append(value), select(combo, value, role))))
    for i in range(10):  # the queue records takes: the script changes, its cast does not
        block = script.blocks[i]
        take = Take(f"new{i}", f"b{i}/new.mp3", block.text, VOICES[i % 2],
                    script.model_id, script.output_format)
        script = script_edit.add_take(script, block.block_id, take)
        panel.show_script(script)
    assert shown == []  # (before: every speaker's box, for every take: 300 looks)
    script = cast_edits.cast_voice(speaker(1), VOICES[0], "George")(script)
    panel.show_script(script)  # the user chose another voice: shown
    assert len(shown) == 30 and box.currentText() == "George"
    panel.set_voices([Voice(voice_id=VOICES[0], name="George, renamed")])
    panel.show_script(script)  # a new list of voices: every box shown from it
    assert len(shown) == 60 and box.currentText() == "George, renamed"


def test_starting_a_long_queue_repaints_the_status_column_once(
        launch: Any, cloud: Any, qtbot: Any, tmp_path: Path) -> None:
    studio, table = _a_chapter_open(launch, cloud, qtbot, tmp_path)
    tab = studio.window.scripts_tab
    generate = studio.find(QPushButton, "scripts.generate_all")
    qtbot.waitUntil(generate.isEnabled, timeout=20_000)  # the voices and the count are in
    changes: list[tuple[int, int]] = []
    tab.model.dataChanged.connect(lambda first, last, *_: changes.append(
        (first.row(), last.row())))
    qtbot.mouseClick(generate, Qt.MouseButton.LeftButton)
    # Every block says "waiting in the queue" (once they are found, on a worker thread),
    # announced as one change of the column (before: one per block, each a repaint
    # request: 1,000 here, 5,000 in a chapter).
    qtbot.waitUntil(lambda: table.model().index(999, STATUS).data() == "waiting in the queue",
                    timeout=20_000)
    assert len(changes) <= 2, len(changes)
    qtbot.waitUntil(lambda: tab.generation.is_running, timeout=10_000)
    waiting_again = len(changes)
    qtbot.waitUntil(lambda: tab.document.script.blocks[0].takes != (), timeout=20_000)
    # The queue's own "waiting" for each block changed nothing: no change announced for
    # the rows it has not reached.
    later = {first for first, _last in changes[waiting_again:]}
    tab.generation.cancel()
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=30_000)
    assert len(later) < 200, len(later)


def test_dropping_many_blocks_counts_them_once(launch: Any, cloud: Any, qtbot: Any,
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from app.ui.scripts import scripts_tab

    studio, table = _a_chapter_open(launch, cloud, qtbot, tmp_path)
    model = table.model()
    sets = 0

    def counting_set(*args: Any) -> set:
        nonlocal sets
        sets += 1
        return set(*args)

    monkeypatch.setattr(scripts_tab, "set", counting_set, raising=False)
    dragged = model.mimeData([model.index(row, 0) for row in range(100, 600)])
    model.dropMimeData(dragged, Qt.DropAction.MoveAction, 900, 0, QModelIndex())
    ids = [b.block_id for b in studio.window.scripts_tab.document.script.blocks]
    assert ids[400:900] == [f"b{i}" for i in range(100, 600)]  # before row 900 as it was
    assert sets <= 1, sets  # (before: a set of the 500 dragged ids for each row above)


def test_generate_all_missing_looks_for_the_blocks_off_the_window_thread(
        launch: Any, cloud: Any, qtbot: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding a chapter's missing blocks hashes every block (a 30 ms stall for 5,000):
    it runs on a worker, the window says at once that the work started, and Cancel
    stops it during that pass."""
    from app.domain import script as script_module

    script = long_script(blocks=1000, speakers=30, takes=1)
    script = replace(script, blocks=tuple(  # every tenth block still needs a take
        replace(b, takes=(), chosen_take_id=None) if i % 10 == 0 else b
        for i, b in enumerate(script.blocks)))
    studio, table = _a_chapter_open(launch, cloud, qtbot, tmp_path, script)
    tab = studio.window.scripts_tab
    generate = studio.find(QPushButton, "scripts.generate_all")
    cancel = studio.find(QPushButton, "scripts.cancel")
    qtbot.waitUntil(generate.isEnabled, timeout=20_000)  # the voices and the count are in
    passes, release = _hold_the_first_pass(monkeypatch)
    hashed_here = 0  # fingerprints worked out on the window's thread
    make_fingerprint = script_module.make_fingerprint

    def counted_fingerprint(*args: Any, **kwargs: Any) -> str:
        nonlocal hashed_here
        hashed_here += threading.current_thread() is threading.main_thread()
        return make_fingerprint(*args, **kwargs)

    monkeypatch.setattr(script_module, "make_fingerprint", counted_fingerprint)
    try:
        qtbot.mouseClick(generate, Qt.MouseButton.LeftButton)
        assert hashed_here == 0, hashed_here  # (before: one per block with a take, 900)
        # At once: the work has started and says so, and it can be cancelled.
        assert tab.status.text() == "Looking for blocks without a take…"
        assert tab.generation.is_running and cancel.isEnabled()
        qtbot.waitUntil(lambda: passes != [], timeout=10_000)
        assert passes == [False]  # (before: [True], on the window's thread)
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    finally:
        release.set()
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    assert tab.status.text() == "Stopped."
    assert generate.isEnabled()
    assert table.model().index(0, STATUS).data() == "missing"  # nothing was queued
    assert not [b for b in tab.document.script.blocks[::10] if b.takes]  # nor made


def test_a_new_key_during_the_first_pass_says_nothing_was_made(
        launch: Any, cloud: Any, qtbot: Any, tmp_path: Path, memory_keyring: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QLabel, QLineEdit

    from tests.support.cloud_server import PRO_KEY

    studio, _table = _a_chapter_open(launch, cloud, qtbot, tmp_path)
    tab = studio.window.scripts_tab
    generate = studio.find(QPushButton, "scripts.generate_all")
    qtbot.waitUntil(generate.isEnabled, timeout=20_000)
    passes, release = _hold_the_first_pass(monkeypatch)
    try:
        qtbot.mouseClick(generate, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: passes != [], timeout=10_000)
        monkeypatch.delenv("ELEVENLABS_API_KEY")  # the user saves another key
        dialog = studio.window.open_settings()
        qtbot.keyClicks(dialog.findChild(QLineEdit, "settings.api_key"), PRO_KEY)
        qtbot.mouseClick(dialog.findChild(QPushButton, "settings.save_key"),
                         Qt.MouseButton.LeftButton)
        # The new key is checked, then the tab is told, while the pass still runs.
        qtbot.waitUntil(lambda: "API key changed" in tab.status.text(), timeout=10_000)
    finally:
        release.set()
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    dialog.accept()
    banner = studio.find(QLabel, "scripts.error.text")
    qtbot.waitUntil(lambda: "API key changed" in banner.text(), timeout=5000)
    # (Before: "The dialogue stopped", though no dialogue was asked for.)
    assert "The queue stopped" in banner.text() and "Nothing had been made" in banner.text()
    assert not any(b.takes for b in tab.document.script.blocks)


def _hold_the_first_pass(monkeypatch: pytest.MonkeyPatch) -> tuple[list[bool],
                                                                   threading.Event]:
    """Record, for each pass looking for missing blocks, whether it ran on the window's
    thread; one on a worker waits for the event (set it, whatever the test's outcome)."""
    from app.domain import script as script_module

    passes: list[bool] = []
    release = threading.Event()
    missing_blocks = script_module.Script.missing_blocks

    def held_pass(self: Any) -> Any:
        on_window = threading.current_thread() is threading.main_thread()
        passes.append(on_window)
        if not on_window:
            release.wait(timeout=30)  # until the test has done what it does meanwhile
        return missing_blocks(self)

    monkeypatch.setattr(script_module.Script, "missing_blocks", held_pass)
    return passes, release


class CountedTakes(Block):
    """A block that counts how often its takes are read."""

    reads = 0

    def __getattribute__(self, name: str) -> Any:
        if name == "takes":
            CountedTakes.reads += 1
        return super().__getattribute__(name)


def test_undo_looks_at_the_takes_of_the_changed_blocks_only() -> None:
    script = long_script(blocks=1000, speakers=30, takes=3)
    script = replace(script, blocks=tuple(
        CountedTakes(b.block_id, b.speaker, b.text, takes=b.takes,
                     chosen_take_id=b.chosen_take_id) for b in script.blocks))
    edited = script_edit.edit_text(script, "b500", "New words.")
    CountedTakes.reads = 0
    assert keep_new_takes(script, edited) is script  # undo: nothing made since
    assert keep_new_takes(edited, script) is edited  # redo
    # Blocks an edit left alone are the same objects in both: their takes are the same.
    assert CountedTakes.reads <= 10, CountedTakes.reads  # (before: every block's, twice)


def _a_chapter_open(launch: Any, cloud: Any, qtbot: Any, tmp_path: Path,
                    script: Script | None = None) -> tuple[Any, Any]:
    """The window with a 1,000-block, 30-speaker script (default: no takes yet; the
    takes' audio files are there) open in the Scripts tab, and its blocks table."""
    from app.library.script_store import takes_dir_for

    studio = launch(cloud_url=cloud.url)
    path = tmp_path / "chapter.xiscript.json"
    script = script or long_script(blocks=1000, speakers=30, takes=0)
    path.write_text(script_to_json(script))
    write_take_files(takes_dir_for(path), script)
    studio.window.open_paths([path])
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1000, timeout=20_000)
    return studio, table
