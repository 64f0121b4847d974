"""Colour contrast as WCAG 2 measures it, to keep fixed hues (speakers, sections) readable
on whatever palette the desktop gives: light, dark (KDE, qt6ct) or high contrast."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

TEXT_CONTRAST = 4.5  # WCAG AA for text
GRAPHIC_CONTRAST = 3.0  # WCAG AA for large text and graphics


def luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF())
            + 0.0722 * channel(color.blueF()))


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def blend(top: QColor, bottom: QColor) -> QColor:
    """`top` (with its alpha) painted over an opaque `bottom`."""
    alpha = top.alphaF()
    return QColor.fromRgbF(top.redF() * alpha + bottom.redF() * (1 - alpha),
                           top.greenF() * alpha + bottom.greenF() * (1 - alpha),
                           top.blueF() * alpha + bottom.blueF() * (1 - alpha))


def readable_on(background: QColor) -> QColor:
    """Black or white, whichever reads better on `background`."""
    black, white = QColor("black"), QColor("white")
    return black if contrast(black, background) >= contrast(white, background) else white


def with_contrast(color: QColor, background: QColor,
                  minimum: float = GRAPHIC_CONTRAST) -> QColor:
    """`color`, made lighter or darker (keeping its hue) until it reaches `minimum`
    against `background`."""
    result = QColor(color)
    lighter = luminance(background) < 0.18  # a dark background wants lighter colours
    for _ in range(40):
        if contrast(result, background) >= minimum:
            return result
        hue, saturation, value = result.hsvHueF(), result.hsvSaturationF(), result.valueF()
        if lighter:
            if value < 1.0:
                value = min(1.0, value + 0.05)
            else:
                saturation = max(0.0, saturation - 0.05)
        else:
            value = max(0.0, value - 0.05)
        result = QColor.fromHsvF(max(hue, 0.0), saturation, value, color.alphaF())
    return readable_on(background)


def base_color() -> QColor:
    """The application's text background now (it follows a live theme switch)."""
    return QGuiApplication.palette().color(QPalette.ColorRole.Base)
