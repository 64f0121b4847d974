"""Dialogs and transient pieces of the interface (banners, the transcript's marks) in
dark, light and high-contrast palettes: what they draw reads at WCAG's 4.5:1 for text
and 3:1 for outlines, measured on the drawn pixels, from the start and after a live
switch between light and dark. (The standard widgets of every dialog follow the palette
already; the checks here are on colours the app chooses itself.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
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


# -- the survey of dialogs that need something loaded to open --------------------------

def _most_common(pixels: list[QColor]) -> QColor:
    from collections import Counter

    return QColor.fromRgb(Counter(p.rgb() for p in pixels).most_common(1)[0][0])


def _shows_text(widget: QWidget) -> bool:
    """A list or table with rows, or a text box with text."""
    from PySide6.QtWidgets import QAbstractItemView, QTextEdit

    if isinstance(widget, QAbstractItemView):
        return widget.model() is not None and widget.model().rowCount() > 0
    return isinstance(widget, QTextEdit) and bool(widget.toPlainText().strip())


def _text_areas(dialog: QWidget) -> list[tuple[str, QRect]]:
    """Where each visible label, button, group box title, list and text box of `dialog`
    writes its text, in the dialog's coordinates."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QCheckBox,
        QGroupBox,
        QRadioButton,
        QStyle,
        QStyleOptionButton,
        QStyleOptionGroupBox,
    )

    areas: list[tuple[str, QRect]] = []
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisibleTo(dialog) or widget.window() is not dialog:
            continue
        name = f"{type(widget).__name__} {widget.objectName()!r}"
        at = widget.mapTo(dialog, QPoint(0, 0))
        style = widget.style()
        if isinstance(widget, QLabel) and widget.text().strip():
            areas.append((f"{name} {widget.text()[:40]!r}", widget.contentsRect().translated(at)))
        elif isinstance(widget, (QCheckBox, QRadioButton)) and widget.text():
            option = QStyleOptionButton()
            option.initFrom(widget)
            option.text = widget.text()
            element = QStyle.SubElement.SE_CheckBoxContents if isinstance(widget, QCheckBox) \
                else QStyle.SubElement.SE_RadioButtonContents
            areas.append((f"{name} {widget.text()!r}",
                          style.subElementRect(element, option, widget).translated(at)))
        elif isinstance(widget, QAbstractButton) and widget.text():
            areas.append((f"{name} {widget.text()!r}", widget.rect().adjusted(3, 3, -3, -3)
                          .translated(at)))
        elif isinstance(widget, QGroupBox) and widget.title():
            option = QStyleOptionGroupBox()
            widget.initStyleOption(option)
            title = style.subControlRect(QStyle.ComplexControl.CC_GroupBox, option,
                                         QStyle.SubControl.SC_GroupBoxLabel, widget)
            areas.append((f"{name} {widget.title()!r}", title.translated(at)))
        elif _shows_text(widget):
            viewport = widget.viewport()
            areas.append((name, viewport.rect().translated(viewport.mapTo(dialog, QPoint()))))
    return areas


def unreadable_text(dialog: QWidget) -> list[str]:
    """Each text area of `dialog` whose strongest drawn pixel reaches less than 4.5:1
    against the area's own background (its commonest colour), as drawn now."""
    image = dialog.grab().toImage()
    bounds = image.rect()
    found = []
    for name, area in _text_areas(dialog):
        area = area.intersected(bounds)
        pixels = [QColor(image.pixel(QPoint(x, y))) for x in range(area.left(), area.right())
                  for y in range(area.top(), area.bottom())]
        if not pixels:
            continue
        behind = _most_common(pixels)
        ratio = max(contrast(pixel, behind) for pixel in pixels)
        if ratio < TEXT_CONTRAST:
            found.append(f"{name}: {ratio:.2f}:1 on {behind.name()}")
    return found


def survey(themed, qtbot, dialog: QWidget, name: str, tmp_path: Path,
           also: Callable[[str], None] | None = None) -> None:
    """`dialog` read in the dark palette it was opened in, then after a live switch to
    high contrast and back to dark (`also` checks more, given the palette's name)."""
    dialog.resize(max(dialog.width(), 560), max(dialog.height(), 360))
    for step, palette in enumerate(("dark", "high-contrast", "dark")):
        if step:
            themed.setPalette(as_the_desktop_gives(themed, PALETTES[palette]()))
            qtbot.wait(20)
        keep_shot(dialog, f"{name}-{palette}-{step}", tmp_path)
        assert unreadable_text(dialog) == [], (palette, step)
        if also is not None:
            also(palette)


