"""Every tab, the Settings window and History at the sizes users run: a small netbook
(800x600, the smallest supported), the common 1366x768 laptop, 1280x800, 1920x1080 and
2560x1440, a 1920x1080 screen at 200% (960x540 device-independent pixels) and a large
system font (accessibility: 15 pt). Checked mechanically: no label, button, box or field
is smaller than its words (a combo box or label that ends its text with "…" and shows
the whole as a tooltip is fine), no two widgets of a layout overlap, nothing is cut off
at the window's edge outside a scroll area, History stays reachable and the window fits
the screen. Screenshots go to the test's folder (or $XI_STUDIO_SCREENSHOTS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from app.ui.widgets.combo_tips import is_shortened
from app.ui.widgets.elided_label import ElidedLabel
from tests.ui import test_palettes
from tests.ui.conftest import emulate_screen
from tests.ui.test_fit_and_keyboard import keep_shot
from tests.ui.test_palettes import dark_palette

themed = test_palettes.themed

pytestmark = pytest.mark.e2e

# (width, height, font points or 0 for the usual, palette). 853x460: a 1280x800 laptop
# at 150% below its task bar and title bar; 960x540: a 1920x1080 screen at 200%
# (QT_SCALE_FACTOR=2), in device-independent pixels.
SIZES = ((800, 600, 0, "light"), (853, 460, 0, "dark"), (1366, 768, 0, "dark"),
         (1280, 800, 15, "light"), (960, 540, 0, "dark"), (1920, 1080, 0, "light"),
         (2560, 1440, 15, "dark"))

SCRIPT = "ANNA: Hello there, this is the first line of the scene.\n" \
         "BEN: And this is the answer, a little longer than the first one.\n" \
         "ANNA: Goodbye then.\n"


@pytest.fixture
def large_font(qapp: QApplication) -> Iterator[Callable[[int], None]]:
    before = qapp.font()

    def set_points(points: int) -> None:
        if points:
            font = QFont(before)
            font.setPointSize(points)
            qapp.setFont(font)
    yield set_points
    qapp.setFont(before)


def _on_screen(widget: QWidget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def _in_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _short_of_words(widget: QWidget) -> str | None:
    """What the widget lacks to show its words, or None."""
    w, h = widget.width(), widget.height()
    if isinstance(widget, QComboBox):
        hint = widget.minimumSizeHint()
        if h < hint.height():
            return f"{h} high, needs {hint.height()}"
        if is_shortened(widget) and widget.isEditable():
            return "shortened without a tooltip"
        return None
    if isinstance(widget, QLabel):
        if not widget.text() or isinstance(widget, ElidedLabel):
            return None
        if widget.wordWrap():
            need = widget.heightForWidth(w)
            return f"{h} high, its words need {need}" if need > h + 1 else None
        hint = widget.sizeHint()
        if hint.width() > w + 1 or hint.height() > h + 1:
            return f"{w}x{h}, its words need {hint.width()}x{hint.height()}"
        return None
    if isinstance(widget, QAbstractButton):
        return _button_short(widget)
    if isinstance(widget, QLineEdit):
        if isinstance(widget.parentWidget(), QAbstractSpinBox | QComboBox):
            return None  # the box's own field, sized (and checked) with the box
        hint = widget.minimumSizeHint()
        return f"{h} high, needs {hint.height()}" if h < hint.height() else None
    return None


def _button_short(button: QAbstractButton) -> str | None:
    """The button's words and icon against the room its style draws them in."""
    words = button.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    if not words:
        return None
    metrics = button.fontMetrics()
    need = metrics.horizontalAdvance(words)
    if not button.icon().isNull():
        need += button.iconSize().width() + 4
    style = button.style()
    if isinstance(button, QPushButton):
        option = QStyleOptionButton()
        button.initStyleOption(option)
        room = style.subElementRect(QStyle.SubElement.SE_PushButtonContents, option,
                                    button)
    elif isinstance(button, QCheckBox | QRadioButton):
        option = QStyleOptionButton()
        button.initStyleOption(option)
        element = (QStyle.SubElement.SE_CheckBoxContents if isinstance(button, QCheckBox)
                   else QStyle.SubElement.SE_RadioButtonContents)
        room = style.subElementRect(element, option, button)
    else:
        room = button.contentsRect()
    if need > room.width() + 1 or metrics.height() > room.height() + 1:
        return f"{button.width()}x{button.height()}, its words need {need}x" \
               f"{metrics.height()} in {room.width()}x{room.height()}"
    return None


