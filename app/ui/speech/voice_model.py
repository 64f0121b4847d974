"""Voices as a Qt list model, a proxy that filters by search text and labels, and the
combo boxes that show them."""

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
from PySide6.QtWidgets import QComboBox, QListView

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


def _haystack(voice: Voice) -> str:
    """What a search looks in: name, description, type and labels, lowercased."""
    return " ".join(
        [voice.name, voice.description or "", voice.category, *voice.labels.values()]
    ).lower()


class VoiceListModel(QAbstractListModel):
    """A thin adapter over a list of Voice objects, kept in the order of their text.

    Sorted here, once, with each row's text made once: a sorting proxy re-sorted all the
    voices on every change of the search (10,000 voices: ~170,000 calls of `data`, the
    window frozen for over a second when the search was cleared)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._voices: list[Voice] = []
        self._summaries: list[str] = []
        self._haystacks: list[str] = []

    def set_voices(self, voices: list[Voice]) -> None:
        rows = sorted(((voice_summary(v), v) for v in voices),
                      key=lambda row: row[0].casefold())
        self.beginResetModel()
        self._summaries = [summary for summary, _voice in rows]
        self._voices = [voice for _summary, voice in rows]
        self._haystacks = [_haystack(voice) for voice in self._voices]
        self.endResetModel()

    def voice_at(self, row: int) -> tuple[Voice, str] | None:
        """The voice of `row` and the lowercased text a search looks in."""
        if 0 <= row < len(self._voices):
            return self._voices[row], self._haystacks[row]
        return None

    def voices(self) -> list[Voice]:
        return list(self._voices)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._voices)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._voices):
            return None
        voice = self._voices[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._summaries[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return voice.description or self._summaries[index.row()]
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


def list_voices_in(combo: QComboBox, voices: QSortFilterProxyModel) -> None:
    """Make `combo` a voice picker showing `voices`.

    Its pop-up list takes every row to be as tall as the first (they are all one line of
    text). Otherwise, while a screen reader is on (Qt accessibility active), each change of
    the current voice laid out every row, reading seven roles of each: clearing a search
    over 10,000 voices read the voice list 70,000 times and froze the window ~0.4 s."""
    combo.setModel(voices)
    view = combo.view()
    if isinstance(view, QListView):
        view.setUniformItemSizes(True)


class VoiceFilterModel(QSortFilterProxyModel):
    """Filters voices by free text (name, description, labels) and exact label values;
    the order is the source's (VoiceListModel sorts), so it is not sorted again here."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._search = ""
        self._filters: dict[str, str] = {}

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
        found = model.voice_at(source_row) if isinstance(model, VoiceListModel) else None
        if found is None:
            return False
        voice, haystack = found
        for key, wanted in self._filters.items():
            actual = voice.category if key == "category" else voice.labels.get(key, "")
            if actual != wanted:
                return False
        if not self._search:
            return True
        return all(word in haystack for word in self._search.split())
