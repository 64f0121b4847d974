"""Keep widgets from widening the window by themselves.

A QComboBox asks for the width of its longest item by default, so one long voice, model
or language name widened its column and the window's minimum width grew past a laptop
screen. Combos here ask for a few characters and show the rest in their pop-up list
(which is as wide as it needs).
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

COMBO_MINIMUM_CHARS = 10


def let_combos_shrink(root: QWidget, chars: int = COMBO_MINIMUM_CHARS) -> None:
    """Every combo under `root` gets a small minimum width; its pop-up still shows whole
    items."""
    for combo in root.findChildren(QComboBox):
        if combo.sizeAdjustPolicy() == QComboBox.SizeAdjustPolicy.AdjustToContentsOnFirstShow:
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(chars)
        view = combo.view()
        if view is not None:  # the list may be wider than the combo
            view.setMinimumWidth(combo.minimumSizeHint().width())
