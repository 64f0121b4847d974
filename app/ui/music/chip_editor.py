"""A tag editor: type a style and press Enter to add it as a chip; × removes a chip.

Commas split what is typed into several chips; Backspace in the empty field removes the
last chip. `chips_changed` carries the new list after every user change (not after
`set_chips`), so the owner can record an undo step.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QToolButton,
    QWidget,
    QWidgetItem,
)


class FlowLayout(QLayout):
    """Lays widgets out left to right, wrapping onto new lines like words."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(2, 2, 2, 2)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def insertWidget(self, index: int, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for number, item in enumerate(self._items, start=1):
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line_height > 0:
                x = area.x()
                y += line_height + self._spacing
                line_height = 0
            if number == len(self._items):  # the text field takes the rest of its line
                hint.setWidth(max(hint.width(), area.right() + 1 - x))
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


class Chip(QFrame):
    remove_clicked = Signal(str)

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = text
        self.setObjectName("music.chip")
        # Painted from the palette at paint time (not a style sheet with Midlight, which
        # is light grey under white text in dark themes): follows a live theme switch.
        label = QLabel(text, self)
        label.setToolTip(text)
        close = QToolButton(self)
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip(f"Remove “{text}”")
        close.setAccessibleName(f"Remove {text}")
        # As tall as a line of the font: a fixed 16 px cut the × in half with a large
        # system font (15 pt needs 24 px).
        side = max(16, close.fontMetrics().height())
        close.setFixedSize(side, side)
        close.clicked.connect(lambda: self.remove_clicked.emit(self.text))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(7, 1, 2, 1)
        layout.setSpacing(2)
        layout.addWidget(label)
        layout.addWidget(close)
        self.label = label
        self.close_button = close

    def background(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.AlternateBase)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.setBrush(self.background())
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 9, 9)


class ChipEditor(QFrame):
    chips_changed = Signal(list)  # the whole new list, after a user change

    def __init__(self, object_name: str, placeholder: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._chips: list[str] = []
        self._wrapped_height = -1
        self._layout = FlowLayout(self)
        self.input = QLineEdit(self)
        self.input.setObjectName(f"{object_name}.input")
        self.input.setPlaceholderText(placeholder)
        self.input.setFrame(False)
        self.input.setMinimumWidth(160)
        self.input.setAccessibleName(placeholder)
        self.input.editingFinished.connect(self._on_input_return_pressed)  # Enter, or leaving
        self.input.installEventFilter(self)
        self._layout.addWidget(self.input)

    def chips(self) -> list[str]:
        return list(self._chips)

    # Chips wrap onto more lines as the editor narrows. Layouts and splitters size a
    # widget by its minimum size hint, which knows nothing of that, so a squeezed window
    # clipped the second line of chips: the hint includes the wrapped height.
    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self.width() > 0:
            hint.setHeight(max(hint.height(), self.heightForWidth(self.width())))
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        needed = self.heightForWidth(self.width())
        if needed != self._wrapped_height:  # a line more or less: layouts must know
            self._wrapped_height = needed
            self.updateGeometry()

    def set_chips(self, chips: list[str]) -> None:
        """Show `chips` (no signal)."""
        if chips == self._chips:
            return
        while self._layout.count() > 1:
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self._chips = list(chips)
        previous: QWidget = self.input
        for index, text in enumerate(self._chips):
            chip = Chip(text, self)
            chip.remove_clicked.connect(self._on_chip_remove_clicked)
            self._layout.insertWidget(index, chip)
            chip.show()
            # Tab reaches each chip's × where it is drawn, just before the input (new
            # widgets join the window's focus chain at its very end: after everything).
            QWidget.setTabOrder(previous, chip.close_button)
            previous = chip.close_button
        if self._chips:
            QWidget.setTabOrder(previous, self.input)
        self.updateGeometry()

    def add_text(self, text: str) -> None:
        """Add what a user typed (commas separate several styles)."""
        new = [part.strip() for part in text.split(",") if part.strip()]
        new = [part for part in dict.fromkeys(new) if part not in self._chips]
        if new:
            self._change([*self._chips, *new])

    def chip_widgets(self) -> list[Chip]:
        return [w for w in self.findChildren(Chip) if w.text in self._chips and w.isVisible()]

    def remove_chip(self, text: str) -> None:
        if text in self._chips:
            self._change([c for c in self._chips if c != text])

    def _change(self, chips: list[str]) -> None:
        self.set_chips(chips)
        self.chips_changed.emit(list(chips))

    def _on_input_return_pressed(self) -> None:
        text = self.input.text()
        self.input.clear()
        self.add_text(text)

    def _on_chip_remove_clicked(self, text: str) -> None:
        self.remove_chip(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.input
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            if event.key() == Qt.Key.Key_Backspace and not self.input.text() and self._chips:
                self._change(self._chips[:-1])
                return True
            if event.key() == Qt.Key.Key_Comma:
                self._on_input_return_pressed()
                return True
        return super().eventFilter(watched, event)
