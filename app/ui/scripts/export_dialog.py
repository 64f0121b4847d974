"""The Scripts tab's export dialog: where, how far apart, how loud, which files.

Opened with `open()` (window-modal, never `exec()`: a nested event loop under qasync
would run other tasks re-entrantly). Pressing Export emits `export_requested` with an
`ExportChoice`; the tab hands it to the export service and shows what was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.file_dialogs import _dialog

DEFAULT_GAP_MS = 400
DEFAULT_LUFS = -16.0


@dataclass(frozen=True)
class ExportChoice:
    folder: Path
    gap_ms: int = DEFAULT_GAP_MS
    target_lufs: float = DEFAULT_LUFS
    joined: bool = True
    per_block: bool = True
    srt: bool = True
    vtt: bool = True

    @property
    def anything(self) -> bool:
        return self.joined or self.per_block or self.srt or self.vtt


class ScriptExportDialog(QDialog):
    export_requested = Signal(object)  # ExportChoice

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scripts.export_dialog")
        self.setWindowTitle("Export the script's audio and captions")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.folder = QLineEdit(str(folder), self)
        self.folder.setObjectName("scripts.export_folder")
        self.folder.setAccessibleName("Export folder")
        browse = QPushButton("Choose…", self)
        browse.setObjectName("scripts.export_browse")
        browse.setAccessibleName("Choose the export folder")
        browse.clicked.connect(self._on_browse_clicked)
        self.gap = QSpinBox(self)
        self.gap.setObjectName("scripts.export_gap")
        self.gap.setAccessibleName("Gap between blocks")
        self.gap.setRange(0, 10_000)
        self.gap.setSingleStep(50)
        self.gap.setSuffix(" ms")
        self.gap.setValue(DEFAULT_GAP_MS)
        self.lufs = QDoubleSpinBox(self)
        self.lufs.setObjectName("scripts.export_lufs")
        self.lufs.setAccessibleName("Target loudness in LUFS")
        self.lufs.setRange(-40.0, -5.0)
        self.lufs.setDecimals(1)
        self.lufs.setSuffix(" LUFS")
        self.lufs.setValue(DEFAULT_LUFS)
        self.lufs.setToolTip("-16 LUFS suits podcasts and the web; -23 is broadcast (EBU R128)")
        self.joined = self._format_box("joined", "One joined audio file, blocks in order")
        self.per_block = self._format_box("per_block",
                                          "A numbered file per block (speaker and first words)")
        self.srt = self._format_box("srt", "SRT captions (.srt)")
        self.vtt = self._format_box("vtt", "WebVTT captions (.vtt)")
        self.problem = QLabel(self)
        self.problem.setObjectName("scripts.export_problem")
        self.problem.setWordWrap(True)

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Folder", folder_row)
        form.addRow("Gap between blocks", self.gap)
        form.addRow("Loudness of the joined file", self.lufs)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        export = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        export.setObjectName("scripts.export_go")
        export.setAccessibleName("Export")
        export.setDefault(True)
        buttons.accepted.connect(self._on_export_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        for box in (self.joined, self.per_block, self.srt, self.vtt):
            layout.addWidget(box)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _format_box(self, key: str, label: str) -> QCheckBox:
        box = QCheckBox(label, self)
        box.setObjectName(f"scripts.export_{key}")
        box.setAccessibleName(label)
        box.setChecked(True)
        return box

    def choice(self) -> ExportChoice:
        return ExportChoice(
            folder=Path(self.folder.text().strip()).expanduser(),
            gap_ms=self.gap.value(),
            target_lufs=self.lufs.value(),
            joined=self.joined.isChecked(), per_block=self.per_block.isChecked(),
            srt=self.srt.isChecked(), vtt=self.vtt.isChecked())

    def _on_browse_clicked(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        dialog = _dialog(self, "scripts.export_folder_dialog", "Choose the export folder",
                         self.folder.text(), "", QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.folder.setText)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_export_clicked(self) -> None:
        choice = self.choice()
        if not self.folder.text().strip():
            self.problem.setText("Choose a folder to export into first.")
            return
        if not choice.anything:
            self.problem.setText("Tick at least one kind of file to write.")
            return
        self.export_requested.emit(choice)
        self.accept()
