"""Tooltips in the palette's colours: light, dark, high contrast, and after a live switch.

Qt gives a tooltip the palette's ToolTipBase and ToolTipText, which a desktop palette
often leaves at Qt's own light yellow and black (a high-contrast or qt6ct palette, one
the app is handed whole): a glaring yellow box on a black or dark window. A light tip on
a dark window so takes the window's colours instead (its frame is drawn in the text
colour, so it still stands apart); a dark tip on a light window (GNOME's, Windows 11's)
is a choice and is kept. Either way the tip's text reaches 4.5:1 on it.

The colours are handed to QToolTip.setPalette, which every new tooltip takes and the one
shown is updated with, again after each change of the application's palette (and once
more after Qt's own tooltip palette, which a desktop theme switch sets next)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QToolTip

from app.ui.contrast import TEXT_CONTRAST, luminance, with_contrast
from app.ui.palette_follow import follow_palette

_DARK = 0.18  # below this luminance a background asks for light text (as contrast.py)
_GROUPS = (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive,
           QPalette.ColorGroup.Disabled)


def tooltip_colours(palette: QPalette) -> tuple[QColor, QColor]:
    """The background and text of a tooltip on `palette`."""
    roles = QPalette.ColorRole
    base, text = palette.color(roles.ToolTipBase), palette.color(roles.ToolTipText)
    window = palette.color(roles.Window)
    if luminance(window) < _DARK <= luminance(base):  # a light tip on a dark window
        base, text = window, palette.color(roles.WindowText)
    return base, with_contrast(text, base, TEXT_CONTRAST)


def theme_tooltips() -> None:
    """Give tooltips the application's palette's colours, as worked out above."""
    palette = QPalette(QGuiApplication.palette())
    base, text = tooltip_colours(palette)
    for group in _GROUPS:
        palette.setColor(group, QPalette.ColorRole.ToolTipBase, base)
        palette.setColor(group, QPalette.ColorRole.ToolTipText, text)
    QToolTip.setPalette(palette)


def _theme_now_and_after_qt(owner: QObject) -> None:
    """Theme tooltips at once, and again when the event loop next turns. On a desktop
    theme switch Qt announces the new palette (this runs) and only then, in the same
    call, hands tooltips the desktop's own tooltip palette
    (QApplicationPrivate::handleThemeChanged → qt_init_tooltip_palette): the tooltip
    open at the switch, and every later one, showed those colours, not these."""
    theme_tooltips()
    QTimer.singleShot(0, owner, theme_tooltips)


def follow_with_tooltips(owner: QObject) -> None:
    """Theme tooltips now and after each palette change, while `owner` (the app's
    style) lives."""
    theme_tooltips()
    follow_palette(owner, lambda: _theme_now_and_after_qt(owner))
