"""Red problem text, and amber warning text, that stay readable: the fixed #c0392b read
at 2.3:1 on a dark window (#8a5300 amber at 1.9:1). The hue is made lighter or darker to
reach WCAG's 4.5:1 against the window colour, and worked out again when the desktop's
palette changes while the app runs."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel

from app.ui.contrast import TEXT_CONTRAST, with_contrast

PROBLEM_RED = "#c0392b"
WARNING_AMBER = "#8a5300"
_MARK = "xi_problem_text"
_HUES = {"problem": PROBLEM_RED, "warning": WARNING_AMBER}


def problem_color(kind: str = "problem") -> QColor:
    """The `kind` ("problem" or "warning") colour as it reads on today's window colour."""
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return with_contrast(QColor(_HUES[kind]), window, TEXT_CONTRAST)


def warning_color() -> QColor:
    return problem_color("warning")


class _Follower(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.ApplicationPaletteChange
                and isinstance(watched, QLabel) and watched.property(_MARK)):
            _apply(watched)
        return False


_follower: _Follower | None = None


def _apply(label: QLabel) -> None:
    kind = label.property(_MARK)
    label.setStyleSheet(f"color: {problem_color(kind).name()};" if kind in _HUES else "")


def show_as_warning(label: QLabel, warning: bool = True) -> None:
    """Colour `label` as a warning, amber (or back to normal text)."""
    _show(label, "warning" if warning else None)


def show_as_problem(label: QLabel, problem: bool = True) -> None:
    """Colour `label` as a problem, red (or back to normal text)."""
    _show(label, "problem" if problem else None)


def _show(label: QLabel, kind: str | None) -> None:
    global _follower
    if _follower is None:
        _follower = _Follower()
    if not label.property(_MARK + "_watched"):
        label.installEventFilter(_follower)
        label.setProperty(_MARK + "_watched", True)
    label.setProperty(_MARK, kind or "")
    _apply(label)
