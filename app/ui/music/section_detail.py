"""The pane beside the sections table: everything about the selected section.

Edits are handed to the model as whole-section changes (`edit_section`), so each one is
a single undo step. Text fields commit when editing finishes (Enter or leaving them).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.music_plan import CONTEXT_ADHERENCE_VALUES, SECTION_MAX_MS, Section, limits_for
from app.domain.music_plan_checks import seconds_text
from app.ui.music.chip_editor import ChipEditor
from app.ui.music.section_model import SectionTableModel


class SectionDetailPane(QGroupBox):
    def __init__(self, model: SectionTableModel, parent: QWidget | None = None) -> None:
        super().__init__("Selected section", parent)
        self.setObjectName("music.section_detail")
        self._model = model
        self._row: int | None = None
        self._loading = False
        self.name = QLineEdit(self)
        self.name.setObjectName("music.section_name")
        self.duration = QDoubleSpinBox(self)
        self.duration.setObjectName("music.section_duration")
        self.duration.setRange(0, SECTION_MAX_MS / 1000 * 5)
        self.duration.setDecimals(1)
        self.duration.setSingleStep(0.5)
        self.duration.setSuffix(" s")
        self.duration.setKeyboardTracking(False)
        self.positive = ChipEditor("music.section_positive", "Add a style, press Enter", self)
        self.negative = ChipEditor("music.section_negative", "Add a style to avoid", self)
        self.lyrics = QPlainTextEdit(self)
        self.lyrics.setObjectName("music.section_lyrics")
        self.lyrics.setPlaceholderText("Lyrics, one line per sung line. Leave empty for an "
                                       "instrumental section.")
        self.lyrics.setTabChangesFocus(True)
        self.lyrics.installEventFilter(self)
        self.directions = QLineEdit(self)
        self.directions.setObjectName("music.section_directions")
        self.directions.setPlaceholderText("e.g. whispered, building up")
        self.directions.setToolTip("How this section is performed (Music v2 only)")
        self.adherence = QComboBox(self)
        self.adherence.setObjectName("music.section_adherence")
        self.adherence.addItem("Default (high)", None)
        for value in CONTEXT_ADHERENCE_VALUES:
            self.adherence.addItem(value.capitalize(), value)
        self.adherence.setToolTip("How closely this section follows the ones before it "
                                  "(Music v2)")
        self.keep = QCheckBox("Keep as it sounded in the earlier version", self)
        self.keep.setObjectName("music.section_keep")
        self.kept_note = QLabel(self)
        self.kept_note.setWordWrap(True)
        grid = QGridLayout()
        grid.addWidget(QLabel("Name", self), 0, 0)
        grid.addWidget(self.name, 0, 1)
        grid.addWidget(QLabel("Length", self), 0, 2)
        grid.addWidget(self.duration, 0, 3)
        grid.addWidget(QLabel("Styles", self), 1, 0)
        grid.addWidget(self.positive, 1, 1, 1, 3)
        grid.addWidget(QLabel("Avoid", self), 2, 0)
        grid.addWidget(self.negative, 2, 1, 1, 3)
        self._directions_label = QLabel("Directions", self)
        grid.addWidget(self._directions_label, 3, 0)
        grid.addWidget(self.directions, 3, 1)
        self._adherence_label = QLabel("Follow", self)
        grid.addWidget(self._adherence_label, 3, 2)
        grid.addWidget(self.adherence, 3, 3)
        grid.addWidget(self.keep, 4, 0, 1, 4)
        grid.addWidget(self.kept_note, 5, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(6, 1)
        lyrics = QVBoxLayout()
        lyrics.addWidget(QLabel("Lyrics", self))
        lyrics.addWidget(self.lyrics, 1)
        columns = QHBoxLayout(self)
        # Tight spacing and the fields given three quarters: beside History on a laptop,
        # at three fifths the name showed five letters, the styles wrapped onto three
        # lines and the pane was too tall for the page.
        columns.setContentsMargins(6, 2, 6, 4)
        grid.setVerticalSpacing(3)
        lyrics.setSpacing(2)
        columns.addLayout(grid, 3)
        columns.addLayout(lyrics, 1)

        self.name.editingFinished.connect(self._commit_name)
        self.duration.valueChanged.connect(self._commit_duration)
        self.positive.chips_changed.connect(
            lambda chips: self._commit("positive_styles", chips, "Edit styles"))
        self.negative.chips_changed.connect(
            lambda chips: self._commit("negative_styles", chips, "Edit styles to avoid"))
        self.directions.editingFinished.connect(
            lambda: self._commit("directions", self.directions.text().strip() or None,
                                 "Edit directions"))
        self.adherence.currentIndexChanged.connect(
            lambda _i: self._commit("context_adherence", self.adherence.currentData(),
                                    "Edit context adherence"))
        self.keep.toggled.connect(self._on_keep_toggled)
        model.dataChanged.connect(self._on_model_data_changed)
        model.modelReset.connect(self._on_model_changed)
        model.rowsMoved.connect(self._on_model_changed)
        model.rowsRemoved.connect(self._on_model_changed)
        self.set_model_id("music_v2")
        self.show_row(None)

    def set_model_id(self, model_id: str) -> None:
        v2 = limits_for(model_id).supports_directions
        for widget in (self.directions, self._directions_label, self.adherence,
                       self._adherence_label):
            widget.setVisible(v2)

    @property
    def row(self) -> int | None:
        return self._row

    def show_row(self, row: int | None) -> None:
        if row is not None and not 0 <= row < self._model.rowCount():
            row = None
        self._row = row
        self.setEnabled(row is not None)
        self._loading = True
        try:
            s = self._model.section(row) if row is not None else Section("", 0)
            self.setTitle(f"Section {row + 1}" if row is not None else "Selected section")
            if not self.name.hasFocus() or row is None:
                self.name.setText(s.name)
            self.duration.setValue(s.duration_ms / 1000)
            self.positive.set_chips(s.positive_styles)
            self.negative.set_chips(s.negative_styles)
            lyrics = "\n".join(s.lines)
            if self.lyrics.toPlainText() != lyrics:
                self.lyrics.setPlainText(lyrics)
            self.directions.setText(s.directions or "")
            index = self.adherence.findData(s.context_adherence)
            self.adherence.setCurrentIndex(max(0, index))
            can_keep = self._model.keep_base is not None or s.source is not None
            self.keep.setEnabled(can_keep)
            self.keep.setChecked(s.source is not None)
            self.keep.setToolTip("" if can_keep else "Compose a version first; then you can "
                                 "keep its good parts and re-make only the others.")
            for widget in (self.name, self.duration, self.positive, self.negative, self.lyrics,
                           self.directions, self.adherence):
                widget.setEnabled(s.source is None)
            if s.source is not None:
                self.kept_note.setText(
                    f"Taken from the earlier song, {seconds_text(s.source.start_ms)}–"
                    f"{seconds_text(s.source.end_ms)} s. Untick to make it anew.")
            else:
                self.kept_note.setText("")
            self.kept_note.setVisible(s.source is not None)
        finally:
            self._loading = False

    # -- commits ---------------------------------------------------------------------------
    def _commit(self, field: str, value: Any, text: str) -> None:
        if self._loading or self._row is None:
            return
        before = self._model.section(self._row)
        after = dataclasses.replace(before, **{field: value})
        self._model.edit_section(self._row, after, text)

    def _commit_name(self) -> None:
        self._commit("name", " ".join(self.name.text().splitlines()), "Rename section")

    def _commit_duration(self, seconds: float) -> None:
        self._commit("duration_ms", round(seconds * 1000), "Change length")

    def commit_lyrics(self) -> None:
        lines = [line.rstrip() for line in self.lyrics.toPlainText().splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        self._commit("lines", [line for line in lines if line.strip()], "Edit lyrics")

    def _on_keep_toggled(self, checked: bool) -> None:
        if not self._loading and self._row is not None:
            self._model.set_kept(self._row, checked)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.lyrics and event.type() == QEvent.Type.FocusOut:
            self.commit_lyrics()
        return super().eventFilter(watched, event)

    def _on_model_changed(self, *_args: object) -> None:
        self.show_row(self._row)

    def _on_model_data_changed(self, _top: object, _bottom: object,
                               roles: list[int] | None = None) -> None:
        content = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole)
        if roles and not any(r in content for r in roles):
            return  # only colours or tooltips changed (validation)
        self.show_row(self._row)

    def focus_name(self) -> None:
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)
        self.name.selectAll()
