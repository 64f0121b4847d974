"""The Music plan page on a laptop (1024x640, History open, the app's default): the
sections table, the selected section's fields and the timeline are usable without
scrolling. Before, the table showed three rows, the section's name five letters, its
labels and lyrics were cut and the timeline was off the bottom."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QWidget

from tests.ui.conftest import emulate_screen
from tests.ui.test_fit_and_keyboard import keep_shot

pytestmark = pytest.mark.e2e



def walk_with_tab(qtbot, window: QWidget, start: QWidget, steps: int) -> list[QWidget]:
    """The controls Tab reaches from `start`, pressed as a user would, until it comes
    round to one already reached."""
    window.activateWindow()
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(start.hasFocus)
    reached: list[QWidget] = []
    for _ in range(steps):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        if focused is None or focused in reached:
            break
        reached.append(focused)
    return reached

def test_plan_page_is_usable_on_a_laptop_beside_history(launch, cloud, qtbot,
                                                        tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    window = studio.window
    emulate_screen(window, 1024)
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

    # From the keyboard alone, Tab from the page's tab bar goes down the page: the start
    # row (with Rework and Your song), the tools, the sections table, the selected
    # section's Name, then (under the timeline) the song's styles and Undo. Before, the
    # song's styles came first, Undo followed the tools and Rework and Your song came
    # after everything, although they are drawn under the timeline, at the bottom and
    # on the first row.
    reached = walk_with_tab(qtbot, window, music.mode.tabBar(), 40)
    names = [widget.objectName() for widget in reached]
    down_the_page = ["music.template", "music.plan_from_prompt", "music.rework",
                     "music.own_song", "music.add_section", "music.sections",
                     "music.section_name", "music.global_positive.input",
                     "music.global_negative.input", "music.undo"]
    assert all(name in names for name in down_the_page), names
    order = [names.index(name) for name in down_the_page]
    assert order == sorted(order), names


def test_tab_goes_through_the_music_tab_before_history(launch, cloud, qtbot) -> None:
    """With History open, Tab went from the plan's Undo to History and only then to
    Compose, and from Versions to History again before the details and finetunes: the
    tab's later controls had stayed behind History (Qt ignores setTabOrder from a
    widget without focus, and the scroll areas counted as controls). Now the whole
    Music tab, top to bottom and left to right, comes before History."""
    studio = launch(cloud_url=cloud.url)
    window = studio.window
    emulate_screen(window, 1024)
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() == 1024)
    assert window.history_dock.isVisible()
    window.tabs.setCurrentIndex(2)
    music = window.music_tab
    music.mode.setCurrentIndex(1)
    music.editor.template.activated.emit(1)
    reached = walk_with_tab(qtbot, window, music.mode.tabBar(), 120)
    names = [widget.objectName() for widget in reached]
    in_order = ["music.undo", "music.compose", "music.save_plan", "music.model",
                "music.versions", "music.details", "history.search"]
    assert all(name in names for name in in_order), names
    assert [names.index(n) for n in in_order] == sorted(names.index(n) for n in in_order), names
    first_history = names.index("history.search")
    assert all(music.isAncestorOf(w) for w in reached[:first_history]), names
    # No stops that show nothing: the scroll areas around the plan and the column.
    assert not {"music.plan_page", "music.section_detail_page", "music.side"} & set(names)
