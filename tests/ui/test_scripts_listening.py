"""Listening in the Scripts tab, proved at the sound device (the ALSA file sink): Compare
A/B plays take A, a pause, then take B, and the tab says which take is which and which
one is under the playhead, by mouse and from the keyboard alone; the cast's ▶ plays the
voice's own preview, and a voice without one says so (and spends nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QTableView, QToolButton

from tests.support.alsa_sink import read_played
from tests.ui.test_scripts_e2e import cast_voice, statuses, tts_requests

pytestmark = pytest.mark.e2e

SARAH = "EXAVITQu4vr4xnSDxMaL"
GEORGE = "JBFqnCBsd6RMkjVDRZzb"
NO_PREVIEW = "testVoice0000xxxxxxx"  # one of the cloud test server's made-up voices
SHORT = "Hi there."
LONGER = "Hi there. It is so good to see you again after all this time."


def open_two_blocks(launch: Any, qtbot: Any, tmp_path: Path, **server: str) -> Any:
    studio = launch(**server)
    source = tmp_path / "meeting.txt"
    source.write_text(f"ANNA: {SHORT}\nBEN: Thanks.\n", encoding="utf-8")
    studio.window.open_paths([source])
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.waitUntil(lambda: table.model().rowCount() == 2, timeout=10_000)
    return studio


def located(played: np.ndarray, expected: np.ndarray) -> int | None:
    """Where `expected` starts in what the device received, lined up on the first sound
    of each (the device may get silence first); None until all of it has arrived."""
    heard = np.flatnonzero(np.abs(played).max(axis=1) > 0)
    wanted = np.flatnonzero(np.abs(expected).max(axis=1) > 0)
    if not heard.size:
        return None
    start = int(heard[0] - wanted[0])
    if start < 0 or len(played) < start + len(expected):
        return None
    return start


def assert_heard_exactly(qtbot: Any, sink: Path, expected: np.ndarray, volume: float) -> None:
    """The device received `expected` (times the volume), sample for sample, and no
    other sound before or after it."""
    channels = expected.shape[1]
    qtbot.waitUntil(lambda: located(read_played(sink, channels), expected) is not None,
                    timeout=20_000)
    played = read_played(sink, channels)
    start = located(played, expected)
    assert start is not None
    end = start + len(expected)
    np.testing.assert_allclose(played[start:end], expected * np.float32(volume), atol=1e-6)
    assert not np.any(played[:start]) and not np.any(played[end:]), "other sound was played"


def take_audio(tab: Any, block_id: str, take_id: str) -> Any:
    from app.audio.decode import decode_file
    from app.domain.formats import OutputFormat
    from app.library.script_store import take_path

    take = tab.document.script.block(block_id).take(take_id)
    return decode_file(take_path(tab.document.path, take.file),
                       OutputFormat.parse(take.output_format))


def a_then_b(tab: Any, block_id: str, take_a: str, take_b: str) -> np.ndarray:
    from app.ui.scripts.script_playback import COMPARE_GAP_MS

    a, b = take_audio(tab, block_id, take_a), take_audio(tab, block_id, take_b)
    assert a.sample_rate_hz == b.sample_rate_hz and a.channels == b.channels
    gap = np.zeros((a.sample_rate_hz * COMPARE_GAP_MS // 1000, a.channels), np.float32)
    return np.concatenate([a.samples, gap, b.samples]).astype(np.float32)


def seek_into(studio: Any, qtbot: Any, part: int) -> None:
    """Click the waveform in the middle of part 0 (A) or 1 (B), as a user would to
    hear one again."""
    timeline = studio.window.scripts_tab.playback.timeline
    segment = timeline.segments[part]
    middle = (segment.start_ms + segment.end_ms) / 2
    studio.window.player_bar.waveform.seek_requested.emit(middle / timeline.clip.duration_ms)


def test_compare_a_then_b_is_heard_in_order_and_named(launch, cloud, qtbot, tmp_path: Path,
                                                      alsa_played_file: Path) -> None:
    studio = open_two_blocks(launch, qtbot, tmp_path, cloud_url=cloud.url)
    tab = studio.window.scripts_tab
    table = studio.find(QTableView, "scripts.blocks")
    cast_voice(studio, qtbot, "ANNA", SARAH)
    cast_voice(studio, qtbot, "BEN", GEORGE)
    generate_all = studio.find(QPushButton, "scripts.generate_all")
    qtbot.waitUntil(generate_all.isEnabled)
    qtbot.mouseClick(generate_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(table) == ["done", "done"], timeout=30_000)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)

    # A second take of block 1, from a longer text: the two takes differ in length, so
    # the order they are heard in shows in the samples.
    block_id = tab.document.script.blocks[0].block_id
    tab.select_block(block_id)
    editor = tab.block_panel.editor
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, LONGER[len(SHORT):])
    qtbot.mouseClick(studio.find(QPushButton, "scripts.block_generate"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tab.document.script.block(block_id).takes) == 2,
                    timeout=20_000)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    block = tab.document.script.block(block_id)
    first, second = (t.take_id for t in block.takes)
    assert block.chosen_take_id == second  # the new take is the chosen one
    assert take_audio(tab, block_id, first).duration_ms < \
        take_audio(tab, block_id, second).duration_ms

    # Mouse: select take 1, press Compare A/B: A is the chosen take 2, then B is take 1.
    takes = tab.block_panel.takes
    compare = studio.find(QPushButton, "scripts.take_compare")
    assert not compare.isEnabled()  # nothing selected yet
    qtbot.mouseClick(takes.viewport(), Qt.MouseButton.LeftButton,
                     pos=takes.visualItemRect(takes.item(0)).center())
    assert tab.block_panel.selected_take_ids() == [first]
    assert compare.isEnabled()
    alsa_played_file.write_bytes(b"")
    qtbot.mouseClick(compare, Qt.MouseButton.LeftButton)
    status = studio.find(QLabel, "scripts.status")
    assert status.text().startswith(
        "Comparing block 1: A is take 2 (chosen), then B is take 1"), status.text()
    volume = studio.ctx.player.volume
    assert_heard_exactly(qtbot, alsa_played_file, a_then_b(tab, block_id, second, first),
                         volume)
    title = studio.find(QLabel, "player.title")
    assert title.toolTip() == "Block 1: A take 2 (chosen), B take 1"
    # Going back to either one says which it is.
    seek_into(studio, qtbot, 1)
    qtbot.waitUntil(lambda: "Now: B, take 1 (A was take 2 (chosen))" in status.text())
    seek_into(studio, qtbot, 0)
    qtbot.waitUntil(lambda: "Now: A, take 2 (chosen). Next: B, take 1." in status.text())
    qtbot.mouseClick(studio.find(QToolButton, "player.stop"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status.text().startswith("Compared block 1: A was take 2"))
    assert "select it and press Use take" in status.text()

    # Keyboard only: Alt+T goes to the takes, Home and Shift+End select both, Tab to
    # Compare A/B, Space presses it. Two selected takes play the upper one first.
    window = studio.window
    window.activateWindow()
    tab.block_panel.editor.setFocus()
    qtbot.waitUntil(tab.block_panel.editor.hasFocus)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(takes.hasFocus)
    qtbot.keyClick(takes, Qt.Key.Key_Home)
    qtbot.keyClick(takes, Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier)
    assert sorted(tab.block_panel.selected_take_ids()) == sorted([first, second])
    while QApplication.focusWidget() is not compare:
        before = QApplication.focusWidget()
        qtbot.keyClick(before, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() in (tab.block_panel.take_play, compare), \
            QApplication.focusWidget().objectName()
    alsa_played_file.write_bytes(b"")
    qtbot.keyClick(compare, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: status.text().startswith(
        "Comparing block 1: A is take 1, then B is take 2 (chosen)"))
    assert_heard_exactly(qtbot, alsa_played_file, a_then_b(tab, block_id, first, second),
                         volume)
    assert title.toolTip() == "Block 1: A take 1, B take 2 (chosen)"
    assert tab.document.script.block(block_id).chosen_take_id == second  # only listened


def test_cast_preview_plays_the_voices_own_sample(launch, engine_url: str, qtbot,
                                                   tmp_path: Path,
                                                   alsa_played_file: Path) -> None:
    import httpx

    from app.audio.decode import decode_bytes

    studio = open_two_blocks(launch, qtbot, tmp_path, engine_url=engine_url)
    tab = studio.window.scripts_tab
    preview = studio.find(QPushButton, "scripts.preview_anna")
    assert not preview.isEnabled()  # no voice chosen yet: nothing to hear
    voices = tab.generation
    qtbot.waitUntil(lambda: len(voices.voices) > 1, timeout=20_000)
    voice = voices.voices[1]
    assert voice.preview_url
    cast_voice(studio, qtbot, "ANNA", voice.voice_id)
    qtbot.waitUntil(preview.isEnabled)
    alsa_played_file.write_bytes(b"")
    qtbot.mouseClick(preview, Qt.MouseButton.LeftButton)
    status = studio.find(QLabel, "scripts.status")
    qtbot.waitUntil(lambda: status.text() == f"Playing the preview of {voice.name}.",
                    timeout=20_000)
    assert studio.find(QLabel, "player.title").toolTip() == f"Preview: {voice.name}"
    # The very preview the server offers for that voice reached the device.
    sample = decode_bytes(httpx.get(voice.preview_url, timeout=10).content, None)
    assert_heard_exactly(qtbot, alsa_played_file, sample.samples.astype(np.float32),
                         studio.ctx.player.volume)


def test_a_voice_without_a_preview_says_so_and_spends_nothing(launch, cloud, qtbot,
                                                               tmp_path: Path,
                                                               alsa_played_file: Path
                                                               ) -> None:
    studio = open_two_blocks(launch, qtbot, tmp_path, cloud_url=cloud.url)
    cast_voice(studio, qtbot, "BEN", NO_PREVIEW)
    preview = studio.find(QPushButton, "scripts.preview_ben")
    qtbot.waitUntil(preview.isEnabled)
    alsa_played_file.write_bytes(b"")
    qtbot.mouseClick(preview, Qt.MouseButton.LeftButton)
    status = studio.find(QLabel, "scripts.status")
    qtbot.waitUntil(lambda: "Test Voice 000 has no preview sample" in status.text())
    assert "generate one of its blocks" in status.text()
    assert tts_requests(cloud) == []  # no paid request made up in its place
    assert not np.any(read_played(alsa_played_file))
