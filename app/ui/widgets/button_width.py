"""Buttons that stay the size of their words.

A button alone on a row of a form or a group box (Reset to defaults, Pronunciation…,
Find my finetunes, Voice settings…) was stretched across the column: on a 2560-wide
screen some were over 1,000 px wide and read as a bar, not something to press.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QSizePolicy


def keep_to_its_text(button: QAbstractButton) -> None:
    """`button` keeps its natural width; a layout then puts it at the start of its row
    (left, or right in a right-to-left language)."""
    policy = button.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Maximum)
    button.setSizePolicy(policy)
