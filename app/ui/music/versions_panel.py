"""The Music tab's right-hand column: model and output, earlier versions (music in
History: play one, open its plan, compare two) and the details of the latest song."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.domain.music_detailed import DetailedResult
from app.domain.music_plan_checks import length_text, seconds_text
from app.library.history import Generation
from app.ui.icons import icon
from app.ui.music.output_box import OutputBox
from app.ui.widgets.fit import let_combos_shrink

GenerationRole = Qt.ItemDataRole.UserRole + 1


class VersionsPanel(QWidget):
    play_requested = Signal(object)  # Generation
    open_requested = Signal(object)  # Generation
    compare_requested = Signal(object, object)  # first, then second
    stems_requested = Signal(object)  # Generation

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("music.versions_panel")
        self.list = QListWidget(self)
        self.list.setObjectName("music.versions")
        self.list.setAccessibleName("Earlier versions")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setToolTip("Songs you composed, newest first. Select two to compare them.")
        self.list.setMinimumHeight(90)
        self.play_button = QPushButton(icon("play"), "Play", self)
        self.play_button.setObjectName("music.play_version")
        self.open_button = QPushButton(icon("open"), "Open plan", self)
        self.open_button.setObjectName("music.load_version")
        self.open_button.setToolTip("Load this version's plan and settings back into the "
                                    "editor (to change it, or keep its good parts)")
        self.compare_button = QPushButton("Compare", self)
        self.compare_button.setObjectName("music.compare")
        self.compare_button.setToolTip("Play two versions back to back: select two (or one to "
                                       "hear it after the newest)")
        self.stems_button = QPushButton("Stems…", self)
        self.stems_button.setObjectName("music.stems_version")
        self.stems_button.setAccessibleName("Stems")
        self.stems_button.setToolTip("Split this version into stems (vocals, drums, bass…): "
                                     "hear them one by one, export them for a DAW")
        # Two rows of two: in one row they held the column (and the plan beside it) wide.
        buttons = QGridLayout()
        for number, button in enumerate((self.play_button, self.open_button,
                                         self.compare_button, self.stems_button)):
            buttons.addWidget(button, number // 2, number % 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemDoubleClicked.connect(
            lambda item: self.play_requested.emit(item.data(GenerationRole)))
        self.play_button.clicked.connect(self._on_play_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.compare_button.clicked.connect(self._on_compare_clicked)
        self.stems_button.clicked.connect(self._on_stems_clicked)
        self._update_buttons()

    def set_versions(self, generations: list[Generation]) -> None:
        selected = {g.id for g in self.selected()}
        self.list.clear()
        for number, generation in zip(range(len(generations), 0, -1), generations,
                                      strict=True):
            when = generation.created.astimezone().strftime("%H:%M")
            item = QListWidgetItem(f"{number}. {generation.title} · "
                                   f"{length_text(generation.duration_ms)} · {when}")
            item.setData(GenerationRole, generation)
            item.setToolTip(generation.text)
            self.list.addItem(item)
            item.setSelected(generation.id in selected)
        self._update_buttons()

    def versions(self) -> list[Generation]:
        return [self.list.item(i).data(GenerationRole) for i in range(self.list.count())]

    def selected(self) -> list[Generation]:
        return [item.data(GenerationRole) for item in self.list.selectedItems()]

    def _update_buttons(self) -> None:
        count = len(self.selected())
        self.play_button.setEnabled(count == 1)
        self.open_button.setEnabled(count == 1)
        self.stems_button.setEnabled(count == 1)
        self.compare_button.setEnabled(self.list.count() >= 2 and count in (1, 2))

    def compare_pair(self) -> tuple[Generation, Generation] | None:
        """(older, newer): the two selected, or the selected one and the newest other."""
        chosen = self.selected()
        everything = self.versions()
        if len(chosen) == 1:
            other = next((g for g in everything if g.id != chosen[0].id), None)
            if other is None:
                return None
            chosen = [chosen[0], other]
        if len(chosen) != 2:
            return None
        first, second = sorted(chosen, key=lambda g: (g.created_at, g.id))
        return first, second

    def _on_play_clicked(self) -> None:
        chosen = self.selected()
        if chosen:
            self.play_requested.emit(chosen[0])

    def _on_open_clicked(self) -> None:
        chosen = self.selected()
        if chosen:
            self.open_requested.emit(chosen[0])

    def _on_stems_clicked(self) -> None:
        chosen = self.selected()
        if chosen:
            self.stems_requested.emit(chosen[0])

    def _on_compare_clicked(self) -> None:
        pair = self.compare_pair()
        if pair is not None:
            self.compare_requested.emit(*pair)


class SongDetailsView(QTextBrowser):
    """What `/v1/music/detailed` said about the song: title, genres, section timings."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("music.details")
        self.setOpenLinks(False)
        self.setPlaceholderText("Tick “Song details” before composing to see the song's title, "
                                "genres and section timings here.")

    def show_result(self, result: DetailedResult | None) -> None:
        self.setHtml(details_html(result) if result is not None else "")


