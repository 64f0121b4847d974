"""The waveform strip under the transcript, through the window: nudge a word by keys and
by dragging its edge, undo back to the server's times, and loop a free range dragged on
the strip: what reaches the sound device (the ALSA file sink) is that range, twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, Qt

from app.audio.player import PlayerState
from app.domain.phrase_edit import NUDGE_MS
from app.ui.app_context import AppContext
from app.ui.shortcuts import SHORTCUTS
from app.ui.transcripts.strip_editing import MARGIN_MS, NUDGE_KEYS
from tests.support.alsa_sink import read_played
from tests.ui import test_transcripts_review as review_test
from tests.ui import test_transcripts_tab as base

ctx = base.ctx
engine_url = base.engine_url
RATE = review_test.RATE
CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def _drag(qtbot: Any, widget: Any, x1: float, x2: float) -> None:
    y = widget.height() // 2
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=QPoint(round(x1), y))
    for step in range(1, 6):
        qtbot.mouseMove(widget, QPoint(round(x1 + (x2 - x1) * step / 5), y))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=QPoint(round(x2), y))


def test_nudge_by_keys_and_drag_then_undo_and_loop_a_free_range(
        ctx: AppContext, qtbot: Any, tmp_path: Path, alsa_played_file: Path) -> None:
    tab = base.make_tab(ctx, qtbot)
    tab.open_path(review_test._recording_and_transcript(tmp_path))
    qtbot.waitUntil(lambda: tab.document.is_open and tab.playback.has_audio, timeout=30_000)
    strip = tab.strip_editing.strip
    assert strip.objectName() == "transcripts.word_strip" and strip.accessibleName()
    edited = tab.document.edited
    assert edited is not None
    talk = next(w.index for w in edited.words if w.text == "talk")
    server = edited.words[talk]
    tab.select_word(talk, seek=False)
    qtbot.waitUntil(lambda: strip.peaks is not None, timeout=10_000)  # made in a worker
    assert strip.word == (talk, server.start_ms, server.end_ms)
    assert strip.span[0] < 2300 and strip.span[1] > 4300  # the whole sentence's paragraph
    # The middle sentence is the loudest stretch of the strip's waveform.
    peak_at = strip.span[0] + int(np.argmax(strip.peaks)) * (
        strip.span[1] - strip.span[0]) / len(strip.peaks)
    assert 0 <= peak_at <= 7000

    # Keys (in the shortcut map): start later, end earlier.
    assert {s.key().toString() for s in tab.strip_editing.shortcuts} == {
        SHORTCUTS[name].keys for name in NUDGE_KEYS}
    view = tab.viewer.view
    view.setFocus()
    tab.activateWindow()
    qtbot.waitUntil(view.hasFocus, timeout=5000)
    qtbot.keyClick(view, Qt.Key.Key_Right, CTRL_ALT)
    qtbot.keyClick(view, Qt.Key.Key_Left, CTRL_ALT | Qt.KeyboardModifier.ShiftModifier)

    def times() -> tuple[int, int]:
        word = tab.document.edited.words[talk]  # type: ignore[union-attr]
        return word.start_ms, word.end_ms

    assert times() == (server.start_ms + NUDGE_MS, server.end_ms - NUDGE_MS)
    assert strip.word == (talk, *times())

    # The mouse: drag the word's end 250 ms later.
    before = times()
    _drag(qtbot, strip, strip.x_of(before[1]), strip.x_of(before[1] + 250))
    per_px = (strip.span[1] - strip.span[0]) / strip.width()
    assert times()[0] == before[0]
    assert abs(times()[1] - (before[1] + 250)) <= 2 * per_px
    assert tab.document.edits.timings[talk] == times()

    # Undo all three: the server's times again.
    for _ in range(3):
        tab.document.undo_stack.undo()
    assert times() == (server.start_ms, server.end_ms)
    assert talk not in tab.document.edits.timings

    # Split the paragraph before the word: the strip follows, from the word on.
    base.press(qtbot, tab.phrases.split_button)
    assert strip.span[0] == server.start_ms - MARGIN_MS
    tab.document.undo_stack.undo()
    assert strip.span[0] < 2300

    # A free range inside the middle sentence (550 Hz), looped twice.
    tab.review.max_loops = 2
    alsa_played_file.write_bytes(b"")
    _drag(qtbot, strip, strip.x_of(2600), strip.x_of(3600))
    review = tab.review
    assert review.free_loop is not None
    start, end = review.free_loop
    assert abs(start - 2600) <= 2 * per_px and abs(end - 3600) <= 2 * per_px
    qtbot.waitUntil(lambda: review.active is not None
                    and tab.playback.player.state is PlayerState.FINISHED, timeout=60_000)
    active = review.active
    assert active is not None and active.error is None
    assert active.loop_ms == (start, end)
    assert strip.playhead is not None and start <= strip.playhead <= end  # followed
    heard = review_test._sounding(read_played(alsa_played_file)[:, 0])
    expected = 2 * (end - start) / 1000 * RATE
    assert abs(len(heard) - expected) / expected < 0.03  # the range, twice, nothing else
    spectrum = np.abs(np.fft.rfft(heard[: RATE // 2] * np.hanning(RATE // 2)))
    assert abs(float(np.argmax(spectrum)) * 2 - 550.0) <= 6.0
    # A click on the strip (no drag) ends the free loop.
    _drag(qtbot, strip, strip.x_of(3000), strip.x_of(3000))
    assert review.free_loop is None
