"""With a read-only History (SQLite cannot write it), the Music and Transcripts tabs and the
History panel do not claim a result was saved: they say it is listed until the app quits
and how to keep it. Real window, real cloud test server on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton

from app.library.paths import AppPaths
from app.ui.history_wording import history_empty_text, kept_in_history
from app.ui.music.music_tab import PROMPT_PAGE
from tests.reliability_ii.conftest import StudioFactory
from tests.support.cloud import Cloud

UNTIL_QUIT = "Listed in History until you quit"


class _Store:
    def __init__(self, read_only: bool) -> None:
        self.read_only = read_only


def test_the_sentence_follows_the_history_mode() -> None:
    assert kept_in_history(_Store(False)) == "Saved in History."
    assert kept_in_history(_Store(False), "Kept in History.") == "Kept in History."
    sentence = kept_in_history(_Store(True), "Kept in History.", "use Save as… to keep it")
    assert sentence == f"{UNTIL_QUIT}: use Save as… to keep it."
    assert "kept here" in history_empty_text(_Store(False))
    assert "until you quit" in history_empty_text(_Store(True))


def _tone(path: Path) -> Path:
    t = np.arange(16_000) / 16_000
    sf.write(path, (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16_000)
    return path


def _click(qtbot: Any, button: QPushButton) -> None:
    try:
        qtbot.waitUntil(lambda: button.isVisible() and button.isEnabled(), timeout=20_000)
    except Exception as exc:
        raise AssertionError(f"{button.objectName()}: visible {button.isVisible()}, "
                             f"enabled {button.isEnabled()}, {button.toolTip()!r}") from exc
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.mark.e2e
def test_read_only_history_is_not_called_saved_by_music_or_transcripts(
        qtbot: Any, studios: StudioFactory, cloud: Cloud, tmp_path: Path) -> None:
    home = studios.home()
    paths = AppPaths.under(home).ensure()
    Path(f"{paths.history_db}-wal").mkdir()  # SQLite cannot write this history
    studio = studios.start(home, cloud_url=cloud.url)
    history = studio.ctx.history
    assert history.read_only
    panel_line = studio.window.history.empty_label.text()
    assert "until you quit" in panel_line and "kept here" not in panel_line

    # Music: compose a song from a prompt.
    tab = studio.window.music_tab
    studio.window.tabs.setCurrentWidget(tab)
    tab.output.store.setChecked(False)
    tab.mode.setCurrentIndex(PROMPT_PAGE)
    studio.find(QPlainTextEdit, "music.prompt").setPlainText("A calm piano piece.")
    _click(qtbot, studio.find(QPushButton, "music.compose"))
    qtbot.waitUntil(lambda: len(history.list(kind="music")) == 1, timeout=30_000)
    status = studio.find(QLabel, "music.status")
    qtbot.waitUntil(lambda: status.text().startswith("Done"), timeout=10_000)
    assert UNTIL_QUIT in status.text() and "Export" in status.text()
    assert "Saved in" not in status.text() and "saved in" not in status.text()

    # Transcripts: transcribe a recording.
    transcripts = studio.window.transcripts_tab
    studio.window.tabs.setCurrentWidget(transcripts)
    transcripts.open_path(_tone(tmp_path / "take.wav"))
    _click(qtbot, studio.find(QPushButton, "transcripts.transcribe"))
    line = studio.find(QLabel, "transcripts.status")
    qtbot.waitUntil(lambda: line.text().startswith("Transcribed"), timeout=30_000)
    assert UNTIL_QUIT in line.text() and "Kept in History" not in line.text()
