"""The app's style: the desktop's own (Fusion, Breeze, Windows…) kept readable on any
palette the desktop gives, light, dark (KDE, qt6ct) or high contrast.

- Disabled text reaches WCAG's 4.5:1 against what it is written on. Fusion's dark
  palettes gave 2.5:1: a greyed-out "Save as…" or "Use take" could not be read.
- Check boxes, radio buttons and slider grooves get an outline at 3:1 against their
  background (WCAG's minimum for the parts of a control). Fusion draws them with the
  window colour a shade darker: 1.4:1 on a dark palette, where an unticked box vanished.
  Only under Fusion: other styles draw their own indicators.
- A combo box's text that does not fit ends in "…" (Qt cuts it off mid-letter), also
  its placeholder ("Choose a voice"), and the whole text is its tooltip
  (app/ui/widgets/combo_tips.py).

The palette is adjusted in `polish(QPalette)`, which Qt calls on the desktop's palette
every time the desktop changes it, so a live theme switch is followed; the outlines take
their colours from the palette as they are drawn.
"""

from __future__ import annotations

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

from app.ui.contrast import GRAPHIC_CONTRAST, TEXT_CONTRAST, blend, with_contrast
from app.ui.widgets.combo_tips import ComboTips, text_room

# Disabled text and what it is written on, in the Disabled colour group.
_DISABLED_TEXT = (
    (QPalette.ColorRole.WindowText, (QPalette.ColorRole.Window,)),
    (QPalette.ColorRole.Text, (QPalette.ColorRole.Base, QPalette.ColorRole.Window)),
    (QPalette.ColorRole.ButtonText, (QPalette.ColorRole.Button,)),
)
_INDICATORS = (QStyle.PrimitiveElement.PE_IndicatorCheckBox,
               QStyle.PrimitiveElement.PE_IndicatorRadioButton,
               QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck)
_OUTLINE_SHARE = 0.45  # of the text colour over the background, before any lifting


def readable_palette(palette: QPalette) -> QPalette:
    """`palette` with its disabled text lifted to 4.5:1 where it was fainter (in place,
    and returned). Colours that already read well are left as the desktop made them."""
    group = QPalette.ColorGroup.Disabled
    for role, backgrounds in _DISABLED_TEXT:
        colour = palette.color(group, role)
        for background in backgrounds:
            colour = with_contrast(colour, palette.color(group, background), TEXT_CONTRAST)
        palette.setColor(group, role, colour)
    return palette


def outline_colour(palette: QPalette, background: QColor) -> QColor:
    """An indicator's outline: the text colour faded towards `background`, then made
    to reach 3:1 against it."""
    text = QColor(palette.color(QPalette.ColorRole.WindowText))
    text.setAlphaF(_OUTLINE_SHARE)
    return with_contrast(blend(text, background), background, GRAPHIC_CONTRAST)


class ReadableStyle(QProxyStyle):
    def __init__(self, base_key: str) -> None:
        super().__init__(base_key)
        self.setObjectName("app.style")
        self._combo_tips = ComboTips(self)

    def _outlines(self) -> bool:
        base = self.baseStyle()
        return base is not None and base.name().casefold() == "fusion"

    # -- the palette, and combo boxes' tooltips ---------------------------------------
    def polish(self, target: object) -> object:  # type: ignore[override]
        if isinstance(target, QPalette):
            polished = super().polish(target)
            return readable_palette(polished if isinstance(polished, QPalette) else target)
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
        if element not in _INDICATORS or not self._outlines():
            return
        state = option.state
        if state & QStyle.StateFlag.State_HasFocus \
                and state & QStyle.StateFlag.State_KeyboardFocusChange \
                and element != QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck:
            return  # Fusion's focus outline (the highlight colour) is showing there
        in_view = element == QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck
        palette = option.palette
        behind = palette.color(QPalette.ColorRole.Base if in_view else QPalette.ColorRole.Window)
        rect = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(outline_colour(palette, behind), 1))
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
        if control != QStyle.ComplexControl.CC_Slider or not self._outlines() \
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
            metrics = widget.fontMetrics() if widget is not None else option.fontMetrics
            shown = metrics.elidedText(option.currentText, Qt.TextElideMode.ElideRight,
                                       text_room(self, option, widget))
            if shown != option.currentText:
                option = QStyleOptionComboBox(option)
                option.currentText = shown
        super().drawControl(element, option, painter, widget)


def install_app_style(app: QApplication) -> ReadableStyle:
    """Wrap the application's style (once)."""
    current = app.style()
    if isinstance(current, ReadableStyle):
        return current
    style = ReadableStyle(current.name() if current is not None else "fusion")
    app.setStyle(style)
    return style
