"""The speakers of the open transcript: rename one (everywhere at once) or merge two.

Select a speaker, type a new name and press Rename (or double-click the name to edit it
in place); pick another speaker under "Merge into" to say they are the same person.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.transcript import Transcript

IdRole = Qt.ItemDataRole.UserRole + 1


def _swatch(color: QColor) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(color)
    return QIcon(pixmap)


class SpeakersPanel(QGroupBox):
    rename_requested = Signal(str, str)  # speaker id, new name
    merge_requested = Signal(str, str)  # from id, into id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Speakers", parent)
        self.setObjectName("transcripts.speakers_box")
        self.list = QListWidget(self)
        self.list.setObjectName("transcripts.speakers")
        self.list.setAccessibleName("Speakers")
        self.list.setIconSize(QSize(14, 14))
        self.list.setEditTriggers(QListWidget.EditTrigger.DoubleClicked
                                  | QListWidget.EditTrigger.EditKeyPressed)
        self.name = QLineEdit(self)
        self.name.setObjectName("transcripts.speaker_name")
        self.name.setPlaceholderText("New name for the selected speaker")
        self.rename_button = QPushButton("Rename", self)
        self.rename_button.setObjectName("transcripts.rename_speaker")
        self.merge_into = QComboBox(self)
        self.merge_into.setObjectName("transcripts.merge_into")
        self.merge_into.setPlaceholderText("Merge into…")
        self.merge_into.setToolTip("The speaker who really said the selected speaker's words")
        self.merge_button = QPushButton("Merge", self)
        self.merge_button.setObjectName("transcripts.merge_speakers")
        self.merge_button.setToolTip("Give every word of the selected speaker to the speaker "
                                     "chosen on the left")

        rename_row = QHBoxLayout()
        rename_row.addWidget(self.name, 1)
        rename_row.addWidget(self.rename_button)
        merge_row = QHBoxLayout()
        merge_row.addWidget(self.merge_into, 1)
        merge_row.addWidget(self.merge_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(rename_row)
        layout.addLayout(merge_row)

        self._filling = False
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.list.itemChanged.connect(self._on_list_item_changed)
        self.rename_button.clicked.connect(self._on_rename_clicked)
        self.name.returnPressed.connect(self._on_rename_clicked)
        self.merge_button.clicked.connect(self._on_merge_clicked)
        self._update_buttons()

    def set_speakers(self, transcript: Transcript | None, colors: dict[str, QColor]) -> None:
        """Show the edited transcript's speakers, keeping the selection where possible."""
        selected = self.selected_id()
        self._filling = True
        try:
            self.list.clear()
            if transcript is not None:
                counts = transcript.word_counts
                for speaker in transcript.speakers.values():
                    item = QListWidgetItem(_swatch(colors.get(speaker.id, QColor("gray"))),
                                           speaker.name)
                    item.setData(IdRole, speaker.id)
                    item.setToolTip(f"{counts.get(speaker.id, 0):,} words · double-click to "
                                    "rename")
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                    self.list.addItem(item)
            rows = [self.list.item(n) for n in range(self.list.count())]
            match = next((n for n, it in enumerate(rows) if it.data(IdRole) == selected), 0)
            if rows:
                self.list.setCurrentRow(match)
        finally:
            self._filling = False
        current = self.list.currentItem()
        self.name.setText(current.text() if current is not None else "")
        self._fill_merge_targets()
        self._update_buttons()

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        value = item.data(IdRole) if item is not None else None
        return value if isinstance(value, str) else None

    def select(self, speaker_id: str) -> None:
        for n in range(self.list.count()):
            if self.list.item(n).data(IdRole) == speaker_id:
                self.list.setCurrentRow(n)

    def _fill_merge_targets(self) -> None:
        selected = self.selected_id()
        self.merge_into.clear()
        for n in range(self.list.count()):
            item = self.list.item(n)
            if item.data(IdRole) != selected:
                self.merge_into.addItem(item.icon(), item.text(), item.data(IdRole))
        if self.merge_into.count():
            self.merge_into.setCurrentIndex(0)

    def _update_buttons(self) -> None:
        has = self.selected_id() is not None
        self.name.setEnabled(has)
        self.rename_button.setEnabled(has)
        self.merge_button.setEnabled(has and self.merge_into.count() > 0)
        self.merge_into.setEnabled(has and self.merge_into.count() > 0)

    def _on_list_current_item_changed(self, *_args: object) -> None:
        if self._filling:
            return
        item = self.list.currentItem()
        self.name.setText(item.text() if item is not None else "")
        self._fill_merge_targets()
        self._update_buttons()

    def _on_list_item_changed(self, item: QListWidgetItem) -> None:
        if not self._filling and isinstance(item.data(IdRole), str):
            self.rename_requested.emit(item.data(IdRole), item.text())

    def _on_rename_clicked(self) -> None:
        speaker_id = self.selected_id()
        if speaker_id is not None and self.name.text().strip():
            self.rename_requested.emit(speaker_id, self.name.text().strip())

    def _on_merge_clicked(self) -> None:
        from_id = self.selected_id()
        into_id = self.merge_into.currentData()
        if from_id is not None and isinstance(into_id, str):
            self.merge_requested.emit(from_id, into_id)
