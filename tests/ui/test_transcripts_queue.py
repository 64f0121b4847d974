"""Many recordings through the window, against the real local engine on loopback: five
files opened at once (one broken, one cancelled) are queued; three are transcribed and
kept, the broken one says why; the window restarts and nothing is lost; the queue
resumes at start-up even when the Transcripts tab is never shown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QLabel, QPushButton, QTableView

from app.domain.stt_options import TranscriptionOptions
from app.services.transcription_queue import QueueJob
from app.ui.transcripts.queue_model import status_text
from tests.support.queue_tape import make_tape
from tests.ui.conftest import save_screenshot

WAIT_MS = 120_000


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """take1, take2, broken, take3, take4 (tests/support/queue_tape.py)."""
    return make_tape(tmp_path_factory.mktemp("tape"))


def _states(window: Any) -> list[str]:
    return [job.state for job in window.transcription_queue.jobs]


def _select_row(table: QTableView, row: int) -> None:
    """Choose one row as a click does. Not `selectRow`: in extended selection it reads the
    keyboard modifiers Qt believes are held, and a key shortcut sent by an earlier test
    (Ctrl+Shift+U) can leave those set, turning the choice into a toggle or a range."""
    from PySide6.QtCore import QItemSelectionModel

    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect \
        | QItemSelectionModel.SelectionFlag.Rows
    index = table.model().index(row, 0)
    table.selectionModel().setCurrentIndex(index, flags)


def _click(studio: Any, name: str) -> None:
    button = studio.find(QPushButton, name)
    assert button.isEnabled(), name
    button.click()


def test_five_files_one_broken_one_cancelled_then_a_restart(
        launch: Any, engine_url: str, qtbot: Any, recordings: list[Path],
        tmp_path: Path) -> None:
    studio = launch(engine_url=engine_url)
    window = studio.window
    window.open_paths(recordings)  # as File → Open… with five files chosen
    assert window.tabs.currentWidget() is window.transcripts_tab
    table = studio.find(QTableView, "transcripts.queue")
    assert table.model().rowCount() == 5
    # Two run at once: the fifth still waits, and is cancelled before it starts.
    _select_row(table, 4)
    assert window.transcription_queue.jobs[4].state == "waiting"
    _click(studio, "transcripts.queue_cancel")
    qtbot.waitUntil(lambda: "running" not in _states(window)
                    and "waiting" not in _states(window), timeout=WAIT_MS)
    assert _states(window) == ["done", "done", "failed", "done", "cancelled"], \
        [(j.title, j.state, j.reason) for j in window.transcription_queue.jobs]
    model = table.model()
    broken = model.index(2, 1).data()
    assert broken.startswith("Failed.") and ("broken.wav" in broken or "audio" in broken), \
        broken
    assert model.index(4, 1).data() == "Cancelled"
    summary = studio.find(QLabel, "transcripts.queue_summary").text()
    assert summary == "3 done, 1 failed, 1 cancelled."
    save_screenshot(window, "transcripts-queue", tmp_path)
    # A finished one opens as a transcript.
    _select_row(table, 0)
    _click(studio, "transcripts.queue_open")
    tab = window.transcripts_tab
    qtbot.waitUntil(lambda: tab.document.is_open, timeout=30_000)
    assert tab.document.source.audio_path == recordings[0]
    assert len(studio.ctx.history.list(kind="transcript", limit=50)) == 3

    before = [(j.job_id, j.state, j.reason, j.transcript_path)
              for j in window.transcription_queue.jobs]
    window.close()

    # The app starts again: every job is back as it was; nothing finished runs again.
    again = launch(engine_url=engine_url)
    queue = again.window.transcription_queue
    qtbot.waitUntil(lambda: queue.is_loaded, timeout=10_000)
    assert [(j.job_id, j.state, j.reason, j.transcript_path) for j in queue.jobs] == before
    table = again.find(QTableView, "transcripts.queue")
    assert table.model().rowCount() == 5
    assert table.model().index(2, 1).data() == broken
    # The cancelled one gets other settings, then is tried again.
    _select_row(table, 4)
    _click(again, "transcripts.queue_settings")
    dialog = again.window.findChild(object, "transcripts.queue_settings_dialog")
    assert dialog is not None
    dialog.options.diarize.setChecked(True)
    dialog.options.num_speakers.setValue(3)
    dialog.save_button.click()
    assert queue.jobs[4].options.num_speakers == 3
    _click(again, "transcripts.queue_retry")
    qtbot.waitUntil(lambda: queue.jobs[4].state == "done", timeout=WAIT_MS)
    assert [j.state for j in queue.jobs] == ["done", "done", "failed", "done", "done"]
    kept = again.ctx.history.list(kind="transcript", limit=50)
    assert len(kept) == 4  # the three finished before were not requested again
    assert json.loads(kept[0].settings_json)["num_speakers"] == 3


def test_the_queue_resumes_when_the_app_starts_without_the_tab(
        launch: Any, engine_url: str, qtbot: Any, recordings: list[Path],
        xi_home: Path) -> None:
    from app.library.paths import AppPaths

    paths = AppPaths.from_environment().ensure()
    interrupted = QueueJob("a1", str(recordings[0]), TranscriptionOptions(language_code="en"),
                           "take1.wav", state="running")
    waiting = QueueJob("b2", str(recordings[1]), TranscriptionOptions(), "take2.wav")
    (paths.data_dir / "transcription_queue.json").write_text(json.dumps(
        {"version": 1, "jobs": [interrupted.to_json(), waiting.to_json()]}))
    studio = launch(engine_url=engine_url)
    queue = studio.window.transcription_queue
    qtbot.waitUntil(lambda: [j.state for j in queue.jobs] == ["done", "done"],
                    timeout=WAIT_MS)
    assert not studio.window.tab_builder.is_built("transcripts")  # never shown, still done
    assert len(studio.ctx.history.list(kind="transcript", limit=10)) == 2
    assert status_text(queue.jobs[0]) == "Done"


def test_a_dropped_folder_is_queued(launch: Any, engine_url: str, qtbot: Any,
                                    recordings: list[Path]) -> None:
    studio = launch(engine_url=engine_url)
    studio.window.show_tab("transcripts")
    tab = studio.window.transcripts_tab
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(recordings[0].parent))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    tab.dropEvent(drop)
    assert drop.isAccepted()
    titles = [job.title for job in studio.window.transcription_queue.jobs]
    assert titles == ["broken.wav", "take1.wav", "take2.wav", "take3.wav", "take4.wav"]
    assert "Queued 5 recordings" in tab.status.text()
    # Delete takes the broken one off the list (it is stopped if it has begun).
    table = studio.find(QTableView, "transcripts.queue")
    _select_row(table, 0)
    table.setFocus()
    tab.activateWindow()
    qtbot.waitUntil(table.hasFocus, timeout=5000)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert table.model().rowCount() == 4
    qtbot.waitUntil(lambda: all(j.state == "done"
                                for j in studio.window.transcription_queue.jobs),
                    timeout=WAIT_MS)


def test_queue_model_passes_the_qt_model_checks(qtmodeltester: Any, qt_loop: Any,
                                                tmp_path: Path) -> None:
    from PySide6.QtCore import QObject, Signal

    from app.services.transcription_queue import JobResult, TranscriptionQueue
    from app.ui.transcripts.queue_model import PROGRESS_ROLE, QueueModel

    class Controller(QObject):  # the signals QueueController gives the model
        job_changed = Signal(str)
        job_removed = Signal(str)
        loaded = Signal()

        def __init__(self) -> None:
            super().__init__()

            async def never(job: QueueJob, progress: object) -> JobResult:
                raise AssertionError

            self.queue = TranscriptionQueue(tmp_path / "q.json", never,
                                            on_change=lambda j: self.job_changed.emit(j.job_id),
                                            on_removed=self.job_removed.emit)

        @property
        def jobs(self) -> list[QueueJob]:
            return self.queue.jobs

    controller = Controller()
    model = QueueModel(controller)
    for n in range(4):
        controller.queue.add(tmp_path / f"take{n}.wav",
                             TranscriptionOptions(diarize=bool(n % 2), num_speakers=n or None))
    controller.queue.jobs[1].state = "running"
    controller.queue.jobs[1].phase, controller.queue.jobs[1].fraction = "Uploading…", 0.5
    controller.queue.jobs[2].state, controller.queue.jobs[2].reason = "failed", "Not audio."
    qtmodeltester.check(model)
    assert model.index(1, 1).data() == "Uploading… 50 %"
    assert model.index(1, 1).data(PROGRESS_ROLE) == 0.5
    assert model.index(2, 1).data() == "Failed. Not audio."
    assert model.index(3, 2).data() == "scribe_v2 · any language · 3 speakers · sounds marked"
    controller.queue.remove(controller.queue.jobs[0].job_id)
    assert model.rowCount() == 3
    qtmodeltester.check(model)
