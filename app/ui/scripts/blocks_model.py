"""The script's blocks as a Qt table: a thin adapter over the current Script.

The model never changes the script itself: an edit in place (text, speaker) or a drop
(reorder) is emitted as a request, the tab makes it an undoable edit and hands the new
script back with `set_script`. Live queue progress (waiting, generating x%) is kept
here by block id, since it is not part of the document.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from app.domain.script import Block, Script
from app.ui.contrast import TEXT_CONTRAST, base_color, with_contrast

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("#", "Speaker", "Text", "Status", "Take", "Length", "Cost")
NUMBER, SPEAKER, TEXT, STATUS, TAKE, DURATION, COST = range(len(COLUMNS))
BlockIdRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2  # "missing", "stale", "generating", ...
MIME_TYPE = "application/x-xistudio-block-ids"
# Up to this many changed rows are announced cell by cell (see _emit_cells).
FEW_ROWS = 8


@dataclass(frozen=True)
class Live:
    """What the queue is doing with a block right now."""

    state: str  # "waiting" or "generating"
    fraction: float = 0.0


def block_status(script: Script, block: Block, live: Live | None) -> tuple[str, str]:
    """(kind, words) for the Status column."""
    if live is not None:
        if live.state == "generating":
            return "generating", f"generating {round(live.fraction * 100)}%"
        return "waiting", "waiting in the queue"
    if block.error:
        return "failed", f"failed: {block.error}"
    if block.is_empty:
        return "empty", "empty (skipped)"
    if script.is_done(block):
        return ("done", "done") if not script.is_stale(block) else ("stale", "stale")
    if block.chosen_take is not None:
        return "stale", "stale"
    return "missing", "missing"


_STATUS_COLOURS = {"failed": "#c0392b", "stale": "#b9770e", "done": "#1e8449"}
_shown_colours: dict[tuple[str, int], QColor] = {}  # (kind, base's rgba) -> colour


def status_colour(kind: str) -> QColor | None:
    """The status's hue made lighter or darker to read as text (WCAG's 4.5:1) on the
    table's base colour as it is now: the fixed green read at 3.5:1 on a dark theme.
    Asked at paint time, so a palette switch while the app runs is followed."""
    hue = _STATUS_COLOURS.get(kind)
    if hue is None:
        return None
    base = base_color()
    key = (kind, base.rgba())
    colour = _shown_colours.get(key)
    if colour is None:  # worked out once per palette: a paint asks for every row
        colour = _shown_colours[key] = with_contrast(QColor(hue), base, TEXT_CONTRAST)
    return colour


class BlocksModel(QAbstractTableModel):
    text_edit_requested = Signal(str, str)  # block id, new text
    speaker_edit_requested = Signal(str, str)  # block id, new speaker
    move_requested = Signal(list, int)  # block ids, row to drop before

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._script = Script()
        self._live: dict[str, Live] = {}
        self._spoken_block: str | None = None
        # Block id -> status: working it out hashes the block, and a paint asks often.
        self._statuses: dict[str, tuple[str, str]] = {}

    # -- feeding ---------------------------------------------------------------------
    @property
    def script(self) -> Script:
        return self._script

    def set_script(self, script: Script) -> bool:
        """Show `script`; True when the rows were rebuilt (blocks added, removed, moved)."""
        old_ids = [b.block_id for b in self._script.blocks]
        new_ids = [b.block_id for b in script.blocks]
        self._statuses.clear()
        if old_ids != new_ids:
            self.beginResetModel()
            self._script = script
            self.endResetModel()
            return True
        changed = [row for row, (a, b) in enumerate(zip(self._script.blocks, script.blocks,
                                                        strict=True))
                   if a is not b and a != b]  # (most blocks are the same objects)
        cast_changed = (self._script.cast != script.cast
                        or self._script.model_id != script.model_id
                        or self._script.output_format != script.output_format)
        self._script = script
        if cast_changed and new_ids:
            self._emit_rows(0, len(new_ids) - 1)
        elif 0 < len(changed) <= FEW_ROWS:  # a take landing: its row alone, cell by cell
            for row in changed:
                self._emit_rows(row, row)
        elif changed:
            self._emit_rows(min(changed), max(changed))
        return False

    def set_live(self, block_id: str, live: Live | None) -> None:
        if self._live.get(block_id) == live:
            return  # (the queue says "waiting" again for each block it was given)
        self._statuses.pop(block_id, None)
        if live is None:
            self._live.pop(block_id, None)
        else:
            self._live[block_id] = live
        row = self.row_of(block_id)
        if row >= 0:  # what the queue is doing shows only in the Status column
            self._emit_cells(row, (STATUS,))

    def set_waiting(self, block_ids: Iterable[str]) -> None:
        """Mark many blocks as waiting in the queue with one change of the Status column:
        one per block was a repaint request each, 5,000 at the start of a long queue."""
        rows = []
        for block_id in block_ids:
            self._statuses.pop(block_id, None)
            self._live[block_id] = Live("waiting")
            rows.append(self.row_of(block_id))
        rows = [row for row in rows if row >= 0]
        if rows:
            self.dataChanged.emit(self.index(min(rows), STATUS), self.index(max(rows), STATUS))

    def clear_live(self) -> None:
        self._statuses.clear()
        ids = list(self._live)
        self._live.clear()
        for block_id in ids:
            self._emit_block(block_id)

    def set_spoken_block(self, block_id: str | None) -> None:
        """The block being heard (its row is shown highlighted)."""
        previous, self._spoken_block = self._spoken_block, block_id
        for changed in {previous, block_id} - {None}:
            self._emit_block(changed)  # type: ignore[arg-type]

    def _emit_block(self, block_id: str) -> None:
        row = self.row_of(block_id)
        if row >= 0:
            self._emit_rows(row, row)

    def _emit_rows(self, first: int, last: int) -> None:
        if last - first < FEW_ROWS:
            for row in range(first, last + 1):
                self._emit_cells(row, range(len(COLUMNS)))
            return
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def _emit_cells(self, row: int, columns: Iterable[int]) -> None:
        """One dataChanged per cell. A view repaints just the cell for a one-cell change,
        but its whole viewport (every visible cell asked for its data, each a call into
        Python) for any range; while a queue runs a row changes several times per take,
        and those repaints kept the window busy (benchmark figure 10b)."""
        for column in columns:
            index = self.index(row, column)
            self.dataChanged.emit(index, index)

    def row_of(self, block_id: str) -> int:
        try:
            return self._script.index_of(block_id)
        except KeyError:
            return -1

    def block_at(self, row: int) -> Block | None:
        blocks = self._script.blocks
        return blocks[row] if 0 <= row < len(blocks) else None

    def status_of(self, block: Block) -> tuple[str, str]:
        status = self._statuses.get(block.block_id)
        if status is None:
            status = block_status(self._script, block, self._live.get(block.block_id))
            self._statuses[block.block_id] = status
        return status

    # -- Qt's side -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._script.blocks)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        block = self.block_at(index.row()) if index.isValid() else None
        if block is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._display(block, index.row(), column, role)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == STATUS:
                return self.status_of(block)[1]
            if column == TEXT:
                return block.text
            if column == SPEAKER:
                return block.speaker  # whole, when the column shortens it
            return None
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS:
            colour = status_colour(self.status_of(block)[0])
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.BackgroundRole and block.block_id == self._spoken_block:
            return QBrush(QColor(255, 214, 10, 90))  # the block being heard
        if role == BlockIdRole:
            return block.block_id
        if role == StatusRole:
            return self.status_of(block)[0]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (NUMBER, DURATION, COST):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, block: Block, row: int, column: int, role: int) -> Any:
        if column == NUMBER:
            return str(row + 1)
        if column == SPEAKER:
            return block.speaker
        if column == TEXT:
            return block.text if role == Qt.ItemDataRole.EditRole \
                else " ".join(block.text.split())
        if column == STATUS:
            return self.status_of(block)[1]
        chosen = block.chosen_take
        if column == TAKE:
            if chosen is None:
                return f"{len(block.takes)} made" if block.takes else "—"
            number = block.takes.index(chosen) + 1
            return f"{number} of {len(block.takes)}"
        if column == DURATION:
            return f"{chosen.duration_ms / 1000:.1f} s" \
                if chosen is not None and chosen.duration_ms is not None else ""
        if column == COST:
            return f"{chosen.character_cost:,}" \
                if chosen is not None and chosen.character_cost is not None else ""
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                 | Qt.ItemFlag.ItemIsDragEnabled)
        if index.column() in (SPEAKER, TEXT):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        block = self.block_at(index.row()) if index.isValid() else None
        if block is None or role != Qt.ItemDataRole.EditRole or not isinstance(value, str):
            return False
        if index.column() == TEXT and value != block.text:
            self.text_edit_requested.emit(block.block_id, value)
            return True
        if index.column() == SPEAKER and value.strip() and value.strip() != block.speaker:
            self.speaker_edit_requested.emit(block.block_id, value.strip())
            return True
        return False

    # -- drag and drop (reorder) -----------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        rows = sorted({i.row() for i in indexes if i.isValid()})
        ids = [self._script.blocks[r].block_id for r in rows if r < len(self._script.blocks)]
        data = QMimeData()
        data.setData(MIME_TYPE, QByteArray("\n".join(ids).encode()))
        return data

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: Index) -> bool:
        if action != Qt.DropAction.MoveAction or not data.hasFormat(MIME_TYPE):
            return False
        ids = [i for i in bytes(data.data(MIME_TYPE).data()).decode().split("\n") if i]
        if row < 0:
            row = parent.row() if parent.isValid() else len(self._script.blocks)
        if ids:
            self.move_requested.emit(ids, row)
        # False: the view must not remove the dragged rows itself; the tab moves them
        # (one undoable edit) and hands back the new script.
        return False
