"""The drawing the app's style adds, for the few widgets that need it: outlines on check
boxes, radio buttons, item-view checks and slider grooves, and combo box text that ends
in "…" when it does not fit.

The app's style (app/ui/app_style.py) gives these widgets one shared `ControlStyle` with
`QWidget.setStyle`. It is not the application's style itself because a Python drawing
override runs for every primitive of every widget it draws: app-wide, each table cell,
frame and scroll bar went through Python and back (a table's repaint took ~1.4× as long).

- Outlines at 3:1 against their background (WCAG's minimum for the parts of a control):
  Fusion draws them with the window colour a shade darker, 1.4:1 on a dark palette, where
  an unticked box vanished. Only under Fusion: other styles draw their own indicators.
  The colours are taken from the palette as they are drawn, so a live theme switch is
  followed. A focused check box or radio button gets a 2 px ring at 3:1 instead.
- A combo box's text that does not fit ends in "…" (Qt cuts it off mid-letter), also its
  placeholder ("Choose a voice"), and the whole text is its tooltip
  (app/ui/widgets/combo_tips.py).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionComboBox,
    QStyleOptionComplex,
    QStyleOptionSlider,
    QWidget,
)

from app.ui.contrast import GRAPHIC_CONTRAST, blend, with_contrast
from app.ui.focus_ring import ring_colour
from app.ui.widgets.combo_tips import ComboTips, shown_text

_INDICATORS = (QStyle.PrimitiveElement.PE_IndicatorCheckBox,
               QStyle.PrimitiveElement.PE_IndicatorRadioButton,
               QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck)
_OUTLINE_SHARE = 0.45  # of the text colour over the background, before any lifting


def outline_colour(palette: QPalette, background: QColor) -> QColor:
    """An indicator's outline: the text colour faded towards `background`, then made
    to reach 3:1 against it."""
    text = QColor(palette.color(QPalette.ColorRole.WindowText))
    text.setAlphaF(_OUTLINE_SHARE)
    return with_contrast(blend(text, background), background, GRAPHIC_CONTRAST)


def is_fusion(style: QStyle | None) -> bool:
    return style is not None and style.name().casefold() == "fusion"


class ControlStyle(QProxyStyle):
    """Fusion (or the desktop's style) with outlines and shortened combo box text. Set on
    single widgets, never as the application's style."""

    def __init__(self, base_key: str) -> None:
        super().__init__(base_key)
        self.setObjectName("app.style.controls")
        self.outlines = is_fusion(self.baseStyle())  # fixed: the base never changes
        self._combo_tips = ComboTips(self)

    def polish(self, target: object) -> object:  # type: ignore[override]
        if isinstance(target, QComboBox):
            target.installEventFilter(self._combo_tips)
        return super().polish(target)  # type: ignore[call-overload]

    def unpolish(self, target: object) -> None:
        if isinstance(target, QComboBox):
            target.removeEventFilter(self._combo_tips)
        super().unpolish(target)  # type: ignore[call-overload]

    # -- outlines ------------------------------------------------------------------
    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption,
                      painter: QPainter, widget: QWidget | None = None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element not in _INDICATORS or not self.outlines:
            return
        state = option.state
        in_view = element == QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck
        focused = bool(state & QStyle.StateFlag.State_HasFocus
                       and state & QStyle.StateFlag.State_KeyboardFocusChange) and not in_view
        palette = option.palette
        behind = palette.color(QPalette.ColorRole.Base if in_view else QPalette.ColorRole.Window)
        # Focused, a 2 px ring at 3:1: Fusion's own is 1 px of the highlight a shade
        # darker, 1.8:1 against the unfocused outline on a light palette, and a radio
        # button's antialiased circle barely changed at all.
        width = 2 if focused else 1
        rect = QRectF(option.rect).adjusted(width / 2, width / 2, -width / 2, -width / 2)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(ring_colour(palette) if focused else outline_colour(palette, behind),
                            width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if element == QStyle.PrimitiveElement.PE_IndicatorRadioButton:
            painter.drawEllipse(rect)
        else:
            painter.drawRoundedRect(rect, 1, 1)
        painter.restore()

    def drawComplexControl(self, control: QStyle.ComplexControl,
                           option: QStyleOptionComplex, painter: QPainter,
                           widget: QWidget | None = None) -> None:
        groove = QStyle.SubControl.SC_SliderGroove
        if control != QStyle.ComplexControl.CC_Slider or not self.outlines \
                or not isinstance(option, QStyleOptionSlider) \
                or not option.subControls & groove:
            super().drawComplexControl(control, option, painter, widget)
            return
        # The groove, its outline, then the handle and ticks over them.
        first = QStyleOptionSlider(option)
        first.subControls = groove
        super().drawComplexControl(control, first, painter, widget)
        rect = QRectF(self.subControlRect(control, option, groove,
                                          widget))  # type: ignore[arg-type]  # None is allowed
        palette = option.palette
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(outline_colour(palette, palette.color(QPalette.ColorRole.Window)),
                            1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 2, 2)
        painter.restore()
        rest = QStyleOptionSlider(option)
        rest.subControls = option.subControls & ~groove
        super().drawComplexControl(control, rest, painter, widget)

    # -- combo box text --------------------------------------------------------------
    def drawControl(self, element: QStyle.ControlElement, option: QStyleOption,
                    painter: QPainter, widget: QWidget | None = None) -> None:
        if element == QStyle.ControlElement.CE_ComboBoxLabel \
                and isinstance(option, QStyleOptionComboBox) and not option.editable:
            shown = shown_text(self, option, widget)
            if shown != option.currentText:
                option = QStyleOptionComboBox(option)
                option.currentText = shown
        super().drawControl(element, option, painter, widget)


_shared: dict[str, ControlStyle] = {}


def shared_control_style(base_key: str) -> ControlStyle | None:
    """The one ControlStyle over the style named `base_key`, or None when Qt cannot make
    that style by name (a widget would then look unlike its neighbours).

    It belongs to the application: widgets hold a plain pointer to their style, so it
    must outlive every widget that uses it, also after the app's style is replaced."""
    style = _shared.get(base_key)
    if style is not None and shiboken6.isValid(style):
        return style
    style = ControlStyle(base_key)
    base = style.baseStyle()
    if base is None or base.name().casefold() != base_key.casefold():
        return None
    style.setParent(QApplication.instance())
    _shared[base_key] = style
    return style
