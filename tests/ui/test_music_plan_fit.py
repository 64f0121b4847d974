"""The Music plan page on a laptop (1024x640, History open, the app's default): the
sections table, the selected section's fields and the timeline are usable without
scrolling. Before, the table showed three rows, the section's name five letters, its
labels and lyrics were cut and the timeline was off the bottom."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QScrollArea

from tests.ui.test_fit_and_keyboard import keep_shot

pytestmark = pytest.mark.e2e


def test_plan_page_is_usable_on_a_laptop_beside_history(launch, cloud, qtbot,
                                                        tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    window = studio.window
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() == 1024)
    assert window.history_dock.isVisible()
    window.tabs.setCurrentIndex(2)
    music = window.music_tab
    music.mode.setCurrentIndex(1)
    music.editor.template.activated.emit(1)
    editor, detail = music.editor, music.editor.detail
    qtbot.waitUntil(lambda: editor.model.rowCount() > 4 and detail.row == 0)
    qtbot.wait(50)
    keep_shot(window, "plan-1024x640-history", tmp_path)

    name_chars = detail.name.width() / QFontMetrics(detail.name.font()).averageCharWidth()
    assert name_chars >= 12, name_chars
    labels = [label for label in detail.findChildren(QLabel)
              if label.isVisible() and label.text() in
              ("Name", "Length", "Styles", "Avoid", "Directions", "Follow", "Lyrics")]
    assert {label.text() for label in labels} >= {"Name", "Length", "Styles", "Lyrics"}
    for label in labels:
        shown = label.visibleRegion().boundingRect().size()
        assert shown == label.size(), (label.text(), shown, label.size())
        assert label.width() >= QFontMetrics(label.font()).horizontalAdvance(label.text())
    lyrics = detail.lyrics
    lines = lyrics.viewport().height() / QFontMetrics(lyrics.font()).lineSpacing()
    assert lines >= 3, lines
    assert lyrics.visibleRegion().boundingRect().size() == lyrics.size()
    table = editor.table
    rows = table.viewport().height() / table.verticalHeader().defaultSectionSize()
    assert rows >= 4, rows
    page = studio.find(QScrollArea, "music.plan_page")
    timeline = editor.timeline
    shown = QRect(timeline.mapTo(page.viewport(), QPoint(0, 0)), timeline.size())
    assert page.viewport().rect().contains(shown), (shown, page.viewport().rect())
    assert not page.horizontalScrollBar().isVisible(), "the plan scrolls sideways"
