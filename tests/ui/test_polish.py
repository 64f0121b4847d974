"""The words a user reads say what they mean: plural forms, rounded lengths, the number of
parts that will really be sent, no credits shown for free offline voices, a History list
that leaves room for what was said, section labels that are not "P…"."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QProgressBar, QPushButton

pytestmark = pytest.mark.e2e

SENTENCE = "This sentence is one of many in a long script for the speech tab. "


def test_parts_announced_are_the_parts_sent_and_lengths_read_well(launch, cloud,
                                                                   qtbot) -> None:
    studio = launch(cloud_url=cloud.url)
    text = studio.find(QPlainTextEdit, "speech.text")
    text.setPlainText(SENTENCE * 320)  # 21,440 characters, 10,000 per request
    announced = re.search(r"sent in (\d+) parts", studio.find(QLabel, "speech.char_count").text())
    assert announced, studio.find(QLabel, "speech.char_count").text()
    started: list[int] = []
    studio.window.speech_tab._controller.generation_started.connect(started.append)
    qtbot.mouseClick(studio.find(QPushButton, "speech.generate"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(started), timeout=20_000)
    assert started == [int(announced.group(1))]
    assert studio.find(QProgressBar, "speech.progress").format().endswith(f"of {started[0]}")
    save = studio.find(QPushButton, "speech.save_as")
    qtbot.waitUntil(save.isEnabled, timeout=120_000)

    status = studio.find(QLabel, "speech.status").text()
    assert re.match(r"Done: (\d+ min \d+ s|\d+(\.\d)? s|\d+ min) of audio", status), status
    history = studio.window.history
    qtbot.waitUntil(lambda: history.model.rowCount() == 1, timeout=10_000)
    length = history.model.index(0, 3).data()
    assert not re.search(r"\.\d s$", length) or re.fullmatch(r"\d\.\d s", length), length
    usage = studio.find(QLabel, "status.usage")
    qtbot.waitUntil(lambda: "1 generation," in usage.text(), timeout=10_000)
    header = history.table.horizontalHeader()
    char = QFontMetrics(history.table.font()).averageCharWidth()
    assert header.sectionSize(1) >= char * 8, "What is squeezed to a few letters"
    studio.window.resizeDocks([studio.window.history_dock], [char * 70],
                              Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: not history.table.isColumnHidden(2))  # room for the voice too
    assert header.sectionSize(1) >= header.sectionSize(2)


def test_offline_voices_show_no_credits_left(launch, engine_url: str) -> None:
    studio = launch(engine_url=engine_url)
    studio.find(QPlainTextEdit, "speech.text").setPlainText("Hello from the offline voices.")
    estimate = studio.find(QLabel, "speech.estimate").text()
    assert "left this period" not in estimate and "1,000,000,000" not in estimate, estimate


def test_thirty_sections_are_numbered_not_cut_to_a_letter(qtbot) -> None:
    from app.ui.music.timeline import TimelineSection, TimelineWidget, _label

    timeline = TimelineWidget()
    qtbot.addWidget(timeline)
    timeline.resize(800, 40)
    sections = [TimelineSection(f"Part {n + 1}", n * 4000, 4000) for n in range(30)]
    timeline.set_sections(sections)
    metrics = timeline.fontMetrics()
    width = int(timeline.section_rect(11).width()) - 6
    assert _label("Part 12", 11, metrics, width) == "12"
    assert _label("Part 12", 11, metrics, 200) == "Part 12"
    assert _label("Part 12", 11, metrics, 2) == ""


def test_the_sections_table_gets_the_height_on_a_laptop(launch, cloud, qtbot) -> None:
    studio = launch(cloud_url=cloud.url)
    window = studio.window
    window.resize(1366, 768)
    window.tabs.setCurrentIndex(2)
    window.music_tab.mode.setCurrentIndex(1)
    table = window.music_tab.editor.table
    row = table.verticalHeader().defaultSectionSize()
    # It showed 3 rows of a long plan here, the section's fields holding the rest.
    qtbot.waitUntil(lambda: table.viewport().height() >= 5 * row)
