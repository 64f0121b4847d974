"""“Align to a script…” through the window: the engine's STT and alignment routes on
127.0.0.1; a transcript is made, then aligned to the real script (a text file); the
result opens as a transcript with the script's words, times in order, the speakers of
the open transcript carried over, and a History entry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from app.engine.alignment_routes import create_router as create_alignment_router
from app.engine.stt_routes import create_router as create_stt_router
from app.ui.app_context import AppContext
from app.ui.transcripts.align_script import ALIGN_TASK
from tests.support.servers import run_server
from tests.ui import test_transcripts_tab as base
from tests.ui.conftest import save_screenshot

speech_wav = base.speech_wav
ctx = base.ctx


@pytest.fixture(scope="module")
def engine_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = FastAPI()
    app.include_router(create_stt_router(tmp_path_factory.mktemp("engine")))
    app.include_router(create_alignment_router())
    with run_server(app) as url:
        yield url


def test_align_a_script_file_through_the_window(ctx: AppContext, qtbot: Any,
                                                speech_wav: Path, tmp_path: Path) -> None:
    tab = base.make_tab(ctx, qtbot)
    base.transcribe(tab, qtbot, speech_wav)
    tab.document.rename_speaker("speaker_0", "Host")
    script = tmp_path / "approved.txt"
    script.write_text(base.TEXT, encoding="utf-8")
    button = tab.aligner.button
    assert button.accessibleName() and button.isVisible()
    base.press(qtbot, button)
    dialog = tab.aligner.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.recording == speech_wav  # the open transcript's recording
    assert dialog.use_transcript.isEnabled()
    dialog.set_script_path(script)
    assert dialog.align_button.isEnabled()
    save_screenshot(dialog, "align-dialog", tmp_path)
    dialog.align_button.click()
    qtbot.waitUntil(lambda: not tab.controller.is_running(ALIGN_TASK)
                    and tab.document.source.title.endswith("(aligned)"), timeout=base.WAIT_MS)
    assert not tab.error_banner.isVisible(), tab.error_banner.text()
    edited = tab.document.edited
    assert edited is not None
    words = [w for w in edited.words if w.kind == "word"]
    assert [w.text for w in words] == base.TEXT.split()
    starts = [w.start_ms for w in words]
    assert starts == sorted(starts) and starts[-1] > 3000
    assert {w.speaker_id for w in words} == {"speaker_0"}
    assert edited.speaker_name("speaker_0") == "Host"
    assert "Aligned to the script" in tab.status.text()
    titles = [g.title for g in ctx.history.list(kind="transcript")]
    assert any(t.endswith("(aligned)") for t in titles), titles
    # The usage ledger has the transcription and the alignment (its words counted).
    recorded = {e.kind: e for e in ctx.costs.ledger.entries()}
    assert set(recorded) == {"transcription", "alignment"}
    assert recorded["alignment"].characters == len(base.TEXT)
    tab.resize(1024, 640)
    save_screenshot(tab, "aligned", tmp_path)


def test_align_the_corrected_transcript(ctx: AppContext, qtbot: Any, speech_wav: Path) -> None:
    tab = base.make_tab(ctx, qtbot)
    base.transcribe(tab, qtbot, speech_wav)
    assert tab.document.edited is not None
    heard = [w.text for w in tab.document.edited.words if w.kind == "word"]
    dialog = tab.aligner.open_dialog()
    assert dialog.use_transcript.isChecked()
    dialog.align_button.click()
    qtbot.waitUntil(lambda: not tab.controller.is_running(ALIGN_TASK)
                    and tab.document.source.title.endswith("(aligned)"), timeout=base.WAIT_MS)
    assert not tab.error_banner.isVisible(), tab.error_banner.text()
    assert tab.document.edited is not None
    assert [w.text for w in tab.document.edited.words if w.kind == "word"] == heard


def test_fetch_keeps_the_servers_additional_formats(ctx: AppContext, qtbot: Any,
                                                    speech_wav: Path, engine_url: str) -> None:
    import json

    import httpx

    formats = json.dumps([{"format": "srt"}])
    response = httpx.post(f"{engine_url}/v1/speech-to-text", timeout=120, files=[
        ("model_id", (None, b"scribe_v1")),
        ("additional_formats", (None, formats.encode(), "application/json")),
        ("file", ("interview.wav", speech_wav.read_bytes(), "audio/wav"))])
    assert response.status_code == 200
    transcription_id = response.json()["transcription_id"]
    tab = base.make_tab(ctx, qtbot)
    tab.source.id_input.setText(transcription_id)
    base.press(qtbot, tab.source.fetch_button)
    qtbot.waitUntil(lambda: tab.document.is_open and base.idle(tab), timeout=base.WAIT_MS)
    saved = tab.document.source.saved_path
    assert saved is not None
    srt = saved.with_suffix(".srt")
    assert srt.is_file() and srt.read_text().startswith("1\n00:00:")
    assert "Also saved as SRT" in tab.status.text()


def _align_file(tab: Any, qtbot: Any, script: Path) -> None:
    dialog = tab.aligner.open_dialog()
    dialog.set_script_path(script)
    dialog.align_button.click()
    qtbot.waitUntil(lambda: not tab.controller.is_running(ALIGN_TASK), timeout=base.WAIT_MS)


def test_a_script_file_that_is_not_text_is_refused(ctx: AppContext, qtbot: Any,
                                                    speech_wav: Path) -> None:
    """The recording chosen as the script by mistake was read with its bytes replaced,
    and what it spelled ("RIFF", "WAVEfmt", "data") was aligned and opened as a
    transcript of the recording."""
    tab = base.make_tab(ctx, qtbot)
    base.transcribe(tab, qtbot, speech_wav)
    before = [g.id for g in ctx.history.list(kind="transcript")]
    _align_file(tab, qtbot, speech_wav)
    assert tab.error_banner.isVisible()
    shown = tab.error_banner.text()
    assert speech_wav.name in shown and "not text" in shown, shown
    assert not tab.document.source.title.endswith("(aligned)")
    assert [g.id for g in ctx.history.list(kind="transcript")] == before


def test_a_utf16_script_file_is_read_as_its_words(ctx: AppContext, qtbot: Any,
                                                   speech_wav: Path, tmp_path: Path) -> None:
    """Notepad's "Unicode" (UTF-16 with a byte order mark) was read as UTF-8, a NUL
    between every letter: the words sent were not the script's."""
    tab = base.make_tab(ctx, qtbot)
    base.transcribe(tab, qtbot, speech_wav)
    script = tmp_path / "approved.txt"
    script.write_bytes(base.TEXT.encode("utf-16"))
    _align_file(tab, qtbot, script)
    assert not tab.error_banner.isVisible(), tab.error_banner.text()
    assert tab.document.source.title.endswith("(aligned)")
    edited = tab.document.edited
    assert edited is not None
    assert [w.text for w in edited.words if w.kind == "word"] == base.TEXT.split()


def test_an_empty_script_file_is_refused_in_plain_words(ctx: AppContext, qtbot: Any,
                                                         speech_wav: Path,
                                                         tmp_path: Path) -> None:
    """It was "Something unexpected went wrong" over the plain words."""
    tab = base.make_tab(ctx, qtbot)
    base.transcribe(tab, qtbot, speech_wav)
    script = tmp_path / "empty.txt"
    script.write_bytes(b"")
    _align_file(tab, qtbot, script)
    shown = tab.error_banner.text()
    assert "no words to align" in shown and "unexpected" not in shown.lower(), shown
    assert not tab.document.source.title.endswith("(aligned)")
