"""Music for a video: choose one or more videos, describe the music (and tags), get
music as long as the videos played one after another (`POST /v1/music/video-to-music`),
see it against a poster strip of the videos, hear it, and export the videos with it:
each video written again with its own slice of the music as its sound (several videos go
into a chosen folder, one file each, named after them; video_soundtrack.py).
The music is kept in History (a `music` row, `video_music_history.py`), with the videos
exported from it, and a History row re-opens here (`load_generation`)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

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

from app.api.errors import ApiProtocolError
from app.api.music_video import MusicVideoService
from app.audio.clip import AudioClip
from app.library.history import Generation
from app.ui.app_context import AppContext
from app.ui.errors import describe_error
from app.ui.keyboard import enter_pays_only_when_aimed
from app.ui.qt_async import TaskRunner
from app.ui.widgets.file_dialogs import ask_folder_path, ask_open_paths, ask_save_path

if TYPE_CHECKING:
    from app.services.video_soundtrack import SoundtrackJob

MAX_TAGS, MAX_DESCRIPTION = 10, 1000  # the API's limits (openapi: video-to-music form)
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
        self._export_stop: threading.Event | None = None  # the running export's stop
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
                                          "Save the video with this music as its sound "
                                          "(each video with its part of the music)")
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
        self.export_button.clicked.connect(self._ask_where)
        runner.task_failed.connect(self._on_failed)
        runner.reports(self.TASK, f"{self.TASK}.")
        # Enter presses the button that has the focus (none took it: Space only), and
        # nothing when typed in a field; Make is paid.
        enter_pays_only_when_aimed(self, self.choose_button, self.make_button,
                                   self.cancel_button, self.play_button, self.export_button)
        self._set_busy(False)

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        # No button takes Enter typed in a field: the first one, Choose videos…, did (a
        # dialog's buttons are "auto default"), and Make is paid.
        button.setAutoDefault(False)
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
        several = len(self.videos) > 1
        self.export_button.setText("Export videos…" if several else "Export video…")
        self.export_button.setAccessibleName("Export videos" if several else "Export video")
        self._set_busy(False)
        if self.videos:
            self._runner.restart(f"{self.TASK}.strip", self._show_strip)

    async def _show_strip(self) -> None:
        from app.services.video_soundtrack import NoPictures
        from app.services.video_strip import poster_strip

        try:
            picture = await asyncio.to_thread(poster_strip, list(self.videos))
        except NoPictures as exc:  # names the video: the others stay chosen
            self.strip.clear()
            self.status.setText(f"{exc} Choose the videos again without it, or another "
                                "file in its place.")
            return
        except Exception:  # PyAV's errors: not a video it can read
            self.strip.clear()
            self.status.setText("These files show no pictures here: one may not be a video. "
                                "Choose the videos again.")
            return
        h, w = picture.shape[:2]
        image = QImage(picture.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self.strip.setPixmap(QPixmap.fromImage(image))

    def make(self) -> None:
        tags = [t.strip() for t in self.tags.text().split(",") if t.strip()]
        # The API's limits, said before asking (its refusal would name JSON fields).
        if len(tags) > MAX_TAGS:
            self.status.setText(f"Use at most {MAX_TAGS} tags (there are {len(tags)}): "
                                "remove some, then press Make music again.")
            return
        if len(self.description.text().strip()) > MAX_DESCRIPTION:
            self.status.setText(f"Describe the music in at most {MAX_DESCRIPTION} characters "
                                f"(there are {len(self.description.text().strip())}): "
                                "shorten it, then press Make music again.")
            return
        self._set_busy(True)
        self.status.setText(f"Making music for the {_videos(len(self.videos))}… "
                            "(Cancel stops it)")
        self._runner.restart(self.TASK, lambda: self._make(self.description.text(), tags))

    async def _make(self, description: str, tags: list[str]) -> None:
        from app.audio.decode import decode_bytes
        from app.domain.formats import OutputFormat
        from app.services.video_files import read_videos
        from app.services.video_music_history import save_video_music

        chosen = list(self.videos)
        videos = await asyncio.to_thread(read_videos, chosen)  # NoPictures names one
        try:
            audio, info = await MusicVideoService(self._ctx.client).video_to_music(
                videos, description=description, tags=tags, model_id=self._model_id,
                output_format=self.OUTPUT_FORMAT)
        except ApiProtocolError as exc:
            if exc.info is not None:  # made (and charged), then an unusable answer
                await self._ctx.costs.video_music(chosen, exc.info, None)
            raise
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
        self.status.setText(f"Music of {self.music.duration_ms / 1000:.1f} s for the "
                            f"{_videos(len(chosen))}, kept in History. Play it, or "
                            f"{_export_words(len(chosen))}.")
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
        self._runner.restart(f"{self.TASK}.open", lambda: self._open(generation, missing,
                                                                      list(record.videos)))

    async def _open(self, generation: Generation, missing: list[str],
                    videos: list[Path]) -> None:
        from app.audio.decode import decode_file
        from app.domain.formats import OutputFormat

        if generation.file_path is None or not generation.file_exists:
            raise FileNotFoundError(f"The music of “{generation.title}” is missing from "
                                    "the History folder.")
        self.music = await asyncio.to_thread(decode_file, generation.file_path,
                                             OutputFormat.parse(generation.output_format))
        self.generation = generation
        self._set_busy(False)
        several = len(missing) > 1
        gone = (f" The {_videos(len(missing))} {', '.join(missing)} "
                f"{'are' if several else 'is'} no longer there: choose "
                f"{'them' if several else 'it'} again to export." if missing else "")
        seconds = self.music.duration_ms / 1000
        self.status.setText(f"“{generation.title}” from History ({seconds:.1f} s). Play "
                            f"it, or {_export_words(len(videos))}.{gone}")

    def cancel(self) -> None:
        if self._export_stop is not None:  # at once: the worker stops at its next picture
            self._export_stop.set()
        exporting = self._runner.cancel(f"{self.TASK}.export")
        self._runner.cancel(self.TASK)
        self._set_busy(False)
        self.status.setText("Stopped: no video was written. Your videos are unchanged."
                            if exporting else "Stopped. Your videos are unchanged.")

    def done(self, result: int) -> None:
        # Escape or the title bar's close while music is asked for or a video written:
        # stop it as Cancel does. Left running, the window (deleted on close) was still
        # being written to, and a request went on that nobody could see any more.
        if self._export_stop is not None:
            self._export_stop.set()
        for name in (self.TASK, f"{self.TASK}.export", f"{self.TASK}.strip",
                     f"{self.TASK}.open"):
            self._runner.cancel(name)
        super().done(result)

    def play(self) -> None:
        if self.music is not None:
            self._ctx.player.load(self.music)
            self._ctx.player.play()

    def _ask_where(self) -> None:
        if len(self.videos) > 1:  # one file a video, named after it: ask for a folder
            ask_folder_path(self, "music.video_folder_dialog",
                            "Choose a folder for the videos with music",
                            str(self.videos[0].parent), self.export_into)
            return
        ask_save_path(
            self, "music.video_save_dialog", "Export the video with its music",
            str(self.videos[0].with_name(self.videos[0].stem + " with music.mp4"))
            if self.videos else "video with music.mp4", self.export_to, "MP4 video (*.mp4)")

    def export_to(self, path: str) -> None:
        """Write the one chosen video with the music to `path`. With several videos,
        each is written next to `path`, named after itself (as `export_into`)."""
        if len(self.videos) > 1:
            self.export_into(str(Path(path).parent))
        elif self.videos:
            self._start_export(list(self.videos), [Path(path)])

    def export_into(self, folder: str) -> None:
        """Write each chosen video, with its slice of the music, into `folder` as
        '<its name> with music.mp4' (never over an existing file)."""
        from app.services.video_soundtrack import output_names

        if self.videos:
            videos = list(self.videos)
            self._start_export(videos, output_names(videos, Path(folder)))

    def _start_export(self, videos: list[Path], outs: list[Path]) -> None:
        if self.music is None:
            return
        music = self.music
        self._set_busy(True)
        self.status.setText(f"Writing {'the videos' if len(videos) > 1 else 'the video'}… "
                            "(Cancel stops it)")
        self._runner.restart(f"{self.TASK}.export",
                             lambda: self._export(videos, outs, music))

    async def _export(self, videos: list[Path], outs: list[Path], music: AudioClip) -> None:
        from app.services.video_music_history import record_exported_videos
        from app.services.video_soundtrack import (
            plan_soundtracks,
            replace_soundtracks,
        )

        loop = asyncio.get_running_loop()
        stop = self._export_stop = threading.Event()

        def show(text: str) -> None:  # a report that arrives after Cancel is not shown
            if not stop.is_set():
                self.status.setText(text)

        def progress(index: int, job: SoundtrackJob) -> None:  # from the worker thread
            if len(videos) > 1:
                loop.call_soon_threadsafe(show, f"Writing video {index + 1} of "
                                          f"{len(videos)}: {job.out.name}… (Cancel stops it)")

        def write() -> list[SoundtrackJob]:
            jobs = plan_soundtracks(videos, outs)
            replace_soundtracks(jobs, music, stop, progress)
            return jobs

        writing = asyncio.ensure_future(asyncio.to_thread(write))
        try:
            jobs = await asyncio.shield(writing)
        except asyncio.CancelledError:
            # A thread cannot be cancelled: tell it to stop, and let it remove its
            # partial files before this task ends (a new export waits for that).
            stop.set()
            with contextlib.suppress(Exception):
                await asyncio.shield(writing)
            raise
        kept = ""
        if self.generation is not None:
            updated = await asyncio.to_thread(record_exported_videos, self._ctx.history,
                                              self.generation, outs)
            if updated is not None:
                self.generation = updated
                kept = " History notes where they are." if len(outs) > 1 else \
                    " History notes where it is."
                self.generation_saved.emit(updated)
        self._set_busy(False)
        self.status.setText(_export_summary(jobs, music) + kept)

    def _on_failed(self, name: str, exc: object) -> None:
        if name.startswith(self.TASK):
            self._set_busy(False)
            start = ("No video was written: " if name.endswith(".export")
                     else "That did not work: ")
            self.status.setText(start + _failure_text(exc))


def _videos(count: int) -> str:
    return "video" if count == 1 else "videos"


def _export_words(count: int) -> str:
    """What the music can be exported with: one video, or each of several with its part
    of the music."""
    if count > 1:
        return "export the videos with it (each with its own part)"
    return "export the video with it"


def _failure_text(exc: object) -> str:
    """A video without pictures is named, with what to do; the rest as any error."""
    from app.api import errors as api
    from app.services.video_soundtrack import NoPictures

    what: str | None = None
    if isinstance(exc, NoPictures):
        what = str(exc)
    elif isinstance(exc, api.BadRequestError) and exc.code == "invalid_video":
        what = exc.message  # the engine's words name the video
    elif isinstance(exc, api.ValidationError) and any(
            "videos" in f.loc for f in exc.field_errors):
        what = "; ".join(f.message for f in exc.field_errors if "videos" in f.loc)
    if what is None:
        return describe_error(exc).as_text() if isinstance(exc, BaseException) else str(exc)
    return (f"{what.rstrip('.')}. Choose the videos again without it, or with another "
            "file in its place. Your description and tags are kept.")


def _export_summary(jobs: list[SoundtrackJob], music: AudioClip) -> str:
    if len(jobs) == 1:
        return f"Saved {jobs[0].out.name}: the video with the music as its sound."
    parts = [f"{job.out.name} (music {_clock(job.start_s)}–"
             f"{_clock(job.start_s + job.length_s)})" for job in jobs]
    end = sum(job.length_s for job in jobs)
    rest = (f" The music after {_clock(end)} is under no video."
            if music.duration_ms / 1000 > end + 0.5 else "")
    return (f"Saved {len(jobs)} videos in {jobs[0].out.parent}, each with its part of the "
            f"music: {', '.join(parts)}.{rest}")


def _clock(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}"


__all__ = ["VideoMusicDialog"]
