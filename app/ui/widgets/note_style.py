"""A note in a tinted box (the transcript's "draft made offline" note) in the palette's
colours: an amber tint over the window, text and frame lifted to read on it. The fixed
light yellow (#FFF4CE) glared in a dark window; worked out again when the desktop's
palette changes while the app runs."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel

from app.ui.contrast import GRAPHIC_CONTRAST, TEXT_CONTRAST, blend, with_contrast
from app.ui.palette_follow import follow_palette

NOTE_TINT = QColor(255, 193, 7, 56)  # amber, a little over a fifth over the window
NOTE_TEXT = QColor("#5C4400")  # dark amber: lifted to a light one on a dark window
NOTE_FRAME = QColor("#C9A227")


def note_colours(palette: QPalette) -> tuple[QColor, QColor, QColor]:
    """(background, text, frame) of a note on `palette`'s window: text at 4.5:1 on the
    note, the frame at 3:1 on the window around it."""
    window = palette.color(QPalette.ColorRole.Window)
    background = blend(NOTE_TINT, window)
    return (background, with_contrast(NOTE_TEXT, background, TEXT_CONTRAST),
            with_contrast(NOTE_FRAME, window, GRAPHIC_CONTRAST))


def _apply(label: QLabel) -> None:
    background, text, frame = note_colours(QGuiApplication.palette())
    label.setStyleSheet(f"QLabel {{ background: {background.name()}; color: {text.name()}; "
                        f"border: 1px solid {frame.name()}; border-radius: 3px; "
                        "padding: 2px 6px; }")


def show_as_note(label: QLabel) -> None:
    """Draw `label` as a note, now and after each palette change. (A label with a style
    sheet gets no PaletteChange: it listens to the application's signal instead.)"""
    follow_palette(label, lambda: _apply(label))
    _apply(label)
