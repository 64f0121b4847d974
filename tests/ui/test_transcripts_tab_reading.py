"""Through the Transcripts tab: a transcript without word times, a two-channel call
side by side, Japanese search and export (the real tab, files on disk, real engine)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtGui import QFontMetricsF

from app.domain.subtitles import parse_srt
from app.ui.app_context import AppContext
from app.ui.transcripts.paragraph_model import SIDE_BY_SIDE, paragraph_text
from app.ui.transcripts.transcripts_tab import TranscriptsTab
from tests.support.transcripts import (
    TEXT_ONLY,
    arabic,
    japanese,
    text_only,
    two_channel_call,
)
from tests.ui import test_transcripts_tab as base
from tests.ui.conftest import save_screenshot
from tests.ui.test_transcripts_tab import WAIT_MS, idle, make_tab, press

# The tab's fixtures (a real engine on loopback, a library under tmp_path).
engine_url, ctx = base.engine_url, base.ctx


def open_json(tab: TranscriptsTab, qtbot: Any, path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tab.open_path(path)
    qtbot.waitUntil(lambda: tab.document.is_open and tab.document.source.title == path.stem
                    and idle(tab), timeout=WAIT_MS)
    assert not tab.error_banner.isVisible(), tab.error_banner.text()


def export(tab: TranscriptsTab, qtbot: Any, fmt: str, path: Path) -> str:
    dialog = tab.open_export_dialog()
    assert dialog is not None
    dialog.format.setCurrentIndex(dialog.format.findData(fmt))
    dialog.path.setText(str(path))
    assert dialog.export_button.isEnabled()
    press(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: "Exported" in tab.status.text(), timeout=5000)
    return path.read_text(encoding="utf-8")


def test_text_without_timings_is_shown_and_exported_but_no_subtitles(
        ctx: AppContext, qtbot: Any, tmp_path: Path) -> None:
    tab = make_tab(ctx, qtbot)
    open_json(tab, qtbot, tmp_path / "plain.json", text_only())
    assert tab.model.transcript is not None
    assert [paragraph_text(tab.model.transcript, row) for row in tab.model.rows] == [TEXT_ONLY]
    assert "without word timings" in tab.status.text()
    save_screenshot(tab, "transcripts_no_timings", tmp_path)

    dialog = tab.open_export_dialog()
    assert dialog is not None
    assert dialog.current_format() == "txt"  # starts on a format that works
    srt = tmp_path / "plain.srt"
    dialog.format.setCurrentIndex(dialog.format.findData("srt"))
    dialog.path.setText(str(srt))
    assert not dialog.export_button.isEnabled()
    assert "need word timings" in dialog.message.text()
    press(qtbot, dialog.export_button)
    assert not srt.exists() and "Exported" not in tab.status.text()
    dialog.reject()

    assert TEXT_ONLY in export(tab, qtbot, "txt", tmp_path / "plain.txt")
    tab.status.clear()
    saved = json.loads(export(tab, qtbot, "json", tmp_path / "plain-out.json"))
    assert saved["text"] == TEXT_ONLY


def test_two_channel_call_by_utterance_and_side_by_side(ctx: AppContext, qtbot: Any,
                                                         tmp_path: Path) -> None:
    tab = make_tab(ctx, qtbot)
    open_json(tab, qtbot, tmp_path / "call.json", two_channel_call())
    assert [row.channel for row in tab.model.rows] == [0, 1, 0, 1]
    channel_view = tab.viewer.channel_view
    channel_view.setCurrentIndex(channel_view.findData(SIDE_BY_SIDE))
    assert tab.model.columns == 2
    view = tab.viewer.view

    def exact_heights() -> bool:
        for row in range(len(tab.model.rows)):
            laid = view.delegate.laid(row)
            height = view.visualRect(tab.model.index(row)).height()
            if laid is None or height != view.delegate.layouts.item_height(laid.height):
                return False
        return True

    qtbot.waitUntil(exact_heights, timeout=5000)
    save_screenshot(tab, "transcripts_two_channels", tmp_path)
    cues = parse_srt(export(tab, qtbot, "srt", tmp_path / "call.srt"))
    assert len(cues) == 4
    assert all(c.end_ms - c.start_ms >= 500 for c in cues)


def test_japanese_search_and_export_have_no_added_spaces(ctx: AppContext, qtbot: Any,
                                                        tmp_path: Path) -> None:
    tab = make_tab(ctx, qtbot)
    open_json(tab, qtbot, tmp_path / "tenki.json", japanese(spacing=True))
    tab.viewer.search.setText("いい天気")
    qtbot.waitUntil(lambda: tab.viewer.match_count.text() == "1 of 1", timeout=5000)
    assert "今日はいい天気ですね。" in export(tab, qtbot, "txt", tmp_path / "tenki.txt")


def test_arabic_search_highlight_covers_the_word(ctx: AppContext, qtbot: Any,
                                                 tmp_path: Path) -> None:
    tab = make_tab(ctx, qtbot)
    open_json(tab, qtbot, tmp_path / "salam.json", arabic())
    tab.viewer.search.setText("بكم")
    qtbot.waitUntil(lambda: tab.viewer.match_count.text() == "1 of 1", timeout=5000)
    (match,) = tab.search.matches
    view = tab.viewer.view
    row = tab.model.row_of_word(match)
    assert row is not None
    qtbot.waitUntil(lambda: view.visualRect(tab.model.index(row)).isValid(), timeout=5000)
    box = view.delegate.word_rect(row, view.visualRect(tab.model.index(row)), match)
    body, _ = view.delegate.layouts.fonts()
    assert box is not None and box.width() >= 0.9 * QFontMetricsF(body).horizontalAdvance("بكم")
    save_screenshot(tab, "transcripts_arabic", tmp_path)


def test_words_missing_times_export_subtitles_without_zero_length_cues(
        ctx: AppContext, qtbot: Any, tmp_path: Path) -> None:
    data = japanese(spacing=False)
    for word in data["words"][1:3]:  # the recogniser gave no times for two words
        word["start"] = word["end"] = None
    data["words"][-1]["end"] = None
    tab = make_tab(ctx, qtbot)
    open_json(tab, qtbot, tmp_path / "gaps.json", data)
    cues = parse_srt(export(tab, qtbot, "srt", tmp_path / "gaps.srt"))
    assert cues and all(c.end_ms > c.start_ms for c in cues)
    assert "".join(line for c in cues for line in c.lines) == "今日はいい天気ですね。"


def test_an_export_says_so_at_once(ctx: AppContext, qtbot: Any, tmp_path: Path) -> None:
    """A Word document of a 3-hour transcript takes seconds to make: the status said
    nothing until it was written (the click seemed to do nothing)."""
    tab = make_tab(ctx, qtbot)
    open_json(tab, qtbot, tmp_path / "call.json", two_channel_call())
    dialog = tab.open_export_dialog()
    assert dialog is not None
    dialog.format.setCurrentIndex(dialog.format.findData("docx"))
    target = tmp_path / "call.docx"
    dialog.path.setText(str(target))
    press(qtbot, dialog.export_button)
    assert tab.status.text() == f"Exporting to {target}…"  # before the worker thread ran
    qtbot.waitUntil(lambda: "Exported" in tab.status.text(), timeout=WAIT_MS)
    assert target.stat().st_size > 0
