"""The transcription queue as a table (Model/View): one row per recording, with its
state, progress and settings; a delegate draws the progress of a running job."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
)

from app.domain.stt_options import TranscriptionOptions
from app.services.transcription_queue import INTERRUPTED, QueueJob
from app.ui.transcripts.queue_controller import QueueController

COLUMNS = ("Recording", "Status", "Settings")
STATUS_COLUMN = 1
JOB_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 2  # 0..1 while uploading, -1: busy, None: idle
_Index = QModelIndex | QPersistentModelIndex


def settings_text(options: TranscriptionOptions) -> str:
    parts = [options.model_id, options.language_code or "any language"]
    if options.diarize:
        parts.append(f"{options.num_speakers} speakers" if options.num_speakers
                     else "speakers apart")
    if options.tag_audio_events:
        parts.append("sounds marked")
    if options.keyterms:
        parts.append(f"{len(options.keyterms)} key terms")
    return " · ".join(parts)


def status_text(job: QueueJob) -> str:
    if job.state == "waiting":
        return "Waiting (was interrupted)" if job.reason == INTERRUPTED else "Waiting"
    if job.state == "running":
        if job.phase == "Uploading…" and job.fraction < 1:
            return f"Uploading… {round(job.fraction * 100)} %"
        return job.phase or "Transcribing…"
    if job.state == "done":
        return "Done"
    if job.state == "failed":
        return f"Failed. {job.reason}"
    return "Cancelled"


class QueueModel(QAbstractTableModel):
    def __init__(self, controller: QueueController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._ids: list[str] = [job.job_id for job in controller.jobs]
        controller.job_changed.connect(self._on_controller_job_changed)
        controller.job_removed.connect(self._on_controller_job_removed)
        controller.loaded.connect(self.reload)

    def reload(self) -> None:
        self.beginResetModel()
        self._ids = [job.job_id for job in self._controller.jobs]
        self.endResetModel()

    def job_at(self, row: int) -> QueueJob | None:
        if 0 <= row < len(self._ids):
            return self._controller.queue.job(self._ids[row])
        return None

    def row_of(self, job_id: str) -> int:
        return self._ids.index(job_id) if job_id in self._ids else -1

    # -- Qt --------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        job = self.job_at(index.row()) if index.isValid() else None
        if job is None:
            return None
        column = index.column()
        if role == JOB_ID_ROLE:
            return job.job_id
        if role == PROGRESS_ROLE:
            if job.state != "running":
                return None
            uploading = job.phase == "Uploading…" and job.fraction < 1
            return job.fraction if uploading else -1.0
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == 0:
                return job.title or job.source
            if column == STATUS_COLUMN:
                return status_text(job)
            return settings_text(job.options)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == STATUS_COLUMN:
                return "Done: Enter or a double-click opens it" if job.state == "done" \
                    else job.reason or status_text(job)
            return settings_text(job.options) if column == 2 else job.source
        return None

    # -- the controller --------------------------------------------------------------
    def _on_controller_job_changed(self, job_id: str) -> None:
        row = self.row_of(job_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return
        jobs = self._controller.jobs
        if jobs and jobs[-1].job_id == job_id and len(jobs) == len(self._ids) + 1:
            self.beginInsertRows(QModelIndex(), len(self._ids), len(self._ids))
            self._ids.append(job_id)
            self.endInsertRows()
        else:
            self.reload()

    def _on_controller_job_removed(self, job_id: str) -> None:
        row = self.row_of(job_id)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._ids[row]
            self.endRemoveRows()


class ProgressDelegate(QStyledItemDelegate):
    """A progress bar in the Status cell of a running job (busy while it transcribes)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        progress = index.data(PROGRESS_ROLE)
        if index.column() != STATUS_COLUMN or progress is None:
            super().paint(painter, option, index)
            return
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 2, -2, -2)
        bar.minimum = 0
        bar.maximum = 100 if progress >= 0 else 0  # 0..0: Qt's busy bar
        bar.progress = round(progress * 100) if progress >= 0 else 0
        bar.text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        bar.textVisible = True
        bar.state = option.state
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)
