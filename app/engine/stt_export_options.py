"""The options of each `additional_formats` item of a transcription request, checked.

They are checked with the rest of the form, before the recogniser runs: a bad option
found only after recognition wasted minutes of work, and the answer was a 500 that the
official SDK retries. Returns plain messages; the form reader turns them into 422s.
"""

from __future__ import annotations

import math
from typing import Any

from app.engine.guard import MAX_JSON_DEPTH, depth_ok

# name -> (lowest, highest, whole numbers only)
_NUMBERS: dict[str, tuple[float, float, bool]] = {
    "max_characters_per_line": (1, 1000, True),
    "max_segment_chars": (1, 10_000, True),
    "max_segment_duration_s": (0.1, 3600, False),
    "segment_on_silence_longer_than_s": (0.0, 3600, False),
}
_FLAGS = ("include_speakers", "include_timestamps")


def _number_problem(name: str, value: Any) -> str | None:
    low, high, whole = _NUMBERS[name]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"'{name}' should be a number"
    if not math.isfinite(value):
        return f"'{name}' should be a finite number"
    if whole and value != int(value):
        return f"'{name}' should be a whole number"
    if not low <= value <= high:
        return f"'{name}' should be between {low:g} and {high:g}"
    return None


def item_problem(index: int, item: Any) -> str | None:
    """What is wrong with one export option (None: nothing)."""
    if not isinstance(item, dict):
        return f"Item {index}: should be an object with a 'format'"
    if not depth_ok(item, 2):
        return f"Item {index}: options should be plain values, not nested objects"
    for name in _NUMBERS:
        problem = _number_problem(name, item.get(name))
        if problem:
            return f"Item {index}: {problem}"
    for name in _FLAGS:
        if name in item and item[name] is not None and not isinstance(item[name], bool):
            return f"Item {index}: '{name}' should be true or false"
    return None


def formats_problem(items: Any) -> str | None:
    """What is wrong with the parsed `additional_formats` as a whole (None: nothing)."""
    if not depth_ok(items, MAX_JSON_DEPTH):
        return f"additional_formats nests deeper than {MAX_JSON_DEPTH} levels"
    return None


__all__ = ["formats_problem", "item_problem"]
