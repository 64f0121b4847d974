"""The status bar's usage sentence in plain words: one generation, thousands separated,
"about" when part of the figure is our estimate, unreported costs named, not guessed."""

from __future__ import annotations

from app.library.ledger import Total
from app.ui.usage.usage_line import usage_text


def test_the_usage_sentence() -> None:
    assert usage_text(Total(), Total()) == (
        "This session: 0 generations, 0 credits. Today: 0 generations, 0 credits.")
    session = Total(operations=1, credits=1_250)
    today = Total(operations=4, credits=1_310, estimated_credits=30, unknown=1)
    assert usage_text(session, today) == (
        "This session: 1 generation, 1,250 credits. "
        "Today: 4 generations, about 1,310 credits (1 cost not reported).")
