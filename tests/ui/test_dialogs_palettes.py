"""Dialogs and transient pieces of the interface (banners, the transcript's marks) in
dark, light and high-contrast palettes: what they draw reads at WCAG's 4.5:1 for text
and 3:1 for outlines, measured on the drawn pixels, from the start and after a live
switch between light and dark. (The standard widgets of every dialog follow the palette
already; the checks here are on colours the app chooses itself.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.contrast import GRAPHIC_CONTRAST, TEXT_CONTRAST, contrast
from tests.ui import test_palettes
from tests.ui.test_fit_and_keyboard import keep_shot
from tests.ui.test_palettes import as_the_desktop_gives, dark_palette, high_contrast_palette

pytestmark = pytest.mark.e2e
themed = test_palettes.themed  # the app's style over Fusion; the palette put back after

PALETTES: dict[str, Callable[[], QPalette]] = {
    "dark": dark_palette, "light": QPalette, "high-contrast": high_contrast_palette}


@pytest.mark.parametrize("switched", [False, True], ids=["from-the-start", "switched-live"])
@pytest.mark.parametrize("name", list(PALETTES))
def test_the_error_banners_outline_stands_out(themed, qtbot, tmp_path: Path, name: str,
                                              switched: bool) -> None:
    """The red outline of an error (and notice) banner was a fixed #c0392b: 2.6:1 on the
    banner's background and 2.1:1 on the window in Breeze Dark. And after a live switch
    from light to dark the banner kept its light background under the new light text."""
    from app.ui.errors import UserMessage
    from app.ui.widgets.error_banner import ErrorBanner

    if not switched:
        themed.setPalette(as_the_desktop_gives(themed, PALETTES[name]()))
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(12, 12, 12, 12)
    banner = ErrorBanner("speech.error", page)
    layout.addWidget(banner)
    banner.show_message(UserMessage("Could not reach ElevenLabs", "The network is down.",
                                    "Check the connection, then try again.", True))
    page.resize(520, 120)
    page.show()
    qtbot.waitExposed(page)
    if switched:
        themed.setPalette(as_the_desktop_gives(themed, PALETTES[name]()))
        qtbot.wait(10)
    palette = themed.palette()
    image = page.grab().toImage()
    keep_shot(page, f"banner-{name}-{'switched' if switched else 'start'}", tmp_path)
    frame = banner.geometry()
    middle = frame.center().y()
    # the outline: the strongest pixel within 2 px of the frame's left edge
    edge = [QColor(image.pixel(QPoint(frame.left() + d, middle))) for d in range(3)]
    for role in (QPalette.ColorRole.AlternateBase, QPalette.ColorRole.Window):
        behind = palette.color(role)
        ratio = max(contrast(pixel, behind) for pixel in edge)
        assert ratio >= GRAPHIC_CONTRAST, (role, [p.name() for p in edge], behind.name())
    inside = QColor(image.pixel(QPoint(frame.left() + 4, middle)))
    assert inside == palette.color(QPalette.ColorRole.AlternateBase), inside.name()
    text = banner.findChild(QLabel, "speech.error.text")
    area = text.geometry().translated(frame.topLeft())
    pixels = [QColor(image.pixel(QPoint(x, y))) for x in range(area.left(), area.right())
              for y in range(area.top(), area.bottom())]
    assert max(contrast(pixel, inside) for pixel in pixels) >= TEXT_CONTRAST
    # the warning sign, drawn in the palette's colours, is drawn again in the new ones
    sign = banner.findChildren(QLabel)[0].geometry().translated(frame.topLeft())
    pixels = [QColor(image.pixel(QPoint(x, y))) for x in range(sign.left(), sign.right())
              for y in range(sign.top(), sign.bottom())]
    assert max(contrast(pixel, inside) for pixel in pixels) >= GRAPHIC_CONTRAST


def test_problem_and_warning_text_in_a_dialog_follow_a_live_switch(themed, qtbot) -> None:
    """Red and amber labels inside a dialog (the rule editor's warning, the Music plan's
    problems) are worked out again when the palette changes: Qt sends
    ApplicationPaletteChange to top-level windows only, so a label inside one kept the
    light palette's dark red, 2.3:1 on the dark window."""
    from PySide6.QtWidgets import QDialog

    from app.ui.widgets.problem_text import show_as_problem, show_as_warning

    themed.setPalette(as_the_desktop_gives(themed, QPalette()))
    dialog = QDialog()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    problem = QLabel("The word is empty", dialog)
    warning = QLabel("Eleven v3 reads these rules only as aliases", dialog)
    for label in (problem, warning):
        layout.addWidget(label)
    show_as_problem(problem)
    show_as_warning(warning)
    dialog.show()
    qtbot.waitExposed(dialog)
    for name in ("dark", "light", "high-contrast", "dark"):
        themed.setPalette(as_the_desktop_gives(themed, PALETTES[name]()))
        qtbot.wait(10)
        window = themed.palette().color(QPalette.ColorRole.Window)
        image = dialog.grab().toImage()
        for label in (problem, warning):
            area = label.geometry()
            pixels = [QColor(image.pixel(QPoint(x, y)))
                      for x in range(area.left(), area.right())
                      for y in range(area.top(), area.bottom())]
            ratio = max(contrast(pixel, window) for pixel in pixels)
            assert ratio >= TEXT_CONTRAST, (name, label.text(), label.styleSheet(), ratio)


