"""Dark, light and high-contrast palettes: chips, section labels, speaker colours, the
kept-section text, disabled text and the outlines of check boxes, radio buttons and
slider grooves stay readable (WCAG contrast, computed, and measured on the drawn
pixels), and a live theme switch is followed. Screenshots of each tab in dark mode go to
the test's folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSlider,
    QStyle,
    QStyleOptionButton,
    QStyleOptionSlider,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.app_style import ReadableStyle, outline_item_checks
from app.ui.contrast import GRAPHIC_CONTRAST, TEXT_CONTRAST, blend, contrast, readable_on
from app.ui.control_style import ControlStyle
from app.ui.transcripts.speaker_colors import PALETTE, SpeakerColors
from tests.ui.test_fit_and_keyboard import keep_shot

pytestmark = pytest.mark.e2e


def dark_palette() -> QPalette:
    """As KDE's Breeze Dark or qt6ct deliver it to a Fusion app."""
    p = QPalette()
    roles = QPalette.ColorRole
    for role, color in ((roles.Window, "#31363b"), (roles.WindowText, "#eff0f1"),
                        (roles.Base, "#1b1e20"), (roles.AlternateBase, "#232629"),
                        (roles.Text, "#eff0f1"), (roles.Button, "#31363b"),
                        (roles.ButtonText, "#eff0f1"), (roles.Highlight, "#3daee9"),
                        (roles.HighlightedText, "#eff0f1"), (roles.Light, "#4b5257"),
                        (roles.Midlight, "#d0d0d0"), (roles.Mid, "#5a6166"),
                        (roles.Dark, "#1b1e20"), (roles.PlaceholderText, "#9ca0a4"),
                        (roles.ToolTipBase, "#31363b"), (roles.ToolTipText, "#eff0f1")):
        p.setColor(role, QColor(color))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(disabled, role, QColor("#6e7175"))
    return p


def high_contrast_palette() -> QPalette:
    p = QPalette(QColor("black"), QColor("black"))
    roles = QPalette.ColorRole
    for role, color in ((roles.WindowText, "white"), (roles.Text, "white"),
                        (roles.ButtonText, "white"), (roles.Base, "black"),
                        (roles.AlternateBase, "#101010"), (roles.Highlight, "#ffff00"),
                        (roles.HighlightedText, "black"), (roles.PlaceholderText, "#d0d0d0"),
                        (roles.Mid, "white")):
        p.setColor(role, QColor(color))
    return p


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    """The app's style over Fusion (what a KDE or qt6ct palette is drawn with when no
    other style is installed); the palette is put back after the test."""
    palette = qapp.palette()
    qapp.setStyle(ReadableStyle("fusion"))
    yield qapp
    qapp.setPalette(palette)


def as_the_desktop_gives(app: QApplication, palette: QPalette) -> QPalette:
    """`palette` as a desktop theme hands it over: Qt lets the application's style
    polish the theme's palette (a palette the app set itself would skip that)."""
    style = app.style()
    assert isinstance(style, ReadableStyle)
    given = QPalette(palette)
    polished = style.polish(given)  # (Qt's own polish changes `given` in place)
    return polished if isinstance(polished, QPalette) else given


@pytest.mark.parametrize("palette", [dark_palette, QPalette, high_contrast_palette],
                         ids=["dark", "light", "high-contrast"])
def test_speaker_and_section_colours_read_on_every_palette(themed, palette) -> None:
    themed.setPalette(palette())
    base = themed.palette().color(QPalette.ColorRole.Base)
    colors = SpeakerColors()
    ids = [f"speaker_{n}" for n in range(len(PALETTE) + 3)]
    colors.assign(ids)
    for speaker in [*ids, None]:
        ratio = contrast(colors.color(speaker), base)
        assert ratio >= GRAPHIC_CONTRAST, (speaker, colors.color(speaker).name(), ratio)
    from app.ui.music.timeline import _COLORS

    behind = themed.palette().color(QPalette.ColorRole.AlternateBase)
    for hue in _COLORS:
        for alpha in (110, 200):  # kept and made anew
            color = QColor(hue)
            color.setAlpha(alpha)
            shown = blend(color, behind)
            assert contrast(readable_on(shown), shown) >= TEXT_CONTRAST, (hue, alpha)


