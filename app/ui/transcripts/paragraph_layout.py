"""Text layout of paragraphs for the delegate: one QTextLayout per paragraph (cached per
width), item heights, and which characters each word occupies.

The view asks every row's height before its first paint. Laying out 1,000+ paragraphs
takes too long for that, so rows not laid out yet get an estimate from their length;
exact heights follow (visible rows at once, the rest in idle time in small steps) and
`heights_changed` asks the view to re-lay out its rows when they differ.
"""

from __future__ import annotations

import math
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QTextCharFormat,
    QTextLayout,
    QTextLine,
    QTextOption,
)
from PySide6.QtWidgets import QWidget

from app.ui.transcripts.paragraph_model import ParagraphModel, ParagraphRow
from app.ui.transcripts.paragraph_model import display_pieces as _pieces

MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM, BAR_WIDTH, GAP = 12, 6, 10, 4, 10
CACHE_SIZE = 600
WARM_SLICE_S = 0.005  # exact heights computed in idle time, this long per step
WARM_DELAY_MS = 80
CORRECTED = QColor("#1F5FBF")
EVENT_GREY = QColor("#6B6B6B")


@dataclass
class Laid:
    layout: QTextLayout
    starts: list[int]  # character offset of each piece
    words: list[int]  # word index of each piece (-1 for an added space)
    spans: dict[int, tuple[int, int]]  # word index -> (start, end) characters
    events: list[tuple[int, int]]
    height: float
    # Where the doubtful words' wavy underlines go (layout coordinates), for the words they
    # were found for: found once, not on every repaint (a followed word repaints its row
    # several times a second).
    underlines: tuple[tuple[int, ...], list[QRectF]] | None = None


