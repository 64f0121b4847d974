"""Items as wide as their list, shortened with "…" when their text is longer.

A QListView lays its rows out as wide as its widest item, so one long row made the whole
list scroll sideways and showed the end of every row (a take's "(chosen)") only after
scrolling. With this delegate the rows are as wide as the list and the view shortens
their text with its elide mode; the whole text belongs in the item's tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem


class FitWidthDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(0, super().sizeHint(option, index).height())
