"""The lyrics sheet in the window, against the engine and the cloud test server: edits
show in the section table, undo takes them back (and the sheet follows), table edits
rewrite the sheet, the counts name the limits, and composing sends the sheet's words."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton

from app.domain.music_plan import Plan, Section
from tests.support.spec import validate_request
from tests.ui.test_music_sections import click

pytestmark = pytest.mark.e2e


def test_sheet_edits_show_in_the_table_and_undo(launch, music_backend, qtbot) -> None:
    studio = launch(**music_backend.launch_options())
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.output.select(tab.output.model, "music_v1")
    tab.editor.set_plan(Plan(sections=[Section("Intro", 3000), Section("Verse", 5000)]),
                        "test")
    tab.mode.setCurrentIndex(2)
    sheet = studio.find(QPlainTextEdit, "music.lyrics_sheet")
    assert sheet.toPlainText() == "[Intro]\n\n[Verse]\n"
    assert tab.is_plan_mode()  # composing from the sheet sends the plan

    cursor = sheet.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    sheet.setTextCursor(cursor)
    qtbot.keyClicks(sheet, "Hello city lights")
    qtbot.keyClick(sheet, Qt.Key.Key_Return)
    qtbot.keyClicks(sheet, "We sing tonight")
    model = tab.editor.model
    qtbot.waitUntil(lambda: model.section(1).lines == ["Hello city lights",
                                                       "We sing tonight"], timeout=5_000)
    counts = studio.find(QLabel, "music.lyrics_counts").text()
    assert "2. Verse: 2 lines · limit" in counts

    tab.mode.setCurrentIndex(1)
    undo = studio.find(QPushButton, "music.undo")
    qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)  # one step takes the sheet's edit back
    assert model.section(1).lines == []
    assert sheet.toPlainText() == "[Intro]\n\n[Verse]\n"
    qtbot.mouseClick(studio.find(QPushButton, "music.redo"), Qt.MouseButton.LeftButton)
    assert "We sing tonight" in sheet.toPlainText()

    # A header renamed on the sheet renames the section; a missing one is explained.
    sheet.setPlainText("[Intro]\n\n[Chorus]\nHello city lights\n")
    assert tab.producer.lyrics_sheet.apply()
    assert model.section(1).name == "Chorus"
    sheet.setPlainText("[Intro]\n")
    assert not tab.producer.lyrics_sheet.apply()
    assert "add or remove sections in the table" in \
        studio.find(QLabel, "music.lyrics_counts").text()
    assert model.section(1).name == "Chorus"  # nothing lost

    # Composed, the sheet's words are what the server gets, in a request the spec allows.
    click(qtbot, studio, "music.compose")
    qtbot.waitUntil(lambda: len(studio.ctx.history.list(kind="music")) == 1
                    and not tab.controller.is_composing, timeout=60_000)
    sent = [r for r in music_backend.requests() if r["path"].startswith("/v1/music")][-1]
    validate_request(sent["method"], sent["path"], sent["query"], sent["json"])
    assert [(s["section_name"], s["lines"]) for s in sent["json"]["composition_plan"]
            ["sections"]] == [("Intro", []), ("Chorus", ["Hello city lights"])]
