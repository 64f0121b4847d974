"""Record… (Ctrl+R): record from the microphone, then transcribe the recording.

Recording starts when the dialog opens; a level meter and the time show it is hearing
something. Pause / Resume, Stop and transcribe (the recording is queued with the settings
shown in the tab), Cancel (nothing is kept). The stream and the file are handled by the
Qt-free recorder (app/audio/recorder.py): opening and closing run in worker threads, and
the meter is polled, never signalled from the audio thread.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.accessible_names import name_controls
from app.ui.qt_async import TaskRunner

if TYPE_CHECKING:
    from app.audio.recorder import Recorder

SAMPLE_RATE_HZ = 16000  # plenty for speech; the device's own rate if it cannot do this
POLL_MS = 50
TASK = "record.audio"


def _clock(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


class RecordDialog(QDialog):
    recorded = Signal(object)  # Path of the finished recording

    def __init__(self, folder: Path, runner: TaskRunner, parent: QWidget | None = None,
                 device: str | int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcripts.record_dialog")
        self.setWindowTitle("Record")
        self._runner = runner
        self.path = folder / f"Recording {datetime.now():%Y-%m-%d %H-%M-%S}.wav"
        self.recorder: Recorder | None = None
        self._device = device
        self.message = QLabel("Opening the microphone…", self)
        self.message.setObjectName("transcripts.record_message")
        self.message.setWordWrap(True)
        self.level = QProgressBar(self)
        self.level.setObjectName("transcripts.record_level")
        self.level.setRange(0, 100)
        self.level.setTextVisible(False)
        self.time = QLabel("0:00", self)
        self.time.setObjectName("transcripts.record_time")
        self.pause_button = self._button("transcripts.record_pause", "Pause",
                                         "Pause the recording; Resume goes on in the same file")
        self.stop_button = self._button("transcripts.record_stop", "Stop and transcribe",
                                        "Finish the recording and queue it for transcription")
        self.cancel_button = self._button("transcripts.record_cancel", "Cancel",
                                          "Stop and throw the recording away")
        meter = QHBoxLayout()
        meter.addWidget(self.level, 1)
        meter.addWidget(self.time)
        buttons = QHBoxLayout()
        for button in (self.pause_button, self.stop_button, self.cancel_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(meter)
        layout.addLayout(buttons)
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.stop_button.clicked.connect(self.stop)
        self.cancel_button.clicked.connect(self.reject)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.finished.connect(self.deleteLater)
        self._set_running(False)
        name_controls(self)  # (made after the tab was named: the level had no name)
        self.resize(420, self.sizeHint().height())

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        return button

    def _set_running(self, running: bool) -> None:
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)

    # -- start, stop, cancel ---------------------------------------------------------
    def start(self) -> None:
        from app.audio.player import AudioDeviceError
        from app.audio.recorder import Recorder

        recorder = Recorder(self.path, sample_rate_hz=SAMPLE_RATE_HZ, device=self._device)
        self.recorder = recorder

        async def open_input() -> None:
            opening = asyncio.ensure_future(asyncio.to_thread(recorder.start))
            try:
                await asyncio.shield(opening)
            except asyncio.CancelledError:
                # Cancelled while opening: let the opening end first (a thread cannot be
                # stopped), so the cancel that follows closes what it opened.
                with contextlib.suppress(Exception):
                    await asyncio.shield(opening)
                raise
            except AudioDeviceError as exc:
                chosen = (f" The microphone chosen in Settings is “{self._device}”; choose "
                          "another there (or System default) if it is not this computer's."
                          if self._device is not None else "")
                self.message.setText(f"{exc}{chosen} Then close this window and try again.")
                return
            self.message.setText("Recording… Speak now; the bar shows what the microphone "
                                 "hears.")
            self._set_running(True)
            # Cancel was the one button enabled while the microphone opened, so it kept
            # the focus, and with it Enter: pressed to finish, Enter threw the
            # recording away. Stop and transcribe is what the user presses next.
            self.stop_button.setFocus(Qt.FocusReason.OtherFocusReason)
            self._timer.start()

        self._runner.restart(TASK, open_input)

    def _on_pause_clicked(self) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        if recorder.state.value == "paused":
            recorder.resume()
            self.pause_button.setText("Pause")
            self.message.setText("Recording…")
        else:
            recorder.pause()
            self.pause_button.setText("Resume")
            self.message.setText("Paused: nothing is recorded until you press Resume.")

    def stop(self) -> None:
        """Finish the file (in a worker thread), then hand it on and close."""
        recorder = self.recorder
        if recorder is None:
            return
        from app.audio.player import AudioDeviceError

        self._timer.stop()
        self._set_running(False)
        self.cancel_button.setEnabled(False)
        self.message.setText("Saving the recording…")

        async def finish() -> None:
            try:
                path = await asyncio.to_thread(recorder.stop)
            except AudioDeviceError as exc:
                self.message.setText(str(exc))
                self.cancel_button.setEnabled(True)
                return
            self.recorder = None
            self.recorded.emit(path)
            self.accept()

        self._runner.restart(TASK, finish)

    def reject(self) -> None:
        """Cancel (or the window closed): stop and delete what was recorded."""
        recorder, self.recorder = self.recorder, None
        self._timer.stop()
        if recorder is not None:
            self._runner.restart(TASK, lambda: asyncio.to_thread(recorder.cancel))
        super().reject()

    # -- the meter -------------------------------------------------------------------
    def _on_timer_timeout(self) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        self.level.setValue(round(recorder.take_peak() * 100))
        self.time.setText(_clock(recorder.duration_ms))
