"""Where a damaged file the app keeps is set aside: `<name>.corrupt-<stamp>`, never over an
earlier one (a second damaged copy replaced the first, and with it what could have been
recovered from it)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


def aside_path(path: Path) -> Path:
    """A free `<name>.corrupt-<YYYYmmdd-HHMMSS>[-n]` beside `path`."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
    return aside


__all__ = ["aside_path"]
