"""Values read back from SQLite, brought to the type their column is meant to hold.
SQLite keeps whatever a column is given: a database edited or damaged by another program
can hold "x" in a length or bytes in a path, and one such row must not break every
list that shows it (History, the usage ledger)."""

from __future__ import annotations


def as_text(value: object) -> str:
    """A text column's value as text (bytes decoded, nothing as "")."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return "" if value is None else str(value)


def text_or_none(value: object) -> str | None:
    return None if value is None else as_text(value)


def whole(value: object) -> int | None:
    """A whole-number column's value; None for what is not a number."""
    if isinstance(value, int | float) and value == value and abs(value) < 2 ** 63:
        return int(value)
    return None
