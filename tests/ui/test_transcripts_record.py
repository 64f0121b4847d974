"""Record… through the window: the default ALSA input reads speech from a file (the
test "microphone", tests/support/alsa_sink.py), the dialog's meter moves, pause and
resume work, and Stop queues the WAV, which the local engine transcribes. The WAV holds
exactly the samples the microphone heard. Cancel keeps nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.engine.espeak import Espeak
from app.ui.transcripts.record_dialog import SAMPLE_RATE_HZ, RecordDialog
from tests.support.alsa_sink import write_capture

WAIT_MS = 120_000


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    espeak = Espeak()
    synthesis = espeak.synthesize("hello and welcome to the show",
                                  espeak.voice_for_language("en") or "en")
    samples = synthesis.samples.astype(np.float32) / 32768.0
    assert synthesis.sample_rate_hz in (SAMPLE_RATE_HZ, 22050)
    return samples


def _dialog(studio: Any) -> RecordDialog:
    dialog = studio.window.findChild(RecordDialog, "transcripts.record_dialog")
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_record_pause_resume_stop_and_transcribe(
        launch: Any, engine_url: str, qtbot: Any, alsa_capture_file: Path,
        speech: np.ndarray) -> None:
    write_capture(alsa_capture_file, speech)
    studio = launch(engine_url=engine_url)
    window = studio.window
    window.show_tab("transcripts")
    tab = window.transcripts_tab
    tab.viewer.view.setFocus()
    tab.activateWindow()
    qtbot.waitUntil(tab.viewer.view.hasFocus, timeout=5000)
    qtbot.keyClick(tab.viewer.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = _dialog(studio)
    shown: list[int] = []
    dialog.level.valueChanged.connect(shown.append)  # (before the meter's first look)
    qtbot.waitUntil(lambda: dialog.stop_button.isEnabled(), timeout=20_000)
    recorder = dialog.recorder
    assert recorder is not None
    qtbot.waitUntil(lambda: max(shown, default=0) > 5, timeout=10_000)  # the meter moved
    qtbot.waitUntil(lambda: recorder.frames >= len(speech), timeout=20_000)
    dialog.pause_button.click()
    assert dialog.pause_button.text() == "Resume" and "Paused" in dialog.message.text()
    kept = recorder.frames
    qtbot.wait(50)
    assert recorder.frames == kept  # nothing recorded while paused
    dialog.pause_button.click()
    qtbot.waitUntil(lambda: recorder.frames > kept, timeout=10_000)
    path = dialog.path
    dialog.stop_button.click()
    queue = window.transcription_queue
    qtbot.waitUntil(lambda: bool(queue.jobs), timeout=30_000)
    job = queue.jobs[0]
    assert Path(job.source) == path and path.parent.name == "recordings"
    # The file holds what the microphone heard, sample for sample (16-bit).
    data, rate = sf.read(path, dtype="float32")
    assert rate == SAMPLE_RATE_HZ and len(data) >= len(speech)
    assert np.abs(data[:len(speech)] - speech).max() <= 1.5 / 32768
    qtbot.waitUntil(lambda: job.state in ("done", "failed"), timeout=WAIT_MS)
    assert job.state == "done", job.reason
    assert window.findChild(RecordDialog, "transcripts.record_dialog") is None  # closed


def test_cancel_keeps_nothing(launch: Any, engine_url: str, qtbot: Any,
                              alsa_capture_file: Path, speech: np.ndarray) -> None:
    write_capture(alsa_capture_file, speech)
    studio = launch(engine_url=engine_url)
    studio.window.show_tab("transcripts")
    studio.find(QPushButton, "transcripts.queue_record").click()
    dialog = _dialog(studio)
    qtbot.waitUntil(lambda: dialog.stop_button.isEnabled(), timeout=20_000)
    recorder = dialog.recorder
    path = dialog.path
    qtbot.waitUntil(lambda: recorder is not None and recorder.frames > 0, timeout=10_000)
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: recorder.state.value == "cancelled", timeout=10_000)
    assert not path.exists()
    assert studio.window.transcription_queue.jobs == []


def test_the_microphone_chosen_in_settings_records(
        launch: Any, engine_url: str, qtbot: Any, alsa_capture_file: Path,
        speech: np.ndarray) -> None:
    """Settings → Microphone lists the inputs; the one chosen (by name) is what Record…
    opens, it is remembered, and one that is gone says so and names where to change it."""
    from PySide6.QtWidgets import QComboBox

    write_capture(alsa_capture_file, speech)
    studio = launch(engine_url=engine_url)
    dialog = studio.window.open_settings()
    microphones = dialog.findChild(QComboBox, "settings.input_device")
    names = [microphones.itemData(i) for i in range(microphones.count())]
    assert names[0] is None and "default" in names  # System default, then the inputs
    microphones.setCurrentIndex(names.index("default"))
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert studio.ctx.settings.input_device == "default"
    studio.window.show_tab("transcripts")
    studio.find(QPushButton, "transcripts.queue_record").click()
    record = _dialog(studio)
    qtbot.waitUntil(lambda: record.stop_button.isEnabled(), timeout=20_000)
    recorder = record.recorder
    assert recorder is not None and recorder.device == "default"
    qtbot.waitUntil(lambda: recorder.frames >= len(speech), timeout=20_000)
    record.cancel_button.click()
    qtbot.waitUntil(lambda: recorder.state.value == "cancelled", timeout=10_000)

    # A microphone unplugged since: Settings keeps it, marked; Record… says what to do.
    studio.ctx.settings.input_device = "USB headset that is gone"
    dialog = studio.window.open_settings()
    microphones = dialog.findChild(QComboBox, "settings.input_device")
    assert microphones.currentText() == "USB headset that is gone (not connected)"
    dialog.reject()
    studio.find(QPushButton, "transcripts.queue_record").click()
    record = _dialog(studio)
    qtbot.waitUntil(lambda: "choose another there" in record.message.text(), timeout=20_000)
    assert "No microphone could be opened" in record.message.text()
    assert not record.stop_button.isEnabled()
    record.cancel_button.click()
    assert studio.window.transcription_queue.jobs == []
