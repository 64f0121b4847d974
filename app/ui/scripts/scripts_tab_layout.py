"""The Scripts tab's widgets and where they sit, apart from what they do (scripts_tab.py
wires them to the script and its work).

Layout (fits 1024x640 with the History dock open, every control in view): the title
with the script's model and format; a row of file actions; the cast (a voice for each
speaker) beside the blocks table; under the table, the selected block's text and takes;
at the bottom the queue (generate missing, pause or resume, cancel), and one line with
the status, the cost estimate and the queue's progress. On a laptop screen at 150%
(853x460) every row is one line, so the blocks table keeps four rows and more.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.scripts.block_panel import BlockPanel, make_button
from app.ui.scripts.blocks_model import (
    COST,
    DURATION,
    NUMBER,
    SPEAKER,
    STATUS,
    TAKE,
    TEXT,
    BlocksModel,
)
from app.ui.scripts.cast_panel import CastPanel, CastScrollArea
from app.ui.scripts.output_bar import ScriptOutputBar
from app.ui.widgets.content_first import ContentFirst
from app.ui.widgets.elided_label import ElidedLabel
from app.ui.widgets.error_banner import ErrorBanner
from app.ui.widgets.live_elided_label import LiveElidedLabel
from app.ui.widgets.live_status_label import LiveStatusLabel
from app.ui.widgets.two_line_row import TwoLineRow, set_short_margins

# The blocks table's narrow columns, in characters of their widest usual value: the Text
# column stretches over the rest. Measured in the font, so they hold at any font size.
COLUMN_SAMPLES = {NUMBER: "999", SPEAKER: "NARRATOR", STATUS: "generating",
                  TAKE: "12 of 12", DURATION: "10.5 s", COST: "1,234"}
TEXT_MINIMUM_CHARS = 12  # the Text column never gets narrower than this


BLOCKS_SHARE = 0.9  # of a divider's room, the blocks table's at first
SHORT_SPACING = 4  # between the tab's rows on a narrow (and short) screen; Qt's is 6

QWIDGETSIZE_MAX = 16_777_215  # Qt's "no maximum"


def _words_width(button: QPushButton) -> int:
    """A button as wide as its words and icon: the style's 80-pixel least width made
    "New" as wide as "Save as text…", and a row of them too wide for a laptop screen."""
    style = button.style()
    margin = style.pixelMetric(QStyle.PixelMetric.PM_ButtonMargin, None, button)
    frame = style.pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, button)
    icon = button.iconSize().width() + 4 if not button.icon().isNull() else 0
    return button.fontMetrics().horizontalAdvance(button.text()) + icon + 2 * (margin + frame) + 4


class ScriptsTabLayout(QWidget):
    """The tab's widgets, made in the order Tab visits them, and their layout."""

    model: BlocksModel  # the blocks table's model: made by the tab before `_build`

    def _build(self) -> None:
        # Made first, so Tab follows the screen: title line, file actions, cast, table…
        self.output_bar = ScriptOutputBar(self)
        self.open_button = make_button(self, "open", "Open…",
                                   "Open a script, or import text, Markdown, a screenplay, "
                                   "CSV or TSV (Ctrl+Shift+O)")
        self.new_button = make_button(self, "new", "New", "Start an empty script")
        self.export_button = make_button(self, "export", "Export…",
                                     "Write the chosen takes as audio files and captions",
                                     "save")
        self.export_text_button = make_button(self, "export_text", "Save as text…",
                                          "Write the script as screenplay text or a table")
        self.undo_button = QToolButton(self)
        self.redo_button = QToolButton(self)
        self.title = ElidedLabel("", self)  # a long title ends in "…", never widening
        self.title.setObjectName("scripts.title")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        top = TwoLineRow()  # two lines on a narrow screen (app/ui/narrow_screen.py)
        for button in (self.open_button, self.new_button, self.export_button,
                       self.export_text_button):
            top.add(button)
        top.split_before()
        top.add(self.undo_button)
        top.add(self.redo_button)
        top.end_with_stretch()
        self._top_row = top
        self.error_banner = ErrorBanner("scripts.error", self)
        self._on_retry: Callable[[], None] | None = None  # the banner's retry, if not the usual

        self.cast = CastPanel(self)
        cast_scroll = CastScrollArea(self.cast, self)
        self._cast_scroll = cast_scroll

        self.table = QTableView(self)
        self.table.setObjectName("scripts.blocks")
        self.table.setAccessibleName("Blocks of the script")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows (Shift+click) can be made as one dialogue.
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.table.setDragEnabled(True)
        self.table.setDropIndicatorShown(True)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self._size_columns()

        self.block_panel = BlockPanel(self)
        self.top_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.top_splitter.setObjectName("scripts.splitter_top")
        self.top_splitter.addWidget(cast_scroll)
        self.top_splitter.addWidget(self.table)
        self.top_splitter.setStretchFactor(0, 1)
        self.top_splitter.setStretchFactor(1, 3)
        self.top_splitter.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("scripts.splitter")
        self.splitter.addWidget(self.top_splitter)
        # The block's fields scroll up and down in a short window (a laptop at 150%),
        # never sideways: the window's minimum height stays below the screen's.
        block_scroll = QScrollArea(self)
        block_scroll.setObjectName("scripts.block_scroll")
        block_scroll.setFrameShape(QFrame.Shape.NoFrame)
        block_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        block_scroll.setWidgetResizable(True)
        block_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        block_scroll.setWidget(self.block_panel)
        self._block_scroll = block_scroll
        self.splitter.addWidget(block_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        # First use, stacked on a small screen: the blocks (what the user works
        # through) get nine tenths of the height, the selected block's fields scroll
        # below (evenly split, a 853x460 laptop showed one block). Side by side the
        # block's fields and takes keep their whole height (its least, set in
        # `set_narrow`): the table gets the rest, not a share by stretch that left it
        # 35% of the tab at 1024x640. A saved divider wins later.
        ContentFirst(self.splitter, 0, BLOCKS_SHARE).apply()
        # Stacked, the cast shows its heading at first (a tenth of the room showed a
        # voice box cut through at 800x600); the divider brings its rows down.
        self._top_first = ContentFirst(self.top_splitter, 1, 1.0)
        self._stacked_top_sizes: list[int] | None = None  # the user's, while stacked

        self.generate_all = make_button(self, "generate_all", "Generate all missing",
                                    "Make a take of every block that has none for its "
                                    "current text, voice and settings", "generate")
        self.pause_button = make_button(self, "pause", "Pause",
                                    "Let the blocks being made finish, start no new ones")
        self.resume_button = make_button(self, "resume", "Resume", "Carry on with the queue")
        # One of the two is shown at a time, in the same place (script_generation.py):
        # the row is one button shorter, and each keeps its own words and name.
        self.resume_button.hide()
        self.cancel_button = make_button(self, "cancel", "Cancel",
                                     "Stop the queue; takes already made are kept", "cancel")
        self.dialogue_button = make_button(self, "dialogue", "As dialogue",
                                       "Make the selected blocks as one dialogue, in one "
                                       "request (Shift+click to select)")
        self.play_script = make_button(self, "play_script", "Play script",
                                   "Hear the chosen takes in order", "play")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("scripts.progress")
        self.progress.setAccessibleName("Queue progress")
        self.progress.setTextVisible(True)
        self.progress.setFormat("%v of %m blocks")
        self.progress.setMinimumWidth(60)
        # Both change with every take while a queue runs: they repaint only themselves.
        # The estimate is one line (two took a table row on a laptop screen), the whole
        # of it in its tooltip and accessible description when it is shortened.
        self.estimate = LiveElidedLabel(self)
        self.estimate.setObjectName("scripts.estimate")
        self.estimate.setAccessibleName("Cost estimate")
        self.status = LiveStatusLabel(self)
        self.status.setObjectName("scripts.status")
        queue = TwoLineRow()
        for widget in (self.generate_all, self.pause_button, self.resume_button,
                       self.cancel_button):
            queue.add(widget)
        queue.split_before()
        for widget in (self.dialogue_button, self.play_script):
            queue.add(widget)
        queue.end_with_stretch()
        self._queue_row = queue
        # The queue's standing, the estimate and what just happened share one line.
        standing = QHBoxLayout()
        # The status as wide as its words (it wraps only when they are many), the
        # estimate the rest: shared by stretch, a 1920-wide screen cut the estimate.
        standing.addWidget(self.status)
        standing.addSpacing(2 * self.fontMetrics().averageCharWidth())  # two sentences
        standing.addWidget(self.estimate, 1)
        standing.addWidget(self.progress)
        self.progress.setFixedWidth(self.progress.fontMetrics().horizontalAdvance(
            "999 of 999 blocks") + 2 * self.fontMetrics().averageCharWidth())

        layout = QVBoxLayout(self)
        # The title has a line of its own (beside the buttons it was the first thing
        # cut), shared with what applies to the whole script.
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.output_bar)
        layout.addLayout(title_row)
        layout.addLayout(top)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(queue)
        layout.addLayout(standing)
        self.set_narrow(False)  # side by side until the window finds its screen narrow

    def set_narrow(self, narrow: bool) -> None:
        """On a narrow screen the rows of buttons take a second line only where one is
        too narrow for them, and the cast sits above the blocks table: side by side, a
        cast with its voices (265 px) and the table (419 px) made the stacked tab 688 px
        wide, and the window ran 118 px past an 800-wide screen once a script was open.
        Stacked, the cast and the block's fields scroll in as little as their heading,
        so the window still fits a short screen (853x460: a laptop at 150%) with four
        rows of the table in view; their dividers move."""
        self._stack_top(narrow)
        line = self.fontMetrics().height()
        header = self.table.horizontalHeader().sizeHint().height()
        row = self.table.verticalHeader().defaultSectionSize()
        frame = 2 * self.table.frameWidth()
        # (0: the usual minimum, each one's own size hint.)
        # The cast down to its heading: stacked on a short screen its two lines took
        # the blocks table's third row (the divider brings the rest back).
        # (With the cast's own margins: shown at its least, "Cast" was cut at its foot.)
        cast_layout = self.cast.layout()
        margins = cast_layout.contentsMargins() if cast_layout is not None else None
        heading = line + (margins.top() + margins.bottom() if margins is not None else 0)
        self._cast_scroll.setMinimumHeight(heading + frame if narrow else 0)
        self.table.setMinimumHeight(header + row + frame if narrow else 0)
        # Down to the block's heading ("Block 3 · ANNA"): two lines showed half a line
        # of its text, cut through, and took the table's fourth row.
        self._block_scroll.setMinimumHeight(line + 2 if narrow else 0)
        # Each row of buttons stays one line: two took the table's rows on a laptop
        # screen at 150%. Narrow, the buttons are as wide as their words and Undo and
        # Redo are arrows (their names, keys and steps in their names and tooltips).
        for buttons in (self._top_row, self._queue_row):
            buttons.wrap_when_needed(narrow)
        for button in self._row_buttons():
            width = _words_width(button)
            button.setMinimumWidth(width if narrow else 0)
            button.setMaximumWidth(width if narrow else QWIDGETSIZE_MAX)
        self.undo_button.setText("↶" if narrow else "Undo")
        self.redo_button.setText("↷" if narrow else "Redo")
        set_short_margins(self.layout(), narrow)  # (the screen is short as well)
        layout_of_tab = self.layout()
        if layout_of_tab is not None:
            layout_of_tab.setSpacing(SHORT_SPACING if narrow else -1)
        # As wide as the block's fields, stacked or side by side, plus the scroll bar.
        panel = self.block_panel
        layout = panel.layout()
        if layout is not None:  # (also while the tab is hidden: Qt would wait)
            layout.invalidate()
            layout.activate()
        self._block_scroll.setMinimumWidth(
            panel.minimumSizeHint().width()
            + self._block_scroll.verticalScrollBar().sizeHint().width())
        if not narrow:  # its fields and takes whole, never scrolled
            frame = 2 * self._block_scroll.frameWidth()
            self._block_scroll.setMinimumHeight(panel.minimumSizeHint().height() + frame)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # The rows of buttons take a second line only when one is too narrow for them.
        layout = self.layout()
        if layout is not None:
            margins = layout.contentsMargins()
            width = self.width() - margins.left() - margins.right()
            for buttons in (self._top_row, self._queue_row):
                buttons.fit_width(width)

    def _row_buttons(self) -> list[QPushButton]:
        return [w for w in (*self._top_row.widgets(), *self._queue_row.widgets())
                if isinstance(w, QPushButton)]

    def _stack_top(self, narrow: bool) -> None:
        """The cast above the blocks (narrow) or beside them. Stacked, the blocks get
        most of the height (the cast scrolls, its heading in view): evenly split, a
        853x460 laptop showed one block. The divider the user sets while stacked is
        kept when the window lays its tabs out again (it tries them side by side)."""
        splitter = self.top_splitter
        vertical = splitter.orientation() == Qt.Orientation.Vertical
        if vertical == narrow:
            return
        if vertical:
            self._stacked_top_sizes = splitter.sizes()
        splitter.setOrientation(Qt.Orientation.Vertical if narrow
                                else Qt.Orientation.Horizontal)
        if narrow:
            saved = self._stacked_top_sizes
            if saved and any(saved):
                splitter.setSizes(saved)
            else:
                self._top_first.apply()

    def _size_columns(self) -> None:
        """Fixed widths for the narrow columns (measuring a column's contents reads every
        row, slow when long), each as wide as its header or usual value, whichever is
        wider; longer values end in "…" with the whole value in the cell's tooltip. The
        table is never narrower than those plus a readable Text column, so it never
        scrolls sideways."""
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        style = self.table.style()
        cell, heading = self.table.fontMetrics(), header.fontMetrics()
        cell_margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin,
                                             None, self.table) + 1) + 2
        heading_margin = 2 * style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin,
                                               None, header) + 8
        fixed = 0
        for column, sample in COLUMN_SAMPLES.items():
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            width = max(cell.horizontalAdvance(sample) + cell_margin,
                        heading.horizontalAdvance(title) + heading_margin)
            self.table.setColumnWidth(column, width)
            fixed += width
        text = cell.averageCharWidth() * TEXT_MINIMUM_CHARS
        frame = 2 * self.table.frameWidth()
        bar = self.table.verticalScrollBar().sizeHint().width()
        self.table.setMinimumWidth(fixed + text + frame + bar)
