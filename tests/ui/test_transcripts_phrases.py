"""Phrases and turns through the window: retype a three-word phrase, give a paragraph to
a new speaker, split a paragraph, nudge a word; undo all, redo all; the edits are saved
and the SRT export carries them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.domain.subtitles import parse_srt
from app.ui.app_context import AppContext
from tests.ui import test_transcripts_review as review_test
from tests.ui import test_transcripts_tab as base
from tests.ui.conftest import save_screenshot

ctx = base.ctx
engine_url = base.engine_url


def _words(tab: Any) -> list[tuple[str, str | None]]:
    edited = tab.document.edited
    return [(w.text, w.speaker_id) for w in edited.words if w.kind == "word"]


def test_retype_move_split_undo_redo_export(ctx: AppContext, qtbot: Any,
                                            tmp_path: Path) -> None:
    tab = base.make_tab(ctx, qtbot)
    tab.open_path(review_test._recording_and_transcript(tmp_path))
    qtbot.waitUntil(lambda: tab.document.is_open, timeout=30_000)
    panel = tab.phrases
    for widget in (panel.count, panel.text, panel.retype_button, panel.speaker,
                   panel.give_button, panel.split_button, panel.join_button,
                   *panel.nudge_buttons):
        assert widget.objectName().startswith("transcripts.") and widget.accessibleName()
    before = _words(tab)
    rows_before = tab.model.rowCount()
    edited = tab.document.edited
    index_of = {w.text: w.index for w in edited.words if w.kind == "word"}

    # Retype "we talk tones." as "we discuss tones today." (4 words into 3 slots).
    tab.select_word(index_of["we"], seek=False)
    panel.count.setValue(3)
    panel.text.setText("we discuss tones today.")
    base.press(qtbot, panel.retype_button)
    texts = [t for t, _ in _words(tab)]
    assert texts[4:7] == ["we", "discuss", "tones today."]

    # Split before "Thanks" (the recording's one paragraph becomes two), then give
    # that paragraph to a new speaker.
    tab.select_word(index_of["Thanks"], seek=False)
    base.press(qtbot, panel.split_button)
    rows_after = tab.model.rowCount()
    assert rows_after == rows_before + 1
    panel.speaker.setCurrentIndex(panel.speaker.findData("__new__"))
    base.press(qtbot, panel.give_button)
    speakers = {t: s for t, s in _words(tab)}
    assert speakers["Thanks"] == speakers["listening."] == "speaker_1"
    assert speakers["Hello"] == speakers["discuss"] == "speaker_0"

    # Nudge "Today" 40 ms later.
    tab.select_word(index_of["Today"], seek=False)
    base.press(qtbot, panel.nudge_buttons[1])
    base.press(qtbot, panel.nudge_buttons[1])
    today = tab.document.edited.words[index_of["Today"]]
    original_today = tab.document.original.words[index_of["Today"]]
    assert today.start_ms == original_today.start_ms + 40
    rows_after = tab.model.rowCount()
    after = _words(tab)
    stack = tab.document.undo_stack
    assert stack.count() == 5

    # Undo all, redo all.
    while stack.canUndo():
        base.press(qtbot, tab.viewer.undo)
    assert _words(tab) == before and tab.model.rowCount() == rows_before
    while stack.canRedo():
        base.press(qtbot, tab.viewer.redo)
    assert _words(tab) == after and tab.model.rowCount() == rows_after

    # Saved as it happens, the server's words kept beside the new ones.
    saved_path = tab.document.source.saved_path
    assert saved_path is not None
    qtbot.waitUntil(lambda: '"original_speaker_id"' in saved_path.read_text(),
                    timeout=10_000)
    saved = json.loads(saved_path.read_text())
    assert any(w.get("original_text") == "talk" and w["text"] == "discuss"
               for w in saved["words"])
    assert any(w.get("original_speaker_id") == "speaker_0" and w["text"] == "Thanks"
               for w in saved["words"])

    # SRT export through the dialog: the retyped words, the new speaker's line.
    dialog = tab.open_export_dialog()
    assert dialog is not None
    dialog.cue_speakers.setChecked(True)
    srt_path = tmp_path / "out" / "review.srt"
    dialog.path.setText(str(srt_path))
    base.press(qtbot, dialog.export_button)
    qtbot.waitUntil(srt_path.is_file, timeout=5000)
    text = " ".join(" ".join(c.lines) for c in parse_srt(srt_path.read_text()))
    assert "discuss tones today." in text and "talk" not in text
    assert "Speaker 2: Thanks" in text

    # Word (.docx), read back with python-docx: speakers, times, the edited text, the
    # doubtful words highlighted; and the printable web page.
    from docx import Document

    dialog = tab.open_export_dialog()
    assert dialog is not None
    dialog.format.setCurrentIndex(dialog.format.findData("docx"))
    dialog.text_timestamps.setChecked(True)
    dialog.highlight.setChecked(True)
    docx_path = tmp_path / "out" / "review.docx"
    dialog.path.setText(str(docx_path))
    base.press(qtbot, dialog.export_button)
    qtbot.waitUntil(docx_path.is_file, timeout=10_000)
    paragraphs = [p for p in Document(str(docx_path)).paragraphs if p.text.strip()]
    body = [p.text for p in paragraphs[1:]]  # after the title
    assert body[0].startswith("[00:00:00] Speaker 1: Hello and welcome.")
    assert "we discuss tones today." in body[0]
    assert body[-1].startswith("[00:00:04] Speaker 2: Thanks for listening.")
    marked = [r.text for p in paragraphs for r in p.runs if r.font.highlight_color]
    assert marked == ["welcome."]  # "tones." was retyped: no longer doubtful
    dialog = tab.open_export_dialog()
    assert dialog is not None
    dialog.format.setCurrentIndex(dialog.format.findData("html"))
    dialog.highlight.setChecked(True)
    html_path = tmp_path / "out" / "review.html"
    dialog.path.setText(str(html_path))
    base.press(qtbot, dialog.export_button)
    qtbot.waitUntil(html_path.is_file, timeout=10_000)
    page = html_path.read_text(encoding="utf-8")
    assert "<mark>welcome.</mark>" in page and "Speaker 2:" in page
    tab.resize(1024, 640)
    save_screenshot(tab, "transcripts_review", tmp_path)
    save_screenshot(tab.phrases.parentWidget(), "transcripts_left_column", tmp_path)


def test_pdf_export(ctx: AppContext, qtbot: Any, tmp_path: Path) -> None:
    tab = base.make_tab(ctx, qtbot)
    tab.open_path(review_test._recording_and_transcript(tmp_path))
    qtbot.waitUntil(lambda: tab.document.is_open, timeout=30_000)
    dialog = tab.open_export_dialog()
    assert dialog is not None
    dialog.format.setCurrentIndex(dialog.format.findData("pdf"))
    pdf_path = tmp_path / "out" / "review.pdf"
    dialog.path.setText(str(pdf_path))
    base.press(qtbot, dialog.export_button)
    qtbot.waitUntil(pdf_path.is_file, timeout=20_000)
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF-") and b"/Type /Page" in data and len(data) > 1000
