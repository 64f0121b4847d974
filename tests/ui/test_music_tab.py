"""The Music tab end to end: a real uvicorn server on 127.0.0.1 with the engine's music
routes, the real service layer, history, drafts and player."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPlainTextEdit, QPushButton

from app.api.client import ApiClient, ClientConfig
from app.audio.decode import decode_file
from app.audio.player import Player
from app.domain.formats import OutputFormat
from app.domain.music_plan import Plan, Section
from app.domain.music_plan_write import plan_to_dict, to_v1_composition_plan, to_v2_chunks
from app.engine.music_routes import create_router
from app.library.drafts import DraftStore
from app.library.history import HistoryStore
from app.library.paths import AppPaths
from app.library.secrets import KeyStore
from app.library.settings import Settings, SettingsStore
from app.ui.app_context import AppContext
from app.ui.music.music_tab import MusicTab
from app.ui.qt_async import TaskRunner
from app.ui.widgets.player_bar import PlayerBar
from tests.support.servers import run_server
from tests.support.spec import validate_request
from tests.ui.conftest import save_screenshot

pytestmark = pytest.mark.e2e

SHORT_PLAN = Plan(
    global_positive_styles=["lo-fi", "80 bpm"],
    global_negative_styles=["vocals"],
    sections=[Section("Intro", 3_000, ["soft pads"]), Section("Loop", 4_000, ["piano"]),
              Section("Outro", 3_000, ["fade out"])],
)


class Recorded:
    """Bodies the server received (each one checked against the spec first)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []


def music_app(recorded: Recorded, data_dir: Path) -> FastAPI:
    from starlette.requests import Request

    app = FastAPI()
    app.include_router(create_router(data_dir))

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Any:
        body = await request.body()
        data = json.loads(body) if body else None
        query = {k: request.query_params.getlist(k) for k in request.query_params}
        if request.url.path.startswith("/v1/music"):
            validate_request(request.method, request.url.path, query, data)
        recorded.requests.append({"path": request.url.path, "query": query, "json": data})
        return await call_next(request)

    return app


@pytest.fixture(scope="module")
def music_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Recorded]]:
    recorded = Recorded()
    with run_server(music_app(recorded, tmp_path_factory.mktemp("songs"))) as url:
        yield url, recorded


def make_ctx(home: Path, base_url: str = "http://127.0.0.1:9") -> AppContext:
    paths = AppPaths.under(home).ensure()
    store = SettingsStore(paths.config_dir / "settings.json")
    return AppContext(
        paths=paths, settings_store=store, settings=Settings(), key_store=KeyStore(),
        history=HistoryStore(paths.history_db, paths.audio_dir),
        drafts=DraftStore(paths.drafts_dir),
        client=ApiClient(ClientConfig(base_url=base_url, max_retries=0,
                                      retry_base_delay_s=0.01)),
        player=Player())


@pytest.fixture
def make_tab(qtbot: Any, qt_loop: Any, tmp_path: Path) -> Iterator[Callable[..., MusicTab]]:
    made: list[tuple[AppContext, MusicTab]] = []

    def make(base_url: str = "http://127.0.0.1:9", home: Path | None = None) -> MusicTab:
        ctx = make_ctx(home or tmp_path / "home", base_url)
        runner = TaskRunner()
        bar = PlayerBar(ctx.player)
        tab = MusicTab(ctx, runner, bar)
        tab.resize(1200, 720)
        qtbot.addWidget(tab)
        qtbot.addWidget(bar)
        tab.show()
        tab._test_runner = runner  # type: ignore[attr-defined]  # kept alive with the tab
        made.append((ctx, tab))
        return tab

    yield make
    for ctx, tab in made:
        tab._runner.cancel_all()
        task = asyncio.ensure_future(_close(ctx))
        qtbot.waitUntil(task.done, timeout=10_000)


async def _close(ctx: AppContext) -> None:
    await ctx.client.aclose()
    ctx.player.close()
    ctx.history.close()


def find(tab: MusicTab, cls: type, name: str) -> Any:
    widget = tab.findChild(cls, name)
    assert widget is not None, f"no {cls.__name__} named {name!r}"
    return widget


def wait_done(qtbot: Any, tab: MusicTab, count: int = 1, timeout: int = 60_000) -> None:
    qtbot.waitUntil(lambda: len(tab._ctx.history.list(kind="music")) >= count
                    and not tab.controller.is_composing, timeout=timeout)


