"""Paints a paragraph: the speaker (in their colour) and time, then the words, wrapped.

One QTextLayout per paragraph (paragraph_layout.py) lays the words out; highlights are
drawn on top at paint time, so moving the playing word never re-lays anything out:
the word playing (highlight colour), search matches (yellow, the current one orange),
the selected word (outlined), low-confidence words (orange wavy underline), corrected
words (blue, dotted underline) and sounds such as "(laughter)" as grey chips.
"""

from __future__ import annotations

from bisect import bisect_right

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QTextCharFormat,
    QTextLayout,
    QTextLine,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.ui.contrast import GRAPHIC_CONTRAST, TEXT_CONTRAST, blend, readable_on, with_contrast
from app.ui.transcripts.paragraph_layout import (
    BAR_WIDTH,
    CORRECTED,
    EVENT_GREY,
    GAP,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    Laid,
    ParagraphLayouts,
    format_range,
)
from app.ui.transcripts.paragraph_model import ParagraphModel, ParagraphRole, ParagraphRow
from app.ui.widgets.player_bar import format_ms

MATCH = QColor("#FFE58F")
CURRENT_MATCH = QColor("#FFB347")
LOW_CONFIDENCE = QColor("#E67E22")  # made darker or lighter to mark at 3:1 (_wave_tile)
CHIP = QColor(128, 128, 128, 60)
_note_cache: dict[int, tuple[QColor, QColor]] = {}


def _note_colours(base: QColor) -> tuple[QColor, QColor]:
    """The sound events' grey (on their chip) and the corrected words' blue, as they read
    on `base` (worked out once per base colour: rows are painted often)."""
    key = base.rgba()
    if key not in _note_cache:
        _note_cache[key] = (with_contrast(EVENT_GREY, blend(CHIP, base), TEXT_CONTRAST),
                            with_contrast(CORRECTED, base, TEXT_CONTRAST))
    return _note_cache[key]


_BETWEEN = QTextLine.CursorPosition.CursorBetweenCharacters

_Index = QModelIndex | QPersistentModelIndex


