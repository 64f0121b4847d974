"""Finetunes through the window: against the cloud test server the account's trained
finetune is offered (the one still training is not), and composing with it sends
`finetune_id` and its strength (checked against the spec); offline there are none and
the box stays hidden."""

from __future__ import annotations

import httpx
import pytest
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel

from app.domain.music_plan import Plan, Section
from tests.support.spec import validate_request, validate_response_json
from tests.ui.test_music_sections import click

pytestmark = pytest.mark.e2e


def test_compose_with_a_finetune(launch, cloud, qtbot) -> None:
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.output.select(tab.output.model, "music_v1")
    choice = studio.find(QComboBox, "music.finetune")
    assert not choice.isVisible()  # nothing asked yet: nothing sent when the tab opens
    assert not [r for r in cloud.control.requests() if "finetunes" in r["path"]]
    click(qtbot, studio, "music.finetune_load")
    qtbot.waitUntil(lambda: choice.count() == 2, timeout=10_000)
    assert choice.isVisible()
    assert [choice.itemText(i) for i in range(2)] == ["None", "My lo-fi tapes"]
    choice.setCurrentIndex(1)
    studio.find(QDoubleSpinBox, "music.finetune_strength").setValue(0.6)
    tab.mode.setCurrentIndex(1)
    tab.editor.set_plan(Plan(sections=[Section("Verse", 4000)]), "test")
    click(qtbot, studio, "music.compose")
    qtbot.waitUntil(lambda: len(studio.ctx.history.list(kind="music")) == 1
                    and not tab.controller.is_composing, timeout=60_000)
    sent = [r for r in cloud.control.requests() if r["path"].startswith("/v1/music")
            and r["method"] == "POST"][-1]
    validate_request("POST", sent["path"], sent["query"], sent["json"])
    assert sent["json"]["finetune_id"] == "ft_lofi_demo"
    assert sent["json"]["finetune_strength"] == 0.6


def test_offline_there_are_none(launch, engine_url, qtbot) -> None:
    reply = httpx.get(f"{engine_url}/v1/music/finetunes")
    validate_response_json("GET", "/v1/music/finetunes", 200, reply.json())
    studio = launch(engine_url=engine_url)
    studio.window.show_tab("music")
    click(qtbot, studio, "music.finetune_load")
    note = studio.find(QLabel, "music.finetune_note")
    qtbot.waitUntil(lambda: "no trained finetunes" in note.text() and note.isVisible(),
                    timeout=10_000)
    assert studio.find(QComboBox, "music.finetune").count() == 1
    assert not studio.find(QComboBox, "music.finetune").isVisible()
    assert studio.window.music_tab.producer.compose_fields() == {}