def test_compose_from_a_prompt(make_tab: Any, music_server: Any, qtbot: Any,
                               tmp_path: Path) -> None:
    url, recorded = music_server
    recorded.requests.clear()
    tab = make_tab(url)
    find(tab, type(tab.mode), "music.mode").setCurrentIndex(0)
    prompt = find(tab, QPlainTextEdit, "music.prompt")
    qtbot.keyClicks(prompt, "A calm piano piece for a rainy evening")
    length = tab.prompt_panel.length
    length.setValue(5)
    find(tab, QCheckBox, "music.instrumental").setChecked(True)
    fmt = find(tab, QComboBox, "music.format")
    fmt.setCurrentIndex(fmt.findData("mp3_44100_128"))
    assert not find(tab, QCheckBox, "music.seed_fixed").isEnabled()  # not with a prompt
    compose = find(tab, QPushButton, "music.compose")
    assert compose.isEnabled(), compose.toolTip()
    qtbot.mouseClick(compose, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: find(tab, QPushButton, "music.cancel").isVisible(), timeout=5000)
    wait_done(qtbot, tab)

    sent = [r for r in recorded.requests if r["path"].startswith("/v1/music")]
    assert sent[-1]["path"] == "/v1/music/stream"
    assert sent[-1]["query"] == {"output_format": ["mp3_44100_128"]}
    body = sent[-1]["json"]
    assert body["prompt"] == "A calm piano piece for a rainy evening"
    assert body["music_length_ms"] == 5000
    assert body["force_instrumental"] is True
    assert body["model_id"] == "music_v2"  # the newest model that is not deprecated

    [generation] = tab._ctx.history.list(kind="music")
    assert generation.text == "A calm piano piece for a rainy evening"
    assert generation.output_format == "mp3_44100_128"
    extra = json.loads(generation.extra_json)
    assert extra["song_id"] and extra["stored"] is True
    settings = json.loads(generation.settings_json)
    assert settings["mode"] == "prompt" and settings["music_length_ms"] == 5000
    clip = decode_file(generation.file_path, OutputFormat.parse("mp3_44100_128"))
    assert abs(clip.duration_ms - 5000) < 200
    assert np.abs(clip.samples).max() > 0.05
    assert tab._ctx.player.duration_ms > 4000  # the player got the song
    status = find(tab, QLabel, "music.status").text()
    assert status.startswith("Done"), status
    # The running clock goes once the song is done (left standing, it read as still busy).
    assert find(tab, QLabel, "music.elapsed").text() == ""
    qtbot.waitUntil(lambda: tab.versions.list.count() == 1)


def test_no_sound_output_still_keeps_the_song(make_tab: Any, music_server: Any,
                                              qtbot: Any) -> None:
    url, _recorded = music_server
    tab = make_tab(url)
    tab._ctx.player.device = "Speakers that were unplugged"
    find(tab, type(tab.mode), "music.mode").setCurrentIndex(0)
    qtbot.keyClicks(find(tab, QPlainTextEdit, "music.prompt"), "A short drum loop")
    tab.prompt_panel.length.setValue(3)
    qtbot.mouseClick(find(tab, QPushButton, "music.compose"), Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab)
    assert len(tab._ctx.history.list(kind="music")) == 1  # kept all the same
    status = find(tab, QLabel, "music.status").text()
    assert status.startswith("Done"), status
    assert "could not be played" in status and "Speakers that were unplugged" in status


