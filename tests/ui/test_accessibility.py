"""Every control a user can reach has a name a screen reader can say (and icon-only ones a
description): walked over all visible widgets of every tab and the main dialogs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

pytestmark = pytest.mark.e2e

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractSlider,
               QAbstractItemView, QPlainTextEdit, QTextEdit)
SPOKEN = re.compile(r"[^\W\d_]{2,}")  # a word, not "◀", "×" or "50 %"


def is_internal(widget: QWidget) -> bool:
    """Parts Qt builds inside its own controls (a spin box's line edit, a scroll bar, the
    tab bar's scroll arrows, a combo's pop-up list): they are named by their owner."""
    if isinstance(widget, QScrollBar | QHeaderView) or widget.objectName().startswith("qt_"):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractSpinBox | QComboBox | QTabBar | QLineEdit):
            return True
        if type(parent).__name__ in ("QComboBoxPrivateContainer",):
            return True
        parent = parent.parentWidget()
    return False


def spoken(widget: QWidget, what: QAccessible.Text) -> str:
    face = QAccessible.queryAccessibleInterface(widget)
    return face.text(what) if face is not None else ""


def unnamed(root: QWidget) -> list[str]:
    problems = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or not widget.isVisible() or is_internal(widget):
            continue
        name = spoken(widget, QAccessible.Text.Name)
        label = f"{type(widget).__name__} {widget.objectName() or '(no objectName)'}"
        if not SPOKEN.search(name):
            problems.append(f"{label}: name {name!r}")
            continue
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if not SPOKEN.search(text) and not spoken(widget, QAccessible.Text.Description):
            problems.append(f"{label}: no description (nor words on it)")
    return problems


@pytest.fixture
def accessibility_on() -> Any:
    """Qt's accessibility active for this test only: left on, it changed how every later
    test's item views behave (the test order then decided what was tested)."""
    was = QAccessible.isActive()
    QAccessible.setActive(True)
    yield
    QAccessible.setActive(was)


def test_every_visible_control_has_a_name(launch, cloud, qtbot, accessibility_on) -> None:
    studio = launch(cloud_url=cloud.url)
    window = studio.window
    problems: list[str] = []
    for index in range(window.tabs.count()):  # (Scripts, the fourth, was left out)
        window.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        if index == 2:
            for page in (0, 1):
                window.music_tab.mode.setCurrentIndex(page)
                qtbot.wait(20)
                problems += unnamed(window)
        else:
            problems += unnamed(window)
    for open_dialog in (window.open_settings, window.menus.show_about, window.show_shortcuts):
        dialog = open_dialog()
        qtbot.wait(20)
        problems += unnamed(dialog)
        dialog.close()
    # A dialog made after its tab was named (the link's address field had no name).
    window.show_tab("transcripts")
    link = window.transcripts_tab.queue_actions.ask_link()
    qtbot.wait(20)
    problems += unnamed(link)
    link.reject()
    assert not problems, "\n".join(sorted(set(problems)))


def test_every_control_of_the_export_and_rule_dialogs_has_a_name(
        qtbot, tmp_path, accessibility_on) -> None:
    """Dialogs opened later, each control a name a screen reader says: the transcript
    export's "Save to" field had none (its label sat above it, not tied to it)."""
    from app.ui.scripts.export_dialog import ScriptExportDialog
    from app.ui.speech.rule_editor import RuleEditor
    from app.ui.transcripts.export_dialog import ExportDialog

    problems: list[str] = []
    for dialog in (ExportDialog(tmp_path / "Interview.srt"),
                   ScriptExportDialog(tmp_path / "Script export"), RuleEditor(None)):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        problems += [p for p in unnamed(dialog) if ": name " in p]
    assert not problems, "\n".join(problems)
