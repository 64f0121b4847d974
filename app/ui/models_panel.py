"""Settings > Offline models: install, pause, resume, cancel, check and remove Piper voices
and Whisper recognisers, or install one from a folder (computers without internet).

All work (reading the models folder, downloading, copying, checking, measuring speed)
runs in a worker thread; progress comes back through a queued Qt signal, so the window
never waits. One install runs at a time. The offline engine notices a new model by
itself (app/engine/voices_installed.py): no restart needed.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# Imported with the window, not in the worker: a module's first import holds the GIL
# long enough (~0.2 s for httpx) to freeze the window mid-download.
from app.audio.player import AudioDeviceError, Player, PlayerState
from app.engine.model_speed import measure_in_subprocess
from app.library.models.catalogue import CATALOGUE, ModelEntry, human_size
from app.library.models.checks import ModelInstallError
from app.library.models.download import install_from_hub
from app.library.models.extras import fetch_sample
from app.library.models.file_check import CheckResult, check_model
from app.library.models.folder_install import install_from_folder
from app.library.models.progress import InstallCancelledError, InstallControl, InstallProgress
from app.library.models.store import ModelStore

_COLUMNS = ["Model", "Language", "Quality", "Size", "Licence", "On this computer"]


class _Bridge(QObject):
    """Carries results from worker threads to the UI thread (queued connections)."""

    progress = Signal(object)
    finished = Signal(object, object)  # (callback, result or exception)


class ModelsPanel(QWidget):
    models_changed = Signal()  # a model was installed or removed

    def __init__(self, store: ModelStore | None = None, parent: QWidget | None = None,
                 player: Player | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("models.panel")
        self.store = store or ModelStore()
        self._player = player  # the app's player; one of our own if none is given
        self._listen: InstallControl | None = None  # a sample being fetched
        self._playing_sample = False
        self._listen_timer = QTimer(self)
        self._listen_timer.setInterval(200)
        self._listen_timer.timeout.connect(self._watch_sample)
        self._bridge = _Bridge(self)
        self._bridge.progress.connect(self._on_progress)
        self._bridge.finished.connect(lambda done, result: done(result))
        self._control: InstallControl | None = None
        self._states: dict[str, str] = {}

        intro = QLabel("Neural voices (Piper) and recognisers (Whisper) that work without "
                       "internet. Models are downloaded once from the Hugging Face hub and "
                       f"kept in {self.store.root}.", self)
        intro.setWordWrap(True)
        intro.setObjectName("models.intro")
        self.table = QTableWidget(len(CATALOGUE), len(_COLUMNS), self)
        self.table.setObjectName("models.table")
        self.table.setAccessibleName("Offline models")
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, entry in enumerate(CATALOGUE):
            cells = (entry.title, entry.language, entry.quality, human_size(entry.size),
                     entry.licence, "…")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, entry.name)
                if column == _COLUMNS.index("Licence"):
                    item.setToolTip(entry.licence_text)
                self.table.setItem(row, column, item)

        self.install_button = self._button("Install", "models.install", self._install)
        self.folder_button = self._button("Install from folder…", "models.install_folder",
                                          self._install_from_folder)
        self.remove_button = self._button("Remove", "models.remove", self._remove)
        self.check_button = self._button("Check files", "models.check", self._check_files)
        self.check_button.setAccessibleDescription(
            "Reads the model's files again and compares them with the checksums kept at "
            "install, to find damage on the disk")
        self.pause_button = self._button("Pause", "models.pause", self._pause_or_resume)
        self.cancel_button = self._button("Cancel", "models.cancel", self._cancel)
        self.listen_button = self._button("Listen", "models.listen", self._listen_or_stop)
        self.listen_button.setAccessibleDescription(
            "Plays a short recording of the chosen voice, before installing it")
        self.details_button = self._button("Details…", "models.details", self._details)
        self.details_button.setAccessibleDescription(
            "Shows the model's licence and its model card from the hub")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("models.progress")
        self.progress.setAccessibleName("Install progress")
        self.progress.setRange(0, 1000)
        self.status = QLabel("Choose a model.", self)
        self.status.setObjectName("models.status")
        self.status.setWordWrap(True)

        buttons = QHBoxLayout()
        for b in (self.listen_button, self.details_button, self.install_button,
                  self.folder_button, self.remove_button, self.check_button,
                  self.pause_button, self.cancel_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        # Tab leaves the table: it walked the cells and never let go, so no button
        # could be reached from the keyboard. And Tab goes in reading order: the
        # buttons were made in another order than they sit.
        self.table.setTabKeyNavigation(False)
        order = (self.table, self.listen_button, self.details_button, self.install_button,
                 self.folder_button, self.remove_button, self.check_button,
                 self.pause_button, self.cancel_button)
        for before, after in itertools.pairwise(order):
            QWidget.setTabOrder(before, after)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.selectRow(0)
        self.refresh()

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.rstrip("…"))
        button.clicked.connect(slot)
        return button

    def stop_for_close(self) -> None:
        """The window closes: end the sample, and stop an install but keep what was
        downloaded (Continue picks it up later)."""
        if self._listen is not None:
            self._listen.cancel()
        if self._playing_sample:  # the sample belongs to this window
            self.player.stop()
            self._stop_watching()
        if self._control is not None:
            self._control.cancel(keep_partial=True)

    # -- state ------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._control is not None

    def selected(self) -> ModelEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return CATALOGUE[rows[0].row()] if rows else None

    def select(self, name: str) -> None:
        self.table.selectRow(next(i for i, e in enumerate(CATALOGUE) if e.name == name))

    def refresh(self) -> None:
        """Re-read the models folder (in a worker) and show what is installed."""
        self._in_thread(self._read_states, self._show_states)

    def _read_states(self) -> dict[str, str]:
        states = {}
        for entry in CATALOGUE:
            model = self.store.get(entry.name)
            if self.store.damaged(entry.name) is not None:
                # Install again replaces it; Remove frees its space.
                states[entry.name] = "Damaged · install it again"
                continue
            if model is not None:
                speed = model.speed_x_realtime
                states[entry.name] = "Installed" + (f" · {speed:.1f}× real time" if speed
                                                    else "")
                continue
            parts = self.store.parts_dir(entry)
            have = sum(p.stat().st_size for p in parts.glob("*.part")) if parts.is_dir() else 0
            states[entry.name] = f"Paused at {have / entry.size:.0%}" if have else "Not installed"
        return states

    def _show_states(self, states: Any) -> None:
        if isinstance(states, Exception):
            self.status.setText(f"Could not read the models folder: {states}")
            return
        self._states = states
        for row, entry in enumerate(CATALOGUE):
            item = self.table.item(row, len(_COLUMNS) - 1)
            if item is not None:
                item.setText(states.get(entry.name, ""))
        self._update_buttons()

    def _update_buttons(self) -> None:
        entry = self.selected()
        state = self._states.get(entry.name, "") if entry else ""
        installed = state.startswith("Installed")
        self.install_button.setEnabled(entry is not None and not self.busy and not installed)
        self.install_button.setText("Continue" if state.startswith("Paused") else "Install")
        self.folder_button.setEnabled(entry is not None and not self.busy)
        self.remove_button.setEnabled(entry is not None and not self.busy
                                      and (installed or state.startswith("Damaged")))
        self.check_button.setEnabled(entry is not None and not self.busy and installed)
        self.pause_button.setEnabled(self.busy)
        self.cancel_button.setEnabled(self.busy)
        self.table.setEnabled(not self.busy)
        listening = self._listen is not None or self._playing_sample
        self.listen_button.setText("Stop" if listening else "Listen")
        self.listen_button.setEnabled(listening or bool(entry and entry.sample_path))
        self.details_button.setEnabled(entry is not None)

    # -- hearing a voice, reading its card ---------------------------------------------
    @property
    def player(self) -> Player:
        if self._player is None:
            self._player = Player()
        return self._player

    def _listen_or_stop(self) -> None:
        if self._listen is not None:
            self._listen.cancel()
            self.status.setText("Stopped getting the sample.")
            return
        if self._playing_sample:
            self.player.stop()
            self._stop_watching()
            return
        entry = self.selected()
        if entry is None or not entry.sample_path:
            return
        control = InstallControl()
        self._listen = control
        self.status.setText(f"Getting a sample of {entry.title}…")
        self._update_buttons()

        def fetch() -> Any:
            from app.audio.decode import decode_file

            path = fetch_sample(entry, self.store, control=control)
            return decode_file(path)  # decoded here, not on the UI thread

        self._in_thread(fetch, lambda result: self._play_sample(entry, control, result))

    def _play_sample(self, entry: ModelEntry, control: InstallControl, result: Any) -> None:
        self._listen = None
        if isinstance(result, Exception):
            if not control.cancelled:
                self.status.setText(str(result))
            self._update_buttons()
            return
        try:
            self.player.load(result)
            self.player.play()
        except AudioDeviceError as exc:
            self.status.setText(f"Could not play the sample: {exc} Check the sound output "
                                "in Settings.")
            self._update_buttons()
            return
        self._playing_sample = True
        self._listen_timer.start()
        self.status.setText(f"Playing a sample of {entry.title} (recorded by the voice's "
                            "makers; nothing was installed).")
        self._update_buttons()

    def _watch_sample(self) -> None:
        if self.player.state not in (PlayerState.PLAYING, PlayerState.BUFFERING):
            self._stop_watching()

    def _stop_watching(self) -> None:
        self._listen_timer.stop()
        self._playing_sample = False
        self._update_buttons()

    def _details(self) -> None:
        from app.ui.model_details import ModelCardDialog

        entry = self.selected()
        if entry is None:
            return
        self.card_dialog = ModelCardDialog(entry, self.store, self)
        self.card_dialog.open()

    # -- actions ----------------------------------------------------------------------
    def _install(self) -> None:
        entry = self.selected()
        if entry is not None:
            self._start(entry, lambda c: install_from_hub(
                entry, self.store, progress=self._bridge.progress.emit, control=c))

    def _install_from_folder(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        folder = QFileDialog.getExistingDirectory(
            self, f"Folder holding the files of {entry.title}")
        if folder:
            self.install_folder(entry, Path(folder))

    def install_folder(self, entry: ModelEntry, folder: Path) -> None:
        self._start(entry, lambda c: install_from_folder(
            entry, folder, self.store, progress=self._bridge.progress.emit, control=c))

    def _start(self, entry: ModelEntry, work: Callable[[InstallControl], Any]) -> None:
        control = InstallControl()
        self._control = control
        self.pause_button.setText("Pause")
        self.progress.setValue(0)
        self.status.setText(f"Starting {entry.title}…")
        self._update_buttons()

        def run() -> Any:
            model = work(control)
            self._bridge.progress.emit(InstallProgress(entry.name, "measuring speed of",
                                                       entry.size, entry.size, 0.0))
            with contextlib.suppress(Exception):  # installed: its speed is only a nicety
                measure_in_subprocess(entry.name, str(self.store.root))
            return model

        self._in_thread(run, lambda result: self._finished(entry, result))

    def _finished(self, entry: ModelEntry, result: Any) -> None:
        self._control = None
        if isinstance(result, Exception):
            self.status.setText(str(result))
        else:
            self.progress.setValue(1000)
            self.status.setText(f"{entry.title} is installed and ready to use offline.")
            self.models_changed.emit()
        self._update_buttons()
        self.refresh()

    def _pause_or_resume(self) -> None:
        if self._control is None:
            return
        if self._control.paused:
            self._control.resume()
            self.pause_button.setText("Pause")
            self.status.setText("Continuing…")
        else:
            self._control.pause()
            self.pause_button.setText("Resume")
            self.status.setText("Paused. Press Resume to continue where it stopped.")

    def _cancel(self) -> None:
        if self._control is not None:
            self._control.cancel()
            self.status.setText("Cancelling…")

    def _check_files(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        control = InstallControl()  # Pause and Cancel work on a check as on an install
        self._control = control
        self.pause_button.setText("Pause")
        self.progress.setValue(0)
        self.status.setText(f"Checking the files of {entry.title}…")
        self._update_buttons()

        def run() -> CheckResult:
            model = self.store.get(entry.name)
            if model is None:
                raise ModelInstallError(f"{entry.title} is not installed any more: "
                                        "nothing to check.")
            return check_model(model, self.store, progress=self._bridge.progress.emit,
                               control=control)

        self._in_thread(run, lambda result: self._checked(entry, control, result))

    def _checked(self, entry: ModelEntry, control: InstallControl, result: Any) -> None:
        self._control = None
        if isinstance(result, InstallCancelledError) or control.cancelled:
            self.status.setText("Check stopped; nothing was changed.")
        elif isinstance(result, Exception):
            self.status.setText(str(result))
        else:
            self.progress.setValue(1000)
            self.status.setText(result.describe(entry.title))
            if result.damage is not None:
                self.models_changed.emit()  # no longer offered by the offline engine
        self._update_buttons()
        self.refresh()

    def _remove(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        self.status.setText(f"Removing {entry.title}…")
        def removed(result: Any) -> None:
            self.status.setText(str(result) if isinstance(result, Exception)
                                else f"{entry.title} removed.")
            if not isinstance(result, Exception):
                self.models_changed.emit()
            self.refresh()

        self._in_thread(lambda: self.store.remove(entry.name), removed)

    def _on_progress(self, p: InstallProgress) -> None:
        if self._control is None:
            return
        self.progress.setValue(round(p.fraction * 1000))
        if not self._control.paused or p.stage == "paused":
            self.status.setText(p.describe())

    def _in_thread(self, work: Callable[[], Any], done: Callable[[Any], Any]) -> None:
        def run() -> None:
            try:
                result = work()
            except Exception as exc:  # shown to the user in plain words by `done`
                result = exc
            with contextlib.suppress(RuntimeError):  # the window was closed meanwhile
                self._bridge.finished.emit(done, result)

        threading.Thread(target=run, name="offline-models", daemon=True).start()

