"""Where a damaged file the app keeps is set aside: `<name>.corrupt-<stamp>`, never over an
earlier one (a second damaged copy replaced the first, and with it what could have been
recovered from it)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


def aside_path(path: Path, word: str = "corrupt", *, keep_suffix: bool = False) -> Path:
    """A free `<name>.<word>-<YYYYmmdd-HHMMSS>[-n]` beside `path`; with `keep_suffix`,
    `<stem>.<word>-<stamp>[-n]<suffix>` (a draft stays a `.json` one can open)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base, suffix = (path.stem, path.suffix) if keep_suffix else (path.name, "")
    aside = path.with_name(f"{base}.{word}-{stamp}{suffix}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{base}.{word}-{stamp}-{number}{suffix}")
    return aside


__all__ = ["aside_path"]