def test_voice_details_read_in_dark_and_high_contrast(themed, launch, cloud, qtbot,
                                                       tmp_path: Path) -> None:
    from PySide6.QtWidgets import QPushButton

    from app.ui.speech.voice_details import VoiceDetailsDialog

    themed.setPalette(as_the_desktop_gives(themed, dark_palette()))
    studio = launch(cloud_url=cloud.url)
    qtbot.waitUntil(lambda: studio.window.speech_tab.current_voice() is not None,
                    timeout=20_000)
    studio.find(QPushButton, "speech.voice_details").click()
    dialog = studio.window.findChild(VoiceDetailsDialog, "voice_details")
    qtbot.waitUntil(lambda: dialog.isVisible()
                    and not dialog.runner.is_running(dialog.LOAD), timeout=20_000)
    survey(themed, qtbot, dialog, "voice-details", tmp_path)


def test_pronunciation_dictionaries_read_in_dark_and_high_contrast(
        themed, launch, cloud, qtbot, tmp_path: Path) -> None:
    from tests.ui.test_pronunciation import add_rule, make_dictionary, open_dialog

    themed.setPalette(as_the_desktop_gives(themed, dark_palette()))
    studio = launch(cloud_url=cloud.url)
    dialog = open_dialog(qtbot, studio)
    make_dictionary(qtbot, dialog, "Brand names")
    add_rule(qtbot, dialog, "XI", "alias", "eleven")
    dialog.say("The rule could not be saved: the word is empty.", problem=True)
    survey(themed, qtbot, dialog, "dictionaries", tmp_path)


def test_stems_read_in_dark_and_high_contrast(themed, launch, cloud, qtbot,
                                              tmp_path: Path) -> None:
    from tests.ui.test_music_stems import compose_one, separate

    themed.setPalette(as_the_desktop_gives(themed, dark_palette()))
    studio = launch(cloud_url=cloud.url)
    dialog = compose_one(studio, qtbot)
    separate(studio, qtbot, dialog)
    survey(themed, qtbot, dialog, "stems", tmp_path)


