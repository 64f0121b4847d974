"""The cast: who speaks each speaker's lines.

One row per speaker (in order of first appearance): the name, a voice picker over the
same voice list model the Speech tab uses, a Preview button and the speaker's voice
settings. The panel only shows and asks; the tab turns a choice into an undoable edit of
the script. The script's model and format are on the tab's title line (output_bar.py).

The panel sits in a narrow column beside the blocks table: long names and voices are
shortened with "…" (whole in their tooltips), and `CastScrollArea` is never narrower
than a row, so the buttons at a row's end are never cut off.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.script import CastMember, Script
from app.ui.icons import icon
from app.ui.keyboard import tab_order_after
from app.ui.speech.voice_model import (
    VoiceFilterModel,
    VoiceIdRole,
    VoiceListModel,
    VoiceRole,
    as_voice,
    list_voices_in,
)
from app.ui.widgets.elided_label import ElidedLabel

if TYPE_CHECKING:
    from app.domain.wire import Voice

NO_VOICE = "Choose a voice"  # short: a placeholder widens its box
VOICE_CHARS = 6  # the narrowest a voice box gets; longer names end in "…"


def speaker_key(speaker: str) -> str:
    """An objectName-safe form of a speaker's name ("Dr. Who" -> "dr_who")."""
    return re.sub(r"[^a-z0-9]+", "_", speaker.casefold()).strip("_") or "speaker"


