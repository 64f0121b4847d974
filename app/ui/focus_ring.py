"""A focus ring for lists, tables and text boxes, which Fusion draws none for.

Fusion marks a focused line edit, button or combo box with an outline in the highlight
colour, but a list, a table (the Scripts table, History), the transcript or a text box
(the speech text, lyrics) looked the same focused or not: a keyboard user tabbing
through a window lost track of where the keys went (WCAG 2.4.7). Their current item's
dotted rectangle is drawn at about 1.3:1.

The ring is four thin child widgets laid over the frame's edges while the box has the
focus: only they paint (a strip of colour each; no Python runs for the rows of a big
table), and they cost nothing while hidden. They are not marked opaque, so Qt still
counts the box's frame as shown beneath them. The colour is the palette's highlight,
lifted to 3:1 against both the window around the box and the base inside it
(WCAG 1.4.11), taken again on each focus and palette change so a live theme switch is
followed.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from app.ui.contrast import GRAPHIC_CONTRAST, contrast, with_contrast

RING_WIDTH = 2  # px, as wide as Fusion's outline on a focused line edit
_RING_NAME = "app.focus_ring"


def ring_colour(palette: QPalette) -> QColor:
    """The highlight colour at 3:1 against the window and the base (the two sides of
    the ring); black or white when no shade of the highlight reaches both."""
    window = palette.color(QPalette.ColorRole.Window)
    base = palette.color(QPalette.ColorRole.Base)
    colour = QColor(palette.color(QPalette.ColorRole.Highlight))
    colour.setAlpha(255)
    colour = with_contrast(with_contrast(colour, window, GRAPHIC_CONTRAST), base,
                           GRAPHIC_CONTRAST)
    if min(contrast(colour, window), contrast(colour, base)) >= GRAPHIC_CONTRAST:
        return colour
    black, white = QColor("black"), QColor("white")
    return max((black, white), key=lambda c: min(contrast(c, window), contrast(c, base)))


class _Edge(QWidget):
    """One side of the ring: a strip of one colour."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(_RING_NAME)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.colour = QColor()

    def paintEvent(self, event: QPaintEvent) -> None:
        QPainter(self).fillRect(self.rect(), self.colour)


class FocusRing(QObject):
    """Shows a ring round `box` while it has the focus."""

    def __init__(self, box: QAbstractScrollArea) -> None:
        super().__init__(box)
        self._box = box
        self._edges: list[_Edge] = []
        box.installEventFilter(self)

    def _make_edges(self) -> list[_Edge]:
        if not self._edges:
            for _ in range(4):
                edge = _Edge(self._box)
                edge.hide()
                self._edges.append(edge)
        return self._edges

    def _place(self) -> None:
        w, h, r = self._box.width(), self._box.height(), RING_WIDTH
        for edge, (x, y, ew, eh) in zip(self._edges, ((0, 0, w, r), (0, h - r, w, r),
                                                      (0, 0, r, h), (w - r, 0, r, h)),
                                        strict=True):
            edge.setGeometry(x, y, ew, eh)

    def _show(self) -> None:
        colour = ring_colour(self._box.palette())
        for edge in self._make_edges():
            edge.colour = colour
            edge.update()
        self._place()
        for edge in self._edges:
            edge.raise_()
            edge.show()

    def _hide(self) -> None:
        for edge in self._edges:
            edge.hide()

    @property
    def showing(self) -> bool:
        return bool(self._edges) and self._edges[0].isVisible()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FocusIn:
            self._show()
        elif kind == QEvent.Type.FocusOut:
            self._hide()
        elif kind in (QEvent.Type.Resize, QEvent.Type.PaletteChange) and self.showing:
            self._show()
        return False


def give_focus_ring(box: QAbstractScrollArea) -> None:
    """Give `box` a focus ring (once)."""
    if box.findChild(FocusRing, "", Qt.FindChildOption.FindDirectChildrenOnly) is None:
        FocusRing(box)
