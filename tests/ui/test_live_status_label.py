"""LiveStatusLabel: a new count repaints only the label; a new height re-lays out."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.widgets.live_status_label import LiveStatusLabel


class LayoutRequests(QObject):
    """Counts the layout requests a widget receives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def shown(qtbot: Any, width: int = 300) -> tuple[QWidget, LiveStatusLabel, LayoutRequests]:
    parent = QWidget()
    qtbot.addWidget(parent)
    layout = QVBoxLayout(parent)
    label = LiveStatusLabel(parent)
    layout.addWidget(label)
    layout.addStretch(1)
    parent.resize(width, 200)
    parent.show()
    qtbot.waitExposed(parent)
    label.setText("Making takes: 1 of 500 done")
    qtbot.wait(20)
    return parent, label, LayoutRequests(parent)


def test_a_new_count_on_as_many_lines_asks_no_layout(qtbot: Any) -> None:
    _parent, label, requests = shown(qtbot)
    height = label.height()
    for done in range(2, 40):
        label.setText(f"Making takes: {done} of 500 done")
        qtbot.wait(1)
    assert label.text() == "Making takes: 39 of 500 done"
    assert label.accessibleName() == "Making takes: 39 of 500 done"  # what a reader says
    assert requests.count == 0
    assert label.height() == height


def test_a_text_needing_more_lines_is_laid_out(qtbot: Any) -> None:
    _parent, label, requests = shown(qtbot, width=200)
    one_line = label.height()
    longer = ("Making takes: 40 of 500 done, 3 being made · 2 failed · 12,345 credits spent"
              " · the rest wait their turn")
    label.setText(longer)
    qtbot.waitUntil(lambda: label.height() > one_line, timeout=5000)
    assert requests.count > 0
    assert label.text() == longer
    assert QLabel.text(label) == longer  # set the ordinary way
    assert label.accessibleName() == ""  # the label's own text is its name again


def test_it_paints_what_a_label_with_that_text_paints(qtbot: Any) -> None:
    parent, label, _ = shown(qtbot)
    label.setText("Making takes: 2 of 500 done")
    qtbot.wait(20)
    reference = QLabel(parent)
    reference.setWordWrap(True)
    reference.setText("Making takes: 2 of 500 done")
    reference.setGeometry(label.geometry().translated(0, 60))
    reference.show()
    qtbot.wait(20)
    assert label.grab().toImage() == reference.grab().toImage()


def test_a_resize_hands_the_text_to_the_label(qtbot: Any) -> None:
    parent, label, _ = shown(qtbot)
    label.setText("Making takes: 3 of 500 done")
    assert QLabel.text(label) == "Making takes: 1 of 500 done"  # shown, not yet set
    parent.resize(160, 200)
    qtbot.waitUntil(lambda: QLabel.text(label) == "Making takes: 3 of 500 done", timeout=5000)
    assert label.text() == "Making takes: 3 of 500 done"


def test_hidden_or_empty_it_is_an_ordinary_label(qtbot: Any) -> None:
    label = LiveStatusLabel()
    qtbot.addWidget(label)
    label.setText("Ready")
    assert QLabel.text(label) == "Ready"
    label.setText("")
    assert label.text() == "" and QLabel.text(label) == ""
