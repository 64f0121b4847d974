"""The GUI thread's garbage collector frees cycles that outlived a young collection too
(it used to collect only the young generation, so those stayed for the whole session)."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from app.ui.qt_async import MIDDLE_GC_EVERY, MainThreadCollector


class Node:
    def __init__(self) -> None:
        self.me: Any = self  # a cycle: only the cyclic collector frees it


def test_a_cycle_that_outlived_a_young_collection_is_freed(qapp: Any) -> None:
    collector = MainThreadCollector(qapp, interval_ms=60_000)  # turns driven by hand
    try:
        gc.collect()
        node = Node()
        alive = weakref.ref(node)
        assert collector.collect() == 0  # still referenced: it moves to an older generation
        del node
        generations = [collector.collect() for _ in range(MIDDLE_GC_EVERY)]
        assert 1 in generations
        assert alive() is None
    finally:
        collector.timer.stop()
        collector.deleteLater()


def test_the_oldest_generation_is_collected_now_and_then(qapp: Any) -> None:
    collector = MainThreadCollector(qapp, interval_ms=60_000, full_interval_s=0.0)
    try:
        node = Node()
        alive = weakref.ref(node)
        gc.collect(1)  # into the oldest generation
        del node
        assert collector.collect() == 2
        assert alive() is None
    finally:
        collector.timer.stop()
        collector.deleteLater()
