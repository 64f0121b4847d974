"""Pronunciation dictionaries on a script through the window, against the cloud test
server: attach a dictionary in the Scripts tab (the Speech tab's dialog), undo and redo
it, generate all (every block's request carries the locator and validates against the
spec), and the choice is autosaved with the script."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTableView

from app.library.script_store import load_script
from app.ui.speech.dictionaries_panel import DictionariesDialog
from tests.support.spec import validate_request
from tests.ui.conftest import save_screenshot
from tests.ui.test_pronunciation import add_rule, attach, make_dictionary
from tests.ui.test_scripts_e2e import (
    CLONE,
    GEORGE,
    SARAH,
    cast_voice,
    open_screenplay,
    statuses,
    tts_requests,
)

pytestmark = pytest.mark.e2e


def test_attach_a_dictionary_to_a_script_and_generate(launch, cloud, qtbot,
                                                      tmp_path: Path) -> None:
    studio = open_screenplay(launch, cloud, qtbot, tmp_path)
    tab = studio.window.scripts_tab
    for speaker, voice in (("NARRATOR", GEORGE), ("ANNA", SARAH), ("BEN", CLONE)):
        cast_voice(studio, qtbot, speaker, voice)
    label = studio.find(QLabel, "scripts.pronunciation_label")
    assert label.text() == "Pronunciation: none"

    qtbot.mouseClick(studio.find(QPushButton, "scripts.pronunciation"),
                     Qt.MouseButton.LeftButton)
    dialog = studio.window.findChild(DictionariesDialog, "scripts.dictionaries")
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.refresh_button.isEnabled(), timeout=10_000)
    make_dictionary(qtbot, dialog, "Brand names")
    add_rule(qtbot, dialog, "Ben", "alias", "Benn")
    attach(qtbot, dialog, 0)
    assert label.text() == "Pronunciation: Brand names"
    locators = tab.document.script.pronunciation_dictionary_locators
    assert len(locators) == 1 and locators[0]["name"] == "Brand names"
    dictionary_id, version_id = tab.document.script.dictionaries[0]
    # The button says it in its own words, shown whole once laid out.
    button = studio.find(QPushButton, "scripts.pronunciation")
    assert button.text() == "Pronunciation: Brand names…"
    assert button.accessibleDescription() == "Pronunciation: Brand names"
    qtbot.waitUntil(lambda: button.width() >= button.sizeHint().width(), timeout=5000)
    save_screenshot(studio.window, "scripts-pronunciation", tmp_path)
    dialog.close()

    # Undoable like the tab's other edits.
    tab.document.undo_stack.undo()
    assert label.text() == "Pronunciation: none"
    tab.document.undo_stack.redo()
    assert label.text() == "Pronunciation: Brand names"

    qtbot.mouseClick(studio.find(QPushButton, "scripts.generate_all"),
                     Qt.MouseButton.LeftButton)
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.waitUntil(lambda: statuses(table) == ["done"] * 5, timeout=30_000)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    sent = tts_requests(cloud)
    assert len(sent) == 5
    for request in sent:
        validate_request("POST", request["path"], request["query"], request["json"])
        assert request["json"]["pronunciation_dictionary_locators"] == [
            {"pronunciation_dictionary_id": dictionary_id, "version_id": version_id}]

    # Autosaved with the script.
    qtbot.waitUntil(lambda: load_script(tab.document.path).dictionaries
                    == ((dictionary_id, version_id),), timeout=10_000)
