"""What the next start finds after a crash at the worst moment, checked directly (the
crash test hits these moments only by chance)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit, QPushButton

from app.audio.decode import decode_file
from app.library.history import HistoryStore, NewGeneration
from app.ui.speech.speech_tab import AUTOSAVE_DELAY_MS
from tests.reliability.conftest import StudioFactory
from tests.support.cloud import Cloud
from tests.support.cloud_server import encode_tone


def test_a_finished_file_without_its_row_is_listed_at_the_next_start(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3", tmp_path / "audio")
    listed = store.open_audio_writer("mp3")
    listed.write(encode_tone("mp3_44100_128", 0.5))
    store.add(NewGeneration(
        kind="speech", title="Listed", text="Listed", voice_id="v", voice_name="V",
        model_id="m", output_format="mp3_44100_128", settings_json="{}", request_ids=[],
        character_cost=6, duration_ms=500, file_path=listed.commit(), session_id="s"))
    # The app dies between committing the file and writing its row...
    orphan = store.open_audio_writer("wav")
    orphan.write(encode_tone("wav_24000", 0.5))
    orphan_path = orphan.commit()
    empty = store.open_audio_writer("mp3").commit()  # a generation that produced nothing
    partial = store.open_audio_writer("mp3")
    partial.write(b"ID3 half a file")
    # ...and files that are not the app's own are never touched.
    (store.audio_dir / "my own song.mp3").write_bytes(b"mine")
    (store.audio_dir / "notes.txt").write_text("mine too")
    store.close()
    # The process dies: its file locks (which keep other copies' recovery off the files
    # it is still writing or listing) go with it.
    orphan.release()
    partial._file.close()  # type: ignore[union-attr]
    partial.release()

    reopened = HistoryStore(store.db_path, store.audio_dir)
    try:
        rows = reopened.list()
        assert [r.title for r in rows if r.kind == "speech"] == ["Listed"]
        recovered = [r for r in rows if r.kind == "recovered"]
        assert len(recovered) == 1 and recovered[0].file_path == orphan_path
        assert recovered[0].file_exists and json.loads(recovered[0].extra_json)["recovered"]
        assert decode_file(orphan_path).duration_ms >= 450
        names = sorted(p.name for p in reopened.audio_dir.iterdir())
        assert not empty.exists() and not partial.partial_path.exists()
        assert "my own song.mp3" in names and "notes.txt" in names
        assert len(rows) == 2
    finally:
        reopened.close()
    # Starting again changes nothing: the recovered file is listed once.
    again = HistoryStore(store.db_path, store.audio_dir)
    try:
        assert len(again.list()) == 2
    finally:
        again.close()


@pytest.mark.e2e
def test_what_was_typed_is_on_disk_before_the_request_leaves(
        qtbot: Any, studios: StudioFactory, cloud: Cloud) -> None:
    """A crash in the first moments of a generation must not lose the text: it is saved
    when Generate is pressed, not only after the autosave delay."""
    cloud.control.configure(chunk_delay_s=0.2)
    studio = studios.start(studios.home(), cloud_url=cloud.url)
    text = "Typed a moment ago, then straight to Generate."
    studio.find(QPlainTextEdit, "speech.text").setPlainText(text)
    draft = studio.ctx.paths.drafts_dir / "speech.json"
    clicked = time.monotonic()
    qtbot.mouseClick(studio.find(QPushButton, "speech.generate"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: draft.exists() and json.loads(draft.read_text())["text"] == text,
                    timeout=2000)
    # Saved as the request leaves, well before the autosave delay would have saved it.
    assert time.monotonic() - clicked < AUTOSAVE_DELAY_MS / 1000 / 2
    studio.window.runner.cancel("speech.generate")
