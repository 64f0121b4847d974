"""Rework the plan by prompt through the window: the plan goes to /v1/music/plan as the
source with the instruction (checked against the spec), the answer shows as changes a
section at a time, one is accepted, the others stay as they were; undo takes it back."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QPushButton

from app.domain.music_plan import Plan, Section
from tests.support.spec import validate_request

pytestmark = pytest.mark.e2e

PLAN = Plan(global_positive_styles=["pop"], sections=[
    Section("Intro", 4000, ["soft"]), Section("Chorus", 8000, ["catchy"]),
    Section("Verse", 8000), Section("Chorus", 8000, ["catchy"])])


def click(qtbot: Any, studio: Any, name: str) -> None:
    button = studio.find(QPushButton, name)
    assert button.isEnabled(), f"{name} is disabled: {button.toolTip()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize("server", ["cloud", "engine"])
def test_accept_a_reworked_plan_for_one_section(server, launch, cloud, engine_url,
                                                qtbot) -> None:
    studio = launch(cloud_url=cloud.url) if server == "cloud" else launch(engine_url=engine_url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.mode.setCurrentIndex(1)
    tab.editor.set_plan(PLAN, "test")
    click(qtbot, studio, "music.rework")
    dialog = tab.producer.rework_dialog
    qtbot.keyClicks(studio.find(QLineEdit, "music.rework_instruction"),
                    "make the chorus bigger")
    click(qtbot, studio, "music.rework_send")
    changes = studio.find(QListWidget, "music.rework_changes")
    status = studio.find(QLabel, "music.rework_status")
    try:
        qtbot.waitUntil(lambda: changes.count() == 2, timeout=20_000)  # both choruses
    except Exception:
        raise AssertionError(status.text()) from None
    assert changes.item(0).text() == "2. Chorus: styles + bigger, fuller arrangement"
    if server == "cloud":
        sent = [r for r in cloud.control.requests() if r["path"] == "/v1/music/plan"][-1]
        validate_request("POST", "/v1/music/plan", sent["query"], sent["json"])
        assert sent["json"]["prompt"] == "make the chorus bigger"
        assert len(sent["json"]["source_composition_plan"]["chunks"]) == 4

    changes.item(1).setCheckState(Qt.CheckState.Checked)  # only the last chorus
    click(qtbot, studio, "music.rework_accept")
    model = tab.editor.model
    assert model.section(3).positive_styles == ["catchy", "bigger", "fuller arrangement"]
    assert model.section(1).positive_styles == ["catchy"]  # not accepted: as it was
    assert "Applied 1 change" in studio.find(QLabel, "music.rework_status").text()
    dialog.close()
    click(qtbot, studio, "music.undo")
    assert model.section(3).positive_styles == ["catchy"]
