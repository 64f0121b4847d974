"""The player bar during review playback at another speed: its time, playhead, waveform
clicks and Play are the recording's, not the stretched stream's; and a seek while the
review is paused is where Play goes on.

The player holds the stretched stream (0.75×: 9.2 s for a 6.9 s recording, its length
known only as it is made), while the bar's waveform is the recording's. A click on the
waveform sought into what had been made so far (or ended the review), the time read the
stream's, and a paused review resumed where it had been, whatever was clicked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtWidgets import QLabel, QToolButton

from app.audio.player import PlayerState
from app.ui.app_context import AppContext
from tests.support.alsa_sink import read_played
from tests.ui import test_transcripts_tab as base
from tests.ui.test_transcripts_review import RATE, _recording_and_transcript, _sounding

ctx = base.ctx
engine_url = base.engine_url


def _pitch(samples: np.ndarray) -> float:
    samples = _sounding(samples)  # (the device's silence while the stream restarts)
    assert len(samples) > RATE // 10, "nothing was heard"
    n = min(len(samples), RATE // 2)
    spectrum = np.abs(np.fft.rfft(samples[:n] * np.hanning(n)))
    return float(np.argmax(spectrum)) * RATE / n


def _played() -> Any:
    from tests.conftest import ALSA_PLAYED_FILE

    return read_played(ALSA_PLAYED_FILE)[:, 0]


def test_a_waveform_click_in_a_paused_slow_review_plays_from_there(
        ctx: AppContext, qtbot: Any, tmp_path: Path, alsa_played_file: Path) -> None:
    tab = base.make_tab(ctx, qtbot)
    tab.open_path(_recording_and_transcript(tmp_path))  # 440, 550, 660 Hz; 2.3 s each
    qtbot.waitUntil(lambda: tab.document.is_open and tab.playback.has_audio, timeout=30_000)
    review = tab.review
    review.speed.setCurrentIndex(review.speed.findData(0.75))
    bar = tab._test_keep[1]  # type: ignore[attr-defined]
    play = bar.findChild(QToolButton, "player.play")
    time_label = bar.findChild(QLabel, "player.time")
    player = tab.playback.player
    clip_ms = tab.playback.clip.duration_ms
    tab.playback.toggle()
    qtbot.waitUntil(lambda: review.is_streaming(), timeout=20_000)
    play.click()  # pause it on the bar
    qtbot.waitUntil(lambda: player.state is PlayerState.PAUSED, timeout=5_000)
    paused_at = tab.playback.heard_clip_ms()
    assert paused_at < clip_ms * 0.6, paused_at
    # The bar's time is the recording's (its length is the recording's 6.9 s).
    qtbot.waitUntil(lambda: time_label.text().endswith("/ 0:06"), timeout=5_000)

    bar.waveform.seek_requested.emit(0.8)  # as a click at 80 % of the waveform does
    target = int(clip_ms * 0.8)  # 5.5 s: the third sentence (4.6-6.6 s), 660 Hz
    assert abs(tab.playback.heard_clip_ms() - target) <= 1, tab.playback.heard_clip_ms()
    qtbot.waitUntil(lambda: time_label.text().startswith("0:05 /"), timeout=5_000)

    alsa_played_file.write_bytes(b"")
    play.click()  # go on: from where the waveform was clicked
    qtbot.waitUntil(lambda: review.is_streaming()
                    and player.state is PlayerState.FINISHED, timeout=20_000)
    heard = _played()
    assert abs(_pitch(heard) - 660.0) <= 5.0, _pitch(heard)
    # From 5.5 s to the sentence's end at 6.6 s, at 0.75×: about 1.45 s of sound.
    sounding_s = len(_sounding(heard)) / RATE
    assert 1.2 < sounding_s < 1.7, sounding_s

    # Play on the bar after the review ended plays it again, from where it is put.
    bar.waveform.seek_requested.emit(0.0)
    alsa_played_file.write_bytes(b"")
    play.click()
    qtbot.waitUntil(lambda: review.is_streaming()
                    and player.state is PlayerState.FINISHED, timeout=20_000)
    assert abs(_pitch(_played()) - 440.0) <= 5.0
