"""The sections of a music plan as a table: a thin adapter over the domain `Plan`.

The model owns the `Plan` being edited. Every change a user makes goes through a
QUndoCommand (app/ui/music/plan_commands.py) pushed on `undo_stack`; the commands call
the `apply_*` methods here, which change the plan and tell the views. Rows can be moved
by drag and drop (`moveRows`, `dropMimeData`) and the move is undoable too.
"""

from __future__ import annotations

import dataclasses
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
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette, QUndoStack

from app.domain.music_plan import Plan, Section, SongRef
from app.domain.music_plan_checks import Problem, length_text, seconds_text
from app.ui.music.compose_request import KeepBase

Index = QModelIndex | QPersistentModelIndex
ROW_MIME = "application/x-xi-studio-section-row"
KEEP, NAME, LENGTH, STYLES, AVOID, LYRICS = range(6)
HEADERS = ("Keep", "Section", "Length (s)", "Styles", "Avoid", "Lyrics")
HEADER_TIPS = (
    "Tick to keep this part exactly as it sounded in the earlier version",
    "The section's name, e.g. Verse 1 or Chorus",
    "How long the section lasts, in seconds",
    "What this section should sound like (in addition to the global styles)",
    "What this section should avoid",
    "The words sung in this section, one line per line (edit them on the right)",
)
FIELD_COLUMNS = {
    "name": NAME, "duration_ms": LENGTH, "positive_styles": STYLES,
    "negative_styles": AVOID, "lines": LYRICS, "directions": LYRICS, "source": KEEP,
    "context_adherence": NAME, "conditioning": NAME, "condition_strength": NAME,
}
ERROR_BACKGROUND = QColor(231, 76, 60, 90)
WARNING_BACKGROUND = QColor(241, 196, 15, 70)