def _cut_off(window: QWidget, widget: QWidget) -> str | None:
    """Cut at an edge of a parent (the window's included), outside a scroll area."""
    rect = QRect(QPoint(0, 0), widget.size())
    child: QWidget = widget
    parent = widget.parentWidget()
    while parent is not None and child is not window:
        if isinstance(parent, QAbstractScrollArea) or parent is getattr(
                parent.parentWidget(), "viewport", lambda: None)():
            return None
        rect = rect.translated(child.pos())
        if not parent.rect().contains(rect):
            return f"{rect} outside {parent.objectName() or type(parent).__name__} " \
                   f"{parent.rect()}"
        child, parent = parent, parent.parentWidget()
    return None


def _overlaps(root: QWidget) -> list[str]:
    found = []
    for parent in [root, *root.findChildren(QWidget)]:
        layout = parent.layout()
        if layout is None or not _on_screen(parent) or isinstance(parent, QSplitter):
            continue
        children = [c for c in parent.children()
                    if isinstance(c, QWidget) and not c.isWindow() and _on_screen(c)
                    and layout.indexOf(c) >= 0]
        for i, a in enumerate(children):
            for b in children[i + 1:]:
                if a.geometry().intersects(b.geometry()):
                    found.append(f"{_name(a)} {a.geometry()} overlaps {_name(b)} "
                                 f"{b.geometry()}")
    return found


def _name(widget: QWidget) -> str:
    text = getattr(widget, "text", None)
    words = text() if callable(text) and isinstance(text(), str) else ""
    return f"{type(widget).__name__}:{widget.objectName() or '?'}:{words[:30]!r}"


def _cut_headings(header: QHeaderView) -> list[str]:
    """Headings of a table's columns narrower than their words (a stretched column
    shares what is left and may be squeezed by a narrow panel: not counted)."""
    found = []
    model = header.model()
    if model is None or header.orientation() != Qt.Orientation.Horizontal:
        return found
    view = header.parentWidget()
    if isinstance(view, QAbstractScrollArea) and header.length() > header.viewport().width() + 1 \
            and view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
        found.append(f"the columns of {view.objectName()} need {header.length()} px, it "
                     f"has {header.viewport().width()} and cannot scroll sideways")
    metrics = header.fontMetrics()
    margin = 2 * header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin)
    for column in range(model.columnCount()):
        if header.isSectionHidden(column) or header.sectionResizeMode(column) \
                == QHeaderView.ResizeMode.Stretch:
            continue
        words = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        need = metrics.horizontalAdvance(words) + margin
        if words and header.sectionSize(column) < need:
            found.append(f"heading {words!r} of {header.parentWidget().objectName()} is "
                         f"{header.sectionSize(column)} px, its words need {need}")
    return found


def problems_in(window: QWidget, root: QWidget, where: str) -> list[str]:
    found = [f"{where}: {p}" for p in _overlaps(root)]
    for header in root.findChildren(QHeaderView):
        if header.isVisible() and _on_screen(header.viewport()):  # (drawn on it)
            found += [f"{where}: {p}" for p in _cut_headings(header)]
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, QLabel | QAbstractButton | QComboBox | QLineEdit) \
                or not _on_screen(widget):
            continue
        short = _short_of_words(widget)
        if short:
            found.append(f"{where}: {_name(widget)} is {short}")
        cut = _cut_off(window, widget)
        if cut:
            found.append(f"{where}: {_name(widget)} is cut: {cut}")
    return found


@pytest.mark.parametrize("screen", SIZES,
                         ids=lambda s: f"{s[0]}x{s[1]}-{s[2] or 'usual'}pt-{s[3]}")
