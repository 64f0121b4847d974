"""A paid request whose answer is then refused as unusable (an ApiProtocolError) is still
on the usage ledger with the server's own cost: the cloud test server's
`charged_malformed` fault does the work, charges it, sends the charge in `character-cost`
and spoils the body. Before, only the speech parts stopped mid-download were counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget

from tests.support.cloud import Cloud

pytestmark = pytest.mark.e2e


def _recording(path: Path) -> Path:
    t = np.arange(16000 * 2) / 16000
    sf.write(str(path), (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    return path


def _paid_rows(studio: Any, kind: str) -> list[Any]:
    return [e for e in studio.ctx.costs.ledger.entries() if e.kind == kind]


def test_an_alignment_refused_after_it_was_charged_is_on_the_ledger(
        launch: Any, cloud: Cloud, qtbot: Any, tmp_path: Path) -> None:
    from app.ui.transcripts.align_script import ALIGN_TASK

    cloud.control.add_faults({"path_regex": "^/v1/forced-alignment$", "method": "POST",
                              "fault": "charged_malformed"})
    recording = _recording(tmp_path / "interview.wav")
    script = tmp_path / "script.txt"
    script.write_text("hello there")
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("transcripts")
    studio.window.open_paths([recording])
    tab = studio.window.transcripts_tab
    dialog = tab.aligner.open_dialog()
    dialog.set_script_path(script)
    dialog.align_button.click()
    banner = studio.find(QWidget, "transcripts.error")
    qtbot.waitUntil(lambda: banner.isVisible()
                    and not tab.controller.is_running(ALIGN_TASK), timeout=10_000)
    assert "forced alignment" in banner.text(), banner.text()
    rows = _paid_rows(studio, "alignment")
    assert len(rows) == 1, rows
    assert rows[0].credits is not None and rows[0].credits > 0
    assert not rows[0].estimated  # the server's own figure, from its header
    assert rows[0].request_id


def test_a_transcription_refused_after_it_was_charged_is_on_the_ledger(
        launch: Any, cloud: Cloud, qtbot: Any, tmp_path: Path) -> None:
    cloud.control.add_faults({"path_regex": "^/v1/speech-to-text$", "method": "POST",
                              "fault": "charged_malformed"})
    recording = _recording(tmp_path / "interview.wav")
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("transcripts")
    studio.window.open_paths([recording])
    qtbot.mouseClick(studio.find(QPushButton, "transcripts.transcribe"),
                     Qt.MouseButton.LeftButton)
    banner = studio.find(QWidget, "transcripts.error")
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert "not a transcript" in banner.text(), banner.text()
    rows = _paid_rows(studio, "transcription")
    assert len(rows) == 1, rows
    assert rows[0].credits is not None and rows[0].credits > 0 and not rows[0].estimated
    assert rows[0].file == str(recording)
