"""Short screens: each tab's main content comes first. On a 1280x800 laptop at 150%
(853x460 below the task bar, History open) the Music plan showed no row at all, the
transcript two lines, the Scripts blocks one row and the Speech text box was 190 px wide
beside a 350 px settings column. The thing the user works on now gets the stretch and
its share of the tab; settings, the queue and the cast stay one drag (or key) away."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QPlainTextEdit, QTextEdit, QWidget

from tests.ui import test_palettes
from tests.ui.conftest import emulate_screen
from tests.ui.test_fit_and_keyboard import keep_shot
from tests.ui.test_layout_sweep import SCRIPT
from tests.ui.test_palettes import dark_palette

themed = test_palettes.themed

pytestmark = pytest.mark.e2e

SIZES = ((853, 460), (800, 600), (1024, 640))
# The main content of each tab, by its object name.
CONTENT = {"music": "music.sections", "transcripts": "transcripts.words",
           "scripts": "scripts.blocks", "speech": "speech.text"}
SHARE = 0.45  # of the tab's height, for the tables and the transcript
ROWS = 4
TEXT_SHARE = 0.40  # of the tab's width, for the Speech text box


def _visible_height(widget: QWidget) -> int:
    """The widget's height the user sees (a scroll area around it may cut it)."""
    return widget.visibleRegion().boundingRect().height()


def _rows_shown(view: QAbstractItemView) -> float:
    """Rows (or, for the transcript, lines of text) the view's visible part holds."""
    model = view.model()
    if model is not None and model.rowCount() and view.objectName() != "transcripts.words":
        row = max(1, view.sizeHintForRow(0))
    else:
        row = view.fontMetrics().lineSpacing()
    seen = view.viewport().visibleRegion().boundingRect().height()
    return seen / row


@pytest.mark.parametrize("look", ("light", "dark"))
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_content_gets_its_share(themed, launch, cloud, qtbot, tmp_path: Path,
                                     size, look) -> None:
    width, height = size
    themed.setPalette(dark_palette() if look == "dark" else QPalette())
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
    script.write_text(SCRIPT * 4, encoding="utf-8")
    window.open_paths([transcript])
    window.open_paths([script])
    qtbot.waitUntil(lambda: window.scripts_tab.model.rowCount() == 12, timeout=10_000)
    music = window.music_tab
    music.mode.setCurrentIndex(1)
    music.editor.template.activated.emit(1)
    qtbot.waitUntil(lambda: music.editor.model.rowCount() > 2)
    problems: list[str] = []
    for name, content_name in CONTENT.items():
        window.show_tab(name)
        qtbot.wait(80)
        tab = window.tabs.currentWidget()
        content = tab.findChild(QWidget, content_name)
        assert content is not None, content_name
        where = f"{name} {width}x{height} {look}"
        if isinstance(content, QTextEdit | QPlainTextEdit):
            if content.width() < TEXT_SHARE * tab.width():
                problems.append(f"{where}: the text box is {content.width()} px wide of "
                                f"the tab's {tab.width()}")
        else:
            assert isinstance(content, QAbstractItemView)
            seen = _visible_height(content)
            if seen < SHARE * tab.height():
                problems.append(f"{where}: {content_name} shows {seen} px of the tab's "
                                f"{tab.height()}")
            rows = _rows_shown(content)
            if rows < ROWS:
                problems.append(f"{where}: {content_name} shows {rows:.1f} rows")
        keep_shot(window, f"content-{width}x{height}-{look}-{name}", tmp_path)
    assert not problems, "\n".join(problems)
