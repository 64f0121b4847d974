"""The app's style: the desktop's own (Fusion, Breeze, Windows…) kept readable on any
palette the desktop gives, light, dark (KDE, qt6ct) or high contrast.

- Disabled text reaches WCAG's 4.5:1 against what it is written on. Fusion's dark
  palettes gave 2.5:1: a greyed-out "Save as…" or "Use take" could not be read.
- Links (a model card's, a voice's) reach 4.5:1 on the text boxes and windows they sit
  in: a desktop palette that leaves them out gives Qt's #0000ff, 2.0:1 on Breeze Dark.
- Lists, tables and text boxes get a focus ring at 3:1 (app/ui/focus_ring.py): under
  Fusion they looked the same focused or not.
- Tooltips are themed from the palette (tooltips.py): Qt's light yellow stayed on a
  dark or high-contrast desktop.
- Check boxes, radio buttons, slider grooves and the check boxes of item views marked
  with `outline_item_checks` get an outline at 3:1 (under Fusion), and a combo box's text
  that does not fit ends in "…": app/ui/control_style.py draws these.

Only the palette is adjusted here, in `polish(QPalette)`, which Qt calls on the desktop's
palette every time the desktop changes it, so a live theme switch is followed. The
drawing is not: a style that draws in Python slows every widget it paints (each table
cell, frame and scroll bar went through Python and back). So this style draws nothing
itself; as each widget is polished (before it is first shown, and again when the app's
style is replaced) it gives the widgets that need the extra drawing the shared
ControlStyle, and every other widget paints in C++ alone.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette, qGray
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QPlainTextEdit,
    QProxyStyle,
    QRadioButton,
    QSlider,
    QTextEdit,
    QWidget,
)

from app.ui.contrast import TEXT_CONTRAST, with_contrast
from app.ui.control_style import ControlStyle, is_fusion, shared_control_style
from app.ui.focus_ring import give_focus_ring
from app.ui.tooltips import follow_with_tooltips

# Disabled text and what it is written on, in the Disabled colour group.
_DISABLED_TEXT = (
    (QPalette.ColorRole.WindowText, (QPalette.ColorRole.Window,)),
    (QPalette.ColorRole.Text, (QPalette.ColorRole.Base, QPalette.ColorRole.Window)),
    (QPalette.ColorRole.ButtonText, (QPalette.ColorRole.Button,)),
)
_LINKS = (QPalette.ColorRole.Link, QPalette.ColorRole.LinkVisited)
_OUTLINED = (QCheckBox, QRadioButton, QSlider)
_RINGED = (QAbstractItemView, QPlainTextEdit, QTextEdit)  # Fusion marks none of them focused
ITEM_CHECKS = "xiOutlineItemChecks"  # the property outline_item_checks sets on a view


def button_face(palette: QPalette, group: QPalette.ColorGroup) -> QColor:
    """The lightest colour Fusion paints a push button's face with (its gradient's top),
    worked out as Fusion does (qfusionstyle: buttonColor, then qt_fusion_gradient over it
    a shade darker). On a dark palette the face is lighter than the Button colour: a
    disabled "Edit rule…" or "Cancel" lifted to 4.5:1 against Button read at 3.4:1 on it."""
    face = QColor(palette.color(group, QPalette.ColorRole.Button))
    face = face.lighter(100 + max(1, (180 - qGray(face.rgb())) // 6))
    face.setHsv(face.hue(), int(face.saturation() * 0.75), face.value())
    return face.darker(104).lighter(124)


def readable_palette(palette: QPalette) -> QPalette:
    """`palette` with its disabled text lifted to 4.5:1 where it was fainter (in place,
    and returned). Colours that already read well are left as the desktop made them."""
    group = QPalette.ColorGroup.Disabled
    for role, backgrounds in _DISABLED_TEXT:
        colour = palette.color(group, role)
        for background in backgrounds:
            colour = with_contrast(colour, palette.color(group, background), TEXT_CONTRAST)
        if role == QPalette.ColorRole.ButtonText:  # (other styles' faces are near Button)
            colour = with_contrast(colour, button_face(palette, group), TEXT_CONTRAST)
        palette.setColor(group, role, colour)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive,
                  QPalette.ColorGroup.Disabled):
        for role in _LINKS:
            colour = palette.color(group, role)
            for background in (QPalette.ColorRole.Base, QPalette.ColorRole.Window):
                colour = with_contrast(colour, palette.color(group, background), TEXT_CONTRAST)
            palette.setColor(group, role, colour)
    return palette


class ReadableStyle(QProxyStyle):
    def __init__(self, base_key: str) -> None:
        super().__init__(base_key)
        self.setObjectName("app.style")
        self._switching = False  # while a widget's style is being changed from here
        self._fusion = is_fusion(self.baseStyle())  # fixed: the base never changes
        follow_with_tooltips(self)

    def _wants_controls(self, widget: QWidget) -> bool:
        if isinstance(widget, QComboBox):
            return True
        if not self._fusion:
            return False  # other styles draw their own indicators
        if isinstance(widget, _OUTLINED):
            return True
        return isinstance(widget, QAbstractItemView) and bool(widget.property(ITEM_CHECKS))

    def give_controls(self, widget: QWidget) -> bool:
        """Give `widget` the shared ControlStyle if it needs one; True if it has it."""
        if not self._wants_controls(widget):
            return False
        if isinstance(widget.style(), ControlStyle):
            return True
        if widget.testAttribute(Qt.WidgetAttribute.WA_SetStyle):
            return False  # a style chosen for this widget elsewhere is kept
        base = self.baseStyle()
        controls = shared_control_style(base.name()) if base is not None else None
        if controls is None:
            return False
        self._switching = True
        try:  # Qt unpolishes it here and polishes it with `controls`
            widget.setStyle(controls)
        finally:
            self._switching = False
        return True

    def polish(self, target: object) -> object:  # type: ignore[override]
        if isinstance(target, QPalette):
            polished = super().polish(target)
            return readable_palette(polished if isinstance(polished, QPalette) else target)
        if isinstance(target, _RINGED) and self._fusion \
                and target.window().windowType() != Qt.WindowType.Popup:
            give_focus_ring(target)  # (not a combo box's open list: its choice shows)
        if isinstance(target, QWidget) and not self._switching and self.give_controls(target):
            return None  # ControlStyle polished it
        return super().polish(target)  # type: ignore[call-overload]

    def unpolish(self, target: object) -> None:
        if isinstance(target, QWidget) and not self._switching \
                and isinstance(target.style(), ControlStyle):
            # This style is being replaced (QApplication.setStyle unpolishes every widget
            # with the old one): the widget goes back to the app's style, and the new
            # one gives it the ControlStyle over its own base.
            self._switching = True
            try:
                target.setStyle(None)  # type: ignore[arg-type]  # None: the app's style
            finally:
                self._switching = False
        super().unpolish(target)  # type: ignore[call-overload]


def outline_item_checks(view: QAbstractItemView) -> None:
    """Outline the check boxes of `view`'s items (the Music plan's Keep column, the
    dictionaries to tick). Call it where the view is built: the view then paints through
    the ControlStyle, which big views (the Scripts table, the transcript) must not."""
    view.setProperty(ITEM_CHECKS, True)
    style = QApplication.style()
    if isinstance(style, ReadableStyle) \
            and view.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        style.give_controls(view)


def install_app_style(app: QApplication) -> ReadableStyle:
    """Wrap the application's style (once)."""
    current = app.style()
    if isinstance(current, ReadableStyle):
        return current
    style = ReadableStyle(current.name() if current is not None else "fusion")
    app.setStyle(style)
    return style
