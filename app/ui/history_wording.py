"""What to tell the user about where a result is kept, truthful when History is read-only.

A read-only history (disk full, read-only folder, a lock that outlasted retries) still
lists new results, but only until the app quits; every "kept in History" sentence goes
through here so no tab claims more than is true.
"""

from __future__ import annotations

from typing import Protocol

EXPORT_HINT = "use Export… in History to keep it"


class _History(Protocol):
    read_only: bool


def kept_in_history(history: _History, saved: str = "Saved in History.",
                    keep_hint: str = EXPORT_HINT) -> str:
    """`saved` when History is writable; otherwise says it is listed for this session only
    and how to keep it (`keep_hint`, e.g. "use Save as… to keep it")."""
    if history.read_only:
        return f"Listed in History until you quit: {keep_hint}."
    return saved


def history_empty_text(history: _History) -> str:
    """The History panel's line when nothing is listed yet."""
    if history.read_only:
        return ("What you generate is listed here until you quit (History is read-only); "
                "use Export… to keep it.")
    return "Everything you generate is kept here."
