"""Cancel, then start again: the new request runs once the old one has unwound, through
the tabs where a user meets it (Music: plan from a prompt, compose; Transcripts: saving
edits; Speech: generate). Before TaskRunner.restart these silently did nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton

from tests.support.transcripts import two_channel_call
from tests.ui import test_music_tab as music
from tests.ui import test_transcripts_tab as transcripts
from tests.ui.test_music_tab import find

# Fixtures of the two tabs' tests: real servers on loopback, libraries under tmp_path.
make_tab, music_server = music.make_tab, music.music_server
engine_url, ctx = transcripts.engine_url, transcripts.ctx


def test_a_second_plan_from_the_prompt_replaces_the_first(make_tab: Any, music_server: Any,
                                                          qtbot: Any) -> None:
    url, _recorded = music_server
    tab = make_tab(url)
    button = find(tab, QPushButton, "music.plan_from_prompt")
    tab.prompt_panel.prompt.setPlainText("An upbeat pop song about summer with vocals")
    tab.prompt_panel.length.setValue(60)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    # Changed their mind before the first plan came back: a longer song.
    tab.prompt_panel.length.setValue(90)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Plan written" in find(tab, QLabel, "music.status").text(),
                    timeout=10_000)
    assert tab.editor.model.plan.total_ms == 90_000
    qtbot.waitUntil(lambda: not tab._runner.is_running("music.plan"), timeout=5000)
    assert tab.editor.model.plan.total_ms == 90_000  # the first one never lands later


def test_compose_right_after_cancel_composes(make_tab: Any, music_server: Any,
                                            qtbot: Any) -> None:
    url, _recorded = music_server
    tab = make_tab(url)
    tab.mode.setCurrentIndex(0)
    tab.prompt_panel.set_values("A long ambient drone", 240_000, True)
    tab.start_compose()
    cancel = find(tab, QPushButton, "music.cancel")
    qtbot.waitUntil(lambda: not cancel.isHidden(), timeout=5000)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    tab.prompt_panel.set_values("A short bright jingle", 10_000, True)
    tab.start_compose()  # while the cancelled song is still unwinding
    qtbot.waitUntil(lambda: len(tab._ctx.history.list(kind="music")) == 1, timeout=60_000)
    (song,) = tab._ctx.history.list(kind="music")
    assert "jingle" in song.text
    qtbot.waitUntil(lambda: not tab.controller.is_composing, timeout=10_000)
    assert "Done" in find(tab, QLabel, "music.status").text()


def test_a_second_save_of_edits_is_not_dropped(ctx: Any, qtbot: Any, tmp_path: Path) -> None:
    tab = transcripts.make_tab(ctx, qtbot)
    source = tmp_path / "call.json"
    source.write_text(json.dumps(two_channel_call()))
    tab.open_path(source)
    qtbot.waitUntil(lambda: tab.document.is_open and transcripts.idle(tab),
                    timeout=transcripts.WAIT_MS)
    saved = tab.document.source.saved_path
    assert saved is not None
    tab.document.rename_speaker("speaker_0", "Ada")
    tab._save_edits()
    tab.document.rename_speaker("speaker_0", "Grace")
    tab._save_edits()  # while the first save is in flight
    tab._save_timer.stop()  # only these two saves: no later one to hide a dropped save

    def names() -> dict[str, str]:
        try:
            return json.loads(saved.read_text())["xi_studio"]["speaker_names"]
        except (OSError, ValueError, KeyError):
            return {}

    qtbot.waitUntil(lambda: names().get("speaker_0") == "Grace"
                    and not tab.controller.is_running("transcripts.save"), timeout=5000)
    assert names()["speaker_0"] == "Grace"


def test_generate_right_after_cancel_generates(launch: Any, cloud: Any, qtbot: Any) -> None:
    cloud.control.configure(chunk_delay_s=0.15, chunk_bytes=512)
    studio = launch(cloud_url=cloud.url)
    box = studio.find(QPlainTextEdit, "speech.text")
    box.setPlainText("A long, slow sentence that takes a while to arrive. " * 4)
    qtbot.mouseClick(studio.find(QPushButton, "speech.generate"), Qt.MouseButton.LeftButton)
    cancel = studio.find(QPushButton, "speech.cancel")
    qtbot.waitUntil(lambda: studio.ctx.player.duration_ms > 0, timeout=10_000)
    cloud.control.configure(chunk_delay_s=0.0)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    box.setPlainText("The second try.")
    qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Generate
    qtbot.waitUntil(lambda: len(studio.ctx.history.list()) == 1, timeout=30_000)
    assert studio.ctx.history.list()[0].text == "The second try."
