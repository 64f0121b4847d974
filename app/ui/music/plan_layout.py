"""Where the plan editor's parts go, top to bottom.

On a laptop (1024x640 with History open) the plan page has about 400 px of height. With
the song's styles above the sections, the table showed three rows and the selected
section's fields were cut to a sliver (its name five letters wide, the lyrics two
lines, the timeline off the bottom). So the sections and the selected section come
first, each given the height it needs, then the timeline; the whole song's styles,
its length and its problems follow under the timeline, to scroll to when the window
is that short.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtWidgets import QLayout, QSplitter, QTableView, QVBoxLayout, QWidget

from app.ui.widgets.fit_scroll_area import FitScrollArea

TABLE_ROWS = 4  # the sections the table always shows, however short the window
SPACING = 4


def table_height(table: QTableView, rows: int = TABLE_ROWS) -> int:
    """The height of `rows` rows with the header and frame: the table's minimum."""
    header = table.horizontalHeader().sizeHint().height()
    row = table.verticalHeader().defaultSectionSize()
    return header + rows * row + 2 * table.frameWidth()


class DetailHeight(QObject):
    """Keeps the selected section's pane no shorter than its fields: squeezed, its labels
    and lyrics were cut and had to be scrolled inside the pane. Their height depends on
    the width (styles wrap), so it is measured again whenever either changes."""

    def __init__(self, detail_page: FitScrollArea) -> None:
        super().__init__(detail_page)
        self._area = detail_page
        page = detail_page.widget()
        assert page is not None
        page.installEventFilter(self)
        detail_page.installEventFilter(self)
        self.fit()

    def fit(self) -> None:
        page = self._area.widget()
        if page is not None:
            height = page.minimumSizeHint().height() + 2 * self._area.frameWidth()
            if self._area.minimumHeight() != height:
                self._area.setMinimumHeight(height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize):
            self.fit()
        return False


def lay_out(editor: QWidget, parts: list[QLayout | QWidget], stretch: QSplitter) -> None:
    """Stack `parts` in `editor`, the `stretch` one taking the height left."""
    layout = QVBoxLayout(editor)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(SPACING)
    for part in parts:
        if isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part, 1 if part is stretch else 0)


class TableFillsPage(QObject):
    """On a short window the sections table fills the plan page's visible height under
    the rows above it; the selected section, the timeline and the song's styles follow
    below, to scroll to. At its four-row minimum the table showed no row at all on a
    853x460 laptop (the page's room went to the section's fields). Where the page shows
    the table, the selected section's fields and the timeline together (1024x640 and
    up), nothing changes: the table keeps its minimum plus the layout's spare height."""

    def __init__(self, page: FitScrollArea, table: QTableView, timeline: QWidget) -> None:
        super().__init__(page)
        self._page = page
        self._table = table
        self._timeline = timeline
        page.viewport().installEventFilter(self)
        editor = page.widget()
        if editor is not None:  # (laid out after the view's resize: the timeline moves)
            editor.installEventFilter(self)

    def fit(self) -> None:
        editor = self._page.widget()
        if editor is None:
            return
        table = self._table
        least = table_height(table)
        visible = self._page.viewport().height()
        above = table.mapTo(editor, QPoint(0, 0)).y()
        # Down to the timeline's bottom with the table at its least, against the view.
        through = self._timeline.mapTo(editor, QPoint(0, self._timeline.height())).y() \
            - (table.height() - least)
        height = least if through <= visible else max(least, visible - above - SPACING)
        if table.minimumHeight() != height:
            table.setMinimumHeight(height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False
