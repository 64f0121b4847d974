"""Music for a video: choose one or more videos, describe the music (and tags), get
music as long as the videos (`POST /v1/music/video-to-music`), see it against a poster
strip of the video, hear it, and export the video with the music as its soundtrack.
The music is kept in History (a `music` row, `video_music_history.py`), with the video
exported from it, and a History row re-opens here (`load_generation`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.api.music_video import MusicVideoService
from app.audio.clip import AudioClip
from app.library.history import Generation
from app.ui.app_context import AppContext
from app.ui.errors import describe_error
from app.ui.qt_async import TaskRunner
from app.ui.widgets.file_dialogs import ask_open_paths, ask_save_path

VIDEO_FILTERS = ["Videos (*.mp4 *.mov *.mkv *.webm *.avi *.m4v)", "All files (*)"]


class VideoMusicDialog(QDialog):
    generation_saved = Signal(object)  # Generation: the music kept in History
    TASK = "music.video"
    OUTPUT_FORMAT = "mp3_44100_128"

    def __init__(self, ctx: AppContext, runner: TaskRunner, model_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("music.video_dialog")
        self.setWindowTitle("Music for a video")
        self._ctx, self._runner, self._model_id = ctx, runner, model_id
        self.videos: list[Path] = []
        self.music: AudioClip | None = None
        self.generation: Generation | None = None  # the music's History row
        self.choose_button = self._button("music.video_choose", "Choose videos…",
                                          "One or more videos, played one after another")
        self.chosen = QLabel("No video chosen yet.", self)
        self.chosen.setObjectName("music.video_chosen")
        self.chosen.setWordWrap(True)
        self.description = QLineEdit(self)
        self.description.setObjectName("music.video_description")
        self.description.setAccessibleName("Describe the music")
        self.description.setPlaceholderText("e.g. warm synths that build to the end")
        self.tags = QLineEdit(self)
        self.tags.setObjectName("music.video_tags")
        self.tags.setAccessibleName("Style tags, separated by commas")
        self.tags.setPlaceholderText("cinematic, upbeat")
        self.make_button = self._button("music.video_make", "Make music",
                                        "Ask for music as long as the videos")
        self.cancel_button = self._button("music.video_cancel", "Cancel", "Stop asking")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.strip = QLabel(self)
        self.strip.setObjectName("music.video_strip")
        self.strip.setAccessibleName("Pictures from the video")
        self.strip.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status = QLabel(self)
        self.status.setObjectName("music.video_status")
        self.status.setWordWrap(True)
        self.play_button = self._button("music.video_play", "Play", "Hear the music")
        self.export_button = self._button("music.video_export", "Export video…",
                                          "Save the video with this music as its sound")
        form = QFormLayout()
        form.addRow(self.choose_button, self.chosen)
        form.addRow("Music", self.description)
        form.addRow("Tags", self.tags)
        actions = QHBoxLayout()
        actions.addWidget(self.make_button)
        actions.addWidget(self.cancel_button)
        actions.addStretch(1)
        actions.addWidget(self.play_button)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.strip)
        layout.addWidget(self.status)
        layout.addLayout(actions)
        self.choose_button.clicked.connect(lambda: ask_open_paths(
            self, "music.video_file_dialog", "Choose videos", VIDEO_FILTERS, self.set_videos))
        self.make_button.clicked.connect(self.make)
        self.cancel_button.clicked.connect(self.cancel)
        self.play_button.clicked.connect(self.play)
        self.export_button.clicked.connect(lambda: ask_save_path(
            self, "music.video_save_dialog", "Export the video with its music",
            str(self.videos[0].with_name(self.videos[0].stem + " with music.mp4"))
            if self.videos else "video with music.mp4", self.export_to, "MP4 video (*.mp4)"))
        runner.task_failed.connect(self._on_failed)
        self._set_busy(False)

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.rstrip("…"))
        button.setToolTip(tip)
        return button

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.make_button.setEnabled(not busy and bool(self.videos))
        self.cancel_button.setEnabled(busy)
        self.play_button.setEnabled(not busy and self.music is not None)
        self.export_button.setEnabled(not busy and self.music is not None)

    def set_videos(self, paths: list[str]) -> None:
        self.videos = [Path(p) for p in paths]
        self.music, self.generation = None, None
        self.chosen.setText(", ".join(p.name for p in self.videos) or "No video chosen yet.")
        self._set_busy(False)
        if self.videos:
            self._runner.restart(f"{self.TASK}.strip", self._show_strip)

    async def _show_strip(self) -> None:
        from app.services.video_soundtrack import poster_strip

        try:
            picture = await asyncio.to_thread(poster_strip, self.videos[0])
        except Exception:  # PyAV's errors: not a video it can read
            self.strip.clear()
            self.status.setText(f"“{self.videos[0].name}” shows no pictures here: it may "
                                "not be a video. Choose another file.")
            return
        h, w = picture.shape[:2]
        image = QImage(picture.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self.strip.setPixmap(QPixmap.fromImage(image))

    def make(self) -> None:
        tags = [t.strip() for t in self.tags.text().split(",") if t.strip()]
        self._set_busy(True)
        self.status.setText("Making music for the video… (Cancel stops it)")
        self._runner.restart(self.TASK, lambda: self._make(self.description.text(), tags))

    async def _make(self, description: str, tags: list[str]) -> None:
        from app.audio.decode import decode_bytes
        from app.domain.formats import OutputFormat
        from app.services.video_music_history import save_video_music

        chosen = list(self.videos)
        videos = [(p.name, await asyncio.to_thread(p.read_bytes)) for p in chosen]
        audio, info = await MusicVideoService(self._ctx.client).video_to_music(
            videos, description=description, tags=tags, model_id=self._model_id,
            output_format=self.OUTPUT_FORMAT)
        music: AudioClip | None = None
        try:
            music = await asyncio.to_thread(decode_bytes, audio, None)
        finally:  # paid for even when the answer cannot be decoded
            await self._ctx.costs.video_music(chosen, info,
                                              music.duration_ms if music else None)
        fmt = OutputFormat.parse(self.OUTPUT_FORMAT)
        self.generation = await asyncio.to_thread(
            save_video_music, self._ctx.history, audio, output_format=fmt.value,
            file_extension=fmt.file_extension, videos=chosen, description=description,
            tags=tags, model_id=self._model_id, duration_ms=music.duration_ms,
            request_id=info.request_id, song_id=info.song_id, session_id=self._ctx.session_id)
        self.music = music
        self._set_busy(False)
        self.status.setText(f"Music of {self.music.duration_ms / 1000:.1f} s for the video, "
                            "kept in History. Play it, or export the video with it.")
        self.generation_saved.emit(self.generation)

    def load_generation(self, generation: Generation) -> None:
        """Re-open music made for a video from its History row: the videos, the words
        it was made from, and the music itself, ready to play or export again."""
        from app.services.video_music_history import video_music

        record = video_music(generation)
        if record is None:
            return
        self.set_videos([str(p) for p in record.videos if p.is_file()])
        self.description.setText(record.description)
        self.tags.setText(", ".join(record.tags))
        self.generation = generation
        missing = [p.name for p in record.videos if not p.is_file()]
        self.status.setText("Opening the music from History…")
        self._runner.restart(f"{self.TASK}.open", lambda: self._open(generation, missing))

    async def _open(self, generation: Generation, missing: list[str]) -> None:
        from app.audio.decode import decode_file
        from app.domain.formats import OutputFormat

        if generation.file_path is None or not generation.file_exists:
            raise FileNotFoundError(f"The music of “{generation.title}” is missing from "
                                    "the History folder.")
        self.music = await asyncio.to_thread(decode_file, generation.file_path,
                                             OutputFormat.parse(generation.output_format))
        self.generation = generation
        self._set_busy(False)
        gone = (f" The video {', '.join(missing)} is no longer there: choose it again to "
                "export." if missing else "")
        seconds = self.music.duration_ms / 1000
        self.status.setText(f"“{generation.title}” from History ({seconds:.1f} s). Play "
                            f"it, or export the video with it.{gone}")

    def cancel(self) -> None:
        self._runner.cancel(self.TASK)
        self._set_busy(False)
        self.status.setText("Stopped. Your videos are unchanged.")

    def play(self) -> None:
        if self.music is not None:
            self._ctx.player.load(self.music)
            self._ctx.player.play()

    def export_to(self, path: str) -> None:
        if self.music is None or not self.videos:
            return
        music, video = self.music, self.videos[0]
        self.status.setText("Writing the video…")
        self._runner.restart(f"{self.TASK}.export", lambda: self._export(video, music,
                                                                          Path(path)))

    async def _export(self, video: Path, music: AudioClip, out: Path) -> None:
        from app.services.video_music_history import record_exported_video
        from app.services.video_soundtrack import replace_soundtrack

        await asyncio.to_thread(replace_soundtrack, video, music, out)
        kept = ""
        if self.generation is not None:
            updated = await asyncio.to_thread(record_exported_video, self._ctx.history,
                                              self.generation, out)
            if updated is not None:
                self.generation, kept = updated, " History notes where it is."
                self.generation_saved.emit(updated)
        self.status.setText(f"Saved {out.name}: the first video's pictures with the "
                            f"music.{kept}")

    def _on_failed(self, name: str, exc: object) -> None:
        if name.startswith(self.TASK):
            self._set_busy(False)
            reason = describe_error(exc).as_text() if isinstance(exc, BaseException) else exc
            self.status.setText(f"That did not work: {reason}")


__all__ = ["VideoMusicDialog"]
