"""The Transcripts tab end to end: a real engine (the STT routes on uvicorn, PocketSphinx
on espeak-ng speech) on 127.0.0.1, the real library under tmp_path, the real player."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile as sf
from fastapi import FastAPI
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox, QScrollArea, QWidget

from app.api.client import ApiClient, ClientConfig
from app.audio.player import Player
from app.domain.subtitles import parse_srt, parse_vtt
from app.engine.espeak import Espeak
from app.engine.stt_routes import ENGINE_MARK_KEY, create_router
from app.library.drafts import DraftStore
from app.library.history import HistoryStore
from app.library.paths import AppPaths
from app.library.secrets import KeyStore
from app.library.settings import SettingsStore
from app.ui.app_context import AppContext
from app.ui.qt_async import TaskRunner
from app.ui.transcripts.transcript_document import OFFLINE_MARK_KEY
from app.ui.transcripts.transcripts_tab import TranscriptsTab
from app.ui.widgets.player_bar import PlayerBar
from tests.support.servers import run_server
from tests.ui.conftest import save_screenshot
from tests.ui.test_transcripts_view import synthetic_transcript

WAIT_MS = 60_000
TEXT = ("hello and welcome to the show. today we talk about the weather and the news. "
        "thank you for listening and see you next time.")


@pytest.fixture(scope="module")
def engine_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = FastAPI()
    app.include_router(create_router(tmp_path_factory.mktemp("engine")))
    with run_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    espeak = Espeak()
    synthesis = espeak.synthesize(TEXT, espeak.voice_for_language("en") or "en")
    path = tmp_path_factory.mktemp("audio") / "interview.wav"
    sf.write(path, synthesis.samples.astype(np.float32) / 32768.0, synthesis.sample_rate_hz)
    return path


@pytest.fixture
def ctx(tmp_path: Path, engine_url: str, qtbot: Any, qt_loop: Any) -> Iterator[AppContext]:
    paths = AppPaths.under(tmp_path / "home").ensure()
    store = SettingsStore(paths.config_dir / "settings.json")
    client = ApiClient(ClientConfig(base_url=engine_url, api_key=None,
                                    retry_base_delay_s=0.01))
    context = AppContext(paths=paths, settings_store=store, settings=store.load(),
                         key_store=KeyStore(), history=HistoryStore(paths.history_db,
                                                                    paths.audio_dir),
                         drafts=DraftStore(paths.drafts_dir), client=client, player=Player(),
                         engine_url=engine_url)
    context.runners = []  # type: ignore[attr-defined]
    context.tabs = []  # type: ignore[attr-defined]
    yield context
    for tab in context.tabs:  # type: ignore[attr-defined]
        tab.flush_draft()  # stops its timers, so nothing fires after the test
    for runner in context.runners:  # type: ignore[attr-defined]
        runner.cancel_all()
    qtbot.waitUntil(lambda: not any(r._tasks and any(not t.done() for t in r._tasks.values())
                                    for r in context.runners), timeout=10_000)  # type: ignore[attr-defined]
    context.player.close()
    closing = asyncio.ensure_future(client.aclose())
    qtbot.waitUntil(closing.done, timeout=5000)
    context.history.close()


def make_tab(ctx: AppContext, qtbot: Any) -> TranscriptsTab:
    runner = TaskRunner()
    bar = PlayerBar(ctx.player)
    tab = TranscriptsTab(ctx, runner, bar)
    tab._test_keep = (runner, bar)  # type: ignore[attr-defined]
    ctx.runners.append(runner)  # type: ignore[attr-defined]
    ctx.tabs.append(tab)  # type: ignore[attr-defined]
    qtbot.addWidget(tab)
    qtbot.addWidget(bar)
    tab.resize(1100, 720)
    tab.show()
    return tab


def press(qtbot: Any, button: QWidget) -> None:
    """Click like a user: scrolled into view first (the left column scrolls)."""
    parent = button.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if isinstance(parent, QScrollArea):
        parent.ensureWidgetVisible(button)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def idle(tab: TranscriptsTab) -> bool:
    return not any(tab.controller.is_running(n) for n in ("transcripts.transcribe",
                                                          "transcripts.fetch",
                                                          "transcripts.open"))


def transcribe(tab: TranscriptsTab, qtbot: Any, wav: Path) -> None:
    tab.open_path(wav)
    assert tab.source.media_path == wav
    assert "Ready to transcribe" in tab.status.text()
    press(qtbot, tab.source.transcribe_button)
    qtbot.waitUntil(lambda: tab.document.is_open and idle(tab), timeout=WAIT_MS)
    assert not tab.error_banner.isVisible(), tab.error_banner.text()


def click_word(tab: TranscriptsTab, qtbot: Any, word_index: int) -> None:
    view = tab.viewer.view
    view.show_word(word_index)
    row = tab.model.row_of_word(word_index)
    assert row is not None
    qtbot.waitUntil(lambda: view.visualRect(tab.model.index(row)).isValid(), timeout=5000)
    box = view.delegate.word_rect(row, view.visualRect(tab.model.index(row)), word_index)
    assert box is not None
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=box.center().toPoint())


def first_words(tab: TranscriptsTab) -> list[int]:
    edited = tab.document.edited
    assert edited is not None
    return [w.index for w in edited.words if w.kind == "word"]


def test_transcribe_click_search_edit_export_delete(ctx: AppContext, qtbot: Any,
                                                     speech_wav: Path, tmp_path: Path) -> None:
    tab = make_tab(ctx, qtbot)
    transcribe(tab, qtbot, speech_wav)
    original = tab.document.original
    assert original is not None and original.transcription_id
    words = first_words(tab)
    assert len(words) >= 5, [w.text for w in original.words]
    # What the user sees: paragraphs, a draft note, the language, a history entry.
    assert tab.model.rowCount() >= 1
    assert tab.viewer.draft_note.isVisible()
    assert "approximate" in tab.viewer.draft_note.text()
    assert OFFLINE_MARK_KEY == ENGINE_MARK_KEY
    assert tab.viewer.language_label.text().startswith("Language: English")
    entries = ctx.history.list(kind="transcript")
    assert len(entries) == 1 and entries[0].file_path == speech_wav
    saved_path = tab.document.source.saved_path
    assert saved_path is not None and saved_path.is_file()
    assert saved_path.parent == ctx.paths.data_dir / "transcripts"
    # The recording is linked: clicking a word puts the player there.
    qtbot.waitUntil(lambda: tab.playback.has_audio, timeout=10_000)
    target = words[3]
    click_word(tab, qtbot, target)
    start = original.words[target].start_ms
    assert abs(ctx.player.position_ms - max(0, start - 40)) <= 20
    assert tab.model.current_word == target
    assert tab.word_panel.index == target
    # Keyboard: Right steps to the next word, L jumps 5 s ahead.
    tab.viewer.view.setFocus()
    qtbot.keyClick(tab.viewer.view, Qt.Key.Key_Right)
    assert tab.model.current_word == words[4]
    qtbot.keyClick(tab.viewer.view, Qt.Key.Key_L)
    assert ctx.player.position_ms >= start + 4000 or ctx.player.position_ms == \
        ctx.player.duration_ms

    # Search: the count, next and previous, the audio follows.
    needle = original.words[words[1]].text
    tab.viewer.search.setText(needle)
    qtbot.waitUntil(lambda: tab.viewer.match_count.text() != "", timeout=3000)
    count = len(tab.search.matches)
    assert count >= 1 and tab.viewer.match_count.text() == f"1 of {count}"
    press(qtbot, tab.viewer.search_next)
    second = tab.search.matches[1 % count]
    assert tab.viewer.match_count.text() == f"{1 % count + 1} of {count}"
    assert tab.model.current_word == second
    assert abs(ctx.player.position_ms - max(0, original.words[second].start_ms - 40)) <= 20
    press(qtbot, tab.viewer.search_prev)
    assert tab.viewer.match_count.text() == f"1 of {count}"
    tab.viewer.search.setText("zzzz not there")
    qtbot.waitUntil(lambda: tab.viewer.match_count.text() == "No matches", timeout=3000)
    tab.viewer.search.clear()

    # Rename a speaker everywhere, then undo and redo.
    speakers = tab.speakers
    assert speakers.list.count() == 1
    speakers.list.setCurrentRow(0)
    speakers.name.setText("Ada Lovelace")
    press(qtbot, speakers.rename_button)
    assert tab.model.index(0).data().startswith("Ada Lovelace: ")
    assert speakers.list.item(0).text() == "Ada Lovelace"
    press(qtbot, tab.viewer.undo)
    assert tab.model.index(0).data().startswith("Speaker 1: ")
    press(qtbot, tab.viewer.redo)
    assert tab.model.index(0).data().startswith("Ada Lovelace: ")

    # Correct a word (the original is kept), undo it, redo it.
    fix = words[0]
    server_text = original.words[fix].text
    click_word(tab, qtbot, fix)
    tab.word_panel.text.setText("Greetings")
    press(qtbot, tab.word_panel.correct)
    assert tab.document.edited is not None
    assert tab.document.edited.words[fix].text == "Greetings"
    assert tab.document.original_text(fix) == server_text
    assert "Greetings" in tab.model.index(0).data()
    tab.document.undo_stack.undo()
    assert tab.document.edited.words[fix].text == server_text
    tab.document.undo_stack.redo()
    assert tab.document.edited.words[fix].text == "Greetings"

    # Saved as it goes: the file in the data folder holds the edits.
    qtbot.waitUntil(lambda: "Greetings" in saved_path.read_text(), timeout=5000)
    saved = json.loads(saved_path.read_text())
    assert saved["xi_studio"]["speaker_names"] == {"speaker_0": "Ada Lovelace"}
    assert any(w.get("original_text") == server_text for w in saved["words"])

    # Export SRT (with speaker names) and WebVTT, and read them back.
    dialog = tab.open_export_dialog()
    assert dialog is not None
    dialog.cue_speakers.setChecked(True)
    dialog.chars.setValue(30)
    srt_path = tmp_path / "out" / "show.srt"
    dialog.path.setText(str(srt_path))
    press(qtbot, dialog.export_button)
    qtbot.waitUntil(srt_path.is_file, timeout=5000)
    cues = parse_srt(srt_path.read_text())
    assert cues and cues[0].lines[0].startswith("Ada Lovelace: Greetings")
    assert all(len(line) <= 30 for cue in cues for line in cue.lines
               if " " in line.removeprefix("Ada Lovelace: "))
    dialog = tab.open_export_dialog()
    assert dialog is not None
    dialog.format.setCurrentIndex(dialog.format.findData("vtt"))
    vtt_path = tmp_path / "out" / "show.vtt"
    dialog.path.setText(str(vtt_path))
    press(qtbot, dialog.export_button)
    qtbot.waitUntil(vtt_path.is_file, timeout=5000)
    vtt = parse_vtt(vtt_path.read_text())
    assert vtt and vtt[0].start_ms == cues[0].start_ms
    assert "Greetings" in " ".join(" ".join(c.lines) for c in vtt)

    save_screenshot(tab, "transcripts_tab", tmp_path)

    # Delete on the server, after confirming (a non-modal box).
    transcription_id = original.transcription_id
    box = tab.confirm_delete()
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert not tab.controller.is_running("transcripts.delete")  # nothing before the answer
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: "was deleted" in tab.status.text(), timeout=5000)
    assert not tab.viewer.delete.isEnabled()
    qtbot.waitUntil(lambda: tab.findChild(QMessageBox, "transcripts.delete_confirm") is None,
                    timeout=2000)  # answered boxes are freed, not kept for the session
    gone = httpx.get(f"{ctx.engine_url}/v1/speech-to-text/transcripts/{transcription_id}")
    assert gone.status_code == 404
    assert saved_path.is_file()  # the local copy stays


def test_progress_elapsed_and_cancel(ctx: AppContext, qtbot: Any, speech_wav: Path) -> None:
    tab = make_tab(ctx, qtbot)
    sent: list[tuple[int, int]] = []
    tab.controller.upload_progress.connect(lambda done, total: sent.append((done, total)))
    tab.open_path(speech_wav)
    press(qtbot, tab.source.transcribe_button)
    assert tab.source.cancel_button.isVisible() and tab.source.progress.isVisible()
    assert tab.source.elapsed.text() == "0:00 elapsed"
    assert not tab.source.fetch_button.isEnabled()
    qtbot.waitUntil(lambda: bool(sent) and sent[-1][0] == sent[-1][1], timeout=WAIT_MS)
    assert sent[-1][1] == speech_wav.stat().st_size
    press(qtbot, tab.source.cancel_button)
    qtbot.waitUntil(lambda: idle(tab), timeout=WAIT_MS)
    if tab.document.is_open:  # the engine was quicker than the click: nothing to cancel
        return
    assert "stopped" in tab.status.text()
    assert not tab.source.cancel_button.isVisible()
    assert ctx.history.list(kind="transcript") == []
    assert tab.source.transcribe_button.isEnabled()


def test_saved_transcript_reopens_with_its_edits(ctx: AppContext, qtbot: Any,
                                                 speech_wav: Path) -> None:
    tab = make_tab(ctx, qtbot)
    tab.source.options.formats["srt"].setChecked(True)  # extra formats, saved alongside
    tab.source.options.formats["txt"].setChecked(True)
    tab.source.options.formats["pdf"].setChecked(True)  # the engine cannot: left out
    transcribe(tab, qtbot, speech_wav)
    saved_json = tab.document.source.saved_path
    assert saved_json is not None
    assert parse_srt(saved_json.with_suffix(".srt").read_text())
    assert saved_json.with_suffix(".txt").read_text().strip()
    assert not saved_json.with_suffix(".pdf").exists()
    assert "Also saved as SRT, TXT" in tab.status.text()
    words = first_words(tab)
    tab.document.rename_speaker("speaker_0", "Host")
    tab.document.correct_word(words[1], "corrected")
    tab.flush_draft()  # as on quit: edits and draft written at once
    saved_path = tab.document.source.saved_path
    assert saved_path is not None
    generation = ctx.history.list(kind="transcript")[0]

    again = make_tab(ctx, qtbot)  # a new window restores the last transcript from the draft
    qtbot.waitUntil(lambda: again.document.is_open and idle(again), timeout=WAIT_MS)
    assert again.document.source.generation_id == generation.id
    assert again.document.edited is not None
    assert again.document.edited.speaker_name("speaker_0") == "Host"
    assert again.document.edited.words[words[1]].text == "corrected"
    assert again.document.undo_stack.count() == 0
    assert again.playback.audio_path in (None, speech_wav)

    recent = again.source.recent
    qtbot.waitUntil(lambda: recent.count() == 2, timeout=5000)
    assert recent.itemData(1).id == generation.id

    third = make_tab(ctx, qtbot)
    third.open_path(saved_path)  # the saved JSON opened like any transcript file
    qtbot.waitUntil(lambda: third.document.is_open and idle(third), timeout=WAIT_MS)
    assert third.document.edits == again.document.edits
    assert third.document.original_text(words[1]) is not None
    qtbot.waitUntil(lambda: third.playback.has_audio, timeout=10_000)
    assert third.playback.audio_path == speech_wav


def test_fetch_by_id_keeps_earlier_edits(ctx: AppContext, qtbot: Any,
                                         speech_wav: Path) -> None:
    tab = make_tab(ctx, qtbot)
    transcribe(tab, qtbot, speech_wav)
    transcription_id = tab.document.original.transcription_id  # type: ignore[union-attr]
    tab.document.rename_speaker("speaker_0", "Guest")
    tab.flush_draft()
    other = make_tab(ctx, qtbot)
    qtbot.waitUntil(lambda: other.document.is_open and idle(other), timeout=WAIT_MS)
    other.source.id_input.setText(str(transcription_id))
    press(qtbot, other.source.fetch_button)
    qtbot.waitUntil(lambda: "Fetched" in other.status.text(), timeout=WAIT_MS)
    assert other.document.edited.speaker_name("speaker_0") == "Guest"  # type: ignore[union-attr]
    assert len(ctx.history.list(kind="transcript")) == 1
    other.source.id_input.setText("no-such-transcript")
    press(qtbot, other.source.fetch_button)
    qtbot.waitUntil(other.error_banner.isVisible, timeout=WAIT_MS)
    assert "No transcript with that id" in other.error_banner.text()


def test_settings_are_checked_before_sending(ctx: AppContext, qtbot: Any,
                                             speech_wav: Path, tmp_path: Path) -> None:
    tab = make_tab(ctx, qtbot)
    tab.open_path(speech_wav)
    options = tab.source.options
    options.keyterms.setText("fine, not <fine>")
    assert options.problems_label.isVisible()
    save_screenshot(tab, "transcripts_tab_settings", tmp_path)
    press(qtbot, tab.source.transcribe_button)
    assert tab.error_banner.isVisible()
    assert "Some settings need a change" in tab.error_banner.text()
    assert not tab.controller.is_running("transcripts.transcribe")
    options.keyterms.clear()
    options.diarize.setChecked(True)
    options.num_speakers.setValue(2)
    options.granularity.setCurrentIndex(options.granularity.findData("character"))
    sent = options.options()
    assert sent.diarize and sent.num_speakers == 2 and sent.timestamps_granularity == "character"
    assert options.problems() == []


def test_the_engine_refuses_other_languages_plainly(ctx: AppContext, qtbot: Any,
                                                   speech_wav: Path) -> None:
    tab = make_tab(ctx, qtbot)
    tab.open_path(speech_wav)
    tab.source.options.language.setCurrentIndex(tab.source.options.language.findData("fr"))
    press(qtbot, tab.source.transcribe_button)
    qtbot.waitUntil(tab.error_banner.isVisible, timeout=WAIT_MS)
    assert "only recognises English" in tab.error_banner.text()
    assert not tab.document.is_open


def test_multichannel_file_and_thirty_thousand_words(ctx: AppContext, qtbot: Any,
                                                     tmp_path: Path) -> None:
    tab = make_tab(ctx, qtbot)
    multi = tmp_path / "call.json"
    multi.write_text(json.dumps(synthetic_transcript(600, channels=2)))
    tab.open_path(multi)
    qtbot.waitUntil(lambda: tab.document.is_open and idle(tab), timeout=WAIT_MS)
    channel_view = tab.viewer.channel_view
    assert not channel_view.isHidden() and channel_view.count() == 4
    channel_view.setCurrentIndex(3)
    assert {row.channel for row in tab.model.rows} == {1}
    channel_view.setCurrentIndex(0)
    assert {row.channel for row in tab.model.rows} == {0, 1}
    assert tab.speakers.list.count() == 2
    # Merge the two speakers, then undo.
    tab.speakers.list.setCurrentRow(1)
    press(qtbot, tab.speakers.merge_button)
    assert tab.speakers.list.count() == 1
    tab.document.undo_stack.undo()
    assert tab.speakers.list.count() == 2

    big = tmp_path / "long.json"
    big.write_text(json.dumps(synthetic_transcript(30_000, seed=7)))
    tab.open_path(big)
    qtbot.waitUntil(lambda: tab.document.is_open and tab.document.source.title == "long"
                    and idle(tab), timeout=WAIT_MS)
    assert sum(1 for w in tab.document.edited.words if w.kind == "word") > 29_000  # type: ignore[union-attr]
    view = tab.viewer.view
    qtbot.waitUntil(lambda: view.indexAt(QPoint(40, 20)).isValid(), timeout=10_000)
    tab.viewer.confidence.setValue(90)
    assert tab.model.threshold == 0.9
    assert len(ctx.history.list(kind="transcript")) == 2
