"""Transcribe from a link through the window: with a key, the address is queued and
sent to the cloud test server as `source_url`; without one, the dialog says links need an
ElevenLabs key and sends nothing."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QPushButton

from app.ui.transcripts.link_dialog import NEEDS_KEY, LinkDialog
from tests.support.cloud import Cloud

LINK = "https://cdn.example.com/media/interview.mp3"


def _open_dialog(studio: Any) -> LinkDialog:
    studio.window.show_tab("transcripts")
    studio.find(QPushButton, "transcripts.queue_link").click()
    dialog = studio.window.findChild(LinkDialog, "transcripts.url_dialog")
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_a_link_is_transcribed_with_a_key(launch: Any, cloud: Cloud, qtbot: Any) -> None:
    studio = launch(cloud_url=cloud.url)
    dialog = _open_dialog(studio)
    qtbot.keyClicks(dialog.url, "cdn.example.com/a.mp3")
    assert not dialog.transcribe.isEnabled()
    assert "https://" in dialog.problem.text()
    dialog.url.setText(LINK)
    assert dialog.transcribe.isEnabled() and not dialog.problem.text()
    dialog.transcribe.click()
    queue = studio.window.transcription_queue
    qtbot.waitUntil(lambda: bool(queue.jobs) and queue.jobs[0].state == "done",
                    timeout=30_000)
    job = queue.jobs[0]
    assert (job.source, job.title) == (LINK, "interview.mp3")
    assert cloud.server._stt_music["sources"] == [
        {"source_url": LINK, "cloud_storage_url": None, "file": None}]
    tab = studio.window.transcripts_tab
    tab.queue_panel.table.selectRow(0)
    studio.find(QPushButton, "transcripts.queue_open").click()
    qtbot.waitUntil(lambda: tab.document.is_open, timeout=30_000)
    assert tab.document.source.title == "interview.mp3"
    assert tab.document.source.audio_path is None


def test_without_a_key_the_dialog_says_links_need_one(launch: Any, engine_url: str) -> None:
    studio = launch(engine_url=engine_url)
    dialog = _open_dialog(studio)
    assert dialog.note.text() == NEEDS_KEY
    assert "ElevenLabs API key" in NEEDS_KEY
    assert not dialog.url.isEnabled() and not dialog.transcribe.isEnabled()
    dialog.reject()
    assert studio.window.transcription_queue.jobs == []
