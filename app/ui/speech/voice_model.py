"""Voices as a Qt list model, and a proxy that filters by search text and labels."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

if TYPE_CHECKING:
    from app.domain.wire import Voice

VoiceRole = Qt.ItemDataRole.UserRole + 1
VoiceIdRole = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


def as_voice(data: object) -> Voice | None:
    """`data` if it is a Voice, else None. An empty list answers without loading the
    wire models (pydantic), which come with the first server answer."""
    if data is None:
        return None
    from app.domain.wire import Voice

    return data if isinstance(data, Voice) else None


def voice_summary(voice: Voice) -> str:
    """'Aria — English · female · US' style text for the picker."""
    details = [v for v in (voice.language, voice.gender, voice.accent) if v]
    return f"{voice.name} — {' · '.join(details)}" if details else voice.name


class VoiceListModel(QAbstractListModel):
    """A thin adapter over a list of Voice objects."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._voices: list[Voice] = []

    def set_voices(self, voices: list[Voice]) -> None:
        self.beginResetModel()
        self._voices = list(voices)
        self.endResetModel()

    def voices(self) -> list[Voice]:
        return list(self._voices)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._voices)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._voices):
            return None
        voice = self._voices[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return voice_summary(voice)
        if role == Qt.ItemDataRole.ToolTipRole:
            return voice.description or voice_summary(voice)
        if role == VoiceRole:
            return voice
        if role == VoiceIdRole:
            return voice.voice_id
        return None

    def row_of(self, voice_id: str) -> int:
        for row, voice in enumerate(self._voices):
            if voice.voice_id == voice_id:
                return row
        return -1

    def label_values(self, key: str) -> list[str]:
        """Distinct values of a label (or 'category'), for the filter pickers."""
        if key == "category":
            values = {v.category for v in self._voices}
        else:
            values = {v.labels.get(key, "") for v in self._voices}
        return sorted(v for v in values if v)


class VoiceFilterModel(QSortFilterProxyModel):
    """Filters voices by free text (name, description, labels) and exact label values."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._search = ""
        self._filters: dict[str, str] = {}
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def _refilter(self, change: Callable[[], None]) -> None:
        # Qt 6.10 replaced invalidateFilter() with begin/endFilterChange(); support both.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:
            change()
            self.invalidateFilter()

    def set_search(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_search", text.strip().lower()))

    def set_label_filter(self, key: str, value: str) -> None:
        def change() -> None:
            if value:
                self._filters[key] = value
            else:
                self._filters.pop(key, None)

        self._refilter(change)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        voice = model.data(model.index(source_row, 0, source_parent), VoiceRole)
        voice = as_voice(voice)
        if voice is None:
            return False
        for key, wanted in self._filters.items():
            actual = voice.category if key == "category" else voice.labels.get(key, "")
            if actual != wanted:
                return False
        if not self._search:
            return True
        haystack = " ".join(
            [voice.name, voice.description or "", voice.category, *voice.labels.values()]
        ).lower()
        return all(word in haystack for word in self._search.split())
