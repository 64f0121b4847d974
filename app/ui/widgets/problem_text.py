"""Red problem text, and amber warning text, that stay readable: the fixed #c0392b read
at 2.3:1 on a dark window (#8a5300 amber at 1.9:1). The hue is made lighter or darker to
reach WCAG's 4.5:1 against the window colour, and worked out again when the desktop's
palette changes while the app runs."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel

from app.ui.contrast import TEXT_CONTRAST, with_contrast
from app.ui.palette_follow import follow_palette

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
    if not label.property(_MARK + "_watched"):
        # (ApplicationPaletteChange never reaches a label inside a window: Qt 6 sends it
        # to top-level windows only, so a red label kept its old shade after a switch.)
        follow_palette(label, lambda: _apply(label))
        label.setProperty(_MARK + "_watched", True)
    label.setProperty(_MARK, kind or "")
    _apply(label)
