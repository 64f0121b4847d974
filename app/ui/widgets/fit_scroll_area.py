"""A scroll area that fits its page to the window and scrolls only when it must.

QScrollArea's own "resizable" mode sizes a page whose layout wraps text or chips (height
for width) to its *preferred* height, so the page scrolls even when it would fit. This
one gives the page the viewport's size, and scrolls only below the page's minimum size
(a short or narrow window, an error banner above): the page is never squeezed so far
that its fields are cut in half, and its width never widens the window.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class FitScrollArea(QScrollArea):
    def __init__(self, page: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # A frame around fields, not a control: no Tab stop of its own (it shows no focus;
        # Tab inside still scrolls to the field). As one, the fields after it in the tab
        # (Compose...) were put after History by keyboard.tab_order_after.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setWidget(page)
        page.installEventFilter(self)  # its minimum height changes as chips wrap

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.fit()
        return super().eventFilter(watched, event)

    def fit(self) -> None:
        page = self.widget()
        if page is None:
            return
        viewport = self.viewport().size()
        minimum = page.minimumSizeHint()
        # Never narrower than the page can be laid out: below that it scrolls sideways
        # rather than cutting its fields off.
        width = max(viewport.width(), minimum.width())
        height = max(viewport.height(), page.minimumSizeHint().height())
        if page.width() != width or page.height() != height:
            page.resize(width, height)