def test_every_tab_fits_and_shows_its_words(themed, large_font, launch, cloud, qtbot,
                                            tmp_path: Path, screen) -> None:
    width, height, points, look = screen
    themed.setPalette(dark_palette() if look == "dark" else QPalette())
    large_font(points)
    studio = launch(cloud_url=cloud.url)
    window = studio.window
    window.build_all_tabs()
    emulate_screen(window, width)
    window.resize(width, height)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (width, height))
    transcript = tmp_path / "talk.json"
    from tests.ui.test_transcripts_view import synthetic_transcript
    transcript.write_text(json.dumps(synthetic_transcript(300)))
    script = tmp_path / "scene.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    window.open_paths([transcript])
    window.open_paths([script])
    qtbot.waitUntil(lambda: window.scripts_tab.model.rowCount() == 3, timeout=10_000)
    music = window.music_tab
    music.mode.setCurrentIndex(1)
    music.editor.template.activated.emit(1)
    qtbot.waitUntil(lambda: music.editor.model.rowCount() > 2)
    tag = f"{width}x{height}-{points or 'usual'}pt-{look}"
    problems: list[str] = []
    for name in ("speech", "transcripts", "music", "scripts"):
        window.show_tab(name)
        qtbot.wait(80)
        where = f"{name} {tag}"
        hint = window.minimumSizeHint()
        if hint.width() > width or hint.height() > height:
            problems.append(f"{where}: the window needs {hint.width()}x{hint.height()}")
        if window.size().width() != width or window.size().height() != height:
            problems.append(f"{where}: the window is {window.size()}")
        if not window.history_dock.isVisible():
            problems.append(f"{where}: History is hidden")
        problems += problems_in(window, window, where)
        if name == "speech" and width >= 1900:  # the room goes to the text, not sliders
            text = window.findChild(QWidget, "speech.text")
            settings = window.findChild(QWidget, "speech.settings_scroll")
            if text.width() < settings.width():
                problems.append(f"{where}: the text box is {text.width()} px wide, the "
                                f"settings beside it {settings.width()}")
        keep_shot(window, f"sweep-{tag}-{name}", tmp_path)
    dialog = window.open_settings()
    qtbot.wait(80)
    hint = dialog.minimumSizeHint()
    if hint.width() > width or hint.height() > height:
        problems.append(f"settings {tag}: needs {hint.width()}x{hint.height()}")
    problems += problems_in(dialog, dialog, f"settings {tag}")
    keep_shot(dialog, f"sweep-{tag}-settings", tmp_path)
    dialog.close()
    assert not problems, "\n".join(problems)


# Qt's scale comes from the environment before the app starts: each scale runs the sweep
# again in a new process, on a stand-in screen of the size a user has (offscreen's own is
# 800x600 physical pixels, 400x300 at 200%: every dialog would be squeezed into it).
HIDPI = ((2.0, 1920, 1080, "960x540"), (1.5, 1280, 720, "853x460"))


@pytest.mark.parametrize("scale", HIDPI, ids=lambda s: f"{int(s[0] * 100)}%")
def test_the_sweep_holds_at_a_hidpi_scale(tmp_path: Path, scale) -> None:
    factor, width, height, size = scale
    screen = {"screens": [{"name": "screen", "x": 0, "y": 0, "width": width,
                           "height": height, "logicalDpi": 96, "logicalBaseDpi": 96,
                           "dpr": 1}]}
    config = tmp_path / "screen.json"
    config.write_text(json.dumps(screen), encoding="utf-8")
    env = dict(os.environ, QT_SCALE_FACTOR=str(factor),
               QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    if os.environ.get("XI_STUDIO_SCREENSHOTS"):  # beside the others, not over them
        env["XI_STUDIO_SCREENSHOTS"] = str(Path(os.environ["XI_STUDIO_SCREENSHOTS"])
                                           / f"scale-{int(factor * 100)}")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"{__file__}::test_every_tab_fits_and_shows_its_words", "-k", size],
        cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True,
        timeout=600, check=False)
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout[-4000:]


def test_the_empty_waveform_strip_says_what_it_is_for(launch, cloud, qtbot,
                                                      tmp_path: Path) -> None:
    """Under a transcript with no word chosen, the strip was a blank box 56 px high (on
    a 853x460 laptop an eighth of the window): it now says what to do."""
    studio = launch(cloud_url=cloud.url)
    window = studio.window
    transcript = tmp_path / "talk.json"
    from tests.ui.test_transcripts_view import synthetic_transcript
    transcript.write_text(json.dumps(synthetic_transcript(50)))
    window.open_paths([transcript])
    window.show_tab("transcripts")
    strip = studio.find(QWidget, "transcripts.word_strip")
    qtbot.waitUntil(lambda: window.transcripts_tab.document.edited is not None,
                    timeout=10_000)
    qtbot.waitUntil(strip.isVisible)
    assert strip.word is None
    image = strip.grab().toImage()
    base = strip.palette().base().color().rgb()
    drawn = sum(1 for x in range(0, image.width(), 2) for y in range(image.height())
                if image.pixel(x, y) != base)
    assert drawn > 50, drawn  # the words, not a blank box