class ParagraphLayouts(QObject):
    heights_changed = Signal()  # some rows' exact heights differ from what the view has

    def __init__(self, model: ParagraphModel, view: QWidget, parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self._model = model
        self._view = view
        self._cache: OrderedDict[tuple[int, int], Laid] = OrderedDict()
        self._heights: dict[int, int] = {}  # exact item heights at _heights_width
        self._heights_width = 0
        self._metrics: tuple[QFont, QFont, int, float, float] | None = None
        self._relayout_pending = False
        self._warm_next = 0
        self._warm = QTimer(self)
        self._warm.setInterval(0)
        self._warm.timeout.connect(self._on_warm_timeout)
        model.modelReset.connect(self.clear)
        model.rows_changed.connect(self.forget_rows)
        # An edit that adds or removes paragraphs moves the rows after it: their cached
        # layouts and heights move with them (kept, not laid out again).
        model.rowsRemoved.connect(lambda _p, first, last: self._shift(first, last + 1, -1))
        model.rowsInserted.connect(lambda _p, first, last: self._shift(first, first, last + 1))

    def clear(self) -> None:
        self._cache.clear()
        self._heights.clear()
        self._metrics = None
        self._warm_next = 0
        if self._model.rows:
            self._warm.start(WARM_DELAY_MS)  # after the first paint

    def _shift(self, first: int, stop: int, new_first: int) -> None:
        """Rows from `stop` on now start at `new_first` (-1: rows first..stop-1 were
        removed, so they move up to `first`); rows before `first` stay."""
        delta = (first - stop) if new_first < 0 else (new_first - first)

        def moved(row: int) -> int | None:
            if row < first:
                return row
            return row + delta if row >= stop else None

        cache: OrderedDict[tuple[int, int], Laid] = OrderedDict()
        for (row, width), laid in self._cache.items():
            to = moved(row)
            if to is not None:
                cache[(to, width)] = laid
        self._cache = cache
        self._heights = {to: h for row, h in self._heights.items()
                         if (to := moved(row)) is not None}
        self._warm_next = min(self._warm_next, first)

    def forget_rows(self, rows: list[int]) -> None:
        """Lay these rows out again (their text changed); re-lay out the view only when
        one of them got taller or shorter."""
        width = self._heights_width
        for key in [k for k in self._cache if k[0] in rows]:
            del self._cache[key]
        for row in rows:
            old = self._heights.pop(row, None)
            if width and 0 <= row < len(self._model.rows):
                laid = self._lay_out(self._model.rows[row], width)
                self._heights[row] = self.item_height(laid.height)
                self._cache[(row, width)] = laid  # painted next: laid out once, not twice
            if old is None or self._heights.get(row) != old:
                self.relayout_soon()

    def fonts(self) -> tuple[QFont, QFont]:
        metrics = self._font_metrics()
        return metrics[0], metrics[1]

    def _font_metrics(self) -> tuple[QFont, QFont, int, float, float]:
        """(body font, header font, header height, average char width, line height)."""
        if self._metrics is None:
            body = QFont(self._view.font())
            body.setPointSizeF(body.pointSizeF() * 1.12)
            header = QFont(self._view.font())
            header.setBold(True)
            body_metrics = QFontMetricsF(body)
            self._metrics = (body, header, QFontMetrics(header).height() + 2,
                             body_metrics.averageCharWidth(), body_metrics.height() + 2)
        return self._metrics

    def width(self) -> int:
        viewport = getattr(self._view, "viewport", None)
        width = viewport().width() if viewport else self._view.width()
        return max(120, width)

    def column_width(self, width: int) -> int:
        """The width of one column: the whole row, or a channel's share side by side."""
        return width // self._model.columns

    def _text_width(self, width: int) -> int:
        return max(60, self.column_width(width) - 2 * MARGIN_X - BAR_WIDTH - GAP)

    def header_height(self) -> int:
        return self._font_metrics()[2]

    def item_height(self, text_height: float) -> int:
        return int(MARGIN_TOP + self.header_height() + text_height + MARGIN_BOTTOM + 0.999)

    def _estimate(self, row: int, width: int) -> int:
        _, _, _, char_width, line_height = self._font_metrics()
        chars = self._model.rows[row].chars
        lines = max(1, math.ceil(chars * char_width * 1.05 / self._text_width(width)))
        return self.item_height(lines * line_height)

    def height_of(self, row: int) -> int:
        width = self.width()
        if width != self._heights_width:
            self._heights.clear()
            self._heights_width = width
            self._warm_next = 0
            self._warm.start(WARM_DELAY_MS)  # after the first paint
        exact = self._heights.get(row)
        return exact if exact is not None else self._estimate(row, width)

    def _note_height(self, row: int, width: int, laid: Laid) -> None:
        if width != self._heights_width:
            return
        exact = self.item_height(laid.height)
        if self._heights.get(row) is None and exact != self._estimate(row, width):
            self.relayout_soon()
        self._heights[row] = exact

    def relayout_soon(self) -> None:
        if not self._relayout_pending:
            self._relayout_pending = True
            QTimer.singleShot(0, self, self._relayout)

    def _relayout(self) -> None:
        self._relayout_pending = False
        if self._model.rows:
            self.heights_changed.emit()

    def _on_warm_timeout(self) -> None:
        """Exact heights for the rows not laid out yet, a few milliseconds at a time."""
        self._warm.setInterval(0)
        rows = self._model.rows
        if self._model.transcript is None or self._warm_next >= len(rows):
            self._warm.stop()
            return
        width = self.width()
        deadline = time.monotonic() + WARM_SLICE_S
        while self._warm_next < len(rows) and time.monotonic() < deadline:
            row = self._warm_next
            self._warm_next += 1
            if row not in self._heights:
                self._note_height(row, width, self._lay_out(rows[row], width))

    def laid(self, row: int, width: int | None = None) -> Laid | None:
        width = self.width() if width is None else width
        key = (row, width)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        transcript = self._model.transcript
        if transcript is None or not 0 <= row < len(self._model.rows):
            return None
        laid = self._lay_out(self._model.rows[row], width)
        self._note_height(row, width, laid)
        self._cache[key] = laid
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return laid

    def _lay_out(self, row: ParagraphRow, width: int) -> Laid:
        transcript = self._model.transcript
        assert transcript is not None
        starts: list[int] = []
        words: list[int] = []
        spans: dict[int, tuple[int, int]] = {}
        events: list[tuple[int, int]] = []
        formats: list[QTextLayout.FormatRange] = []
        text_parts: list[str] = []
        length = 0
        for piece, index in _pieces(transcript, row):
            if not text_parts:
                piece = piece.lstrip()
                if not piece:
                    continue
            starts.append(length)
            words.append(index)
            if index >= 0:
                spans[index] = (length, length + len(piece))
                word = transcript.words[index]
                if word.kind == "audio_event":
                    events.append((length, length + len(piece)))
                    formats.append(format_range(length, len(piece), _event_format()))
                elif index in self._model.corrected:
                    formats.append(format_range(length, len(piece), _corrected_format()))
            text_parts.append(piece)
            length += len(piece)
        body, _ = self.fonts()
        text = "".join(text_parts)
        layout = QTextLayout(text, body)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        direction = paragraph_direction(text)
        option.setTextDirection(direction)
        if direction == Qt.LayoutDirection.RightToLeft:  # lines start at the right edge
            option.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute)
        layout.setTextOption(option)
        layout.setFormats(formats)
        layout.setCacheEnabled(True)
        text_width = self._text_width(width)
        layout.beginLayout()
        y = 0.0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(text_width)
            line.setPosition(QPointF(0, y))
            y += line.height() + 2  # a little air for the chips and underlines
        layout.endLayout()
        return Laid(layout, starts, words, spans, events, y)

    @staticmethod
    def boxes(laid: Laid, start: int, end: int) -> list[QRectF]:
        boxes: list[QRectF] = []
        layout = laid.layout
        first = layout.lineForTextPosition(start)
        if not first.isValid():
            return boxes
        for n in range(first.lineNumber(), layout.lineCount()):
            line = layout.lineAt(n)
            line_start, line_end = line.textStart(), line.textStart() + line.textLength()
            if line_start >= end:
                break
            a, b = max(start, line_start), min(end, line_end)
            if a >= b:
                continue
            if _has_rtl(layout.text()[a:b]):
                # Right-to-left text: the cursor x of its first character is at its right
                # edge, and at a change of direction it is ambiguous; the glyphs say
                # where the word is drawn.
                x1, x2 = _glyph_span(layout, a, b, _x(line, a), _x(line, b))
            else:
                x1, x2 = sorted((_x(line, a), _x(line, b)))
            boxes.append(QRectF(x1, line.y(), max(1.0, x2 - x1), line.height()))
        return boxes


