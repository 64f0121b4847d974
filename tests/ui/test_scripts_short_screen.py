"""The Scripts tab's rows on a short screen: Pause and Resume take turns in one place
(the queue's row one button shorter), and the cost estimate is one line with its whole
text in its tooltip and accessible description (two lines took a table row at 853x460).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from tests.ui.conftest import emulate_screen
from tests.ui.test_scripts_e2e import CLONE, GEORGE, SARAH, cast_voice, open_screenplay

pytestmark = pytest.mark.e2e


def test_pause_and_resume_take_turns_in_one_place(launch, cloud, qtbot,
                                                  tmp_path: Path) -> None:
    studio = open_screenplay(launch, cloud, qtbot, tmp_path)
    tab = studio.window.scripts_tab
    for speaker, voice in (("NARRATOR", GEORGE), ("ANNA", SARAH), ("BEN", CLONE)):
        cast_voice(studio, qtbot, speaker, voice)
    pause = studio.find(QPushButton, "scripts.pause")
    resume = studio.find(QPushButton, "scripts.resume")
    cancel = studio.find(QPushButton, "scripts.cancel")
    assert pause.isVisible() and not resume.isVisible()  # (before: both, side by side)
    generate_all = studio.find(QPushButton, "scripts.generate_all")
    qtbot.waitUntil(generate_all.isEnabled, timeout=20_000)
    cloud.control.configure(work_delay_s=1.0)  # the takes take their time
    qtbot.mouseClick(generate_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pause.isEnabled() and "Making takes" in tab.status.text(),
                    timeout=10_000)
    studio.window.activateWindow()
    place = pause.geometry().left()
    pause.setFocus()
    assert pause.hasFocus()
    qtbot.keyClick(pause, Qt.Key.Key_Space)  # from the keyboard
    qtbot.waitUntil(resume.isVisible, timeout=5_000)
    assert not pause.isVisible() and resume.isEnabled()
    qtbot.waitUntil(lambda: resume.geometry().left() == place)  # in its place
    assert resume.hasFocus()  # the keyboard stays on the button, not on to Cancel
    qtbot.keyClick(resume, Qt.Key.Key_Space)
    qtbot.waitUntil(pause.isVisible, timeout=5_000)
    assert not resume.isVisible() and pause.hasFocus()
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=15_000)
    assert pause.isVisible() and not resume.isVisible()


def test_the_estimate_is_one_line_and_says_the_rest_in_its_tooltip(
        launch, cloud, qtbot, tmp_path: Path) -> None:
    studio = open_screenplay(launch, cloud, qtbot, tmp_path)
    window = studio.window
    emulate_screen(window, 853)
    window.resize(853, 460)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (853, 460))
    estimate = studio.find(QLabel, "scripts.estimate")
    qtbot.waitUntil(lambda: "credits" in estimate.text(), timeout=10_000)
    line = estimate.fontMetrics().height()
    assert estimate.height() < 2 * line, (estimate.height(), line)  # (before: two lines)
    whole = " · ".join(part for part in estimate.text().splitlines() if part.strip())
    assert estimate.fontMetrics().horizontalAdvance(whole) > estimate.width()  # shortened
    assert whole in estimate.toolTip()
    assert estimate.accessibleDescription() == whole
    # Pronunciation says its state in its own words; no label beside it.
    button = studio.find(QPushButton, "scripts.pronunciation")
    assert button.text() == "Pronunciation: none…"
    assert not studio.find(QLabel, "scripts.pronunciation_label").isVisible()


def test_pause_while_the_blocks_are_looked_for_holds_the_queue_until_resume(
        launch, cloud, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pause was enabled while "Looking for blocks without a take…" but did nothing there
    (no queue yet): the takes were all made, paid for, after the user had paused."""
    from app.domain import script_plan
    from tests.support.held_worker import hold_calls

    studio = open_screenplay(launch, cloud, qtbot, tmp_path)
    tab = studio.window.scripts_tab
    for speaker, voice in (("NARRATOR", GEORGE), ("ANNA", SARAH), ("BEN", CLONE)):
        cast_voice(studio, qtbot, speaker, voice)
    pause = studio.find(QPushButton, "scripts.pause")
    resume = studio.find(QPushButton, "scripts.resume")
    generate_all = studio.find(QPushButton, "scripts.generate_all")
    qtbot.waitUntil(generate_all.isEnabled, timeout=20_000)
    before = sum(cloud.control.stats()["generations"].values())
    with hold_calls(monkeypatch, script_plan, "missing_work") as looking:
        qtbot.mouseClick(generate_all, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(looking.reached.is_set, timeout=10_000)
        assert "Looking for blocks" in tab.status.text() and pause.isEnabled()
        qtbot.mouseClick(pause, Qt.MouseButton.LeftButton)
        assert resume.isVisible() and resume.isEnabled() and "Paused" in tab.status.text()
        looking.release.set()
        # The blocks are found, and wait: the queue starts paused.
        qtbot.waitUntil(lambda: tab.generation._queue is not None, timeout=10_000)
    assert tab.generation._queue.paused  # starts no block until Resume
    assert sum(cloud.control.stats()["generations"].values()) == before
    assert tab.generation.is_running and resume.isVisible()
    qtbot.mouseClick(resume, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=60_000)
    assert sum(cloud.control.stats()["generations"].values()) > before
