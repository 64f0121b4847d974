"""Stems of one version: separate them on the server, hear them with some muted or
soloed, and take them to a DAW (WAV files plus tempo/section marker files)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.api.errors import ApiProtocolError
from app.api.music_stems import StemService, stem_method
from app.api.music_upload import MAX_UPLOAD_BYTES
from app.domain.formats import OutputFormat
from app.library.bounded_read import NotRegularFileError, TooLargeError, read_bounded
from app.library.history import Generation
from app.ui.app_context import AppContext
from app.ui.errors import describe_error
from app.ui.music.compose_request import read_version
from app.ui.qt_async import TaskRunner
from app.ui.widgets.file_dialogs import ask_folder_path

if TYPE_CHECKING:
    from app.services.stem_mix import StemSet

VARIATIONS = (("six_stems_v1", "Six stems: vocals, drums, bass, guitar, piano, other"),
              ("two_stems_v1", "Two stems: vocals and the rest"))

PCM_RATES = (8000, 16000, 22050, 24000, 32000, 44100, 48000)  # the spec's pcm_* formats


def separated_words(count: int, method: str | None) -> str:
    """What the dialog says once the stems are here, and how they were made as far as the
    server said (the engine's `stem-method`; the cloud says nothing, and neither do we)."""
    words = f"{count} stems. Mute or solo them, play, or export them for your DAW."
    if method == "sketch-layers":
        return words + (" They are the song's own layers: the offline engine made this "
                        "song and played its parts again one by one.")
    if method == "approximate":
        return words + (" They are an approximate split: the offline engine has no "
                        "separation model for a song it did not make (see the README). "
                        "Together they are exactly the song.")
    return words


class StemsDialog(QDialog):
    """Non-modal: the window stays usable while a separation runs."""

    stems_ready = Signal()
    exported = Signal(object)  # list[Path]

    SEPARATE, MIX, EXPORT = "music.stems", "music.stems.mix", "music.stems.export"

    def __init__(self, ctx: AppContext, runner: TaskRunner, generation: Generation,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("music.stems_dialog")
        self.setWindowTitle(f"Stems — {generation.title}")
        self.setAccessibleName("Stems of a version")
        self._ctx, self._runner, self.generation = ctx, runner, generation
        self.stems: StemSet | None = None
        self._export_stop = threading.Event()  # the running export's; set when none
        self._separate_stop = threading.Event()  # the running decode's; set when none
        self._export_stop.set()
        self._mutes: dict[str, QCheckBox] = {}
        self._solos: dict[str, QCheckBox] = {}
        self._build()
        runner.task_failed.connect(self._on_task_failed)
        runner.reports(self.SEPARATE, self.MIX, self.EXPORT)
        runner.task_cancelled.connect(self._on_task_cancelled)

    def _build(self) -> None:
        self.variation = QComboBox(self)
        self.variation.setObjectName("music.stems.variation")
        self.variation.setAccessibleName("Which stems")
        for key, text in VARIATIONS:
            self.variation.addItem(text, key)
        self.separate_button = self._button("music.stems.separate", "Separate",
                                            "Ask the server to split this version into stems")
        self.cancel_button = self._button("music.stems.cancel", "Cancel",
                                          "Stop the separation")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("music.stems.progress")
        self.progress.setAccessibleName("Separation progress")
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status = QLabel("Choose the stems, then Separate. It takes about as long as "
                             "the song.", self)
        self.status.setObjectName("music.stems.status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rows = QWidget(self)
        self.rows.setObjectName("music.stems.rows")
        self.grid = QGridLayout(self.rows)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.play_button = self._button("music.stems.play", "Play",
                                        "Play the stems you hear (not muted, or soloed)")
        self.export_button = self._button("music.stems.export", "Export to folder…",
                                          "Write one WAV file a stem, and marker files a "
                                          "DAW imports (MIDI tempo/sections, Audacity, "
                                          "Reaper)")
        top = QHBoxLayout()
        top.addWidget(self.variation, 1)
        top.addWidget(self.separate_button)
        top.addWidget(self.cancel_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.play_button)
        bottom.addStretch(1)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.rows, 1)
        layout.addLayout(bottom)
        self.separate_button.clicked.connect(self.separate)
        self.cancel_button.clicked.connect(self.cancel)
        self.play_button.clicked.connect(lambda: self.remix(play=True))
        self.export_button.clicked.connect(self.ask_export_folder)
        # Enter outside a button plays the mix (once there are stems; before, it does
        # nothing). Without a default of its own the window's first button, Separate,
        # took Enter: pressed on a Mute or Solo box it paid for a second separation.
        self.play_button.setDefault(True)
        self._set_busy(False)

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.rstrip("…"))
        button.setToolTip(tip)
        return button

    def _set_busy(self, busy: bool) -> None:
        had_focus = self.focusWidget()
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0 if busy else 1)
        self.separate_button.setEnabled(not busy)
        self.variation.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.play_button.setEnabled(not busy and self.stems is not None)
        self.export_button.setEnabled(not busy and self.stems is not None)
        if had_focus is not None and not had_focus.isEnabled():
            # Separate (pressed from the keyboard) is disabled while it runs, and the
            # focus went nowhere: Space or Enter then did nothing. Cancel is what one
            # presses next while busy; Separate (or Play, once stems are there) after.
            after = self.play_button if self.play_button.isEnabled() else self.separate_button
            (self.cancel_button if busy else after).setFocus()

    # -- separating --------------------------------------------------------------------
    @property
    def offline(self) -> bool:
        """Whether the requests go to the local engine: what the backend connected to,
        not the server's address (a server playing the cloud may be on this computer)."""
        return self._ctx.is_offline

    @property
    def output_format(self) -> str:
        # Offline, lossless stems (their sum is the mix to the last bit), PCM at the
        # version's own rate so nothing is resampled on the way. With a key, MP3: 192 kbps
        # needs the Creator plan, where PCM at 44.1 kHz would need Pro.
        if not self.offline:
            return "mp3_44100_192"
        rate = 44100
        with contextlib.suppress(ValueError):
            rate = OutputFormat.parse(self.generation.output_format).sample_rate_hz
        return f"pcm_{rate}" if rate in PCM_RATES else "pcm_44100"

    def separate(self) -> None:
        path = self.generation.file_path
        if path is None or not self.generation.file_exists:
            self.status.setText("This version's audio file is missing, so it cannot be "
                                "split. Compose it again, or pick another version.")
            return
        variation = self.variation.currentData()
        self._set_busy(True)
        self.status.setText("Separating… (Cancel stops it; nothing else is lost)")
        self._runner.restart(self.SEPARATE, lambda: self._separate(path, variation))

    async def _separate(self, path: Path, variation: str) -> None:
        from app.services.stem_mix import decode_stems

        try:  # bounded, and an ordinary file only: a named pipe put there waited for ever
            audio = await asyncio.to_thread(read_bounded, path, MAX_UPLOAD_BYTES)
        except OSError as exc:
            why = ("it is a folder" if isinstance(exc, IsADirectoryError) else str(exc)
                   if isinstance(exc, NotRegularFileError | TooLargeError)
                   else exc.strerror or str(exc))
            self._set_busy(False)
            self.status.setText(f"This version's audio file {path.name} cannot be read "
                                f"({why}), so it was not sent. Compose it again, or pick "
                                "another version.")
            return
        try:
            files, info = await StemService(self._ctx.client).separate(
                audio, path.name, variation=variation, output_format=self.output_format)
        except ApiProtocolError as exc:
            if exc.info is not None:  # separated (and charged), then an unusable answer
                await self._ctx.costs.stems(path, exc.info,
                                            self.generation.duration_ms or None)
            raise
        await self._ctx.costs.stems(path, info, self.generation.duration_ms or None)
        # Decoded in a thread nobody can kill: Cancel sets the stop, which it checks
        # between stems (six long stems take a while), so it ends with the task.
        stop = self._separate_stop = threading.Event()
        try:
            self.stems = await asyncio.to_thread(decode_stems, files, self.output_format,
                                                 stop.is_set)
        finally:
            stop.set()  # a cancelled task (Cancel, the dialog closing) stops its thread
        self._show_rows()
        self._set_busy(False)
        self.status.setText(separated_words(len(self.stems.names), stem_method(info)))
        self.stems_ready.emit()

    def _show_rows(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._mutes.clear()
        self._solos.clear()
        assert self.stems is not None
        for row, name in enumerate(self.stems.names):
            label = QLabel(name.capitalize(), self.rows)
            mute = QCheckBox("Mute", self.rows)
            solo = QCheckBox("Solo", self.rows)
            for box, kind in ((mute, "mute"), (solo, "solo")):
                box.setObjectName(f"music.stems.{kind}.{name}")
                box.setAccessibleName(f"{kind.capitalize()} {name}")
                box.toggled.connect(lambda _on: self.remix(play=False))
            self._mutes[name], self._solos[name] = mute, solo
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(mute, row, 1)
            self.grid.addWidget(solo, row, 2)

    def _on_task_failed(self, name: str, exc: object) -> None:
        if name not in (self.SEPARATE, self.MIX, self.EXPORT):
            return
        self._set_busy(False)
        message = (describe_error(exc, kept="The version is unchanged.")
                   if isinstance(exc, BaseException) else None)
        what = {self.SEPARATE: "The stems could not be made",
                self.MIX: "The stems could not be played",
                self.EXPORT: "The stems could not be exported"}[name]
        self.status.setText(f"{what}: {message.as_text() if message else exc}")

    def cancel(self) -> None:
        if self._runner.is_running(self.EXPORT) and not self._export_stop.is_set():
            # The writing thread sees this before its next stem and removes what it
            # wrote; the export task then says so.
            self._export_stop.set()
            self.cancel_button.setEnabled(False)
            self.status.setText("Stopping the export…")
            return
        # Said at once: the request unwinds in the background (a new Separate waits for it).
        self._separate_stop.set()
        self._runner.cancel(self.SEPARATE)
        self._on_task_cancelled(self.SEPARATE)

    def _on_task_cancelled(self, name: str) -> None:
        if name == self.SEPARATE:
            self._set_busy(False)
            self.status.setText("Separation stopped. The version is unchanged; Separate "
                                "starts again.")

    # -- hearing -----------------------------------------------------------------------
    def audible(self) -> list[str]:
        from app.services.stem_mix import audible

        names = self.stems.names if self.stems else ()
        return audible(names, {n for n, b in self._mutes.items() if b.isChecked()},
                       {n for n, b in self._solos.items() if b.isChecked()})

    def remix(self, play: bool) -> None:
        """Mix the audible stems off the UI thread and hand them to the player, at the
        same position (so toggling while it plays only changes what is heard)."""
        if self.stems is not None:
            self._runner.restart(self.MIX, lambda: self._remix(play))

    async def _remix(self, play: bool) -> None:
        from app.audio.player import PlayerState
        from app.services.stem_mix import mix

        assert self.stems is not None
        clip = await asyncio.to_thread(mix, self.stems, set(self.audible()))
        player = self._ctx.player
        ours = abs(player.duration_ms - clip.duration_ms) < 50
        playing = ours and player.state is PlayerState.PLAYING
        if not (play or playing):
            return
        position = player.position_ms if ours and not play else 0
        player.load(clip)
        if position:
            player.seek(position)
        player.play()

    # -- exporting ---------------------------------------------------------------------
    def ask_export_folder(self) -> QFileDialog:
        return ask_folder_path(self, "music.stems.folder_dialog", "Export stems to a folder",
                               str(Path.home()), lambda folder: self.export_to(Path(folder)))

    def export_to(self, folder: Path) -> None:
        if self.stems is not None:
            self._export_stop.set()  # an export still running is replaced by this one
            stop = self._export_stop = threading.Event()
            self._set_busy(True)
            self.status.setText("Exporting… (Cancel stops it; no stems are left behind)")
            self._runner.restart(self.EXPORT, lambda: self._export(folder, stop))

    async def _export(self, folder: Path, stop: threading.Event) -> None:
        try:
            await self._write_stems(folder, stop)
        except InterruptedError:
            self.status.setText(f"Export stopped: no stems were left in {folder}.")
        finally:
            stop.set()  # a cancelled task (the dialog closing) stops its thread too
            if stop is self._export_stop:
                self._set_busy(False)

    async def _write_stems(self, folder: Path, stop: threading.Event) -> None:
        from app.services.stem_mix import export_stems
        from app.services.version_markers import version_markers

        assert self.stems is not None
        # The sections where they really fell, by the timeline's rule (not the plan's
        # lengths: the server may have made a section longer or shorter).
        version = read_version(self.generation.settings_json, self.generation.extra_json)
        markers = version_markers(version.settings, version.extra,
                                  self.generation.duration_ms or None)
        written = await asyncio.to_thread(export_stems, self.stems, folder,
                                          self.generation.title, markers.marks,
                                          markers.tempo_bpm, stop.is_set)
        # Named after the song, with " (2)"... when an earlier export had the name.
        named = written[0].name.rsplit(" - ", 1)[0] if written else ""
        self.status.setText(f"Exported {len(written)} files to {folder}, named "
                            f"“{named} - …”. {markers.summary()}")
        self.exported.emit(written)

    def done(self, result: int) -> None:
        # Not closeEvent: Escape (reject) closes a dialog without one, which left a paid
        # separation running for a window already deleted. done() is where Escape, the
        # title bar's close and accept/reject all pass.
        self._export_stop.set()
        for name in (self.SEPARATE, self.MIX, self.EXPORT):
            with contextlib.suppress(RuntimeError):
                self._runner.cancel(name)
        super().done(result)


__all__ = ["StemsDialog"]
