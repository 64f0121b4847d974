"""File → Open (the window's open_paths, as a drop or the command line also use) of a
damaged script, transcript, music plan or text, in the real window: a message naming the
file shows, what the user had typed stays, the damaged file is left as it was on disk,
and the window goes on (an ordinary file opens afterwards)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from tests.reliability_files.damage import FILE_DAMAGE, JSON_DAMAGE

BANNERS = ("speech.error", "scripts.error", "transcripts.error", "music.error")
DAMAGES = ["empty", "one_byte", "half", "random", "png", "zip", "invalid_utf8", "nul_bytes",
           "huge_50mb", "fifo"]  # (a folder is a folder of recordings: queued to transcribe)
TYPED = "My own words, not to be lost."
VALID = {
    "talk.json": json.dumps({"language_code": "en", "text": "Hi there.", "words": [
        {"text": "Hi", "start": 0.0, "end": 0.3, "type": "word"},
        {"text": " ", "start": 0.3, "end": 0.4, "type": "spacing"},
        {"text": "there.", "start": 0.4, "end": 0.8, "type": "word"}]}).encode(),
    "song.plan.json": json.dumps({"positive_global_styles": ["calm"],
                                  "negative_global_styles": [], "sections": [
                                      {"section_name": "Verse", "duration_ms": 10000,
                                       "positive_local_styles": [],
                                       "negative_local_styles": [], "lines": ["la"]}]
                                  }).encode(),
    "cast.xiscript.json": b'{"format_version": 1, "title": "T", "blocks": []}',
    "lines.csv": b"speaker,text\nAnna,Hello\nBen,Hi\n",
}


@pytest.fixture
def studio(launch: Any, engine_url: str) -> Any:
    return launch(engine_url=engine_url)


def said(studio: Any) -> str:
    """Everything the window says now: the status bar and the banners on show."""
    window = studio.window
    texts = [str(window.statusBar().currentMessage())]
    for banner in window.findChildren(QWidget):
        if banner.objectName() in BANNERS and banner.isVisible():
            texts.append(banner.text())
    return "\n".join(texts)


def _snapshot(path: Path) -> bytes | str:
    if path.is_dir():
        return "a folder"
    if not path.is_file():
        return "not a file"
    return path.read_bytes() if path.stat().st_size < 1_000_000 else f"{path.stat().st_size}"


@pytest.mark.parametrize("name", list(VALID))
def test_file_open_of_a_damaged_file_says_so_and_keeps_everything(
        name: str, studio: Any, qtbot: Any, tmp_path: Path) -> None:
    window = studio.window
    text = studio.find(QPlainTextEdit, "speech.text")
    text.setPlainText(TYPED)
    makers = {**FILE_DAMAGE, **JSON_DAMAGE}
    for number, damage in enumerate([*DAMAGES, "json_deep", "json_wrong_types"]):
        folder = tmp_path / f"{number}-{damage}"
        folder.mkdir()
        path = makers[damage](folder / name, VALID[name])
        before = _snapshot(path)
        window.statusBar().clearMessage()
        for banner in window.findChildren(QWidget):
            if banner.objectName() in BANNERS:
                banner.hide()
        window.open_paths([path])
        # A message naming the file (the kinds of damage each have their own words).
        try:
            qtbot.waitUntil(lambda: name in said(studio), timeout=10_000)
        except qtbot.TimeoutError as exc:
            raise AssertionError(f"{damage}: nothing names {name}: {said(studio)!r}") from exc
        shown = said(studio)
        assert "Traceback" not in shown and "Errno" not in shown, (damage, shown)
        assert _snapshot(path) == before, f"{damage}: the damaged file was changed"
        assert text.toPlainText() == TYPED, f"{damage}: the typed text was replaced"
    # The window goes on: an ordinary file of the kind opens.
    good = tmp_path / "good" / name
    good.parent.mkdir()
    good.write_bytes(VALID[name])
    window.statusBar().clearMessage()
    window.open_paths([good])
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is not window.speech_tab,
                    timeout=30_000)
