"""Rows of the account's server history, as loaded page by page."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

if TYPE_CHECKING:
    from app.domain.history_wire import HistoryItem

_Index = QModelIndex | Any


class AccountHistoryModel(QAbstractTableModel):
    HEADERS = ("When", "Text", "Voice", "Model", "Characters")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[HistoryItem] = []

    def clear(self) -> None:
        self.beginResetModel()
        self.items = []
        self.endResetModel()

    def append(self, items: list[HistoryItem]) -> None:
        if not items:
            return
        start = len(self.items)
        self.beginInsertRows(QModelIndex(), start, start + len(items) - 1)
        self.items.extend(items)
        self.endInsertRows()

    def remove(self, history_item_id: str) -> None:
        row = next((i for i, item in enumerate(self.items)
                    if item.history_item_id == history_item_id), -1)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.items[row]
            self.endRemoveRows()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.text
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == 0:
            if item.date_unix is None:  # the server's date is not one
                return ""
            return datetime.fromtimestamp(item.date_unix).strftime("%Y-%m-%d %H:%M")
        if column == 1:
            return (item.text or "").replace("\n", " ")
        if column == 2:
            return item.voice_name or item.voice_id or ""
        if column == 3:
            return item.model_id or ""
        return f"{item.characters_used:,}"
