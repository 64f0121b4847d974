"""Red problem text that stays readable: the fixed #c0392b read at 2.3:1 on a dark
window. The red is made lighter or darker to reach WCAG's 4.5:1 against the window
colour, and worked out again when the desktop's palette changes while the app runs."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel

from app.ui.contrast import TEXT_CONTRAST, with_contrast

PROBLEM_RED = "#c0392b"
_MARK = "xi_problem_text"


def problem_color() -> QColor:
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return with_contrast(QColor(PROBLEM_RED), window, TEXT_CONTRAST)


class _Follower(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.ApplicationPaletteChange
                and isinstance(watched, QLabel) and watched.property(_MARK)):
            _apply(watched)
        return False


_follower: _Follower | None = None


def _apply(label: QLabel) -> None:
    label.setStyleSheet(f"color: {problem_color().name()};")


def show_as_problem(label: QLabel, problem: bool = True) -> None:
    """Colour `label` as a problem (or back to normal text)."""
    global _follower
    if _follower is None:
        _follower = _Follower()
    if not label.property(_MARK + "_watched"):
        label.installEventFilter(_follower)
        label.setProperty(_MARK + "_watched", True)
    label.setProperty(_MARK, problem)
    if problem:
        _apply(label)
    else:
        label.setStyleSheet("")
