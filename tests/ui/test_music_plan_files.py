"""Plan files opened with the Music tab's own Open… button, damaged or saved oddly: the
plan on screen stays, the banner names the file and says what is wrong."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton

from app.domain.music_plan_write import plan_to_dict
from app.ui.music.music_tab import MusicTab
from tests.ui.test_music_tab import SHORT_PLAN, find, make_tab  # noqa: F401 - fixture

OTHER_PLAN = {**plan_to_dict(SHORT_PLAN), "model_id": "music_v1"}
OTHER_PLAN["sections"] = OTHER_PLAN["sections"][:2]


def open_with_the_button(tab: MusicTab, qtbot: Any, path: Path) -> None:
    qtbot.mouseClick(find(tab, QPushButton, "music.open_plan"), Qt.MouseButton.LeftButton)
    dialog = find(tab, QFileDialog, "music.open_dialog")
    dialog.selectFile(str(path))
    dialog.accept()


def test_a_plan_saved_as_utf16_opens(make_tab: Any, qtbot: Any,  # noqa: F811
                                     tmp_path: Path) -> None:
    """Notepad's "Unicode" is UTF-16: such a plan was refused as "not JSON"."""
    tab = make_tab()
    path = tmp_path / "edited.plan.json"
    path.write_text(json.dumps(OTHER_PLAN, ensure_ascii=False), encoding="utf-16")
    open_with_the_button(tab, qtbot, path)
    assert len(tab.editor.model.plan.sections) == 2
    assert "Opened “edited.plan.json”" in find(tab, QLabel, "music.status").text()


def test_a_plan_file_of_gigabytes_is_refused_without_reading_it(
        make_tab: Any, qtbot: Any, tmp_path: Path) -> None:  # noqa: F811
    """A damaged 2 GB file was read whole, on the window's thread (the window froze and
    took gigabytes of memory) before being called "not JSON"."""
    tab = make_tab()
    tab.editor.set_plan(SHORT_PLAN, None)
    path = tmp_path / "huge.plan.json"
    with path.open("wb") as file:
        file.truncate(200 * 1024 * 1024)  # sparse: no disk taken
    tracemalloc.start()
    try:
        open_with_the_button(tab, qtbot, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 1024 * 1024
    words = find(tab, QLabel, "music.error.text").text()
    assert "huge.plan.json" in words and "larger than" in words
    assert plan_to_dict(tab.editor.model.plan) == plan_to_dict(SHORT_PLAN)
