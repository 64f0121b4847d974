"""Numbers as a person reads them: counts with the right plural, lengths of time rounded
to what matters ("3 h", "1 min 9 s", "2:05:00"), never "1 generations" or "10800.0 s"."""

from __future__ import annotations


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    """'1 generation', '2 generations', '1,200 credits'."""
    name = word if count == 1 else (plural_word or f"{word}s")
    return f"{count:,} {name}"


def duration_text(ms: int) -> str:
    """A length in words, as precise as is useful: '0.4 s', '9.5 s', '1 min 9 s',
    '12 min', '3 h', '1 h 5 min'."""
    ms = max(0, int(ms))
    if ms < 60_000:
        tenths = round(ms / 100)
        if tenths >= 600:  # 59.96 s reads as a minute, not '60 s'
            return "1 min"
        return f"{tenths / 10:g} s"
    seconds = round(ms / 1000)
    if seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    minutes = round(seconds / 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def clock_text(ms: int) -> str:
    """A position on a clock: '0:09', '12:30', '3:00:00' (hours once there are any)."""
    seconds = max(0, int(ms)) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"
