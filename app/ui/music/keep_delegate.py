"""The sections table's Keep column: its check boxes get an outline in the text colour.

Fusion draws an item's check box with a border a shade darker than the window: on a dark
palette (KDE, qt6ct) an unticked Keep box vanished into the row. Painted from the palette
each time, so a live theme switch is followed.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem


class KeepDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        if index.data(Qt.ItemDataRole.CheckStateRole) is None:
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is None:
            return
        box = style.subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, opt,
                                   widget)
        enabled = bool(opt.state & QStyle.StateFlag.State_Enabled)
        color = QColor(opt.palette.color(QPalette.ColorRole.Text))
        color.setAlpha(200 if enabled else 120)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(color, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(box.adjusted(0, 0, -1, -1), 2, 2)
        painter.restore()