def test_scripts_voice_settings_read_in_dark_and_high_contrast(
        themed, launch, cloud, qtbot, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QPushButton

    from tests.ui.test_scripts_bad_input import SARAH, open_csv

    themed.setPalette(as_the_desktop_gives(themed, dark_palette()))
    studio = open_csv(launch, cloud, qtbot, tmp_path, [f"ANNA,First line of Anna.,{SARAH}"])
    tab = studio.window.scripts_tab
    tab.select_block(tab.document.script.blocks[0].block_id)
    studio.find(QPushButton, "scripts.block_settings").click()
    qtbot.waitUntil(lambda: tab.voice_settings.dialog is not None)
    survey(themed, qtbot, tab.voice_settings.dialog, "scripts-voice-settings", tmp_path)


def test_transcription_job_settings_read_in_dark_and_high_contrast(
        themed, launch, engine_url, qtbot, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QPushButton, QTableView

    themed.setPalette(as_the_desktop_gives(themed, dark_palette()))
    studio = launch(engine_url=engine_url)
    broken = []
    for n in (1, 2):  # not audio: the engine refuses them, and they wait to be retried
        path = tmp_path / f"broken{n}.wav"
        path.write_bytes(b"not a recording " * 64)
        broken.append(path)
    studio.window.open_paths(broken)
    queue = studio.window.transcription_queue
    qtbot.waitUntil(lambda: len(queue.jobs) == 2 and queue.jobs[0].state == "failed",
                    timeout=60_000)
    table = studio.find(QTableView, "transcripts.queue")
    table.selectRow(0)
    studio.find(QPushButton, "transcripts.queue_settings").click()
    dialog = studio.window.findChild(QWidget, "transcripts.queue_settings_dialog")
    assert dialog is not None
    qtbot.waitExposed(dialog)
    survey(themed, qtbot, dialog, "job-settings", tmp_path)


def test_the_offline_model_card_reads_in_dark_and_high_contrast(
        themed, launch, engine_url, qtbot, tmp_path: Path, monkeypatch) -> None:
    """The card is markdown with links: the palette's link colour (Qt's #0000ff where a
    desktop palette leaves it out) read at 2.4:1 on a black or dark text box."""
    from app.library.models.extras import cached_extra
    from tests.ui.test_dialogs_keyboard import open_models_window

    monkeypatch.setenv("XI_STUDIO_MODEL_HUB", "http://127.0.0.1:9")  # nothing leaves
    themed.setPalette(as_the_desktop_gives(themed, dark_palette()))
    studio = launch(engine_url=engine_url)
    models = open_models_window(studio, qtbot)
    panel = models.panel
    panel.table.selectRow(0)
    entry = panel.selected()
    assert entry is not None
    card = cached_extra(panel.store, entry, entry.card_path)  # as fetched once before
    card.parent.mkdir(parents=True, exist_ok=True)
    card.write_text("# A voice\n\nTrained on [an open data set](https://example.org/data)."
                    "\n", encoding="utf-8")
    panel.details_button.click()
    dialog = panel.card_dialog
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)

    def link_reads(palette: str) -> None:
        viewport = dialog.card.viewport()
        image = viewport.grab().toImage()
        base = dialog.card.palette().color(QPalette.ColorRole.Base)
        bluish = [c for c in (QColor(image.pixel(QPoint(x, y))) for x in range(image.width())
                              for y in range(image.height()))
                  if c.hsvSaturationF() > 0.3 and 180 <= c.hsvHue() <= 260]
        assert bluish, "the link is drawn"
        ratio = max(contrast(pixel, base) for pixel in bluish)
        assert ratio >= TEXT_CONTRAST, (palette, base.name(), ratio)

    survey(themed, qtbot, dialog, "model-card", tmp_path, link_reads)


@pytest.mark.parametrize("switched", [False, True], ids=["from-the-start", "switched-live"])
@pytest.mark.parametrize("name", list(PALETTES))
def test_tooltips_follow_the_palette(themed, qtbot, tmp_path: Path, name: str,
                                     switched: bool) -> None:
    """A tooltip kept Qt's light yellow on a high-contrast (black) palette that left the
    tooltip colours out: a glaring box on the black window. Now it takes the palette's
    colours, reads at 4.5:1, and the next tooltip after a live switch takes the new ones
    (one open through the switch: test_an_open_tooltip_follows_a_live_switch)."""
    from PySide6.QtWidgets import QApplication, QPushButton, QToolTip

    from app.ui.contrast import luminance

    button = QPushButton("Export…")
    qtbot.addWidget(button)

    def tip() -> QWidget | None:
        shown = [w for w in QApplication.topLevelWidgets()
                 if w.inherits("QTipLabel") and w.isVisible()]
        return shown[0] if shown else None

    def show_tip() -> QWidget:
        QToolTip.showText(button.mapToGlobal(QPoint(4, 4)), "Save the transcript as a file",
                          button)
        qtbot.waitUntil(lambda: tip() is not None)
        label = tip()
        assert label is not None
        return label

    themed.setPalette(as_the_desktop_gives(
        themed, PALETTES["light" if switched else name]()))
    button.show()
    qtbot.waitExposed(button)
    show_tip()
    if switched:
        QToolTip.hideText()
        qtbot.waitUntil(lambda: tip() is None)
        themed.setPalette(as_the_desktop_gives(themed, PALETTES[name]()))
        qtbot.wait(10)
    label = show_tip()
    keep_shot(label, f"tooltip-{name}-{'switched' if switched else 'start'}", tmp_path)
    image = label.grab().toImage()
    pixels = [QColor(image.pixel(QPoint(x, y))) for x in range(image.width())
              for y in range(image.height())]
    behind = _most_common(pixels)
    window = themed.palette().color(QPalette.ColorRole.Window)
    # light with a light window, dark with a dark one
    assert (luminance(behind) < 0.18) == (luminance(window) < 0.18), (behind.name(),
                                                                      window.name())
    assert max(contrast(pixel, behind) for pixel in pixels) >= TEXT_CONTRAST
    QToolTip.hideText()


@pytest.mark.parametrize("styled", [False, True], ids=["plain", "style-sheet"])
@pytest.mark.parametrize("name", ["dark", "high-contrast"])
@pytest.mark.parametrize("how", ["app-palette", "desktop-theme"])
def test_an_open_tooltip_follows_a_live_switch(themed, qtbot, tmp_path: Path,
                                               name: str, styled: bool, how: str) -> None:
    """A tooltip open while the desktop switches from light to dark (or high contrast)
    takes the new colours: it must not stay a bright box on the dark window until it
    closes. A desktop theme switch does more than change the palette: right after
    announcing the palette, in the same call, Qt hands tooltips the desktop theme's own
    tooltip palette (QApplicationPrivate::handleThemeChanged → qt_init_tooltip_palette),
    which replaced the colours just worked out, on the open tip and every later one. The
    offscreen platform has no desktop theme to switch, so "desktop-theme" plays that
    step: a receiver connected after the app's does what Qt does, in the same call.
    (A tip over a widget with a style sheet is drawn through the style-sheet style,
    hence the "style-sheet" cases.)"""
    from PySide6.QtWidgets import QApplication, QPushButton, QToolTip

    from app.ui.contrast import luminance

    button = QPushButton("Export…")
    qtbot.addWidget(button)
    if styled:
        button.setStyleSheet("QPushButton { padding: 4px 12px; }")

    def tip() -> QWidget | None:
        shown = [w for w in QApplication.topLevelWidgets()
                 if w.inherits("QTipLabel") and w.isVisible()]
        return shown[0] if shown else None

    themed.setPalette(as_the_desktop_gives(themed, PALETTES["light"]()))
    button.show()
    # Active first: a late activation closes a tip (Qt hides it on any window's
    # activation), which would hide what this test looks at.
    button.activateWindow()
    qtbot.waitUntil(button.isActiveWindow)
    qtbot.wait(50)
    QToolTip.showText(button.mapToGlobal(QPoint(4, 4)), "Save the transcript as a file",
                      button)
    qtbot.waitUntil(lambda: tip() is not None)
    if how == "desktop-theme":
        def as_qt_does_on_a_theme_change(_palette: QPalette) -> None:
            desktops_own = QPalette(QColor("#ffffdc"))  # Qt's light yellow tip
            desktops_own.setColor(QPalette.ColorRole.ToolTipBase, QColor("#ffffdc"))
            desktops_own.setColor(QPalette.ColorRole.ToolTipText, QColor("#000000"))
            desktops_own.setResolveMask(0)
            QToolTip.setPalette(desktops_own)

        themed.paletteChanged.connect(as_qt_does_on_a_theme_change)
    try:
        themed.setPalette(as_the_desktop_gives(themed, PALETTES[name]()))
    finally:
        if how == "desktop-theme":
            themed.paletteChanged.disconnect(as_qt_does_on_a_theme_change)
    qtbot.wait(10)
    label = tip()
    assert label is not None, "the tip stays open through the switch"
    keep_shot(label, f"tooltip-{name}-{how}-open-while-switched", tmp_path)
    image = label.grab().toImage()
    pixels = [QColor(image.pixel(QPoint(x, y))) for x in range(image.width())
              for y in range(image.height())]
    behind = _most_common(pixels)
    assert luminance(behind) < 0.18, behind.name()  # dark, as the window now is
    assert max(contrast(pixel, behind) for pixel in pixels) >= TEXT_CONTRAST
    QToolTip.hideText()


# -- the transcript: its underline, speaker names and draft note -----------------------

def _shown_transcript(qtbot, source: dict | None = None):
    from app.domain.transcript_parse import parse_transcript
    from app.ui.transcripts.paragraph_model import ParagraphModel
    from app.ui.transcripts.transcript_view import TranscriptView
    from tests.ui.test_transcripts_view import SMALL

    view = TranscriptView(ParagraphModel())
    view.resize(600, 300)
    qtbot.addWidget(view)
    view.show()
    view.paragraphs.set_transcript(parse_transcript(source or SMALL), frozenset())
    qtbot.waitUntil(lambda: view.indexAt(QPoint(30, 20)).isValid(), timeout=5000)
    return view


@pytest.mark.parametrize("name", list(PALETTES))
def test_the_doubtful_words_underline_marks_at_3_to_1(themed, qtbot, tmp_path: Path,
                                                      name: str) -> None:
    """The orange wave under a word the service was unsure of was a fixed #E67E22: 2.8:1
    on white, under WCAG's 3:1 for a mark that is not text."""
    themed.setPalette(as_the_desktop_gives(themed, QPalette()))
    view = _shown_transcript(qtbot)
    themed.setPalette(as_the_desktop_gives(themed, PALETTES[name]()))  # switched live
    qtbot.wait(10)
    image = view.viewport().grab().toImage()
    keep_shot(view, f"transcript-underline-{name}", tmp_path)
    base = view.viewport().palette().color(QPalette.ColorRole.Base)
    row = view.paragraphs.index(0)
    box = view.itemDelegate().word_rect(0, view.visualRect(row), 2).toRect()  # "there."
    assert view.paragraphs.is_low_confidence(view.paragraphs.transcript.words[2])
    orange = [c for c in (QColor(image.pixel(QPoint(x, y))) for x in range(box.left(),
                                                                             box.right())
                          for y in range(box.bottom() - 6, box.bottom() + 4))
              if 15 <= c.hsvHue() <= 45 and c.hsvSaturationF() > 0.4]
    assert orange, "the wave is drawn"
    ratio = max(contrast(pixel, base) for pixel in orange)
    assert ratio >= GRAPHIC_CONTRAST, (name, base.name(), ratio)


@pytest.mark.parametrize("name", list(PALETTES))
def test_speaker_names_read_as_text(themed, qtbot, name: str) -> None:
    """A speaker's name above their words is normal-size text but was held to 3:1 only:
    the second speaker's orange #D55E00 read at 4.0:1 on white, the first's blue lifted
    to just 3:1 on a dark base."""
    from PySide6.QtGui import QFontMetrics

    from app.ui.transcripts.paragraph_layout import BAR_WIDTH, GAP, MARGIN_TOP, MARGIN_X

    themed.setPalette(as_the_desktop_gives(themed, PALETTES[name]()))
    view = _shown_transcript(qtbot)
    image = view.viewport().grab().toImage()
    base = view.viewport().palette().color(QPalette.ColorRole.Base)
    delegate = view.itemDelegate()
    _, header = delegate.layouts.fonts()
    model = view.paragraphs
    assert model.rowCount() == 2
    for row in range(model.rowCount()):
        rect = view.visualRect(model.index(row))
        name_shown = model.speaker_name(model.rows[row].speaker_id)
        metrics = QFontMetrics(header)
        area = QRect(rect.left() + MARGIN_X + BAR_WIDTH + GAP, rect.top() + MARGIN_TOP,
                     metrics.horizontalAdvance(name_shown), metrics.height())
        pixels = [QColor(image.pixel(QPoint(x, y))) for x in range(area.left(), area.right())
                  for y in range(area.top(), area.bottom())]
        ratio = max(contrast(pixel, base) for pixel in pixels)
        assert ratio >= TEXT_CONTRAST, (name, name_shown, base.name(), ratio)


@pytest.mark.parametrize("name", list(PALETTES))
def test_the_draft_note_follows_the_palette(themed, qtbot, tmp_path: Path, name: str) -> None:
    """The "draft made offline" note was a fixed light yellow (#FFF4CE) with dark text:
    glaring in a dark window, and left so after a live switch from light to dark. Now an
    amber tint of the window, its text at 4.5:1 and its frame at 3:1."""
    from app.domain.offline_quality import OFFLINE_MARK_KEY
    from app.domain.transcript_parse import parse_transcript
    from app.ui.contrast import luminance
    from app.ui.transcripts.paragraph_model import ParagraphModel
    from app.ui.transcripts.viewer_panel import ViewerPanel
    from tests.ui.test_transcripts_view import SMALL

    themed.setPalette(as_the_desktop_gives(themed, QPalette()))
    panel = ViewerPanel(ParagraphModel())
    qtbot.addWidget(panel)
    panel.resize(1024, 640)
    panel.show()
    qtbot.waitExposed(panel)
    draft = parse_transcript({**SMALL, OFFLINE_MARK_KEY: {"approximate": True}})
    panel.show_transcript(draft, "Interview", offline_draft=True)
    note = panel.draft_note
    qtbot.waitUntil(note.isVisible)
    keep_shot(panel, "transcript-draft-note-light", tmp_path)
    themed.setPalette(as_the_desktop_gives(themed, PALETTES[name]()))  # switched live
    qtbot.wait(10)
    keep_shot(panel, f"transcript-draft-note-{name}-switched", tmp_path)
    window = themed.palette().color(QPalette.ColorRole.Window)
    image = panel.grab().toImage()
    area = note.geometry().translated(note.parentWidget().mapTo(panel, QPoint()))
    pixels = [QColor(image.pixel(QPoint(x, y))) for x in range(area.left(), area.right())
              for y in range(area.top(), area.bottom())]
    behind = _most_common(pixels)
    # the note is light in a light window and dark in a dark one
    assert (luminance(behind) < 0.18) == (luminance(window) < 0.18), (behind.name(),
                                                                      window.name())
    assert max(contrast(pixel, behind) for pixel in pixels) >= TEXT_CONTRAST
    frame = [QColor(image.pixel(QPoint(area.left() + d, area.center().y())))
             for d in range(2)]
    assert max(contrast(pixel, window) for pixel in frame) >= GRAPHIC_CONTRAST, \
        [p.name() for p in frame]
