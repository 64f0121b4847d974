"""A combo box's text that does not fit: how much room it has, and its whole text as the
box's tooltip.

The style the app gives combo boxes ends such text with "…" (app/ui/control_style.py)
and gives each box a `ComboTips` filter, so pointing at the box shows the whole voice,
model or format name, as ElidedLabel does for labels. A box with a tooltip of its own
keeps it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QToolTip, QWidget


def text_room(style: QStyle, option: QStyleOptionComboBox, widget: QWidget | None) -> int:
    """The width the box's text can have: its field, less the icon, as Qt draws it
    (QCommonStyle's CE_ComboBoxLabel keeps 1 pixel each side of the field).

    Qt sizes a box to its longest text's whole-pixel width plus that margin; a text whose
    true width is a fraction over (83.4 px, "Normal speed") must still fit, or a box at
    exactly its own size hint would show "Normal spe…"."""
    field = style.subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                 QStyle.SubControl.SC_ComboBoxEditField, widget)
    room = field.width() - 2
    if not option.currentIcon.isNull():
        room -= option.iconSize.width() + 4
    return max(room, 0)


def shown_text(style: QStyle, option: QStyleOptionComboBox, widget: QWidget | None) -> str:
    """The box's text as it is drawn: whole, or ended with "…" when it does not fit."""
    metrics = widget.fontMetrics() if widget is not None else option.fontMetrics
    return metrics.elidedText(option.currentText, Qt.TextElideMode.ElideRight,
                              text_room(style, option, widget))


def is_shortened(combo: QComboBox) -> bool:
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    text = option.currentText
    return bool(text) and shown_text(combo.style(), option, combo) != text


class ComboTips(QObject):
    """An event filter for combo boxes: the whole text as the tooltip, when shortened."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(watched, QComboBox) \
                and isinstance(event, QHelpEvent) and not watched.toolTip() \
                and not watched.isEditable() and is_shortened(watched):
            QToolTip.showText(event.globalPos(), watched.currentText(), watched)
            return True
        return False
