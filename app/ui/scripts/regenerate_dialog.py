"""Asks, before a block is made again, whether its stitched neighbours should be too.

Consecutive blocks of one voice are made with request stitching, so a new take of one
block changes how its neighbours' audio would flow into it. The dialog names those
neighbours and what re-making them would cost, and lets the user pick. Window-modal and
opened with `open()`: it answers through a callback, never from inside a coroutine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.ui.keyboard import enter_pays_only_when_aimed


@dataclass(frozen=True)
class Neighbour:
    block_id: str
    label: str  # "Block 3 · NARRATOR: And then…"
    credits: int


class RegenerateDialog(QDialog):
    def __init__(self, block_label: str, block_credits: int, neighbours: Sequence[Neighbour],
                 on_chosen: Callable[[list[str]], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scripts.regenerate_dialog")
        self.setWindowTitle("Make a new take")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._on_chosen = on_chosen
        intro = QLabel(
            f"A new take of {block_label} costs about {block_credits:,} credits.\n"
            "These neighbours are linked to it (same voice, stitched for a smooth flow). "
            "Their takes stay as they are unless you tick them to be made again too:", self)
        intro.setObjectName("scripts.regenerate_intro")
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        self.boxes: dict[str, QCheckBox] = {}
        for neighbour in neighbours:
            box = QCheckBox(f"{neighbour.label} (about {neighbour.credits:,} credits)", self)
            box.setObjectName(f"scripts.regenerate_neighbour_{len(self.boxes)}")
            box.setAccessibleName(f"Also remake {neighbour.label}")
            self.boxes[neighbour.block_id] = box
            layout.addWidget(box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        # The take is paid: Enter on a neighbour's box (pressed to tick it, or by
        # mistake) made it. Now only this button does, aimed at with Tab and pressed
        # with Space or Enter, or Ctrl+Enter from anywhere in the dialog, as its label
        # says (Ctrl+Enter also generates on the Speech and Music tabs).
        self.go_button = go = buttons.addButton("Make new take (Ctrl+Enter)",
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        go.setObjectName("scripts.regenerate_go")
        go.setAccessibleName("Make the new take")
        enter_pays_only_when_aimed(self, go)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(go.click)
        buttons.accepted.connect(self._on_go_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.finished.connect(self.deleteLater)

    def chosen_neighbours(self) -> list[str]:
        return [block_id for block_id, box in self.boxes.items() if box.isChecked()]

    def _on_go_clicked(self) -> None:
        chosen = self.chosen_neighbours()
        self.accept()
        self._on_chosen(chosen)
