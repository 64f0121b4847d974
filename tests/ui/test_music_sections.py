"""Section by section through the window (engine): section 3 of a version looped (the
samples at the sound sink repeat exactly that span), its times as the server returned
them, and A/B of the same section in two versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPushButton

from app.audio.decode import decode_file
from app.audio.player import PlayerState
from app.domain.formats import OutputFormat
from app.domain.music_plan import Plan, Section
from tests.support.alsa_sink import read_played
from tests.ui.conftest import save_screenshot

pytestmark = pytest.mark.e2e

PLAN = Plan(global_positive_styles=["pop", "drums", "100 bpm"], sections=[
    Section("Intro", 3000, ["soft"]), Section("Verse", 4000), Section("Chorus", 4000)])


def click(qtbot: Any, studio: Any, name: str) -> None:
    button = studio.find(QPushButton, name)
    assert button.isEnabled(), f"{name} is disabled: {button.toolTip()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def compose(studio: Any, qtbot: Any, count: int) -> None:
    tab = studio.window.music_tab
    click(qtbot, studio, "music.compose")
    qtbot.waitUntil(lambda: len(studio.ctx.history.list(kind="music")) == count
                    and not tab.controller.is_composing, timeout=60_000)
    qtbot.waitUntil(lambda: tab.versions.list.count() == count, timeout=10_000)


def test_loop_section_three_and_a_b(launch, engine_url, qtbot, alsa_played_file: Path,
                                    tmp_path: Path) -> None:
    studio = launch(engine_url=engine_url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.mode.setCurrentIndex(1)
    tab.editor.set_plan(PLAN, "test")
    studio.find(QCheckBox, "music.detailed").setChecked(True)  # section times returned
    compose(studio, qtbot, 1)
    player = studio.ctx.player
    qtbot.waitUntil(lambda: player.state is not PlayerState.PLAYING, timeout=30_000)

    tab.versions.list.item(0).setSelected(True)
    choice = studio.find(QComboBox, "music.section_choice")
    assert choice.count() == 3
    assert choice.itemText(2) == "3. Chorus · 0:07.0–0:11.0"
    assert "as the server returned" in studio.find(QLabel, "music.section_note").text()
    choice.setCurrentIndex(2)
    studio.find(QCheckBox, "music.section_loop").setChecked(True)
    before = len(read_played(alsa_played_file))
    generation = studio.ctx.history.list(kind="music")[0]
    clip = decode_file(generation.file_path,
                       OutputFormat.parse(generation.output_format)).mono()
    rate = clip.sample_rate_hz
    span = clip.samples[round(7.0 * rate):round(11.0 * rate), 0] * np.float32(player.volume)
    click(qtbot, studio, "music.section_play")
    qtbot.waitUntil(lambda: len(read_played(alsa_played_file)) >= before + 4 * len(span),
                    timeout=30_000)
    played = read_played(alsa_played_file)[before:, 0]
    head = span[:256]
    starts = [i for i in np.flatnonzero(played == head[0])
              if np.array_equal(played[i:i + 256], head)]
    assert starts, "the section's first samples never reached the sink"
    heard = played[starts[0]:starts[0] + 3 * len(span)]
    np.testing.assert_array_equal(heard.reshape(3, len(span)), np.tile(span, (3, 1)))
    save_screenshot(studio.window, "music-sections", tmp_path)
    player.pause()

    studio.find(QCheckBox, "music.detailed").setChecked(False)
    compose(studio, qtbot, 2)  # a second version of the same plan, without details
    tab.versions.list.clearSelection()
    tab.versions.list.item(0).setSelected(True)
    assert "from the plan" in studio.find(QLabel, "music.section_note").text()
    tab.versions.list.item(1).setSelected(True)
    choice.setCurrentIndex(1)  # the Verse of each
    studio.find(QCheckBox, "music.section_loop").setChecked(False)
    click(qtbot, studio, "music.section_ab")
    qtbot.waitUntil(lambda: studio.find(QLabel, "player.title").text().startswith("A/B Verse"),
                    timeout=30_000)
    assert abs(player.duration_ms - (4000 + 400 + 4000)) <= 2
