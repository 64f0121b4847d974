"""The Transcripts tab's Export… of a 3-hour transcript: a progress window with words at
once, and its Cancel (or Escape) stops the export with no file under the chosen name and
no partial file beside it; left alone, the same export writes the file.

The export's worker thread is held as it starts rendering until the test has pressed
Cancel: a fast machine could otherwise finish before the click (a test of timing, not
of Cancel)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QPushButton

from app.ui.app_context import AppContext
from app.ui.transcripts import export_dialog
from app.ui.transcripts.export_run import PROGRESS
from app.ui.transcripts.transcripts_tab import TranscriptsTab
from benchmarks.transcripts import make_transcript
from tests.support.held_worker import HeldWorker, hold_calls
from tests.ui import test_transcripts_tab as base
from tests.ui.test_transcripts_tab import WAIT_MS, make_tab, press
from tests.ui.test_transcripts_tab_reading import open_json

# The tab's fixtures (a real engine on loopback, a library under tmp_path).
engine_url, ctx = base.engine_url, base.ctx


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldWorker]:
    with hold_calls(monkeypatch, export_dialog, "render_export") as hold:
        yield hold


def start_export(tab: TranscriptsTab, qtbot: Any, fmt: str, target: Path) -> None:
    dialog = tab.open_export_dialog()
    assert dialog is not None
    dialog.format.setCurrentIndex(dialog.format.findData(fmt))
    dialog.path.setText(str(target))
    press(qtbot, dialog.export_button)


def cancel_while_rendering(qtbot: Any, tab: TranscriptsTab, hold: HeldWorker,
                           press_cancel: Any) -> None:
    window = tab.findChild(QProgressDialog, PROGRESS)
    assert window is not None and window.isVisible()  # at once, before any rendering
    assert "Exporting" in window.labelText()
    qtbot.waitUntil(hold.reached.is_set, timeout=WAIT_MS)
    qtbot.waitExposed(window)
    press_cancel(window)
    assert window.wasCanceled()  # the press took, while the thread was mid-export
    hold.release.set()


def ended(tab: TranscriptsTab) -> bool:
    return not any(tab.controller.is_running(f"transcripts.export.{n}") for n in range(1, 9))


def test_a_stopped_transcript_export_saves_nothing(ctx: AppContext, qtbot: Any,
                                                  tmp_path: Path, held: HeldWorker) -> None:
    tab = make_tab(ctx, qtbot)
    open_json(tab, qtbot, tmp_path / "three hours.json", make_transcript())
    out = tmp_path / "out"
    out.mkdir()
    older = out / "kept.srt"
    older.write_text("an older export, which must stay as it was", encoding="utf-8")

    start_export(tab, qtbot, "docx", out / "long.docx")  # Escape
    cancel_while_rendering(qtbot, tab, held,
                           lambda window: qtbot.keyClick(window, Qt.Key.Key_Escape))
    qtbot.waitUntil(lambda: "Export stopped" in tab.status.text() and ended(tab),
                    timeout=WAIT_MS)
    assert "nothing was saved" in tab.status.text()
    assert sorted(p.name for p in out.iterdir()) == ["kept.srt"]  # and no partial file
    assert tab.findChild(QProgressDialog, PROGRESS) is None or \
        not tab.findChild(QProgressDialog, PROGRESS).isVisible()

    held.reset()  # the Cancel button, over an older file with the same name
    start_export(tab, qtbot, "srt", older)
    cancel_while_rendering(qtbot, tab, held, lambda window: qtbot.mouseClick(
        window.findChild(QPushButton), Qt.MouseButton.LeftButton))
    qtbot.waitUntil(lambda: "Export stopped" in tab.status.text() and ended(tab),
                    timeout=WAIT_MS)
    assert older.read_text(encoding="utf-8") == "an older export, which must stay as it was"
    assert sorted(p.name for p in out.iterdir()) == ["kept.srt"]

    held.release.set()  # left alone, the same export writes the file
    start_export(tab, qtbot, "srt", older)
    qtbot.waitUntil(lambda: "Exported" in tab.status.text() and ended(tab), timeout=WAIT_MS)
    assert older.read_text(encoding="utf-8").startswith("1\n")
    assert sorted(p.name for p in out.iterdir()) == ["kept.srt"]