def test_compose_a_plan_with_details_then_keep_a_section(make_tab: Any, music_server: Any,
                                                         qtbot: Any, tmp_path: Path) -> None:
    url, recorded = music_server
    tab = make_tab(url)
    tab.output.select(tab.output.model, "music_v1")
    tab.editor.set_plan(SHORT_PLAN, "test")
    find(tab, QCheckBox, "music.detailed").setChecked(True)
    fmt = find(tab, QComboBox, "music.format")
    fmt.setCurrentIndex(fmt.findData("pcm_44100"))
    find(tab, QCheckBox, "music.seed_fixed").setChecked(True)
    tab.output.seed.setValue(7)
    recorded.requests.clear()
    tab.start_compose()
    wait_done(qtbot, tab)
    first = recorded.requests[-1]
    # Details of a streamable format come as events (the stream schema has no
    # respect_sections_durations: the server's default, on, applies).
    assert first["path"] == "/v1/music/detailed/stream"
    assert first["json"]["seed"] == 7 and first["json"]["with_timestamps"] is True
    assert "respect_sections_durations" not in first["json"]
    assert "sections" in first["json"]["composition_plan"]
    details = find(tab, type(tab.details), "music.details").toPlainText()
    assert "Sections" in details and "Intro" in details and "0–3 s" in details
    [version_a] = tab._ctx.history.list(kind="music")
    extra = json.loads(version_a.extra_json)
    assert extra["section_timings_ms"] == [[0, 3000], [3000, 7000], [7000, 10000]]

    # Keep the loop, make the intro anew.
    assert "can be kept" in find(tab, QLabel, "music.base").text()
    tab.editor.select_row(1)
    qtbot.mouseClick(find(tab, QPushButton, "music.keep_sections"), Qt.MouseButton.LeftButton)
    assert tab.editor.model.plan.sections[1].source is not None
    tab.editor.select_row(0)
    tab.editor.detail.positive.add_text("dark, A minor")
    find(tab, QCheckBox, "music.detailed").setChecked(False)
    tab.start_compose()
    wait_done(qtbot, tab, 2)
    second = recorded.requests[-1]
    assert second["path"] == "/v1/music/stream"
    section = second["json"]["composition_plan"]["sections"][1]
    assert section["source_from"] == {"song_id": extra["song_id"],
                                      "range": {"start_ms": 3000, "end_ms": 7000}}
    version_b = tab._ctx.history.list(kind="music")[0]
    a = decode_file(version_a.file_path, OutputFormat.parse("pcm_44100")).samples[:, 0]
    b = decode_file(version_b.file_path, OutputFormat.parse("pcm_44100")).samples[:, 0]
    kept = slice(3 * 44100 + 2000, 7 * 44100 - 2000)
    assert np.abs(a[kept] - b[kept]).max() < 1e-3
    assert np.abs(a[:44100] - b[:44100]).max() > 0.01

    # Compare: A, a short pause, then B, in the player.
    qtbot.waitUntil(lambda: tab.versions.list.count() == 2)
    compare = find(tab, QPushButton, "music.compare")
    tab.versions.list.item(1).setSelected(True)
    assert compare.isEnabled()
    qtbot.mouseClick(compare, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab._ctx.player.duration_ms > 20_000, timeout=10_000)
    assert tab._player_bar._title.text().startswith("Compare")

    # Clicking a section on the timeline plays from its start.
    tab.editor.timeline.resize(1000, 48)
    rect = tab.editor.timeline.section_rect(2)
    tab.mode.setCurrentIndex(1)
    qtbot.mouseClick(tab.editor.timeline, Qt.MouseButton.LeftButton,
                     pos=rect.center().toPoint())
    assert tab.editor.current_row() == 2


def test_cancel_saves_nothing(make_tab: Any, music_server: Any, qtbot: Any) -> None:
    url, _recorded = music_server
    tab = make_tab(url)
    tab.mode.setCurrentIndex(0)
    tab.prompt_panel.set_values("A long ambient drone", 240_000, True)
    tab.start_compose()
    cancel = find(tab, QPushButton, "music.cancel")
    qtbot.waitUntil(lambda: not cancel.isHidden(), timeout=5000)
    assert find(tab, type(tab.bar.progress), "music.progress").isVisible()
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.controller.is_composing, timeout=10_000)
    assert cancel.isHidden()
    assert "Stopped" in find(tab, QLabel, "music.status").text()
    assert tab._ctx.history.list(kind="music") == []
    assert not [p for p in tab._ctx.paths.audio_dir.iterdir() if p.is_file()]