def _glyph_span(layout: QTextLayout, start: int, end: int, x1: float, x2: float
                ) -> tuple[float, float]:
    left = right = None
    for run in layout.glyphRuns(start, end - start):
        box = run.boundingRect()
        if box.width() > 0:
            left = box.left() if left is None else min(left, box.left())
            right = box.right() if right is None else max(right, box.right())
    if left is None or right is None:
        return min(x1, x2), max(x1, x2)
    return left, right


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def paragraph_direction(text: str) -> Qt.LayoutDirection:
    """Right to left when the first letter with a direction is Arabic or Hebrew (the
    Unicode rule for a paragraph's direction), otherwise left to right."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return Qt.LayoutDirection.RightToLeft
        if kind == "L":
            break
    return Qt.LayoutDirection.LeftToRight


def _x(line: QTextLine, cursor: int) -> float:
    found: Any = line.cursorToX(cursor)  # PySide6 answers (x, cursor)
    return float(found[0] if isinstance(found, tuple) else found)


def format_range(start: int, length: int, fmt: QTextCharFormat) -> QTextLayout.FormatRange:
    r = QTextLayout.FormatRange()
    r.start, r.length, r.format = start, length, fmt
    return r


def _event_format() -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setFontItalic(True)
    fmt.setForeground(EVENT_GREY)  # (on the palette's colours: see ParagraphDelegate)
    return fmt


def _corrected_format() -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(CORRECTED)
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
    fmt.setUnderlineColor(CORRECTED)
    return fmt


