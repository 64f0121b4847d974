"""Export… of a long transcript renders in pieces (paragraphs, subtitles, words): Cancel
acts within one piece, the progress window's bar moves during the rendering, and left
alone the file is byte for byte what the one-go render makes.

Cancel is pressed from inside the render (the counting hook sets the stop flag at its
20th piece), so nothing depends on how fast the machine is."""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QProgressDialog

from app.domain import subtitles, transcript_edit
from app.domain.transcript import Transcript
from app.domain.transcript_edit import TranscriptEdits
from app.domain.transcript_parse import parse_transcript
from app.library.stoppable_write import ExportStopped
from app.services import transcript_documents
from app.ui.app_context import AppContext
from app.ui.transcripts.export_dialog import ExportRequest, render_and_write, render_export
from app.ui.transcripts.export_run import PROGRESS
from benchmarks.transcripts import make_transcript
from tests.ui import test_transcripts_tab as base
from tests.ui.test_transcripts_export_stop import ended, start_export
from tests.ui.test_transcripts_tab import WAIT_MS, make_tab
from tests.ui.test_transcripts_tab_reading import open_json

engine_url, ctx = base.engine_url, base.ctx

# Each format's function that renders one piece.
PIECE = {"docx": (transcript_documents, "_docx_paragraph"),
         "html": (transcript_documents, "_html_paragraph"),
         "pdf": (transcript_documents, "_html_paragraph"),
         "txt": (subtitles, "_text_block"),
         "srt": (subtitles, "_cue_from"),
         "vtt": (subtitles, "_cue_from"),
         "json": (transcript_edit, "_word_json")}
FORMATS = ("docx", "html", "txt", "srt", "vtt", "json")


@pytest.fixture(scope="module")
def long_transcript() -> Transcript:
    return parse_transcript(make_transcript(words=3000, hours=0.3))


def count_pieces(monkeypatch: pytest.MonkeyPatch, fmt: str,
                 on_piece: Callable[[int], None]) -> None:
    module, name = PIECE[fmt]
    render_one = getattr(module, name)
    calls = 0

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        on_piece(calls)
        return render_one(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


@pytest.mark.parametrize("fmt", [*FORMATS, "pdf"])
def test_cancel_acts_within_one_piece(fmt: str, long_transcript: Transcript,
                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stop = threading.Event()
    after_cancel = 0

    def on_piece(n: int) -> None:
        nonlocal after_cancel
        if stop.is_set():
            after_cancel += 1
        elif n == 20:
            stop.set()  # the user presses Cancel while this piece is rendered

    count_pieces(monkeypatch, fmt, on_piece)
    with pytest.raises(ExportStopped):
        render_and_write(long_transcript, TranscriptEdits(),
                         ExportRequest(fmt, tmp_path / f"long.{fmt}"), stop)
    assert stop.is_set()
    assert after_cancel <= 1
    assert list(tmp_path.iterdir()) == []  # no file, no temporary file


def comparable(fmt: str, data: bytes) -> Any:
    """A Word file is a zip with the time it was made inside: its parts, those times left
    out."""
    if fmt != "docx":
        return data
    parts = zipfile.ZipFile(io.BytesIO(data))
    return {name: re.sub(rb"<dcterms:(created|modified)[^<]*</dcterms:\w+>", b"",
                         parts.read(name)) for name in parts.namelist()}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("choices", [False, True])
def test_left_alone_the_file_is_the_one_go_render(fmt: str, choices: bool,
                                                 long_transcript: Transcript,
                                                 tmp_path: Path) -> None:
    request = ExportRequest(fmt, tmp_path / f"long.{fmt}",
                            subtitles.CueRules(speaker_labels=choices,
                                               include_audio_events=choices),
                            text_timestamps=choices, text_speakers=not choices,
                            highlight_doubtful=choices)
    reports: list[tuple[int, int]] = []
    render_and_write(long_transcript, TranscriptEdits(), request, threading.Event(),
                     lambda done, total: reports.append((done, total)))
    one_go = render_export(long_transcript, TranscriptEdits(), request)
    one_go = one_go if isinstance(one_go, bytes) else one_go.encode("utf-8")
    assert comparable(fmt, request.path.read_bytes()) == comparable(fmt, one_go)
    assert [p.name for p in tmp_path.iterdir()] == [request.path.name]
    done = [d for d, _ in reports]
    assert len(reports) > 10 and done == sorted(done)  # the bar moves, never back
    assert len(reports) <= 202  # (the window's thread is not flooded)


def test_the_bar_moves_while_a_long_word_document_is_made(ctx: AppContext, qtbot: Any,
                                                          tmp_path: Path) -> None:
    tab = make_tab(ctx, qtbot)
    open_json(tab, qtbot, tmp_path / "three hours.json", make_transcript())
    seen: list[int] = []

    def moving() -> bool:
        window = tab.findChild(QProgressDialog, PROGRESS)
        if (window is not None and window.isVisible() and window.maximum() > 0
                and (not seen or seen[-1] != window.value())):
            seen.append(window.value())
        return "Exported" in tab.status.text() and ended(tab)

    start_export(tab, qtbot, "docx", tmp_path / "long.docx")
    qtbot.waitUntil(moving, timeout=WAIT_MS)
    assert len(seen) >= 3 and seen == sorted(seen)  # it moved on, several times
    assert (tmp_path / "long.docx").stat().st_size > 0