class ParagraphDelegate(QStyledItemDelegate):
    def __init__(self, model: ParagraphModel, view: QWidget) -> None:
        super().__init__(view)
        self._model = model
        self._view = view
        self.layouts = ParagraphLayouts(model, view, self)
        self.layouts.heights_changed.connect(self._on_layouts_heights_changed)

    def clear_cache(self) -> None:
        self.layouts.clear()

    def laid(self, row: int) -> Laid | None:
        return self.layouts.laid(row)

    def _on_layouts_heights_changed(self) -> None:
        if self._model.rows:  # one signal makes the view re-lay out every row
            self.sizeHintChanged.emit(self._model.index(0))

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        if not 0 <= index.row() < len(self._model.rows):
            return QSize(self.layouts.width(), 0)
        return QSize(self.layouts.width(), self.layouts.height_of(index.row()))

    def column_rect(self, row: int, rect: QRect) -> QRect:
        """The part of the item's `rect` its paragraph is drawn in: all of it, or the
        column of its channel when channels are shown side by side."""
        model = self._model
        if model.columns == 1 or not 0 <= row < len(model.rows):
            return rect
        width = self.layouts.column_width(rect.width())
        column = model.column_of(model.rows[row])
        return QRect(rect.left() + column * width, rect.top(), width, rect.height())

    def _text_origin(self, rect: QRect) -> QPointF:
        return QPointF(rect.left() + MARGIN_X + BAR_WIDTH + GAP,
                       rect.top() + MARGIN_TOP + self.layouts.header_height())

    # -- hit testing -----------------------------------------------------------------
    def word_at(self, row: int, rect: QRect, pos: QPointF) -> int | None:
        """The word (or sound) under `pos` (view coordinates) in the row drawn at `rect`."""
        laid = self.laid(row)
        if laid is None:
            return None
        local = pos - self._text_origin(self.column_rect(row, rect))
        for n in range(laid.layout.lineCount()):
            line = laid.layout.lineAt(n)
            if line.y() <= local.y() < line.y() + line.height() + 2:
                drawn = line.naturalTextRect()  # right-aligned in a right-to-left paragraph
                if local.x() > drawn.right() + 4 or local.x() < drawn.left() - 4:
                    return None
                cursor = line.xToCursor(local.x(), _BETWEEN)
                at_right = cursor >= line.textStart() + line.textLength()
                k = bisect_right(laid.starts, cursor - (1 if at_right else 0)) - 1
                for j in (k, k - 1, k + 1):  # a click on a space: the word next to it
                    if 0 <= j < len(laid.words) and laid.words[j] >= 0 and \
                            self._is_word(laid.words[j]):
                        return laid.words[j]
                return None
        return None

    def _is_word(self, index: int) -> bool:
        transcript = self._model.transcript
        return transcript is not None and transcript.words[index].kind != "spacing"

    def word_rect(self, row: int, rect: QRect, word_index: int) -> QRectF | None:
        """Where a word is drawn (view coordinates), for keeping it in view."""
        laid = self.laid(row)
        if laid is None or word_index not in laid.spans:
            return None
        start, end = laid.spans[word_index]
        boxes = list(ParagraphLayouts.boxes(laid, start, end))
        if not boxes:
            return None
        origin = self._text_origin(self.column_rect(row, rect))
        return boxes[0].translated(origin)

    # -- painting --------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        row_data = index.data(ParagraphRole)
        laid = self.laid(index.row())
        if not isinstance(row_data, ParagraphRow) or laid is None:
            return
        model = self._model
        rect = self.column_rect(index.row(), option.rect)
        if rect.height() != self.layouts.item_height(laid.height):
            self.layouts.relayout_soon()  # drawn at its estimated height: fix the row positions
        palette = option.palette
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        color = model.speaker_color(row_data.speaker_id)
        painter.fillRect(QRect(rect.left() + MARGIN_X, rect.top() + MARGIN_TOP, BAR_WIDTH,
                               rect.height() - MARGIN_TOP - MARGIN_BOTTOM + 4), color)
        self._paint_header(painter, rect, row_data, color, palette)
        origin = self._text_origin(rect)
        selections = self._paint_marks(painter, laid, origin, palette)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        laid.layout.draw(painter, origin, selections)
        self._paint_underlines(painter, laid, origin, palette.color(QPalette.ColorRole.Base))
        painter.restore()

    def _paint_header(self, painter: QPainter, rect: QRect, row: ParagraphRow, color: QColor,
                      palette: QPalette) -> None:
        _, header = self.layouts.fonts()
        painter.setFont(header)
        transcript = self._model.transcript
        unnamed = "Unknown speaker" if transcript is None or transcript.speakers else "Transcript"
        name = self._model.speaker_name(row.speaker_id) or unnamed
        x = rect.left() + MARGIN_X + BAR_WIDTH + GAP
        baseline = rect.top() + MARGIN_TOP + QFontMetrics(header).ascent()
        painter.setPen(color)
        painter.drawText(QPointF(x, baseline), name)
        x += QFontMetrics(header).horizontalAdvance(name) + 10
        small = QFont(self._view.font())
        painter.setFont(small)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        timed = transcript is None or transcript.has_timestamps
        when = format_ms(row.start_ms) if timed else "no word timings"
        if transcript is not None and transcript.channels > 1:
            when += f"  ·  channel {row.channel + 1}"
        painter.drawText(QPointF(x, baseline), when)

    def _paint_marks(self, painter: QPainter, laid: Laid, origin: QPointF,
                     palette: QPalette) -> list[QTextLayout.FormatRange]:
        """Backgrounds under the text; returns the text colours to draw it with."""
        model = self._model
        painter.setPen(Qt.PenStyle.NoPen)
        for start, end in laid.events:
            for box in ParagraphLayouts.boxes(laid, start, end):
                painter.setBrush(CHIP)
                painter.drawRoundedRect(box.translated(origin).adjusted(-3, 1, 3, -1), 7, 7)
        # Sound events and corrected words in their grey and blue, made lighter or
        # darker to read on this palette's base (the fixed #6B6B6B read at 2.3:1 on a
        # dark chip and 4.1:1 on a light one, the blue #1F5FBF at 2.7:1 on a dark base).
        # Chosen here, as painted, so a live switch of the palette is followed.
        event_text, corrected_text = _note_colours(palette.color(QPalette.ColorRole.Base))
        texts: dict[int, QColor] = {}  # the last colour given to a word is the one drawn
        transcript = model.transcript
        if transcript is not None:
            for word_index in laid.spans:
                if transcript.words[word_index].kind == "audio_event":
                    texts[word_index] = event_text
                elif word_index in model.corrected:
                    texts[word_index] = corrected_text
        # Each mark with the colour its word's text is written in: the search's light
        # yellow and orange stay as they are on any palette, so their words are written
        # in black or white, whichever reads on them (the palette's text, white in a dark
        # palette, read at 1.2:1 on the yellow).
        marks: list[tuple[int, QColor, QColor]] = [(i, MATCH, readable_on(MATCH))
                                                   for i in model.matches if i in laid.spans]
        if model.current_match is not None:
            marks.append((model.current_match, CURRENT_MATCH, readable_on(CURRENT_MATCH)))
        if model.current_word is not None:
            marks.append((model.current_word, palette.color(QPalette.ColorRole.Highlight),
                          palette.color(QPalette.ColorRole.HighlightedText)))
        for word_index, color, text in marks:
            span = laid.spans.get(word_index)
            if span is None:
                continue
            texts[word_index] = text
            painter.setBrush(color)
            for box in ParagraphLayouts.boxes(laid, *span):
                painter.drawRoundedRect(box.translated(origin).adjusted(-2, 0, 2, 0), 3, 3)
        selected = laid.spans.get(model.selected_word) if model.selected_word is not None \
            else None
        if selected is not None:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1.5))
            for box in ParagraphLayouts.boxes(laid, *selected):
                painter.drawRoundedRect(box.translated(origin).adjusted(-3, -1, 3, 1), 3, 3)
            painter.setPen(Qt.PenStyle.NoPen)
        ranges = []
        for word_index, text in texts.items():
            start, end = laid.spans[word_index]
            fmt = QTextCharFormat()
            fmt.setForeground(text)
            if text is corrected_text:
                fmt.setUnderlineColor(text)  # (the dotted line under a corrected word)
            ranges.append(format_range(start, end - start, fmt))
        return ranges

    def _paint_underlines(self, painter: QPainter, laid: Laid, origin: QPointF,
                          base: QColor) -> None:
        model = self._model
        transcript = model.transcript
        if transcript is None:
            return
        words = transcript.words
        flagged = tuple(i for i in laid.spans if model.is_low_confidence(words[i]))
        if not flagged:
            return
        if laid.underlines is None or laid.underlines[0] != flagged:
            laid.underlines = (flagged, [
                QRectF(box.left(), box.bottom() - 1.5 - WAVE_HEIGHT / 2, box.width(),
                       WAVE_HEIGHT)
                for i in flagged for box in ParagraphLayouts.boxes(laid, *laid.spans[i])])
        # A wave drawn once and tiled (as Qt draws its own wavy underlines): stroking
        # antialiased zigzag paths was most of the cost of repainting a row.
        wave = _wave_tile(painter.device().devicePixelRatioF(), base)
        for box in laid.underlines[1]:
            painter.drawTiledPixmap(box.translated(origin), wave)


