"""Keep widgets from widening the window by themselves.

A QComboBox asks for the width of its longest item by default, so one long voice, model
or language name widened its column and the window's minimum width grew past a laptop
screen. Combos here ask for a few characters; Qt widens the pop-up list to its widest
item, so whole names can still be read there.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

COMBO_MINIMUM_CHARS = 10


def let_combos_shrink(root: QWidget, chars: int = COMBO_MINIMUM_CHARS) -> None:
    """Every combo under `root` that sized itself to its contents asks for `chars`
    characters instead."""
    for combo in root.findChildren(QComboBox):
        if combo.sizeAdjustPolicy() == QComboBox.SizeAdjustPolicy.AdjustToContentsOnFirstShow:
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(chars)
