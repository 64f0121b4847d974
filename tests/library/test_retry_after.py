"""The hub's Retry-After, in both of RFC 9110's forms: seconds or an HTTP-date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.library.models.retry_after import retry_after_seconds

NOW = datetime(2026, 10, 21, 7, 28, 0, tzinfo=UTC)


@pytest.mark.parametrize(("value", "seconds"), [
    ("120", 120.0),
    ("0", 0.0),
    (" 5 ", 5.0),
    ("Wed, 21 Oct 2026 07:28:30 GMT", 30.0),  # the IMF-fixdate form
    ("Wednesday, 21-Oct-26 07:29:00 GMT", 60.0),  # the obsolete RFC 850 form
    ("Wed Oct 21 07:28:10 2026", 10.0),  # the obsolete asctime form
    ("Wed, 21 Oct 2026 09:28:00 +0200", None),  # same instant as NOW: nothing to wait
    ("Wed, 21 Oct 2026 08:28:00 -0000", 3600.0),  # uncapped here: the policy caps
])
def test_both_forms_give_seconds(value: str, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == seconds


@pytest.mark.parametrize("value", [
    None, "", "   ", "soon", "-5", "nan", "inf", "1e999",
    "Wed, 21 Oct 2026 07:27:59 GMT",  # a date gone by
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "Wed, 32 Oct 2026 07:28:00 GMT",  # no such day
    "Wed, 21 Oct 2026 25:61:00 GMT",
])
def test_garbage_or_a_past_date_asks_for_nothing(value: str | None) -> None:
    assert retry_after_seconds(value, now=NOW) is None


def test_a_date_is_measured_from_the_clock_when_no_time_is_given() -> None:
    seconds = retry_after_seconds("Fri, 31 Dec 9999 23:59:59 GMT")
    assert seconds is not None and seconds > 0
