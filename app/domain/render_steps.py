"""Long renders in pieces: a `Step` is called before each piece (a paragraph, a
subtitle, a word) and once at the end with (pieces done, pieces in all).

It lets the caller report how far a slow render got (a Word document of 3 hours takes
seconds) and stop it between two pieces by raising from the step: the render never
knows about threads or windows."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

Step = Callable[[int, int], None]

T = TypeVar("T")


def paced(items: Sequence[T], step: Step | None) -> Iterator[T]:
    """`items` one by one, `step(done, total)` before each and after the last."""
    total = len(items)
    for done, item in enumerate(items):
        if step is not None:
            step(done, total)
        yield item
    if step is not None:
        step(total, total)


__all__ = ["Step", "paced"]
