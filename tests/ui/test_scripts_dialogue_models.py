"""The Scripts tab's "As dialogue" button follows the model, as the cloud test server's
/v1/models lists it (Eleven v3 and a v3 variant, Multilingual v2, Flash v2.5, and a
speech-to-speech model that speaks no text); a model the server refuses for dialogue is
said plainly, remembered, and its blocks can be made one by one instead. Offline, the
local engine's own model makes dialogues: the engine lists no other model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QTableView

from tests.support.spec import validate_request
from tests.ui.test_scripts_e2e import (
    CLONE,
    GEORGE,
    SARAH,
    SCREENPLAY,
    cast_voice,
    open_screenplay,
    statuses,
)

pytestmark = pytest.mark.e2e


def choose_model(studio: Any, model_id: str) -> None:
    combo: QComboBox = studio.find(QComboBox, "scripts.model")
    index = combo.findData(model_id)
    assert index >= 0, f"{model_id} is not offered"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # what a user's pick in the list emits
    assert studio.window.scripts_tab.document.script.model_id == model_id


def select_rows(table: QTableView, rows: list[int]) -> None:
    """Click the first row, Shift+click the others (as the selection model sees it)."""
    flags = QItemSelectionModel.SelectionFlag
    selection = table.selectionModel()
    for n, row in enumerate(rows):
        selection.select(table.model().index(row, 0),
                         (flags.ClearAndSelect if n == 0 else flags.Select) | flags.Rows)


def test_the_dialogue_button_follows_the_model_and_a_refusal(launch, cloud, qtbot,
                                                             tmp_path: Path) -> None:
    studio = open_screenplay(launch, cloud, qtbot, tmp_path)
    tab = studio.window.scripts_tab
    table = studio.find(QTableView, "scripts.blocks")
    for speaker, voice in (("NARRATOR", GEORGE), ("ANNA", SARAH), ("BEN", CLONE)):
        cast_voice(studio, qtbot, speaker, voice)
    combo: QComboBox = studio.find(QComboBox, "scripts.model")
    qtbot.waitUntil(lambda: combo.findData("eleven_v3") >= 0, timeout=20_000)
    # Listed, but it speaks no text: not a model for scripts at all.
    assert combo.findData("eleven_multilingual_sts_v2") < 0
    dialogue: QPushButton = studio.find(QPushButton, "scripts.dialogue")

    expected = {"eleven_multilingual_v2": False, "eleven_flash_v2_5": False,
                "eleven_v3": True, "eleven_v3_conversational": True}
    for model_id, enabled in expected.items():
        choose_model(studio, model_id)
        select_rows(table, [2, 3])
        qtbot.waitUntil(lambda e=enabled: dialogue.isEnabled() is e, timeout=5_000)
        if not enabled:
            assert "can't make dialogues; choose Eleven v3 as the script's Model" in (
                dialogue.toolTip())

    # The v3 variant is listed as speaking text, so the button offers it; this server
    # refuses it for dialogue (400 unsupported_model naming the model).
    choose_model(studio, "eleven_v3_conversational")
    select_rows(table, [2, 3])
    qtbot.waitUntil(dialogue.isEnabled, timeout=5_000)
    qtbot.mouseClick(dialogue, Qt.MouseButton.LeftButton)
    banner = studio.find(QLabel, "scripts.error.text")
    qtbot.waitUntil(lambda: "This model can't make dialogues" in banner.text(), timeout=20_000)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    assert "choose Eleven v3 as the script's Model" in banner.text()
    assert "Nothing was made or charged" in banner.text()
    assert "does not support text to dialogue" in banner.text()  # the server's own words
    status = studio.find(QLabel, "scripts.status")
    assert status.text() == "Nothing was made: this model can't make dialogues."
    assert statuses(table) == ["missing"] * 5
    assert cloud.control.stats()["generations"] == {}
    # Remembered for the session: the button is off for this model, and says why.
    select_rows(table, [2, 3])
    qtbot.waitUntil(lambda: not dialogue.isEnabled(), timeout=5_000)
    assert "the server refused it" in dialogue.toolTip()

    # The offer: the same blocks, one request each, with this model.
    one_by_one: QPushButton = studio.find(QPushButton, "scripts.error.retry")
    assert one_by_one.isVisible() and one_by_one.text() == "Make them one by one"
    qtbot.mouseClick(one_by_one, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(table)[2:4] == ["done", "done"], timeout=30_000)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    assert statuses(table)[:2] + statuses(table)[4:] == ["missing"] * 3
    sent = [r for r in cloud.control.requests()
            if r["method"] == "POST" and r["path"].startswith("/v1/text-to-")]
    assert [r["path"].split("/")[2] for r in sent] == [
        "text-to-dialogue", "text-to-speech", "text-to-speech"]
    for request in sent:
        assert request["json"]["model_id"] == "eleven_v3_conversational"
        validate_request("POST", request["path"], request["query"], request["json"])
    for block in tab.document.script.blocks[2:4]:
        assert block.chosen_take is not None and not block.chosen_take.from_dialogue

    # Only that model was refused: Eleven v3 still makes dialogues.
    choose_model(studio, "eleven_v3")
    select_rows(table, [0, 1])
    qtbot.waitUntil(dialogue.isEnabled, timeout=5_000)


def test_offline_blocks_made_as_one_dialogue(launch, engine_url: str, qtbot,
                                             tmp_path: Path) -> None:
    """Against the local engine (no key, no network): the screenplay keeps the cloud
    model it was imported with, which the engine does not list, so the button says to
    choose the offline model; once chosen, three blocks in two voices are made as one
    dialogue and cut back onto the blocks, each with its own take, voice and words."""
    import io

    import soundfile as sf

    from app.domain.local_engine import ENGINE_MODEL_ID
    from app.library.script_store import load_script, take_path

    studio = launch(engine_url=engine_url)
    source = tmp_path / "spring ad.txt"
    source.write_text(SCREENPLAY, encoding="utf-8")
    studio.window.open_paths([source])
    tab = studio.window.scripts_tab
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.waitUntil(lambda: table.model().rowCount() == 5, timeout=10_000)
    for speaker, row in (("NARRATOR", 0), ("ANNA", 1), ("BEN", 2)):
        combo: QComboBox = studio.find(QComboBox, f"scripts.voice_{speaker.lower()}")
        qtbot.waitUntil(lambda c=combo: c.count() > 2, timeout=20_000)
        combo.setCurrentIndex(row)
        combo.activated.emit(row)  # what a user's pick in the list emits
    model_combo: QComboBox = studio.find(QComboBox, "scripts.model")
    qtbot.waitUntil(lambda: model_combo.findData(ENGINE_MODEL_ID) >= 0, timeout=20_000)
    dialogue: QPushButton = studio.find(QPushButton, "scripts.dialogue")

    # Anna, Ben, Anna: blocks 3 to 5.
    select_rows(table, [2, 3, 4])
    script = tab.document.script
    assert script.model_id != ENGINE_MODEL_ID  # as imported: a cloud model
    qtbot.waitUntil(lambda: "choose Offline voices (espeak-ng) as the script's Model"
                    in dialogue.toolTip(), timeout=5_000)
    assert not dialogue.isEnabled()

    choose_model(studio, ENGINE_MODEL_ID)
    select_rows(table, [2, 3, 4])
    qtbot.waitUntil(dialogue.isEnabled, timeout=5_000)
    qtbot.mouseClick(dialogue, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(table)[2:] == ["done"] * 3, timeout=60_000)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    status = studio.find(QLabel, "scripts.status")
    assert status.text() == "Made 3 blocks as one dialogue; each has a new take."
    assert statuses(table)[:2] == ["missing", "missing"]  # nothing else was made

    script = tab.document.script
    blocks = script.blocks[2:]
    takes = [b.chosen_take for b in blocks]
    assert all(t is not None and t.from_dialogue for t in takes)
    assert len({t.request_id for t in takes}) == 1  # one request made them all
    assert len({t.file for t in takes}) == 3  # each block its own piece of the audio
    voices = [t.voice_id for t in takes]
    assert voices == [script.voice_of(b) for b in blocks]
    assert voices[0] == voices[2] != voices[1]  # Anna, Ben, Anna
    for block, take in zip(blocks, takes, strict=True):
        assert take.model_id == ENGINE_MODEL_ID and take.text == block.text
        assert take.alignment and [w.word for w in take.alignment] == block.text.split()
        assert take.alignment[0].start_ms < 500  # the piece starts with its own line
        audio = take_path(tab.document.path, take.file).read_bytes()
        seconds = sf.info(io.BytesIO(audio)).duration
        assert take.alignment[-1].end_ms <= seconds * 1000 + 30
        assert not script.is_stale(block)
    # Saved as made: the script file on disk has the three takes chosen.
    on_disk = load_script(tab.document.path)
    assert [b.chosen_take for b in on_disk.blocks[2:]] == takes
