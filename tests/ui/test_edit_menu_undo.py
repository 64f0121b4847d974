"""Edit > Undo and Redo act on the open tab's own history, named by the step: a script's
(casting a voice), a transcript's (renaming a speaker); on Speech they are off. The Edit
menu had only Settings…, so the one place a desktop user looks for Undo had none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from tests.ui.test_scripts_e2e import GEORGE, cast_voice, open_screenplay

pytestmark = pytest.mark.e2e


def narrator_voice(document: object) -> str | None:
    script = document.script  # type: ignore[attr-defined]
    return script.voice_of(next(b for b in script.blocks if b.speaker == "NARRATOR"))


def test_edit_menu_undo_and_redo_follow_the_tab(launch, cloud, qtbot, tmp_path: Path) -> None:
    studio = open_screenplay(launch, cloud, qtbot, tmp_path)
    window = studio.window
    undo = window.findChild(QAction, "action.undo")
    redo = window.findChild(QAction, "action.redo")
    assert undo in window.menuBar().actions()[1].menu().actions()  # under Edit
    script = window.scripts_tab.document
    assert narrator_voice(script) is None
    cast_voice(studio, qtbot, "NARRATOR", GEORGE)
    qtbot.waitUntil(lambda: narrator_voice(script) == GEORGE,
                    timeout=10_000)
    qtbot.waitUntil(undo.isEnabled, timeout=5_000)
    assert undo.text().startswith("&Undo ") and len(undo.text()) > len("&Undo ")
    undo.trigger()
    assert narrator_voice(script) != GEORGE
    assert redo.isEnabled()
    redo.trigger()
    assert narrator_voice(script) == GEORGE

    window.show_tab("speech")  # its text box keeps its own undo: the menu's is off
    assert not undo.isEnabled() and not redo.isEnabled()
    window.show_tab("scripts")
    assert undo.isEnabled()

    transcript = tmp_path / "talk.json"  # and the Transcripts tab's own history
    words = [{"text": "Hello", "type": "word", "start": 0.0, "end": 0.4,
              "speaker_id": "speaker_0"},
             {"text": " ", "type": "spacing", "start": 0.4, "end": 0.5,
              "speaker_id": "speaker_0"},
             {"text": "there.", "type": "word", "start": 0.5, "end": 0.9,
              "speaker_id": "speaker_0"}]
    transcript.write_text(json.dumps({"language_code": "en", "language_probability": 1.0,
                                      "text": "Hello there.", "words": words}))
    window.open_paths([transcript])
    tab = window.transcripts_tab
    qtbot.waitUntil(lambda: tab.document.is_open, timeout=10_000)
    assert window.tabs.currentWidget() is tab and not undo.isEnabled()  # nothing done yet
    tab.speakers.list.setCurrentRow(0)
    tab.speakers.name.setText("Ada")
    qtbot.mouseClick(tab.speakers.rename_button, Qt.MouseButton.LeftButton)
    assert tab.model.index(0).data().startswith("Ada: ")
    assert undo.isEnabled()
    undo.trigger()
    assert tab.model.index(0).data().startswith("Speaker 1: ")
