"""History entries as a Qt table model (a thin adapter over the store's Generation rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.domain.wording import duration_text
from app.library.history import Generation

GenerationRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("When", "What", "Voice", "Length", "Cost")


def _when(created_at: str) -> str:
    """Short, so the narrow panel leaves room for What: '14:02' today, '6 Dec' this year,
    '6 Dec 2025' before (the full moment is in the tooltip)."""
    try:
        moment = datetime.fromisoformat(created_at).astimezone()
    except ValueError:
        return created_at
    now = datetime.now().astimezone()
    if moment.date() == now.date():
        return moment.strftime("%H:%M")
    day = f"{moment.day} {moment.strftime('%b')}"
    return day if moment.year == now.year else f"{day} {moment.year}"


def _when_full(created_at: str) -> str:
    try:
        return datetime.fromisoformat(created_at).astimezone().strftime("%d %b %Y %H:%M")
    except ValueError:
        return created_at


class HistoryModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Generation] = []

    def set_rows(self, rows: list[Generation]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def generation(self, row: int) -> Generation | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.generation(index.row())
        if row is None:
            return None
        if role == GenerationRole:
            return row
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return _when(row.created_at)
            if column == 1:
                # Only an entry that had a file can have lost it (a transcript may have none).
                missing = row.file_path is not None and not row.file_exists
                prefix = "(file missing) " if missing else ""
                return prefix + row.title
            if column == 2:  # 'George' of 'George - Warm, Captivating Storyteller'
                return (row.voice_name or "").split(" - ")[0]
            if column == 3:
                return duration_text(row.duration_ms or 0)
            if column == 4:
                if row.character_cost is None:
                    return "—"
                return "free" if row.character_cost == 0 else f"{row.character_cost:,}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{row.text[:400]}\n\n{_when_full(row.created_at)} · {row.voice_name or ''}"
                    f" · {row.model_id} · {row.output_format}")
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
