"""Read a hub's `Retry-After` header: how long it asks us to wait before trying again.

RFC 9110 §10.2.3 allows two forms: a number of seconds ("120") or an HTTP-date
("Wed, 21 Oct 2026 07:28:00 GMT"). Anything else, or a date already past, is no request
at all: the caller then falls back to its own backoff. The caller caps the wait.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait, or None when `value` asks for nothing usable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        return _seconds_until(value, now)
    # "nan", "inf", "-5" parse as floats but are no wait anyone meant.
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _seconds_until(value: str, now: datetime | None) -> float | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000" in the header: RFC 5322 says UTC all the same
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return seconds if seconds > 0 else None  # a date gone by: nothing left to wait