class CastPanel(QWidget):
    voice_chosen = Signal(str, object)  # speaker, Voice
    preview_requested = Signal(object)  # Voice
    settings_requested = Signal(str)  # speaker
    rows_rebuilt = Signal()  # the speakers' rows were made anew (Tab order to set)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scripts.cast")
        self.voice_model = VoiceListModel(self)
        self.voice_proxy = VoiceFilterModel(self)
        self.voice_proxy.setSourceModel(self.voice_model)
        self._speakers: list[str] = []
        self.voice_combos: dict[str, QComboBox] = {}
        self.preview_buttons: dict[str, QPushButton] = {}
        self._updating = False
        self._shown: tuple[CastMember, ...] | None = None  # the cast the boxes show

        heading = QLabel("<b>Cast</b>", self)
        self._cast_box = QWidget(self)
        self._grid = QGridLayout(self._cast_box)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(4)
        self._grid.setColumnStretch(1, 1)
        self._empty = QLabel("Speakers appear here once the script has lines.", self._cast_box)
        self._empty.setWordWrap(True)
        # As wide as a speaker's row: the window decides whether the tab fits its
        # screen side by side before a script is open, and a cast narrower then than
        # with speakers ran the window past a 1280-wide screen at 15 pt.
        self._empty.setMinimumWidth(self._row_width())
        self._grid.addWidget(self._empty, 0, 0, 1, 4)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(heading)
        layout.addWidget(self._cast_box)
        layout.addStretch(1)

    def _row_width(self) -> int:
        """The least width of a speaker's row, measured on a sample one."""
        sample = QWidget()
        grid = QGridLayout(sample)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(self._grid.horizontalSpacing())
        combo = QComboBox(sample)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(VOICE_CHARS)
        combo.setPlaceholderText(NO_VOICE)
        for column, widget in enumerate((ElidedLabel("NARRATOR", sample), combo,
                                         QPushButton(icon("play"), "", sample),
                                         QPushButton(icon("settings"), "", sample))):
            grid.addWidget(widget, 0, column)
        width = grid.minimumSize().width()
        sample.deleteLater()
        return width

    # -- catalog ---------------------------------------------------------------------
    def set_voices(self, voices: list[Voice]) -> None:
        self.voice_model.set_voices(voices)
        self._shown = None  # the combos are shown again from the new list

    def voice(self, voice_id: str) -> Voice | None:
        row = self.voice_model.row_of(voice_id)
        return as_voice(self.voice_model.data(self.voice_model.index(row, 0), VoiceRole)) \
            if row >= 0 else None

    # -- showing the script ----------------------------------------------------------
    def show_script(self, script: Script) -> None:
        speakers = script.speakers()
        if speakers != self._speakers:
            self._rebuild(speakers)
            self._shown = None
        if self._shown == script.cast:
            # The same voices as shown: the script changes once per take while a queue
            # runs, and going through every speaker's box asked each for its voice (30
            # speakers: ~5 ms of the window's time per take).
            return
        self._shown = script.cast
        self._updating = True
        try:
            for speaker, combo in self.voice_combos.items():
                member = script.cast_for(speaker)
                self._select(combo, member.voice_id if member else None, VoiceIdRole)
                # Nothing to hear before a voice is chosen.
                self.preview_buttons[speaker].setEnabled(combo.currentIndex() >= 0)
                combo.setToolTip(combo.currentText())  # the whole name, shortened in the box
        finally:
            self._updating = False

    @staticmethod
    def _select(combo: QComboBox, value: str | None, role: int) -> None:
        """Show `value` without emitting a choice (the script changed, not the user)."""
        if value and combo.currentIndex() >= 0 and combo.currentData(role) == value:
            # Already shown: the script changes once per take while a queue runs, and
            # findData asks the voice list for every row (a call into Python each).
            return
        index = combo.findData(value, role) if value else -1
        blocked = combo.blockSignals(True)
        combo.setCurrentIndex(index)
        combo.blockSignals(blocked)

    def _rebuild(self, speakers: list[str]) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget is not self._empty:
                widget.deleteLater()
        self.voice_combos.clear()
        self.preview_buttons.clear()
        self._speakers = list(speakers)
        self._empty.setVisible(not speakers)
        if not speakers:
            self._grid.addWidget(self._empty, 0, 0, 1, 4)
        for row, speaker in enumerate(speakers):
            key = speaker_key(speaker)
            name = ElidedLabel(speaker, self._cast_box)
            name.setObjectName(f"scripts.speaker_{key}")
            combo = QComboBox(self._cast_box)
            combo.setObjectName(f"scripts.voice_{key}")
            combo.setAccessibleName(f"Voice of {speaker}")
            list_voices_in(combo, self.voice_proxy)
            combo.setPlaceholderText(NO_VOICE)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(VOICE_CHARS)
            name.setBuddy(combo)
            preview = QPushButton(icon("play"), "", self._cast_box)
            preview.setObjectName(f"scripts.preview_{key}")
            preview.setAccessibleName(f"Preview the voice of {speaker}")
            preview.setToolTip(f"Hear {speaker}'s voice")
            combo.activated.connect(lambda _i, s=speaker, c=combo: self._on_voice_activated(s, c))
            preview.clicked.connect(lambda _c=False, c=combo: self._on_preview_clicked(c))
            self._grid.addWidget(name, row, 0)
            self._grid.addWidget(combo, row, 1)
            self._grid.addWidget(preview, row, 2)
            settings = QPushButton(icon("settings"), "", self._cast_box)
            settings.setObjectName(f"scripts.cast_settings_{key}")
            settings.setAccessibleName(f"Voice settings of {speaker}")
            settings.setToolTip(f"Voice settings for all of {speaker}'s blocks")
            settings.clicked.connect(lambda _c=False, s=speaker: self.settings_requested.emit(s))
            self._grid.addWidget(settings, row, 3)
            self.voice_combos[speaker] = combo
            self.preview_buttons[speaker] = preview
        self.rows_rebuilt.emit()

    def _on_voice_activated(self, speaker: str, combo: QComboBox) -> None:
        voice = as_voice(combo.currentData(VoiceRole))
        combo.setToolTip(combo.currentText())
        if voice is not None and not self._updating:
            self.voice_chosen.emit(speaker, voice)

    def _on_preview_clicked(self, combo: QComboBox) -> None:
        voice = as_voice(combo.currentData(VoiceRole))
        if voice is not None:
            self.preview_requested.emit(voice)



class CastScrollArea(QScrollArea):
    """The cast's column: scrolls down when there are many speakers, never sideways (a
    row cut at the side hid its Preview and settings buttons), so it is never narrower
    than the cast's narrowest row, with room for the scroll bar."""

    def __init__(self, cast: CastPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scripts.cast_scroll")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(cast)
        cast.installEventFilter(self)  # rows come and go with the script's speakers
        # Rows made after the tab joined the window's Tab order go to its end: from the
        # cast, Tab went to the blocks, through History, and only then to the voices.
        cast.rows_rebuilt.connect(lambda: tab_order_after(self, cast))

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        page = self.widget()
        if page is None:
            return hint
        frame = 2 * self.frameWidth()
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(page.minimumSizeHint().width() + bar + frame, hint.height())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), self.minimumSizeHint().width()), hint.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)
