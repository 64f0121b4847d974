"""Stop PySide6 from reading the source of every module imported after it.

PySide6 (6.x) watches every import to learn whether the new module uses PySide, so it can
apply the `from __feature__ import snake_case, true_property` switches per module. It
learns that by `inspect.getsource(module)` and a search for "PySide6": each module's
whole source is read from disk and kept in `linecache` for the life of the process.
For XI Studio that was ~300 files read at start-up and ~10 MB of source lines held at
idle. XI Studio selects no `__feature__` switches, so every module runs with the
default selection anyway; telling the hook "uses PySide" without reading the file gives
the same behaviour. If a PySide6 release drops or renames the hook, this does nothing.
"""

from __future__ import annotations

import linecache
from types import ModuleType


def _uses_pyside(module: ModuleType) -> bool:
    # True = "default feature selection" (no snake_case, no true_property), which is
    # what every module of this app, and every library, runs with.
    return True


def skip_source_reading() -> None:
    """Call right after the first PySide6 import (app/main.py run_gui)."""
    try:
        from shibokensupport import feature
    except ImportError:
        return
    if callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = _uses_pyside
    linecache.clearcache()  # what it read before now
