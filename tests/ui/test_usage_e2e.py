"""View → Usage and costs, end to end as a user drives it: the real app against the cloud
test server (speech, a script's takes and a transcription, then the window's rows,
totals, filters and CSV) and against the local engine (free, offline)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
)

from app.library.ledger import ENGINE, SCRIPT_TAKE, SPEECH, TRANSCRIPTION
from tests.support.cloud_server import CREATOR_KEY
from tests.ui.conftest import save_screenshot
from tests.ui.test_accessibility import unnamed
from tests.ui.test_scripts_e2e import GEORGE, SARAH, cast_voice, statuses

pytestmark = pytest.mark.e2e

SCREENPLAY = "NARRATOR: It was the first warm day of spring.\nANNA: Let us go outside.\n"


def generate_speech(studio: Any, qtbot: Any, words: str) -> None:
    text = studio.find(QPlainTextEdit, "speech.text")
    qtbot.keyClicks(text, words)
    history = studio.find(QTableView, "history.list")
    before = history.model().rowCount()
    qtbot.mouseClick(studio.find(QPushButton, "speech.generate"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: history.model().rowCount() == before + 1, timeout=30_000)


def make_script_takes(studio: Any, qtbot: Any, tmp_path: Path) -> Path:
    source = tmp_path / "spring walk.txt"
    source.write_text(SCREENPLAY, encoding="utf-8")
    studio.window.open_paths([source])
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.waitUntil(lambda: table.model().rowCount() == 2, timeout=10_000)
    cast_voice(studio, qtbot, "NARRATOR", GEORGE)
    cast_voice(studio, qtbot, "ANNA", SARAH)
    generate_all = studio.find(QPushButton, "scripts.generate_all")
    qtbot.waitUntil(generate_all.isEnabled, timeout=10_000)
    qtbot.mouseClick(generate_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(table) == ["done"] * 2, timeout=30_000)
    tab = studio.window.scripts_tab
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    path = tab.document.path
    assert path is not None
    return Path(path)


def transcribe(studio: Any, qtbot: Any, tmp_path: Path) -> Path:
    wav = tmp_path / "interview.wav"
    rate = 16_000
    t = np.arange(int(rate * 2.5)) / rate
    sf.write(wav, 0.3 * np.sin(2 * np.pi * 220 * t).astype(np.float32), rate)
    studio.window.open_paths([wav])
    tab = studio.window.transcripts_tab
    qtbot.waitUntil(lambda: "Ready to transcribe" in tab.status.text(), timeout=10_000)
    qtbot.mouseClick(tab.source.transcribe_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.document.is_open and not tab.controller.is_running(
        "transcripts.transcribe"), timeout=30_000)
    assert not tab.error_banner.isVisible(), tab.error_banner.text()
    return wav


def open_usage(studio: Any, qtbot: Any) -> Any:
    """Ctrl+Shift+U, as a user presses it."""
    from app.ui.usage.usage_window import UsageWindow

    studio.window.activateWindow()
    qtbot.keyClick(studio.window, Qt.Key.Key_U,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    window = studio.window.findChild(UsageWindow, "usage.window")
    assert window is not None
    qtbot.waitUntil(lambda: window.loaded > 0, timeout=10_000)
    return window


def rows(window: Any) -> list[Any]:
    return window.model.entries()


def test_usage_lists_speech_takes_and_a_transcription_with_totals(
        launch: Any, cloud: Any, qtbot: Any, tmp_path: Path, qtmodeltester: Any,
        alsa_played_file: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    words = "Hello from the usage window."
    generate_speech(studio, qtbot, words)
    script_path = make_script_takes(studio, qtbot, tmp_path)
    wav = transcribe(studio, qtbot, tmp_path)

    window = open_usage(studio, qtbot)
    qtbot.waitUntil(lambda: len(rows(window)) == 4, timeout=10_000)
    qtmodeltester.check(window.model)
    qtmodeltester.check(window.scripts_model)
    by_kind: dict[str, list[Any]] = {}
    for entry in rows(window):
        by_kind.setdefault(entry.kind, []).append(entry)
    [speech] = by_kind[SPEECH]
    assert speech.credits == len(words) and not speech.estimated  # the server's header
    assert speech.request_id and speech.source == "cloud"
    takes = by_kind[SCRIPT_TAKE]
    assert len(takes) == 2 and len({t.block_id for t in takes}) == 2
    assert all(t.script_path == str(script_path) and not t.estimated for t in takes)
    take_credits = sum(t.credits for t in takes)
    charged_tts = sum(len(line.split(": ", 1)[1]) for line in SCREENPLAY.splitlines())
    assert take_credits == charged_tts
    [stt] = by_kind[TRANSCRIPTION]
    assert stt.estimated and stt.credits and stt.credits > 0 and stt.duration_ms
    assert stt.what == wav.name

    # On screen: an estimate carries "~", the totals name each kind, the script's total.
    model = window.model
    shown = [model.index(r, model.CREDITS_COLUMN).data() for r in range(model.rowCount())]
    assert f"~{stt.credits:,}" in shown and f"{speech.credits:,}" in shown
    totals = window.findChild(QLabel, "usage.totals").text()
    assert "Script take" in totals and "Transcription" in totals and "estimated" in totals
    scripts = window.scripts_model
    assert scripts.rowCount() == 1 and scripts.total_for(str(script_path)).credits \
        == take_credits
    month = window.findChild(QLabel, "usage.month")
    qtbot.waitUntil(lambda: "of" in month.text() and "credits used" in month.text(),
                    timeout=10_000)  # the plan's limit, from the server
    assert unnamed(window) == []
    save_screenshot(window, "usage-window", tmp_path)

    # Filters: one kind, then a period with nothing in it.
    kind = window.findChild(QComboBox, "usage.kind")
    loads = window.loaded
    kind.setCurrentIndex(kind.findData(TRANSCRIPTION))
    qtbot.waitUntil(lambda: window.loaded > loads and len(rows(window)) == 1, timeout=10_000)
    period = window.findChild(QComboBox, "usage.period")
    period.setCurrentIndex(period.findData("last_month"))
    qtbot.waitUntil(lambda: rows(window) == [], timeout=10_000)
    period.setCurrentIndex(period.findData("all"))
    kind.setCurrentIndex(0)
    qtbot.waitUntil(lambda: len(rows(window)) == 4, timeout=10_000)

    # Export to CSV through the save dialog.
    qtbot.mouseClick(window.findChild(QPushButton, "usage.export"), Qt.MouseButton.LeftButton)
    dialog = window.findChild(QFileDialog, "usage.export_dialog")
    assert dialog is not None
    out = tmp_path / "usage.csv"
    dialog.selectFile(str(out))
    dialog.accept()
    qtbot.waitUntil(out.is_file, timeout=10_000)
    exported = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert len(exported) == 4
    assert {r["Estimate"] for r in exported if r["Kind"] == "Transcription"} == {"yes"}
    ledger_file = studio.ctx.paths.ledger_db
    assert CREATOR_KEY not in out.read_text()  # the key is never in the ledger
    assert CREATOR_KEY.encode() not in ledger_file.read_bytes() + Path(
        f"{ledger_file}-wal").read_bytes()

    # A new generation shows up while the window is open.
    generate_speech(studio, qtbot, " Again.")
    qtbot.waitUntil(lambda: len(rows(window)) == 5, timeout=10_000)


def test_a_scripts_takes_show_up_as_its_total(launch: Any, cloud: Any, qtbot: Any,
                                              tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    script_path = make_script_takes(studio, qtbot, tmp_path)
    estimate = studio.find(QLabel, "scripts.estimate")
    charged = sum(len(line.split(": ", 1)[1]) for line in SCREENPLAY.splitlines())
    qtbot.waitUntil(lambda: f"Spent on this script: {charged:,} credits (2 takes)"
                    in estimate.text(), timeout=10_000)
    assert "usage ledger" in estimate.toolTip()
    ledger = studio.ctx.costs.ledger
    assert ledger.script_total(script_path).credits == charged
    window = open_usage(studio, qtbot)
    assert window.scripts_model.total_for(str(script_path)).operations == 2
    assert studio.window.show_usage() is window  # one window, brought to the front


def test_offline_work_is_listed_as_free(launch: Any, engine_url: str, qtbot: Any,
                                        alsa_played_file: Path) -> None:
    studio = launch(engine_url=engine_url)
    generate_speech(studio, qtbot, "Offline and free.")
    window = open_usage(studio, qtbot)
    qtbot.waitUntil(lambda: len(rows(window)) == 1, timeout=10_000)
    [entry] = rows(window)
    assert (entry.kind, entry.source, entry.credits, entry.estimated) == (SPEECH, ENGINE, 0,
                                                                          False)
    assert window.model.index(0, window.model.CREDITS_COLUMN).data() == "free"


def test_the_status_bar_counts_script_takes_and_counts_nothing_twice(
        launch: Any, cloud: Any, qtbot: Any, tmp_path: Path,
        alsa_played_file: Path) -> None:
    """The status bar's line counts what the usage ledger recorded: script takes (which
    are not History rows) as soon as they are made, and a Speech generation (a History
    row and a ledger row) once."""
    studio = launch(cloud_url=cloud.url)
    usage = studio.find(QLabel, "status.usage")
    ledger = studio.ctx.costs.ledger
    make_script_takes(studio, qtbot, tmp_path)
    takes = sum(len(line.split(": ", 1)[1]) for line in SCREENPLAY.splitlines())
    assert sum(e.credits for e in ledger.entries()) == takes
    qtbot.waitUntil(lambda: usage.text() == (
        f"This session: 2 generations, {takes:,} credits. "
        f"Today: 2 generations, {takes:,} credits."), timeout=10_000)

    words = "Counted once, not twice."
    generate_speech(studio, qtbot, words)
    assert len(studio.ctx.history.list()) == 1  # the speech; the takes live with the script
    entries = ledger.entries()
    spent = sum(e.credits for e in entries)
    assert len(entries) == 3 and spent == takes + len(words)
    qtbot.waitUntil(lambda: usage.text() == (
        f"This session: 3 generations, {spent:,} credits. "
        f"Today: 3 generations, {spent:,} credits."), timeout=10_000)
