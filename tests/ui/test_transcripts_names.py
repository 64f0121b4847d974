"""Speaker names carry over within a show (one folder of recordings): names given in one
transcript are offered in the next and applied in one undoable step; another folder
starts empty; the list survives a restart (it is a file in the data folder)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from app.library.speaker_names import SpeakerNameBook, show_key
from app.ui.app_context import AppContext
from tests.ui import test_transcripts_review as review_test
from tests.ui import test_transcripts_tab as base

ctx = base.ctx
engine_url = base.engine_url


def _two_speaker_copy(source: Path, folder: Path, name: str) -> Path:
    """The review test's transcript with its last sentence said by a second speaker."""
    folder.mkdir(parents=True, exist_ok=True)
    data = json.loads(source.read_text(encoding="utf-8"))
    last = {"Thanks", "for", "listening."}
    for w in data["words"]:
        if w["text"] in last or (w["type"] == "spacing" and w["start"] >= 4.6):
            w["speaker_id"] = "speaker_1"
    target = folder / f"{name}.json"
    target.write_text(json.dumps(data), encoding="utf-8")
    shutil.copy(source.with_suffix(".wav"), folder / f"{name}.wav")
    return target


def _names(tab: Any) -> list[str]:
    return [s.name for s in tab.document.edited.speakers.values()]


def test_names_carry_over_within_a_folder(ctx: AppContext, qtbot: Any, tmp_path: Path) -> None:
    made = review_test._recording_and_transcript(tmp_path)
    first = _two_speaker_copy(made, tmp_path / "show", "episode1")
    second = _two_speaker_copy(made, tmp_path / "show", "episode2")
    other = _two_speaker_copy(made, tmp_path / "other", "talk")
    tab = base.make_tab(ctx, qtbot)
    tab.open_path(first)
    qtbot.waitUntil(lambda: tab.document.is_open, timeout=30_000)
    assert not tab.names.apply_button.isEnabled()  # nothing saved for this show yet
    tab.document.rename_speaker("speaker_0", "Ann Host")
    tab.document.rename_speaker("speaker_1", "Bob Guest")
    book = SpeakerNameBook(ctx.paths.data_dir / "speaker_names.json")
    show = show_key(first.with_suffix(".wav"))
    qtbot.waitUntil(lambda: book.names(show) == ["Ann Host", "Bob Guest"], timeout=10_000)

    tab.open_path(second)
    qtbot.waitUntil(lambda: tab.document.source.title.startswith("episode2")
                    and tab.names.apply_button.isEnabled(), timeout=30_000)
    assert _names(tab) == ["Speaker 1", "Speaker 2"]
    assert tab.names.model.stringList() == ["Ann Host", "Bob Guest"]  # offered when renaming
    assert tab.speakers.name.completer() is tab.names.completer
    base.press(qtbot, tab.names.apply_button)
    assert _names(tab) == ["Ann Host", "Bob Guest"]
    base.press(qtbot, tab.viewer.undo)  # one step
    assert _names(tab) == ["Speaker 1", "Speaker 2"]

    tab.open_path(other)  # another folder: another show
    qtbot.waitUntil(lambda: tab.document.source.title.startswith("talk"), timeout=30_000)
    assert not tab.names.apply_button.isEnabled() and tab.names.model.stringList() == []
