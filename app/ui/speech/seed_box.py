"""A seed box for the API's whole seed range, 0 … 4,294,967,295.

QSpinBox holds a signed 32-bit int (at most 2,147,483,647), so this one stores the seed
shifted down by 2^31 and shows it shifted back: `value()`/`setValue()` (from Python)
and what the user sees and types are the real seed.
"""

from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QSpinBox, QWidget

SEED_MAX = 4_294_967_295
_SHIFT = 2 ** 31


class WideSeedBox(QSpinBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        super().setRange(-_SHIFT, SEED_MAX - _SHIFT)
        super().setValue(-_SHIFT)

    def value(self) -> int:
        return super().value() + _SHIFT

    def setValue(self, value: int) -> None:
        super().setValue(min(max(int(value), 0), SEED_MAX) - _SHIFT)

    def textFromValue(self, value: int) -> str:
        return str(value + _SHIFT)

    def valueFromText(self, text: str) -> int:
        digits = text.strip().replace(",", "")
        return (int(digits) if digits.isdigit() else 0) - _SHIFT

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        digits = text.strip().replace(",", "")
        if not digits:
            return QValidator.State.Intermediate, text, pos
        if not digits.isdigit() or int(digits) > SEED_MAX:
            return QValidator.State.Invalid, text, pos
        return QValidator.State.Acceptable, text, pos
