"""The lyrics sheet in the window: edits show in the section table, undo takes them back
(and the sheet follows), table edits rewrite the sheet, the counts name the limits."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton

from app.domain.music_plan import Plan, Section

pytestmark = pytest.mark.e2e


def test_sheet_edits_show_in_the_table_and_undo(launch, cloud, qtbot) -> None:
    studio = launch(cloud_url=cloud.url)
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
