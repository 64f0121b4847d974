"""The Music tab's acceptance path through the whole window: build a three-section plan
in the editor (add, reorder, undo, redo), compose against the local engine, check the
request against the spec and the song's length against the plan, and hear it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QWidget,
)

from app.audio.decode import decode_file
from app.domain.formats import OutputFormat
from tests.support.alsa_sink import read_played
from tests.support.recording import RecordingApp
from tests.support.servers import run_server
from tests.support.spec import validate_request
from tests.ui.conftest import save_screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def recording_engine(tmp_path: Path) -> Iterator[tuple[str, RecordingApp]]:
    from app.engine.app import create_app

    app = RecordingApp(create_app(tmp_path / "engine"))
    with run_server(app) as url:
        yield url, app


def click(qtbot: Any, studio: Any, name: str) -> None:
    button = studio.find(QPushButton, name)
    assert button.isEnabled(), f"{name} is disabled: {button.toolTip()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def name_and_length(qtbot: Any, studio: Any, name: str, seconds: float) -> None:
    box = studio.find(QLineEdit, "music.section_name")
    box.selectAll()
    qtbot.keyClicks(box, name)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    studio.find(QDoubleSpinBox, "music.section_duration").setValue(seconds)


def section_names(studio: Any) -> list[str]:
    return [s.name for s in studio.window.music_tab.editor.model.plan.sections]


def test_plan_compose_and_hear(launch, recording_engine, qtbot, alsa_played_file: Path,
                               tmp_path: Path) -> None:
    url, engine = recording_engine
    studio = launch(engine_url=url)
    studio.find(QTabWidget, "main.tabs").setCurrentIndex(2)
    studio.find(QTabWidget, "music.mode").setCurrentIndex(1)
    editor = studio.window.music_tab.editor

    for name, seconds in (("Intro", 3.0), ("Chorus", 5.0), ("Verse", 4.0)):
        click(qtbot, studio, "music.add_section")
        name_and_length(qtbot, studio, name, seconds)
    assert section_names(studio) == ["Intro", "Chorus", "Verse"]
    editor.select_row(2)
    click(qtbot, studio, "music.move_up")  # Verse before Chorus
    assert section_names(studio) == ["Intro", "Verse", "Chorus"]
    click(qtbot, studio, "music.undo")
    assert section_names(studio) == ["Intro", "Chorus", "Verse"]
    click(qtbot, studio, "music.redo")
    assert section_names(studio) == ["Intro", "Verse", "Chorus"]

    fmt = studio.find(QComboBox, "music.format")
    fmt.setCurrentIndex(fmt.findData("mp3_44100_128"))
    click(qtbot, studio, "music.compose")
    music_tab = studio.window.music_tab
    qtbot.waitUntil(lambda: len(studio.ctx.history.list(kind="music")) == 1
                    and not music_tab.controller.is_composing, timeout=60_000)

    sent = [r for r in engine.requests if r["path"].startswith("/v1/music")]
    assert len(sent) == 1
    request = sent[0]
    validate_request(request["method"], request["path"], request["query"], request["json"])
    plan = request["json"]["composition_plan"]
    durations = [c.get("duration_ms") for c in plan.get("chunks", plan.get("sections", []))]
    assert durations == [3000, 4000, 5000]

    generation = studio.ctx.history.list(kind="music")[0]
    clip = decode_file(generation.file_path, OutputFormat.parse("mp3_44100_128"))
    assert abs(clip.duration_ms - 12_000) <= 3 * 50  # within 50 ms per section
    qtbot.waitUntil(lambda: np.abs(read_played(alsa_played_file)).max(initial=0) > 0.05,
                    timeout=15_000)
    history = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: history.model().rowCount() == 1, timeout=10_000)
    save_screenshot(studio.window, "music-composed", tmp_path)
    assert not studio.find(QWidget, "music.problems").isVisible() or \
        "✖" not in studio.find(QWidget, "music.problems").text()


def test_a_saved_plan_reopened_composes_the_same_request(launch, recording_engine, qtbot,
                                                         tmp_path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog

    from app.domain.music_templates import template

    url, engine = recording_engine
    studio = launch(engine_url=url)
    studio.window.show_tab("music")
    studio.find(QTabWidget, "music.mode").setCurrentIndex(1)
    music_tab = studio.window.music_tab
    music_tab.editor.set_plan(template("podcast_intro").plan(), "test")

    def compose() -> dict:
        before = len(studio.ctx.history.list(kind="music"))
        click(qtbot, studio, "music.compose")
        qtbot.waitUntil(lambda: len(studio.ctx.history.list(kind="music")) == before + 1
                        and not music_tab.controller.is_composing, timeout=60_000)
        return [r for r in engine.requests if r["path"].startswith("/v1/music")][-1]

    first = compose()
    saved = tmp_path / "intro.plan.json"
    click(qtbot, studio, "music.save_plan")
    dialog = studio.find(QFileDialog, "music.save_dialog")
    assert dialog.isVisible()  # a window-modal sheet: the event loop keeps running
    dialog.selectFile(str(saved))
    dialog.accept()  # as the user presses Save
    qtbot.waitUntil(saved.exists, timeout=10_000)
    sections = len(music_tab.editor.model.plan.sections)
    click(qtbot, studio, "music.add_section")  # change the plan in the editor...
    studio.window.open_paths([saved])  # ...then open the saved one again
    qtbot.waitUntil(lambda: len(music_tab.editor.model.plan.sections) == sections,
                    timeout=10_000)  # (the file is read in the background)
    second = compose()
    assert (second["path"], second["query"], second["json"]) == \
        (first["path"], first["query"], first["json"])


def test_a_plan_the_server_refuses_is_marked_where_it_failed(launch, cloud, qtbot,
                                                             tmp_path: Path) -> None:
    """A 422 about one section's styles (a rule the schema does not show, as the cloud
    has) turns that row's Styles cell red with the server's words, lists it under the
    table, says so in the banner, saves nothing, and clears once the plan is changed."""
    from PySide6.QtWidgets import QLabel

    from app.domain.music_plan import Plan, Section
    from app.ui.music.section_model import ERROR_BACKGROUND, STYLES

    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    studio.find(QTabWidget, "music.mode").setCurrentIndex(1)
    tab = studio.window.music_tab
    tab.output.select(tab.output.model, "music_v2")
    tab.editor.set_plan(Plan(global_positive_styles=["pop"], sections=[
        Section("Intro", 4000, ["piano"]), Section("Verse", 6000, ["in the style of X"]),
        Section("Outro", 4000)]), "test")
    refused = "Styles may not name an artist"
    cloud.control.add_faults({"path_regex": r"^/v1/music", "fault": "422", "errors": [
        # chunk 1's styles are ["pop", "in the style of X"]: index 1 is the section's own
        {"loc": ["body", "composition_plan", "chunks", 1, "positive_styles", 1],
         "msg": refused, "type": "value_error"}]})
    click(qtbot, studio, "music.compose")
    banner = studio.find(QLabel, "music.error.text")
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=30_000)
    assert "The server did not accept the plan" in banner.text()
    assert "Section 2 “Verse”: the server did not accept the styles" in banner.text()
    model = tab.editor.model
    cell = model.index(1, STYLES)
    assert refused in model.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert model.data(cell, Qt.ItemDataRole.BackgroundRole) == ERROR_BACKGROUND
    assert model.data(model.index(0, STYLES), Qt.ItemDataRole.BackgroundRole) is None
    assert refused in studio.find(QLabel, "music.problems").text()
    assert tab.editor.current_row() != 1  # scrolled to, not selected (that hides the red)
    assert studio.find(QLabel, "player.title").text() == "Nothing was composed"
    assert "Fix the plan first" in (tab.blocked_reason() or "")  # not resent as it is
    assert studio.ctx.history.list(kind="music") == []
    # With the banner taking room, the plan page scrolls rather than cutting fields short.
    for name in ("music.section_positive", "music.section_negative", "music.section_name"):
        field = studio.find(QWidget, name)
        assert field.height() >= field.minimumSizeHint().height(), name
    save_screenshot(studio.window, "music-refused", tmp_path)

    # Changing the plan makes it a new plan: the server's marks go.
    assert model.setData(model.index(1, STYLES), "synth pop")  # as typed into the cell
    qtbot.waitUntil(lambda: refused not in studio.find(QLabel, "music.problems").text(),
                    timeout=5000)
    assert tab.blocked_reason() is None


def test_a_refused_keep_is_explained(launch, cloud, qtbot) -> None:
    """An account that may not keep sections (403 from the cloud) is told so plainly."""
    from PySide6.QtWidgets import QLabel

    from app.domain.music_plan import Plan, Section, SongRef

    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    studio.find(QTabWidget, "music.mode").setCurrentIndex(1)
    tab = studio.window.music_tab
    tab.output.select(tab.output.model, "music_v1")
    tab.editor.set_plan(Plan(sections=[
        Section("Intro", 4000, ["piano"]),
        Section("Verse", 4000, ["piano"], source=SongRef("abc", 3000, 7000))]), "test")
    cloud.control.add_faults({"path_regex": r"^/v1/music", "fault": "403"})
    click(qtbot, studio, "music.compose")
    banner = studio.find(QLabel, "music.error.text")
    qtbot.waitUntil(banner.isVisible, timeout=30_000)
    assert "not available on this account" in banner.text()
    assert "Creator plan" in banner.text()  # the server's own words
    assert "Untick “Keep”" in banner.text()
    assert studio.ctx.history.list(kind="music") == []
