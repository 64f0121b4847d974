"""The open transcript's edits (undoable), saving and exporting, the settings form."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.domain.subtitles import CueRules, parse_srt, parse_vtt
from app.domain.transcript_parse import parse_transcript
from app.ui.transcripts.export_dialog import ExportDialog, ExportRequest, render_export
from app.ui.transcripts.options_panel import OptionsPanel, language_name
from app.ui.transcripts.transcript_document import (
    TranscriptDocument,
    TranscriptSource,
    read_saved,
)
from tests.ui.test_transcripts_view import SMALL


@pytest.fixture
def document(qtbot: Any) -> TranscriptDocument:
    doc = TranscriptDocument()
    doc.open(parse_transcript(SMALL), source=TranscriptSource(
        audio_path=Path("/music/take.wav"), title="take.wav"))
    return doc


def test_rename_merge_and_correct_undo_and_redo(qtbot: Any,
                                                document: TranscriptDocument) -> None:
    stack = document.undo_stack
    with qtbot.waitSignal(document.changed):
        assert document.rename_speaker("speaker_0", "  Ada ")
    assert document.speaker_name("speaker_0") == "Ada"
    assert document.merge_speakers("speaker_1", "speaker_0")
    assert document.edited is not None
    assert {w.speaker_id for w in document.edited.words} == {"speaker_0"}
    assert document.correct_word(2, "there!")
    assert document.edited.words[2].text == "there!"
    assert document.original_text(2) == "there."
    assert stack.count() == 3 and stack.undoText().startswith("Correct")
    stack.undo()
    assert document.edited.words[2].text == "there."
    assert document.original_text(2) is None
    stack.undo()
    assert document.edited.speaker_name("speaker_1") == "Speaker 2"
    stack.undo()
    assert document.speaker_name("speaker_0") == "Speaker 1"
    assert document.edits.is_empty
    stack.redo()
    stack.redo()
    stack.redo()
    assert document.edited.words[2].text == "there!"
    # Nothing changes, nothing is pushed; the server's spelling removes the correction.
    assert not document.rename_speaker("speaker_0", "Ada")
    assert document.correct_word(2, "there.")
    assert 2 not in document.edits.corrections
    with pytest.raises(ValueError):
        document.merge_speakers("speaker_0", "speaker_1")  # speaker_1 is merged into it


def test_saved_json_keeps_originals_audio_and_edits(document: TranscriptDocument) -> None:
    document.rename_speaker("speaker_1", "Bo")
    document.correct_word(0, "Hi")
    data = document.to_json()
    assert data["xi_studio"]["audio_path"] == "/music/take.wav"
    assert data["xi_studio"]["title"] == "take.wav"
    assert data["words"][0] == {**data["words"][0], "text": "Hi", "original_text": "Hello"}
    original, edits, notes = read_saved(json.dumps(data))
    assert original.words[0].text == "Hello"
    assert edits == document.edits
    assert notes == {"audio_path": "/music/take.wav", "title": "take.wav"}
    assert not TranscriptDocument().is_offline_draft
    assert not document.is_offline_draft
    document.open(parse_transcript({**SMALL, "xi_studio_engine": {"approximate": True}}))
    assert document.is_offline_draft


def test_render_every_export_format(document: TranscriptDocument, tmp_path: Path) -> None:
    document.rename_speaker("speaker_0", "Ada")
    document.correct_word(0, "Hi")
    original, edits = document.original, document.edits
    assert original is not None

    def render(fmt: str, **kwargs: Any) -> str:
        return render_export(original, edits, ExportRequest(fmt, tmp_path / "x", **kwargs))

    text = render("txt", text_timestamps=True, text_speakers=True)
    assert text.splitlines()[0] == "[00:00:00] Ada: Hi there. (laughter)"
    assert render("txt", text_speakers=False).splitlines()[0] == "Hi there. (laughter)"
    srt = parse_srt(render("srt", rules=CueRules(speaker_labels=True)))
    assert srt[0].lines[0].startswith("Ada: Hi there.")
    vtt = parse_vtt(render("vtt", rules=CueRules(max_chars_per_line=5)))
    assert all(len(line) <= 6 for cue in vtt for line in cue.lines)
    again, again_edits, _ = read_saved(render("json"))
    assert again_edits == edits and again.words[0].text == "Hello"


def test_export_dialog_builds_the_request(qtbot: Any, tmp_path: Path) -> None:
    dialog = ExportDialog(tmp_path / "Interview.srt")
    qtbot.addWidget(dialog)
    assert dialog.path.text().endswith("Interview.srt")
    dialog.format.setCurrentIndex(dialog.format.findData("txt"))
    assert dialog.path.text().endswith("Interview.txt")
    dialog.text_timestamps.setChecked(True)
    request = dialog.request()
    assert request.format == "txt" and request.text_timestamps and request.text_speakers
    dialog.format.setCurrentIndex(dialog.format.findData("vtt"))
    dialog.chars.setValue(32)
    dialog.lines.setValue(1)
    dialog.duration.setValue(3.5)
    dialog.cue_speakers.setChecked(True)
    rules = dialog.request().rules
    assert (rules.max_chars_per_line, rules.max_lines, rules.max_cue_ms,
            rules.speaker_labels) == (32, 1, 3500, True)
    dialog.path.clear()
    with qtbot.assertNotEmitted(dialog.export_requested):
        dialog.export_button.click()
    assert "Choose where" in dialog.message.text()


def test_options_form_and_its_draft(qtbot: Any) -> None:
    panel = OptionsPanel()
    qtbot.addWidget(panel)
    assert panel.options().model_id == "scribe_v2" and panel.options().language_code is None
    panel.language.setCurrentText("yue")
    assert panel.options().language_code == "yue"
    panel.language.setCurrentIndex(panel.language.findData("de"))
    assert panel.options().language_code == "de"
    panel.diarize.setChecked(True)
    panel.threshold.setValue(0.3)
    assert panel.options().diarization_threshold == 0.3
    panel.num_speakers.setValue(4)  # a number of speakers replaces the threshold
    options = panel.options()
    assert options.num_speakers == 4 and options.diarization_threshold is None
    assert not panel.threshold.isEnabled()
    panel.keyterms.setText("XI Studio, Kubernetes, ")
    panel.formats["srt"].setChecked(True)
    assert panel.options().keyterms == ("XI Studio", "Kubernetes")
    assert [f.format for f in panel.options().additional_formats] == ["srt"]
    panel.model.setCurrentIndex(panel.model.findData("scribe_v1"))
    panel.no_verbatim.setChecked(True)
    assert any("scribe_v2" in p for p in panel.problems())
    draft = panel.to_draft()
    other = OptionsPanel()
    qtbot.addWidget(other)
    other.restore_draft(draft)
    assert other.options() == panel.options()
    assert language_name("eng") == "English" and language_name("xx-unknown") == "xx-unknown"
