"""The Music tab's tools for producers, wired in one place so the tab itself stays
small: section by section (section_player.py), the lyrics sheet (lyrics_sheet.py),
rework by prompt (rework_dialog.py), stems (stems_dialog.py) and bringing your own song
(own_song.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from app.library.history import Generation
from app.ui.app_context import AppContext
from app.ui.music.finetune_picker import FinetunePicker
from app.ui.music.lyrics_sheet import LyricsSheet
from app.ui.music.own_song import AUDIO_FILTER, OwnSongImport
from app.ui.music.section_player import SectionPlayer
from app.ui.qt_async import TaskRunner
from app.ui.widgets.file_dialogs import ask_open_path
from app.ui.widgets.fit_scroll_area import FitScrollArea

if TYPE_CHECKING:
    from app.ui.music.music_tab import MusicTab
    from app.ui.music.rework_dialog import ReworkDialog
    from app.ui.music.stems_dialog import StemsDialog
    from app.ui.music.video_dialog import VideoMusicDialog

PLAN_PAGE = 1


def _button(parent: QWidget, name: str, text: str, accessible: str, tip: str) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    button.setToolTip(tip)
    return button


class ProducerTools(QObject):
    playback_ready = Signal(str, object)  # title, peaks (for the player bar)
    failed = Signal(object)  # an exception to show in the tab's banner

    FINETUNES = "music.finetunes"

    def __init__(self, ctx: AppContext, runner: TaskRunner, tab: MusicTab) -> None:
        super().__init__(tab)
        self._ctx, self._runner, self._tab = ctx, runner, tab
        self.stems_dialog: StemsDialog | None = None
        self._own_song_name = ""
        self.rework_dialog: ReworkDialog | None = None
        editor = tab.editor
        self.lyrics_sheet = LyricsSheet(editor, tab.mode)
        # Scrolls on a short screen like the other two pages: its counts take a line a
        # section, and a six-section plan held the window 22 px taller than 460
        # (1280x800 at 150%) even while another page was shown.
        lyrics_page = FitScrollArea(self.lyrics_sheet, tab.mode)
        lyrics_page.setObjectName("music.lyrics_scroll")
        tab.mode.addTab(lyrics_page, "Lyrics sheet")
        self.rework_button = _button(
            editor, "music.rework", "Rework…", "Rework the plan by prompt",
            "Say what to change (“make the chorus bigger”); choose which sections take "
            "the server's changes")
        self.own_song_button = _button(
            editor, "music.own_song", "Your song…", "Bring your own song",
            "Upload a song of yours: its sections open here, kept as they sound; re-make "
            "only the ones you untick")
        editor.starts_row.addWidget(self.rework_button)
        self.video_button = _button(
            tab.prompt_panel, "music.video", "Music for a video…", "Music for a video",
            "Music as long as your videos, from a description; export the video with it")
        prompt_layout = tab.prompt_panel.layout()
        if prompt_layout is not None:
            prompt_layout.addWidget(self.video_button)
        self.video_button.clicked.connect(self.open_video)
        self.video_dialog: VideoMusicDialog | None = None
        editor.starts_row.addWidget(self.own_song_button)
        # Made after the editor, so Tab would reach them last; they sit on its first row.
        QWidget.setTabOrder(editor.plan_from_prompt, self.rework_button)
        QWidget.setTabOrder(self.rework_button, self.own_song_button)
        # And this one, under the prompt page's last control: it came after History.
        QWidget.setTabOrder(tab.prompt_panel.to_plan, self.video_button)
        self.own_song = OwnSongImport(ctx, runner, editor, self)
        self.section_player = SectionPlayer(ctx, runner, tab.side)
        tab.side.add_box(self.section_player, 2)  # under the versions
        self.finetunes = FinetunePicker(tab.side)
        tab.side.add_box(self.finetunes, 1)  # under the model and output
        tab.output.model_changed.connect(self.finetunes.set_model_id)
        self.finetunes.load_requested.connect(self.refresh_finetunes)

        tab.output.model_changed.connect(self.lyrics_sheet.set_model_id)
        self.lyrics_sheet.set_model_id(tab.output.model_id())
        tab.versions.stems_requested.connect(self.open_stems)
        tab.versions.list.itemSelectionChanged.connect(self._on_versions_selected)
        self.rework_button.clicked.connect(self.open_rework)
        self.own_song_button.clicked.connect(self._on_own_song_clicked)
        self.own_song.finished.connect(self._on_own_song_opened)
        self.own_song.failed.connect(self.failed)
        self.own_song.progress.connect(self._on_own_song_progress)
        runner.task_failed.connect(self._on_task_failed)
        runner.reports(self.FINETUNES)
        # While a song uploads the button stops it, and the status says it is under way.
        runner.task_started.connect(self._on_runner_task_started)
        runner.task_cancelled.connect(self._on_runner_task_cancelled)
        runner.task_finished.connect(self._on_runner_task_finished)
        self.section_player.playback_ready.connect(self.playback_ready)
        # Streamed details: the section times show while the song is still arriving.
        tab.controller.sections_arrived.connect(self.section_player.show_live)
        tab.controller.compose_finished.connect(self._on_compose_finished)
        tab.controller.compose_failed.connect(lambda _exc: self._on_versions_selected())
        tab.controller.compose_cancelled.connect(self._on_versions_selected)

    def refresh_finetunes(self) -> None:
        """The account's finetunes, fetched in the background (none offline)."""
        async def load() -> None:
            from app.api.music_finetunes import MusicFinetuneService

            self.finetunes.note.setText("Asking the server…")
            self.finetunes.note.show()
            found = await MusicFinetuneService(self._ctx.client).list()
            self.finetunes.set_finetunes(found, self._tab.output.model_id())

        self._runner.restart(self.FINETUNES, load)

    def _on_task_failed(self, name: str, exc: object) -> None:
        if name == self.FINETUNES:
            from app.ui.errors import describe_error

            reason = describe_error(exc).as_text() if isinstance(exc, BaseException) else exc
            self.finetunes.note.setText(f"Your finetunes could not be listed: {reason}")
            self.finetunes.note.show()

    def compose_fields(self) -> dict[str, Any]:
        """What the producer tools add to a compose request (a finetune, if chosen)."""
        return self.finetunes.fields()

    def _on_versions_selected(self) -> None:
        """Section by section follows the selection: the first selected version, and
        the one A/B plays after it (as Compare pairs them)."""
        versions = self._tab.versions
        chosen = versions.selected()
        pair = versions.compare_pair() if chosen else None
        other = None
        if chosen and pair is not None:
            other = pair[1] if pair[0].id == chosen[0].id else pair[0]
        self.section_player.set_versions(chosen[0] if chosen else None, other)

    def _on_compose_finished(self, generation: Generation, _details: object) -> None:
        """The new version replaces the live times (unless versions are selected)."""
        if self._tab.versions.selected():
            self._on_versions_selected()
        else:
            self.section_player.set_versions(generation, None)

    def ask_own_song(self) -> None:
        ask_open_path(self._tab, "music.own_song_dialog", "Bring your own song",
                      str(Path.home()), self.upload_own_song, AUDIO_FILTER)

    def upload_own_song(self, path: str | Path) -> None:
        self._own_song_name = Path(path).name
        self.own_song.upload(path, self._tab.output.model_id())

    def _on_own_song_clicked(self) -> None:
        if self._runner.is_running(OwnSongImport.TASK):
            self.own_song.cancel()
        else:
            self.ask_own_song()

    def _on_runner_task_started(self, name: str) -> None:
        if name == OwnSongImport.TASK:
            self.own_song_button.setText("Stop upload")
            self.own_song_button.setAccessibleName("Stop uploading your song")
            self._tab.status.setText(
                f"Uploading “{self._own_song_name}” and finding its sections… (Stop upload "
                "stops it; the plan here stays as it is until the song's plan arrives.)")

    def _on_own_song_progress(self, sent: int, total: int) -> None:
        """How far the upload got, in the status line (as the Transcripts tab says it)."""
        if not self._runner.is_running(OwnSongImport.TASK):
            return  # a piece read as it was being stopped
        if sent < total:
            self._tab.status.setText(
                f"Uploading “{self._own_song_name}”: {sent * 100 // total}% of "
                f"{total / 1e6:,.1f} MB sent. (Stop upload stops it at once; the plan here "
                "stays as it is.)")
        else:
            self._tab.status.setText(
                f"“{self._own_song_name}” is uploaded; the server is finding its sections… "
                "(Stop upload stops it; the plan here stays as it is until the song's plan "
                "arrives.)")

    def _on_runner_task_cancelled(self, name: str) -> None:
        if name == OwnSongImport.TASK:
            self._tab.status.setText("Upload stopped. The plan is as it was.")

    def _on_runner_task_finished(self, name: str) -> None:
        if name == OwnSongImport.TASK and not self._runner.is_running(name):
            self.own_song_button.setText("Your song…")
            self.own_song_button.setAccessibleName("Bring your own song")

    def _on_own_song_opened(self, message: str) -> None:
        self._tab.mode.setCurrentIndex(PLAN_PAGE)
        self._tab.base_label.setText(message)
        self._tab.status.setText(message)

    def open_rework(self) -> None:
        """Rework the plan by prompt: window-modal over the tab."""
        from app.ui.music.rework_dialog import ReworkDialog

        self.rework_dialog = ReworkDialog(self._ctx, self._runner, self._tab.editor,
                                          self._tab.output.model_id(), self._tab)
        self.rework_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.rework_dialog.open()

    def open_video(self) -> VideoMusicDialog:
        from app.ui.music.video_dialog import VideoMusicDialog

        self.video_dialog = VideoMusicDialog(self._ctx, self._runner,
                                             self._tab.output.model_id(), self._tab)
        self.video_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Kept in History like other songs: the History panel and Versions refresh.
        self.video_dialog.generation_saved.connect(self._on_video_music_saved)
        self.video_dialog.show()
        return self.video_dialog

    def open_if_video(self, generation: Generation) -> bool:
        """Re-open music made for a video (a History row) in its window; False for
        other music."""
        from app.services.video_music_history import video_music

        if video_music(generation) is None:
            return False
        self.open_video().load_generation(generation)
        self._tab.status.setText(f"Opened “{generation.title}” in Music for a video.")
        return True

    def _on_video_music_saved(self, generation: Generation) -> None:
        self._tab.refresh_versions()
        self._tab.generation_saved.emit(generation)

    def open_stems(self, generation: Generation) -> None:
        """The stems window of one version (not modal: the tab stays usable)."""
        from app.ui.music.stems_dialog import StemsDialog

        self.stems_dialog = StemsDialog(self._ctx, self._runner, generation, self._tab)
        self.stems_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.stems_dialog.show()


__all__ = ["ProducerTools"]