def test_write_a_plan_from_the_prompt(make_tab: Any, music_server: Any, qtbot: Any) -> None:
    url, _recorded = music_server
    tab = make_tab(url)
    tab.editor.set_plan(SHORT_PLAN, None)
    tab.prompt_panel.prompt.setPlainText("An upbeat pop song about summer with vocals")
    tab.prompt_panel.length.setValue(60)
    qtbot.mouseClick(find(tab, QPushButton, "music.plan_from_prompt"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.editor.model.plan.total_ms == 60_000, timeout=10_000)
    assert tab.mode.currentIndex() == 1
    assert any(s.lines for s in tab.editor.model.plan.sections)
    tab.editor.undo_stack.undo()  # the plan that was there comes back
    assert plan_to_dict(tab.editor.model.plan) == plan_to_dict(SHORT_PLAN)


@pytest.mark.parametrize("shape", ["v1", "v2", "native", "request"])
def test_open_plans_of_either_shape(make_tab: Any, tmp_path: Path, shape: str) -> None:
    tab = make_tab()
    data: dict[str, Any] = {
        "v1": to_v1_composition_plan(SHORT_PLAN), "v2": to_v2_chunks(SHORT_PLAN),
        "native": {**plan_to_dict(SHORT_PLAN), "model_id": "music_v1"},
        "request": {"composition_plan": to_v2_chunks(SHORT_PLAN), "model_id": "music_v2"},
    }[shape]
    path = tmp_path / "song.plan.json"
    path.write_text(json.dumps(data))
    assert tab.load_plan_json(path)
    plan = tab.editor.model.plan
    assert [s.name for s in plan.sections] == ["Intro", "Loop", "Outro"]
    assert plan.global_positive_styles == ["lo-fi", "80 bpm"]
    assert plan.total_ms == 10_000
    if shape == "native":
        assert tab.output.model_id() == "music_v1"
    assert "Opened “song.plan.json”" in find(tab, QLabel, "music.status").text()
    assert tab.load_plan_json(plan_to_dict(SHORT_PLAN))  # a dict works too


def test_save_and_reopen_a_plan(make_tab: Any, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog

    tab = make_tab()
    tab.editor.set_plan(SHORT_PLAN, None)
    chosen = tmp_path / "mine"
    find(tab, QPushButton, "music.save_plan").click()
    dialog = find(tab, QFileDialog, "music.save_dialog")
    dialog.selectFile(str(chosen))
    dialog.accept()  # as the user presses Save: the tab adds .plan.json
    saved = tmp_path / "mine.plan.json"
    assert json.loads(saved.read_text())["model_id"] == "music_v2"
    tab.editor.set_plan(Plan(), None)
    find(tab, QPushButton, "music.open_plan").click()
    dialog = find(tab, QFileDialog, "music.open_dialog")
    dialog.selectFile(str(saved))
    dialog.accept()
    assert plan_to_dict(tab.editor.model.plan) == plan_to_dict(SHORT_PLAN)


def test_a_file_that_is_not_a_plan_says_so(make_tab: Any, tmp_path: Path) -> None:
    tab = make_tab()
    path = tmp_path / "words.json"
    path.write_text(json.dumps({"words": [], "text": "hi"}))
    assert not tab.load_plan_json(path)
    banner = find(tab, QLabel, "music.error.text")
    assert "cannot be opened" in banner.text()


def test_a_plan_nested_past_pythons_limit_is_refused_in_words(make_tab: Any,
                                                               tmp_path: Path) -> None:
    """`[[[[…]]]]` 100,000 deep made json.loads raise RecursionError, which nothing caught:
    a traceback instead of the banner. It is refused like any other non-plan; the plan
    on screen stays."""
    tab = make_tab()
    tab.editor.set_plan(SHORT_PLAN, None)
    path = tmp_path / "deep.plan.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert not tab.load_plan_json(path)
    assert "“deep.plan.json” is not JSON" in find(tab, QLabel, "music.error.text").text()
    assert plan_to_dict(tab.editor.model.plan) == plan_to_dict(SHORT_PLAN)


def test_a_plan_saved_with_a_byte_order_mark_opens(make_tab: Any, tmp_path: Path) -> None:
    """Notepad saves UTF-8 with a BOM; such a plan was refused as "not JSON"."""
    tab = make_tab()
    path = tmp_path / "edited.plan.json"
    text = json.dumps({**plan_to_dict(SHORT_PLAN), "model_id": "music_v1"}, ensure_ascii=False)
    path.write_bytes("\ufeff".encode() + text.encode())
    assert tab.load_plan_json(path)
    assert plan_to_dict(tab.editor.model.plan) == plan_to_dict(SHORT_PLAN)


def test_draft_and_versions_survive_a_restart(make_tab: Any, tmp_path: Path,
                                              music_server: Any, qtbot: Any) -> None:
    url, _recorded = music_server
    home = tmp_path / "restart"
    tab = make_tab(url, home=home)
    tab.editor.set_plan(SHORT_PLAN, None)
    tab.start_compose()
    wait_done(qtbot, tab)
    tab.editor.select_row(1)
    tab.editor.detail.lyrics.setPlainText("A line typed just before quitting")
    tab.prompt_panel.prompt.setPlainText("kept prompt")
    tab.output.detailed.setChecked(True)
    tab.flush_draft()

    again = make_tab(url, home=home)
    plan = again.editor.model.plan
    assert plan.sections[1].lines == ["A line typed just before quitting"]
    assert again.prompt_panel.text() == "kept prompt"
    assert again.output.detailed.isChecked()
    assert again.mode.currentIndex() == 1
    assert again.editor.model.keep_base is not None  # the last version can still be kept from
    qtbot.waitUntil(lambda: again.versions.list.count() == 1, timeout=5000)

    # "Load this version's plan back"
    again.editor.set_plan(Plan(), None)
    again.load_generation(again.versions.versions()[0])
    assert plan_to_dict(again.editor.model.plan) == plan_to_dict(SHORT_PLAN)


def test_screenshot(make_tab: Any, tmp_path: Path, qtbot: Any) -> None:
    from app.domain.music_templates import template

    tab = make_tab()
    tab.editor.set_plan(template("pop_song").plan(), None)
    tab.editor.select_row(1)
    tab.resize(880, 650)  # the window's default size, beside the History panel
    tab.show()
    qtbot.waitExposed(tab)
    assert save_screenshot(tab, "music_tab", tmp_path).stat().st_size > 0
    tab.mode.setCurrentIndex(0)
    assert save_screenshot(tab, "music_tab_prompt", tmp_path).stat().st_size > 0


def test_a_plan_answer_that_is_not_a_plan_is_the_servers_fault(make_tab: Any, qtbot: Any
                                                               ) -> None:
    """`/v1/music/plan` answering a section whose duration is text: writing the plan
    said "This plan cannot be opened … Choose a music plan (.plan.json) saved by XI
    Studio" (advice for a file the user picked), Rework "Something unexpected went
    wrong". Both now say the server's answer could not be used; the plan stays."""
    app = FastAPI()

    @app.post("/v1/music/plan")
    async def plan() -> dict[str, Any]:
        return {"positive_global_styles": [], "negative_global_styles": [],
                "sections": [{"section_name": "Intro", "duration_ms": "long",
                              "positive_local_styles": [], "negative_local_styles": [],
                              "lines": []}]}

    with run_server(app) as url:
        tab = make_tab(url)
        tab.editor.set_plan(SHORT_PLAN, None)
        tab.prompt_panel.prompt.setPlainText("a calm lo-fi loop")
        tab.write_plan_from_prompt()
        banner = find(tab, QLabel, "music.error.text")
        qtbot.waitUntil(banner.isVisible, timeout=20_000)
        assert "The server's answer could not be used" in banner.text()
        assert "Section 1: the duration should be a whole number" in banner.text()
        assert ".plan.json" not in banner.text()
        assert plan_to_dict(tab.editor.model.plan) == plan_to_dict(SHORT_PLAN)

        tab.producer.open_rework()
        dialog = tab.producer.rework_dialog
        dialog.instruction.setText("make the intro bigger")
        dialog.send()
        status = find(dialog, QLabel, "music.rework_status")
        qtbot.waitUntil(lambda: "could not be reworked" in status.text(), timeout=20_000)
        assert "The server's answer could not be used" in status.text()
        assert "unexpected" not in status.text()
        dialog.close()
        assert plan_to_dict(tab.editor.model.plan) == plan_to_dict(SHORT_PLAN)


@pytest.mark.parametrize("answer", [{"song_id": "s1"},
                                    {"song_id": "s1", "composition_plan": {"chunks": "x"}}],
                         ids=["no plan", "not a plan"])
def test_an_upload_answer_without_a_usable_plan_is_the_servers_fault(
        make_tab: Any, qtbot: Any, tmp_path: Path, answer: dict[str, Any]) -> None:
    """Your song…: an answer with no plan said "Something unexpected went wrong", one
    whose plan was not a plan "Choose a music plan (.plan.json) saved by XI Studio"."""
    app = FastAPI()

    @app.post("/v1/music/upload")
    async def upload() -> dict[str, Any]:
        return answer

    song = tmp_path / "mine.mp3"
    song.write_bytes(b"ID3" + bytes(2000))
    with run_server(app) as url:
        tab = make_tab(url)
        tab.editor.set_plan(SHORT_PLAN, None)
        tab.producer.upload_own_song(song)
        banner = find(tab, QLabel, "music.error.text")
        qtbot.waitUntil(banner.isVisible, timeout=20_000)
        assert "The server's answer could not be used" in banner.text()
        assert ".plan.json" not in banner.text() and "unexpected" not in banner.text()
        assert plan_to_dict(tab.editor.model.plan) == plan_to_dict(SHORT_PLAN)