def details_html(result: DetailedResult) -> str:
    song: Any = result.metadata.get("song_metadata") or {}
    if not isinstance(song, dict):
        song = {}

    def words(key: str) -> str:
        value = song.get(key)
        return ", ".join(str(v) for v in value) if isinstance(value, list) and value else "—"

    rows = [f"<b>{_escape(result.title or 'Untitled song')}</b>"]
    if isinstance(song.get("description"), str) and song["description"]:
        rows.append(_escape(song["description"]))
    rows.append(f"Genres: {_escape(words('genres'))}<br>Languages: {_escape(words('languages'))}")
    explicit = song.get("is_explicit")
    if isinstance(explicit, bool):
        rows.append("Explicit lyrics: " + ("yes" if explicit else "no"))
    if result.song_id:
        rows.append(f"Song id: <code>{_escape(result.song_id)}</code>")
    if result.section_timings_ms:
        names = [s.name for s in result.plan.sections] if result.plan is not None else []
        lines = []
        for index, (start, end) in enumerate(result.section_timings_ms):
            name = names[index] if index < len(names) and names[index] else f"Section {index + 1}"
            lines.append(f"<tr><td>{_escape(name)}</td><td align='right'>{seconds_text(start)}"
                         f"–{seconds_text(end)} s</td></tr>")
        rows.append("<b>Sections</b><table cellspacing='4'>" + "".join(lines) + "</table>")
    if result.words:
        rows.append(f"{len(result.words)} sung words with timings.")
    return "<p>" + "</p><p>".join(rows) + "</p>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SidePanel(QScrollArea):
    """The right-hand column: model and output, versions (with what can be kept), details."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("music.side")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a column, not a Tab stop (as FitScrollArea)
        self.output = OutputBox(self)
        versions_box = QGroupBox("Versions", self)
        self.versions = VersionsPanel(versions_box)
        self.base_label = QLabel(versions_box)
        self.base_label.setObjectName("music.base")
        self.base_label.setWordWrap(True)
        box_layout = QVBoxLayout(versions_box)
        box_layout.addWidget(self.versions)
        box_layout.addWidget(self.base_label)
        details_box = QGroupBox("Song details", self)
        self.details = SongDetailsView(details_box)
        QVBoxLayout(details_box).addWidget(self.details)
        column = QWidget(self)
        self._column_layout = column_layout = QVBoxLayout(column)
        # Its boxes have frames of their own: narrow side margins leave the plan beside
        # it (and History) the room it needs on a laptop.
        column_layout.setContentsMargins(2, 6, 4, 6)
        column_layout.addWidget(self.output)
        column_layout.addWidget(versions_box, 1)
        column_layout.addWidget(details_box, 1)
        self.setWidgetResizable(True)
        self.setWidget(column)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Long model and format names must not take the plan editor's room on a laptop.
        let_combos_shrink(column)
        self.setMinimumWidth(column.minimumSizeHint().width()
                             + self.verticalScrollBar().sizeHint().width() + 4)

    def add_box(self, box: QWidget, index: int) -> None:
        """Another box in the column, at `index` (0: above the output box), at its own
        height (the versions and details keep the room left)."""
        self._column_layout.insertWidget(index, box, 0)
