"""The plan editor's sections table: one row a section, dragged to reorder, edited in
place, its columns sized to the words in them rather than to fixed pixels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView, QWidget

from app.ui.app_style import outline_item_checks
from app.ui.music.section_model import AVOID, KEEP, LENGTH, LYRICS, NAME, STYLES, SectionTableModel


def make_sections_table(model: SectionTableModel, parent: QWidget) -> QTableView:
    """The table showing `model`, with whole rows selected and dragged."""
    table = QTableView(parent)
    table.setObjectName("music.sections")
    outline_item_checks(table)  # the Keep boxes, readable on dark palettes
    table.setModel(model)
    table.setAccessibleName("Sections")
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
    table.setDragEnabled(True)
    table.setDropIndicatorShown(True)
    table.setDefaultDropAction(Qt.DropAction.MoveAction)
    table.setWordWrap(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                          | QAbstractItemView.EditTrigger.EditKeyPressed
                          | QAbstractItemView.EditTrigger.AnyKeyPressed)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    # Each narrow column at least as wide as its heading in the font: fixed pixel
    # widths cut "Keep" and "Length (s)" with a large system font (15 pt).
    margin = 2 * parent.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin) + 8
    words = header.fontMetrics()
    for column, width in ((KEEP, 40), (NAME, 90), (LENGTH, 74), (AVOID, 80)):
        heading = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        table.setColumnWidth(column, max(width, words.horizontalAdvance(heading) + margin))
    # Styles and lyrics share what is left: with fixed widths the table scrolled
    # sideways beside History on a laptop.
    for column in (STYLES, LYRICS):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    # A row fits a line of the font (24 px was short of a 15 pt line).
    rows = table.fontMetrics().height() + 8
    table.verticalHeader().setDefaultSectionSize(max(24, rows))
    return table