WAVE_PERIOD, WAVE_HEIGHT = 5.0, 5.0
_WAVE_TILES: dict[tuple[float, int], QPixmap] = {}


def underline_colour(base: QColor) -> QColor:
    """The doubtful-word underline's orange as it marks on `base` at 3:1, WCAG's minimum
    for a mark that is not text (the fixed #E67E22 was 2.8:1 on white)."""
    return with_contrast(LOW_CONFIDENCE, base, GRAPHIC_CONTRAST)


def _wave_tile(ratio: float, base: QColor) -> QPixmap:
    """One period of the doubtful-word underline, at the screen's pixel ratio, in its
    colour on `base` (a tile per base: a live switch of the palette is followed)."""
    key = (ratio, base.rgba())
    tile = _WAVE_TILES.get(key)
    if tile is None:
        tile = QPixmap(round(WAVE_PERIOD * ratio), round(WAVE_HEIGHT * ratio))
        tile.setDevicePixelRatio(ratio)
        tile.fill(Qt.GlobalColor.transparent)
        painter = QPainter(tile)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(underline_colour(base), 1.3))
        # Down-up-down across the tile and a half-period beyond each edge, so that the
        # tiles join without a seam.
        middle = WAVE_HEIGHT / 2
        half = WAVE_PERIOD / 2
        path = QPainterPath(QPointF(-half, middle - 1.5))
        for step in range(1, 5):
            path.lineTo(-half + step * half, middle + (1.0 if step % 2 else -1.5))
        painter.drawPath(path)
        painter.end()
        _WAVE_TILES[key] = tile
    return tile


