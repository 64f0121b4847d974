"""Item models of the Pronunciation dialog: the account's dictionaries (checkable:
checked = attached to the Speech tab's generations) and one dictionary's rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, Qt, Signal

from app.domain.pronunciation import AliasRule, Rule

if TYPE_CHECKING:
    from app.domain.dictionary_wire import DictionaryMetadata

_Index = QModelIndex | Any  # Qt passes QPersistentModelIndex too


@dataclass(frozen=True, slots=True)
class Attachment:
    """A dictionary attached to generations: the locator, and what the UI shows."""

    dictionary_id: str
    version_id: str
    name: str
    has_phonemes: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"dictionary_id": self.dictionary_id, "version_id": self.version_id,
                "name": self.name, "has_phonemes": self.has_phonemes}

    @classmethod
    def from_json(cls, data: Any) -> Attachment | None:
        if not isinstance(data, dict) or not data.get("dictionary_id"):
            return None
        return cls(str(data["dictionary_id"]), str(data.get("version_id") or ""),
                   str(data.get("name") or "Dictionary"), bool(data.get("has_phonemes")))


class DictionaryListModel(QAbstractListModel):
    """Dictionaries by name; the check box attaches one (the dialog enforces the limit)."""

    attach_toggled = Signal(str, bool)  # dictionary id, attach?

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[DictionaryMetadata] = []
        self.attached: set[str] = set()

    def set_items(self, items: list[DictionaryMetadata], attached: set[str]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.attached = set(attached)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            rules = item.latest_version_rules_num
            return f"{item.name}  ·  {rules} rule{'s' if rules != 1 else ''}"
        if role == Qt.ItemDataRole.CheckStateRole:
            return (Qt.CheckState.Checked if item.id in self.attached
                    else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Tick to use this dictionary when generating speech (up to 3)."
        if role == Qt.ItemDataRole.UserRole:
            return item.id
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsUserCheckable

    def setData(self, index: _Index, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        self.attach_toggled.emit(self.items[index.row()].id, checked)
        return True  # the dialog decides, then calls set_attached

    def set_attached(self, attached: set[str]) -> None:
        self.attached = set(attached)
        if self.items:
            self.dataChanged.emit(self.index(0), self.index(len(self.items) - 1))

    def row_of(self, dictionary_id: str) -> int:
        return next((i for i, d in enumerate(self.items) if d.id == dictionary_id), -1)


class RulesTableModel(QAbstractTableModel):
    HEADERS = ("Word", "Kind", "Say it as", "Options")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rules: list[Rule] = []

    def set_rules(self, rules: list[Rule]) -> None:
        self.beginResetModel()
        self.rules = list(rules)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rules)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        rule = self.rules[index.row()]
        column = index.column()
        if column == 0:
            return rule.string_to_replace
        if column == 1:
            if isinstance(rule, AliasRule):
                return "Alias"
            return "Phoneme (IPA)" if rule.alphabet == "ipa" else "Phoneme (CMU)"
        if column == 2:
            return rule.alias if isinstance(rule, AliasRule) else rule.phoneme
        flags = []
        if not rule.case_sensitive:
            flags.append("any case")
        if not rule.word_boundaries:
            flags.append("inside words too")
        return ", ".join(flags) or "whole word, exact case"
