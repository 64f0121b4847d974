"""Item models over usage-ledger rows: one row per operation, and totals per script.
Thin adapters over plain `LedgerEntry` lists (the ledger does the reading, off the UI
thread); an estimate is shown with a "~" and said in words in its tooltip."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.library.ledger import ENGINE, LedgerEntry, Total

Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


def credits_text(credits: int | None, estimated: bool, source: str = "") -> str:
    if credits is None:
        return "not reported"
    if source == ENGINE and credits == 0:
        return "free"
    return f"~{credits:,}" if estimated else f"{credits:,}"


def total_text(total: Total) -> str:
    """"1,234 credits" with what part is estimated and how many costs are unknown."""
    parts = [f"{total.credits:,} credits"]
    if total.has_estimates:
        parts.append(f"~{total.estimated_credits:,} of them estimated")
    if total.unknown:
        parts.append(f"{total.unknown} not reported")
    return parts[0] + (f" ({'; '.join(parts[1:])})" if len(parts) > 1 else "")


def amount_text(entry: LedgerEntry) -> str:
    bits = []
    if entry.characters:
        bits.append(f"{entry.characters:,} characters")
    if entry.duration_ms:
        bits.append(f"{entry.duration_ms / 1000:,.1f} s")
    return ", ".join(bits)


def local_time(created_at: str) -> str:
    try:
        return datetime.fromisoformat(created_at).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return created_at


class _HeadedTable(QAbstractTableModel):
    """A flat table whose columns are the names in COLUMNS (both models below)."""

    COLUMNS: tuple[str, ...] = ()

    def columnCount(self, parent: Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None


class UsageModel(_HeadedTable):
    COLUMNS = ("When", "Kind", "What", "Model", "Amount", "Credits", "Where", "Request id")
    CREDITS_COLUMN = 5

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._entries: list[LedgerEntry] = []

    def set_entries(self, entries: list[LedgerEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entries(self) -> list[LedgerEntry]:
        return list(self._entries)

    def entry(self, row: int) -> LedgerEntry:
        return self._entries[row]

    def rowCount(self, parent: Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        e = self._entries[index.row()]
        column = index.column()
        if role == ENTRY_ROLE:
            return e
        if role == Qt.ItemDataRole.DisplayRole:
            return (local_time(e.created_at), e.kind_label, e.what, e.model_id or "",
                    amount_text(e), credits_text(e.credits, e.estimated, e.source),
                    "Offline engine" if e.source == ENGINE else "ElevenLabs cloud",
                    e.request_id or "")[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.CREDITS_COLUMN:
                if e.estimated:
                    return ("An estimate: the server did not report this cost, so XI Studio "
                            "worked it out.")
                if e.credits is None:
                    return "The server did not report this cost."
                return "Free: made offline." if e.source == ENGINE and not e.credits \
                    else "As the server reported it."
            tip = e.what
            if e.script_path:
                tip += f"\nScript: {e.script_path}" + (f" (block {e.block_id})"
                                                       if e.block_id else "")
            if not e.kept:
                tip += "\nNot saved: kept for this session only."
            return tip
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.CREDITS_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ScriptTotalsModel(_HeadedTable):
    """What each script cost: its takes and dialogues in the rows being shown."""

    COLUMNS = ("Script", "Operations", "Credits")

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._rows: list[tuple[str, Total]] = []

    def set_totals(self, totals: dict[str, Total]) -> None:
        self.beginResetModel()
        self._rows = sorted(totals.items(), key=lambda item: -item[1].credits)
        self.endResetModel()

    def total_for(self, script_path: str) -> Total | None:
        return next((t for p, t in self._rows if p == script_path), None)

    def rowCount(self, parent: Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        path, total = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            credits = (f"~{total.credits:,}" if total.has_estimates else f"{total.credits:,}")
            return (Path(path).name.split(".")[0] or path, f"{total.operations:,}",
                    credits)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{path}\n{total_text(total)}"
        return None
