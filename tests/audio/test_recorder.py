"""The recorder against a real sounddevice input stream: the default ALSA device reads
its "microphone" from a file (tests/support/alsa_sink.py), so the WAV written must hold
exactly those samples; pause drops input, cancel deletes the file."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from app.audio.player import AudioDeviceError
from app.audio.recorder import Recorder, RecorderState
from tests.support.alsa_sink import write_capture

RATE = 16000


def _wait(condition, timeout_s: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _voice_like(seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (0.4 * np.sin(2 * np.pi * 220 * t) * np.sin(2 * np.pi * 3 * t)).astype(np.float32)


def test_the_wav_holds_the_samples_the_microphone_heard(alsa_capture_file: Path,
                                                          tmp_path: Path) -> None:
    heard = _voice_like()
    write_capture(alsa_capture_file, heard)
    recorder = Recorder(tmp_path / "take.wav", sample_rate_hz=RATE)
    recorder.start()
    assert recorder.state is RecorderState.RECORDING
    _wait(lambda: recorder.frames >= len(heard))
    assert recorder.take_peak() > 0.3  # the loudest heard, for the meter
    path = recorder.stop()
    assert recorder.state is RecorderState.STOPPED
    data, rate = sf.read(path, dtype="float32")
    assert rate == RATE and len(data) >= len(heard)
    # 16-bit: each sample within one step of what was heard.
    assert np.abs(data[:len(heard)] - heard).max() <= 1.5 / 32768


def test_pause_drops_input_and_resume_goes_on(alsa_capture_file: Path,
                                             tmp_path: Path) -> None:
    write_capture(alsa_capture_file, _voice_like(1.0))
    recorder = Recorder(tmp_path / "take.wav", sample_rate_hz=RATE)
    recorder.start()
    _wait(lambda: recorder.frames > 0)
    recorder.pause()
    assert recorder.state is RecorderState.PAUSED
    kept = recorder.frames
    time.sleep(0.05)
    assert recorder.frames == kept
    recorder.resume()
    _wait(lambda: recorder.frames > kept)
    recorder.stop()
    assert sf.info(str(tmp_path / "take.wav")).frames == recorder.frames


def test_cancel_deletes_the_recording(alsa_capture_file: Path, tmp_path: Path) -> None:
    write_capture(alsa_capture_file, _voice_like(0.5))
    recorder = Recorder(tmp_path / "take.wav", sample_rate_hz=RATE)
    recorder.start()
    _wait(lambda: recorder.frames > 0)
    recorder.cancel()
    assert recorder.state is RecorderState.CANCELLED
    assert not (tmp_path / "take.wav").exists()


def test_a_missing_microphone_is_said_in_plain_words(tmp_path: Path) -> None:
    with pytest.raises(AudioDeviceError, match="No microphone could be opened"):
        Recorder(tmp_path / "take.wav", device="no such microphone").start()
    assert not (tmp_path / "take.wav").exists()
