"""A transcript of a long recording (over LONG_FILE_S): the recording is never decoded
whole. It plays from disk; a click on a word near its end is heard from there (the tone
of the last part, on the ALSA file sink); the review speed stretches what is read from
disk; a seek on the player itself while reviewing at 1.25× goes on from the new place,
still stretched; the strip's and the bar's waveforms come from spans and blocks.

The recording is 320 s of 8 kHz mono: 440 Hz up to 295 s, 660 Hz after, so the pitch
heard says which part plays. The player holds a window of it, never all of it
(counted: the frames in the player's buffer)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QToolButton

from app.audio import decode, file_stream
from app.audio.file_stream import LONG_FILE_S
from app.audio.player import PlayerState
from app.ui.app_context import AppContext
from app.ui.transcripts.strip_editing import PEAKS_TASK
from tests.support.alsa_sink import read_played
from tests.ui import test_transcripts_tab as base

ctx = base.ctx
engine_url = base.engine_url
RATE = 8000
LENGTH_S = 320
LATE_S = 295  # the 660 Hz part starts here
WORDS = [("Hello", 1.0), ("there.", 1.5), ("Goodbye", 305.0), ("now.", 305.5)]


def _long_recording_and_transcript(folder: Path) -> Path:
    """long.wav (written in blocks of 10 s) and long.json beside it."""
    assert LENGTH_S > LONG_FILE_S
    wav = folder / "long.wav"
    with sf.SoundFile(wav, "w", RATE, 1, subtype="PCM_16") as out:
        for start in range(0, LENGTH_S, 10):
            t = np.arange(start * RATE, (start + 10) * RATE) / RATE
            hz = np.where(t < LATE_S, 440.0, 660.0)
            out.write((0.4 * np.sin(2 * np.pi * hz * t)).astype(np.float32))
    words: list[dict[str, Any]] = []
    for text, at in WORDS:
        if words:
            words.append({"text": " ", "type": "spacing", "start": words[-1]["end"],
                          "end": at, "speaker_id": "speaker_0"})
        words.append({"text": text, "type": "word", "start": at, "end": at + 0.5,
                      "speaker_id": "speaker_0", "logprob": -0.01})
    transcript = {"language_code": "en", "language_probability": 1.0,
                  "text": " ".join(t for t, _ in WORDS), "words": words}
    path = folder / "long.json"
    path.write_text(json.dumps(transcript), encoding="utf-8")
    return path


def _sounding() -> np.ndarray:
    """What sounded on the sink since it was emptied (silent 10 ms blocks left out)."""
    from tests.conftest import ALSA_PLAYED_FILE

    heard = read_played(ALSA_PLAYED_FILE)[:, 0]
    block = RATE // 100
    n = len(heard) // block
    blocks = heard[: n * block].reshape(n, block)
    return blocks[np.sqrt(np.mean(blocks ** 2, axis=1)) > 0.1].reshape(-1)


def _first_pitch(qtbot: Any) -> float:
    """The pitch of the second half second that sounded since the sink was emptied (the
    first may still be blocks queued in the device before a seek). The test sink is not
    paced like a sound card, so what came first is told by order, never by time."""
    qtbot.waitUntil(lambda: len(_sounding()) >= RATE, timeout=30_000)
    part = _sounding()[RATE // 2:RATE]
    spectrum = np.abs(np.fft.rfft(part * np.hanning(len(part))))
    return float(np.argmax(spectrum)) * RATE / len(part)


@pytest.fixture
def opened(ctx: AppContext, qtbot: Any, tmp_path: Path, monkeypatch: Any) -> Any:
    """The tab with the long recording's transcript open and its recording linked;
    a decode of the whole recording fails the test."""
    json_path = _long_recording_and_transcript(tmp_path)
    wav = json_path.with_suffix(".wav")
    real_decode = decode.decode_file

    def no_whole_decode(path: Path, *args: Any, **kwargs: Any) -> Any:
        assert Path(path) != wav, "the long recording was decoded whole"
        return real_decode(path, *args, **kwargs)

    monkeypatch.setattr(decode, "decode_file", no_whole_decode)
    tab = base.make_tab(ctx, qtbot)
    tab.open_path(json_path)
    qtbot.waitUntil(lambda: (tab.document.is_open and tab.playback.has_audio
                             and tab.playback.is_ours())  # (opened in a worker)
                    or tab.error_banner.isVisible(), timeout=30_000)
    assert not tab.error_banner.isVisible(), tab.error_banner.text()
    return tab


def _held_frames(ctx: AppContext) -> int:
    return len(ctx.player._buffer)  # type: ignore[attr-defined]


def test_a_long_recording_plays_from_disk_and_a_late_word_is_heard(
        opened: Any, ctx: AppContext, qtbot: Any, alsa_played_file: Path) -> None:
    tab = opened
    bar = tab._test_keep[1]
    assert tab.playback.clip.duration_ms == LENGTH_S * 1000
    assert ctx.player.duration_ms == LENGTH_S * 1000  # the player knows its length
    # The bar's waveform comes from the file, read in blocks.
    qtbot.waitUntil(lambda: len(bar.waveform_peaks()) > 0, timeout=60_000)
    assert "read" in tab.status.text()

    base.click_word(tab, qtbot, 4)  # "Goodbye", at 305 s
    assert tab.model.current_word == 4
    assert abs(ctx.player.position_ms - (305_000 - 40)) <= 20
    bar.findChild(QToolButton, "player.play").click()
    assert abs(_first_pitch(qtbot) - 660.0) <= 10  # from the late word on
    assert ctx.player.position_ms >= 305_000 - 40
    assert _held_frames(ctx) < LENGTH_S * RATE // 4  # a window of it, not all of it
    # The strip under the paragraph shows its waveform, read from that span only.
    qtbot.waitUntil(lambda: tab.strip_editing.strip.peaks is not None, timeout=20_000)
    assert float(np.max(tab.strip_editing.strip.peaks)) > 0.2


def test_review_speed_plays_a_long_recording_from_disk_and_follows_player_seeks(
        opened: Any, ctx: AppContext, qtbot: Any, alsa_played_file: Path) -> None:
    tab = opened
    review = tab.review
    player = ctx.player
    review.speed.setCurrentIndex(review.speed.findData(1.25))
    tab.playback.seek(0)
    tab.playback.toggle()  # Play: at 1.25×, stretched from the recording on disk
    qtbot.waitUntil(review.is_streaming, timeout=30_000)
    assert abs(_first_pitch(qtbot) - 440.0) <= 10  # from the start
    assert player.state in (PlayerState.PLAYING, PlayerState.BUFFERING)

    # A seek on the player itself, in the stretched stream's time: 240 s of it are
    # 300 s of the recording, in its 660 Hz part, far past what was made.
    alsa_played_file.write_bytes(b"")
    player.seek(240_000)
    assert abs(_first_pitch(qtbot) - 660.0) <= 10  # from 300 s on (440 Hz before)
    assert review.is_streaming() and review.active.speed == 1.25
    heard = tab.playback.heard_clip_ms()
    assert 299_000 <= heard <= LENGTH_S * 1000, heard
    assert _held_frames(ctx) < LENGTH_S * RATE // 4


def test_a_long_recording_gone_since_it_was_linked_says_so_when_played(
        opened: Any, ctx: AppContext, qtbot: Any, tmp_path: Path, caplog: Any) -> None:
    """The file is read from disk as it plays, so moving it away after linking used to
    fail in silence: Play did nothing. Now the banner says what happened and what to do,
    and the transcript stays as it was."""
    tab = opened
    saved = tab.document.to_json()
    from app.audio.clip import AudioClip

    bar = tab._test_keep[1]
    qtbot.waitUntil(lambda: len(bar.waveform_peaks()) > 0, timeout=60_000)  # all read
    ctx.player.load(AudioClip(np.zeros(800, np.float32), RATE))  # another tab played
    (tmp_path / "long.wav").rename(tmp_path / "moved.wav")
    base.click_word(tab, qtbot, 4)  # the recording is taken back from disk: not there
    qtbot.waitUntil(tab.error_banner.isVisible, timeout=10_000)
    said = tab.error_banner.text()
    assert "long.wav" in said and "moved, renamed or deleted" in said
    assert "Link audio" in said
    # The strip under the paragraph tries the file too (its task began with the click):
    # the same words, never a second, vaguer error.
    qtbot.waitUntil(lambda: not tab.strip_editing._runner.is_running(PEAKS_TASK),
                    timeout=10_000)
    assert not [r for r in caplog.records if r.name == "app.ui.qt_async"]
    assert "moved, renamed or deleted" in tab.error_banner.text()
    assert tab.document.to_json() == saved and tab.document.is_open


OPENING = "Opening the recording…"


def test_a_slow_disk_never_freezes_the_window_and_the_clicked_word_plays_once_open(
        opened: Any, ctx: AppContext, qtbot: Any, alsa_played_file: Path,
        monkeypatch: Any) -> None:
    """Opening the recording (its header) blocks for as long as a sleeping USB disk or a
    network drive takes: it used to block the window's thread, so the whole window froze.
    Now it opens in a worker: the window's event loop keeps running (a timer keeps
    firing while the opening is held), the status says so, and once open the clicked
    word is sought and Play (pressed meanwhile) plays it."""
    from app.audio.clip import AudioClip

    tab = opened
    bar = tab._test_keep[1]
    qtbot.waitUntil(lambda: len(bar.waveform_peaks()) > 0, timeout=60_000)  # all read
    ctx.player.load(AudioClip(np.zeros(800, np.float32), RATE))  # another tab played

    ticks = 0

    def tick() -> None:
        nonlocal ticks
        ticks += 1

    timer = QTimer(tab)
    timer.timeout.connect(tick)
    timer.start(5)
    entered, release = threading.Event(), threading.Event()
    ticks_while_held: list[int] = []
    real_open = file_stream.open_reader

    def slow_open(path: Path) -> Any:
        entered.set()
        before = ticks
        release.wait(10)  # (a generous bound: without the fix this is the window's thread)
        ticks_while_held.append(ticks - before)
        return real_open(path)

    monkeypatch.setattr(file_stream, "open_reader", slow_open)
    alsa_played_file.write_bytes(b"")
    base.click_word(tab, qtbot, 4)  # "Goodbye", at 305 s: the recording is opened again
    qtbot.keyClick(tab.viewer.view, Qt.Key.Key_Space)  # and Play, while it opens
    qtbot.waitUntil(entered.is_set, timeout=10_000)
    held_at = ticks
    qtbot.waitUntil(lambda: ticks >= held_at + 5, timeout=20_000)
    assert not ticks_while_held  # still held, and the window ran meanwhile
    qtbot.waitUntil(lambda: tab.status.text() == OPENING, timeout=20_000)
    release.set()
    qtbot.waitUntil(lambda: bool(ticks_while_held), timeout=10_000)
    assert ticks_while_held[0] >= 5  # the window ran meanwhile
    assert abs(_first_pitch(qtbot) - 660.0) <= 10  # the clicked word, once open
    assert tab.model.current_word == 4
    assert ctx.player.position_ms >= 305_000 - 40
    assert tab.status.text() != OPENING
    assert not tab.error_banner.isVisible()
    timer.stop()