def split_styles(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class SectionTableModel(QAbstractTableModel):
    plan_changed = Signal()  # any change: rows, fields or global settings
    globals_changed = Signal()  # global styles or "respect durations"

    def __init__(self, undo_stack: QUndoStack, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = undo_stack
        self._plan = Plan()
        self._problems: dict[tuple[int, int], list[Problem]] = {}
        self.keep_base: KeepBase | None = None

    # -- the plan ------------------------------------------------------------------------
    @property
    def plan(self) -> Plan:
        """The plan being edited (change it only through commands)."""
        return self._plan

    def section(self, row: int) -> Section:
        return self._plan.sections[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._plan.sections)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return HEADER_TIPS[section]
        elif role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        flags = base | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable \
            | Qt.ItemFlag.ItemIsDragEnabled
        column = index.column()
        if column == KEEP:
            if self.keep_base is not None or self.section(index.row()).source is not None:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
        elif column in (NAME, LENGTH, STYLES, AVOID):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        s = self.section(index.row())
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(s, column, role == Qt.ItemDataRole.EditRole)
        if role == Qt.ItemDataRole.CheckStateRole and column == KEEP:
            return Qt.CheckState.Checked if s.source else Qt.CheckState.Unchecked
        problems = self._problems.get((index.row(), column), [])
        if role == Qt.ItemDataRole.ToolTipRole:
            if problems:
                return "\n".join(p.message for p in problems)
            if column == LYRICS and s.lines:
                return "\n".join(s.lines)
            if column == KEEP and s.source:
                return f"Kept from the earlier song ({seconds_text(s.source.start_ms)}–" \
                       f"{seconds_text(s.source.end_ms)} s)"
            return None
        if role == Qt.ItemDataRole.BackgroundRole and problems:
            error = any(p.severity == "error" for p in problems)
            return QBrush(ERROR_BACKGROUND if error else WARNING_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and s.source and column != KEEP:
            # Dimmed, but readable on a dark palette too (grey 128 was not).
            return QBrush(QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText))
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and problems:
            return "; ".join(p.message for p in problems)
        return None

    @staticmethod
    def _text(s: Section, column: int, edit: bool) -> Any:
        if column == NAME:
            return s.name
        if column == LENGTH:
            return s.duration_ms / 1000 if edit else seconds_text(s.duration_ms)
        if column == STYLES:
            return ", ".join(s.positive_styles)
        if column == AVOID:
            return ", ".join(s.negative_styles)
        if column == LYRICS:
            if not s.lines:
                return "" if edit else "(instrumental)"
            first = s.lines[0] if len(s.lines[0]) <= 40 else s.lines[0][:39] + "…"
            return first if len(s.lines) == 1 else f"{first} (+{len(s.lines) - 1} lines)"
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        row, column = index.row(), index.column()
        before = self.section(row)
        after = dataclasses.replace(before)
        if column == KEEP and role == Qt.ItemDataRole.CheckStateRole:
            return self.set_kept(row, Qt.CheckState(value) == Qt.CheckState.Checked)
        if role != Qt.ItemDataRole.EditRole:
            return False
        if column == NAME:
            after.name = " ".join(str(value).splitlines())
        elif column == LENGTH:
            try:
                after.duration_ms = max(0, round(float(value) * 1000))
            except (TypeError, ValueError):
                return False
        elif column == STYLES:
            after.positive_styles = split_styles(str(value))
        elif column == AVOID:
            after.negative_styles = split_styles(str(value))
        else:
            return False
        return self.edit_section(row, after, f"Edit {HEADERS[column].lower()}")

    # -- user edits (undoable) -------------------------------------------------------------
    def edit_section(self, row: int, after: Section, text: str) -> bool:
        from app.ui.music.plan_commands import EditSectionCommand

        before = self.section(row)
        if after == before:
            return False
        self.undo_stack.push(EditSectionCommand(self, row, before, after, text))
        return True

    def set_kept(self, row: int, keep: bool) -> bool:
        s = self.section(row)
        after = dataclasses.replace(s)
        if keep:
            if self.keep_base is None or s.source is not None:
                return False
            start, end = self.keep_base.range_for(row, s, self._plan.section_starts_ms()[row])
            after.source = SongRef(self.keep_base.song_id, start, end)
            after.duration_ms = end - start
            return self.edit_section(row, after, "Keep section")
        if s.source is None:
            return False
        after.source = None
        return self.edit_section(row, after, "Re-make section")

    def moveRows(self, source_parent: Index, source_row: int, count: int,
                 destination_parent: Index, destination_child: int) -> bool:
        """Qt's convention: `destination_child` is the row to insert before."""
        from app.ui.music.plan_commands import MoveSectionCommand

        if count != 1 or source_parent.isValid() or destination_parent.isValid():
            return False
        target = destination_child if destination_child <= source_row else destination_child - 1
        target = max(0, min(target, self.rowCount() - 1))
        if target == source_row or not 0 <= source_row < self.rowCount():
            return False
        self.undo_stack.push(MoveSectionCommand(self, source_row, target))
        return True

    # -- drag and drop ---------------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [ROW_MIME]

    def mimeData(self, indexes: Any) -> QMimeData:
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        if rows:
            data.setData(ROW_MIME, QByteArray(str(rows[0]).encode()))
        return data

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: Index) -> bool:
        return data.hasFormat(ROW_MIME) and action == Qt.DropAction.MoveAction

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: Index) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            source = int(bytes(data.data(ROW_MIME).data()).decode())
        except ValueError:
            return False
        if row < 0:
            row = parent.row() if parent.isValid() else self.rowCount()
        self.moveRows(QModelIndex(), source, 1, QModelIndex(), row)
        return False  # the move is done; the view must not remove the source row

    # -- low-level changes (called by commands only) ---------------------------------------
    def apply_section(self, row: int, section: Section) -> None:
        self._plan.sections[row] = dataclasses.replace(section)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        self.plan_changed.emit()

    def apply_insert(self, row: int, section: Section) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self._plan.sections.insert(row, dataclasses.replace(section))
        self.endInsertRows()
        self.plan_changed.emit()

    def apply_remove(self, row: int) -> Section:
        self.beginRemoveRows(QModelIndex(), row, row)
        removed = self._plan.sections.pop(row)
        self.endRemoveRows()
        self.plan_changed.emit()
        return removed

    def apply_move(self, source: int, target: int) -> None:
        destination = target + 1 if target > source else target
        self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), destination)
        self._plan.sections.insert(target, self._plan.sections.pop(source))
        self.endMoveRows()
        self.plan_changed.emit()

    def apply_globals(self, positive: list[str], negative: list[str], respect: bool) -> None:
        self._plan.global_positive_styles = list(positive)
        self._plan.global_negative_styles = list(negative)
        self._plan.respect_sections_durations = respect
        self.globals_changed.emit()
        self.plan_changed.emit()

    def apply_plan(self, plan: Plan) -> None:
        self.beginResetModel()
        self._plan = plan.copy()
        self._problems = {}
        self.endResetModel()
        self.globals_changed.emit()
        self.plan_changed.emit()

    # -- validation ------------------------------------------------------------------------
    def set_problems(self, problems: list[Problem]) -> None:
        cells: dict[tuple[int, int], list[Problem]] = {}
        for p in problems:
            if p.section_index is not None and 0 <= p.section_index < self.rowCount():
                column = FIELD_COLUMNS.get(p.field, NAME)
                cells.setdefault((p.section_index, column), []).append(p)
        if cells == self._problems:
            return
        self._problems = cells
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self.rowCount() - 1, len(HEADERS) - 1),
                                  [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole])

    def set_keep_base(self, base: KeepBase | None) -> None:
        self.keep_base = base
        if self.rowCount():
            self.dataChanged.emit(self.index(0, KEEP), self.index(self.rowCount() - 1, KEEP))

    def total_text(self) -> str:
        return length_text(self._plan.total_ms)