@pytest.mark.parametrize("name", list(PALETTES))
def test_search_matches_in_the_transcript_read(themed, qtbot, tmp_path: Path, name: str) -> None:
    """The search's marks keep their light yellow and orange on every palette; their words
    were written in the palette's text colour, white in a dark palette: 1.2:1."""
    from app.domain.transcript_parse import parse_transcript
    from app.ui.transcripts.paragraph_delegate import CURRENT_MATCH, MATCH
    from app.ui.transcripts.paragraph_model import ParagraphModel
    from app.ui.transcripts.transcript_view import TranscriptView
    from tests.ui.test_transcripts_view import SMALL

    themed.setPalette(as_the_desktop_gives(themed, PALETTES[name]()))
    view = TranscriptView(ParagraphModel())
    view.resize(600, 300)
    qtbot.addWidget(view)
    view.show()
    view.paragraphs.set_transcript(parse_transcript(SMALL), frozenset())
    view.paragraphs.set_matches(frozenset({0, 2}), 2)  # "Hello", and "there." the current
    qtbot.waitUntil(lambda: view.indexAt(QPoint(30, 20)).isValid(), timeout=5000)
    image = view.viewport().grab().toImage()
    keep_shot(view, f"transcript-matches-{name}", tmp_path)
    row = view.paragraphs.index(0)
    delegate = view.itemDelegate()
    for word, mark in ((0, MATCH), (2, CURRENT_MATCH)):
        box = delegate.word_rect(0, view.visualRect(row), word).toRect()
        pixels = [QColor(image.pixel(QPoint(x, y))) for x in range(box.left(), box.right())
                  for y in range(box.top(), box.bottom())]
        assert mark.rgb() in {pixel.rgb() for pixel in pixels}, "the mark is drawn"
        ratio = max(contrast(pixel, mark) for pixel in pixels)
        assert ratio >= TEXT_CONTRAST, (word, mark.name(), ratio)


@pytest.mark.parametrize("name", list(PALETTES))
def test_sound_events_and_corrected_words_read_after_a_switch(themed, qtbot,
                                                              name: str) -> None:
    """A sound event's grey (#6B6B6B, on its chip) and a corrected word's blue (#1F5FBF)
    were fixed: 2.3:1 and 2.7:1 in a dark palette (the grey 4.1:1 in a light one). The
    view starts light and the palette is switched while it is shown."""
    from collections import Counter

    from app.domain.transcript_parse import parse_transcript
    from app.ui.transcripts.paragraph_model import ParagraphModel
    from app.ui.transcripts.transcript_view import TranscriptView
    from tests.ui.test_transcripts_view import SMALL

    themed.setPalette(as_the_desktop_gives(themed, QPalette()))
    view = TranscriptView(ParagraphModel())
    view.resize(600, 300)
    qtbot.addWidget(view)
    view.show()
    view.paragraphs.set_transcript(parse_transcript(SMALL), frozenset({2}))  # "there."
    qtbot.waitUntil(lambda: view.indexAt(QPoint(30, 20)).isValid(), timeout=5000)
    themed.setPalette(as_the_desktop_gives(themed, PALETTES[name]()))
    qtbot.wait(10)
    image = view.viewport().grab().toImage()
    row = view.paragraphs.index(0)
    for word in (2, 4):  # corrected, "(laughter)"
        box = view.itemDelegate().word_rect(0, view.visualRect(row), word).toRect()
        pixels = [QColor(image.pixel(QPoint(x, y))) for x in range(box.left(), box.right())
                  for y in range(box.top(), box.bottom())]
        behind = QColor.fromRgb(Counter(p.rgb() for p in pixels).most_common(1)[0][0])
        ratio = max(contrast(pixel, behind) for pixel in pixels)
        assert ratio >= TEXT_CONTRAST, (word, behind.name(), ratio)