def test_dark_mode_chips_and_kept_sections_read_and_a_theme_switch_is_followed(
        themed, launch, cloud, qtbot, tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    window = studio.window
    window.resize(1024, 640)
    window.build_all_tabs()
    music = window.music_tab
    music.mode.setCurrentIndex(1)
    editor = music.editor
    editor.template.activated.emit(1)  # a plan with sections, as a user starts one
    qtbot.waitUntil(lambda: editor.model.rowCount() > 0)
    editor.global_positive.set_chips(["calm piano", "rainy evening"])
    from app.ui.music.chip_editor import Chip

    for dark in (False, True, False, True):  # a live switch, both ways
        themed.setPalette(dark_palette() if dark else QPalette())
        qtbot.wait(20)
        chips = window.findChildren(Chip)
        assert chips
        for chip in chips:
            background = chip.background()
            text = chip.label.palette().color(chip.label.foregroundRole())
            assert contrast(text, background) >= TEXT_CONTRAST, (dark, text.name(),
                                                                 background.name())

    for index, name in enumerate(("speech", "transcripts", "music", "scripts")):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        assert keep_shot(window, f"dark-1024x640-{name}", tmp_path).stat().st_size > 10_000
    themed.setPalette(QPalette())
    for index, name in enumerate(("speech", "transcripts", "music", "scripts")):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        keep_shot(window, f"light-1024x640-{name}", tmp_path)


def test_problem_text_stays_readable_after_a_theme_switch(themed, qtbot) -> None:
    from PySide6.QtWidgets import QLabel

    from app.ui.widgets.problem_text import show_as_problem

    label = QLabel("The prompt is too long")
    qtbot.addWidget(label)
    show_as_problem(label)
    for palette in (QPalette(), dark_palette(), high_contrast_palette()):
        themed.setPalette(palette)
        qtbot.wait(10)
        window = themed.palette().color(QPalette.ColorRole.Window)
        shown = QColor(label.styleSheet().removeprefix("color: ").rstrip(";"))
        assert contrast(shown, window) >= TEXT_CONTRAST, (shown.name(), window.name())
    show_as_problem(label, False)
    assert label.styleSheet() == ""


def test_script_status_colours_read_on_light_and_dark(themed, launch, cloud, qtbot,
                                                      tmp_path: Path) -> None:
    """Done, failed and stale in the Scripts table read as text (4.5:1) on the table's
    base colour, in a light palette and after a live switch to a dark one (the fixed
    green was 3.5:1 there, the orange 3.7:1 on white)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton, QTableView

    studio = launch(cloud_url=cloud.url)
    source = tmp_path / "lines.csv"
    source.write_text("speaker,text,voice\nANNA,Hello there.,EXAVITQu4vr4xnSDxMaL\n"
                      "GHOST,I am not here.,deletedVoice00000000\n"
                      "ANNA,Goodbye then.,EXAVITQu4vr4xnSDxMaL\n", encoding="utf-8")
    studio.window.open_paths([source])
    table = studio.find(QTableView, "scripts.blocks")
    model = table.model()
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=10_000)
    generate = studio.find(QPushButton, "scripts.generate_all")
    qtbot.waitUntil(generate.isEnabled, timeout=20_000)
    qtbot.mouseClick(generate, Qt.MouseButton.LeftButton)
    tab = studio.window.scripts_tab
    kinds = lambda: [model.index(row, 3).data() for row in range(3)]  # noqa: E731
    qtbot.waitUntil(lambda: not tab.generation.is_running and kinds()[0] == "done",
                    timeout=30_000)
    model.setData(model.index(2, 2), "Goodbye, then.")  # its take no longer matches
    qtbot.waitUntil(lambda: kinds()[2] == "stale", timeout=10_000)
    assert kinds()[1].startswith("failed")
    for palette in (QPalette(), dark_palette(), QPalette(), dark_palette()):
        themed.setPalette(palette)
        qtbot.wait(10)
        base = table.palette().color(QPalette.ColorRole.Base)
        for row in range(3):
            colour = model.index(row, 3).data(Qt.ItemDataRole.ForegroundRole).color()
            assert contrast(colour, base) >= TEXT_CONTRAST, (kinds()[row], colour.name(),
                                                             base.name())


def _edge_contrast(image: QImage, rect: QRect, background: QColor) -> dict[str, float]:
    """The strongest contrast against `background` found on each side of `rect` (within
    2 px of the edge, across the middle), on the drawn pixels."""
    middle = rect.center()
    sides = {
        "left": [QPoint(rect.left() + d, middle.y()) for d in range(3)],
        "right": [QPoint(rect.right() - d, middle.y()) for d in range(3)],
        "top": [QPoint(middle.x(), rect.top() + d) for d in range(3)],
        "bottom": [QPoint(middle.x(), rect.bottom() - d) for d in range(3)],
    }
    return {side: max(contrast(QColor(image.pixel(p)), background) for p in points)
            for side, points in sides.items()}


@pytest.mark.parametrize("switched", [False, True], ids=["from-the-start", "switched-live"])
@pytest.mark.parametrize("palette", [dark_palette, QPalette, high_contrast_palette],
                         ids=["dark", "light", "high-contrast"])
def test_unticked_boxes_slider_grooves_and_disabled_text_stay_readable(
        themed, qtbot, palette, switched: bool) -> None:
    """Fusion outlines an unticked check box, a radio button and a slider's groove with
    the window colour a shade darker (1.4:1 on Breeze Dark) and greys disabled text to
    2.5:1: the app's style keeps 3:1 for the outlines, all the way round, and 4.5:1 for
    disabled text. Also when the desktop switches the palette while the widgets are
    shown."""
    if not switched:
        themed.setPalette(as_the_desktop_gives(themed, palette()))
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    box = QCheckBox("Speaker boost", page)
    radio = QRadioButton("Per word", page)
    slider = QSlider(Qt.Orientation.Horizontal, page)
    slider.setValue(20)  # the groove's right part is empty, not the highlight colour
    items = QListWidget(page)
    item = QListWidgetItem("Keep")
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Unchecked)
    items.addItem(item)
    outline_item_checks(items)  # as the app's views with check boxes are built
    for widget in (box, radio, slider, items):
        layout.addWidget(widget)
    page.resize(240, 200)
    page.show()
    qtbot.waitExposed(page)
    if switched:
        themed.setPalette(as_the_desktop_gives(themed, palette()))
        qtbot.wait(10)
    shown = themed.palette()
    disabled = QPalette.ColorGroup.Disabled
    roles = QPalette.ColorRole
    for text, backgrounds in ((roles.WindowText, (roles.Window,)),
                              (roles.Text, (roles.Base, roles.Window)),
                              (roles.ButtonText, (roles.Button,))):
        for background in backgrounds:
            for colours in (shown, box.palette()):
                ratio = contrast(colours.color(disabled, text),
                                 colours.color(disabled, background))
                assert ratio >= TEXT_CONTRAST, (text, background, ratio)
    style = themed.style()
    window = shown.color(roles.Window)

    def indicator(widget: QCheckBox | QRadioButton, element: QStyle.SubElement) -> QRect:
        option = QStyleOptionButton()
        option.initFrom(widget)
        return style.subElementRect(element, option, widget)

    for widget, rect in ((box, indicator(box, QStyle.SubElement.SE_CheckBoxIndicator)),
                         (radio, indicator(radio, QStyle.SubElement.SE_RadioButtonIndicator))):
        edges = _edge_contrast(widget.grab().toImage(), rect, window)
        assert min(edges.values()) >= GRAPHIC_CONTRAST, (type(widget).__name__, edges)

    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                  QStyle.SubControl.SC_SliderGroove, slider)
    empty_end = QRect(groove.right() - 10, groove.top(), 10, groove.height())
    edges = _edge_contrast(slider.grab().toImage(), empty_end, window)
    assert edges["top"] >= GRAPHIC_CONTRAST and edges["bottom"] >= GRAPHIC_CONTRAST, edges

    view_option = QStyleOptionViewItem()
    view_option.initFrom(items.viewport())
    view_option.rect = items.visualItemRect(item)
    view_option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    check = style.subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator,
                                 view_option, items)
    edges = _edge_contrast(items.viewport().grab().toImage(), check,
                           shown.color(roles.Base))
    assert min(edges.values()) >= GRAPHIC_CONTRAST, ("item view check", edges)


def _shows_check_boxes(view: QAbstractItemView) -> bool:
    model = view.model()
    if model is None:
        return False
    return any(model.index(row, column).data(Qt.ItemDataRole.CheckStateRole) is not None
               for row in range(min(model.rowCount(), 3))
               for column in range(model.columnCount()))


def test_only_the_controls_that_need_it_draw_in_python(themed, launch, cloud, qtbot) -> None:
    """The outlines and the shortened combo box text are drawn in Python (ControlStyle) on
    the widgets that show them; every other widget, the Scripts table, the transcript,
    History and the cast among them, paints in C++ with the app's style alone (app-wide,
    the Python drawing made a table's repaint ~1.4x as long). Tabs built when first shown
    and dialogs get it too, and so do all of them after the app's style is replaced."""
    studio = launch(cloud_url=cloud.url)
    window = studio.window
    window.build_all_tabs()
    music = window.music_tab
    window.show_tab("music")
    music.mode.setCurrentIndex(1)
    music.editor.template.activated.emit(1)
    qtbot.waitUntil(lambda: music.editor.model.rowCount() > 0)
    qtbot.mouseClick(studio.find(QPushButton, "music.rework"), Qt.MouseButton.LeftButton)
    rework = music.producer.rework_dialog
    qtbot.waitExposed(rework)
    window.show_tab("speech")
    qtbot.mouseClick(studio.find(QPushButton, "speech.pronunciation"),
                     Qt.MouseButton.LeftButton)
    dictionaries = window.findChild(QListView, "dictionaries.list")
    assert dictionaries is not None
    qtbot.waitExposed(dictionaries)
    windows = (window, rework, dictionaries.window())

    for replaced in (False, True):
        if replaced:  # as a desktop does when its widget style is changed
            themed.setStyle(ReadableStyle("fusion"))
            qtbot.wait(10)
        app_style = themed.style()
        widgets = [w for w in QApplication.allWidgets() if w.window() in windows]
        for widget in widgets:
            widget.ensurePolished()  # as Qt does before a hidden one is first shown
        views = [w for w in widgets if isinstance(w, QAbstractItemView)]
        with_boxes = {v.objectName() for v in views if _shows_check_boxes(v)}
        assert "music.sections" in with_boxes
        for view in views:
            drawn = isinstance(view.style(), ControlStyle)
            if view.objectName() in ("music.sections", "music.rework_changes",
                                     "dictionaries.list") or view in with_boxes:
                assert drawn, view.objectName()
            else:
                assert view.style() is app_style, (view.objectName(), view.style())
        for name in ("scripts.blocks", "transcripts.words", "history.list"):
            assert studio.find(QAbstractItemView, name).style() is app_style, name
        cast = studio.find(QWidget, "scripts.cast")
        assert cast.style() is app_style
        controls = [w for w in widgets if isinstance(w, (QCheckBox, QRadioButton, QSlider,
                                                         QComboBox))]
        assert len(controls) > 20
        for widget in controls:
            assert isinstance(widget.style(), ControlStyle), widget.objectName()
        plain = [w for w in widgets if not isinstance(w, (QCheckBox, QRadioButton, QSlider,
                                                          QComboBox, QAbstractItemView))]
        # (a widget with a style sheet has Qt's style sheet style, over the app's style)
        odd = [w.objectName() for w in plain if w.style() is not app_style
               and w.style().metaObject().className() != "QStyleSheetStyle"]
        assert not odd, odd[:5]
    rework.close()
    dictionaries.window().close()


@pytest.mark.parametrize("palette", [dark_palette, QPalette, high_contrast_palette],
                         ids=["dark", "light", "high-contrast"])
def test_warnings_and_the_plans_problem_list_read_on_every_palette(themed, qtbot,
                                                                     palette) -> None:
    """Amber warnings (pronunciation) and the Music plan's list of problems were fixed
    hues (#8a5300, #c0392b, #9a7d0a) that read at about 2:1 on a dark window."""
    import re

    from PySide6.QtWidgets import QLabel

    from app.domain.music_plan_checks import Problem
    from app.ui.music.music_files import problems_html
    from app.ui.widgets.problem_text import show_as_warning

    themed.setPalette(palette())
    window = themed.palette().color(QPalette.ColorRole.Window)
    label = QLabel("Eleven v3 reads these rules only as aliases")
    qtbot.addWidget(label)
    show_as_warning(label)
    shown = QColor(label.styleSheet().removeprefix("color: ").rstrip(";"))
    assert contrast(shown, window) >= TEXT_CONTRAST, (shown.name(), window.name())

    text = problems_html([Problem(0, "duration", "Section 1 is too short <3 s>"),
                          Problem(None, "styles", "No styles yet", "warning")])
    colours = re.findall(r"color:(#[0-9a-f]{6})", text)
    assert len(colours) == 2
    for name in colours:
        assert contrast(QColor(name), window) >= TEXT_CONTRAST, (name, window.name())
    assert "&lt;3 s&gt;" in text  # the message is text, not markup


def test_no_text_in_the_interface_has_a_fixed_colour() -> None:
    """Text coloured with a fixed hue cannot follow the desktop's palette: on a dark
    window it becomes unreadable. Problem and warning text goes through
    app/ui/widgets/problem_text.py instead, a note through app/ui/widgets/note_style.py."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "app" / "ui"
    allowed = {"widgets/problem_text.py"}
    offenders = []
    for path in root.rglob("*.py"):
        if path.relative_to(root).as_posix() in allowed:
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if re.search(r"(?<![-\w])color:\s*#[0-9a-fA-F]{3,6}", line):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
