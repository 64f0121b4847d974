"""The Speech tab's count lines, word for word, from the API's own model list."""

from __future__ import annotations

import json
from pathlib import Path

from app.domain.wire import Model, Subscription
from app.ui.speech.counts_text import characters_line, credits_line

SAMPLES = Path("/work/shared/api/samples")
MODELS = {m["model_id"]: Model.model_validate(m)
          for m in json.loads((SAMPLES / "models_list.json").read_text())}
V3 = MODELS["eleven_v3"]  # 5,000 characters per request
FLASH = MODELS["eleven_flash_v2_5"]  # half the credits


def test_characters_and_the_parts_really_sent() -> None:
    assert characters_line("Hello", None) == "5 characters"
    assert characters_line("Hello", V3) == "5 characters · up to 5,000 per request"
    long_text = "A sentence that goes on. " * 400  # 10,000 characters
    assert characters_line(long_text, V3) == (
        "10,000 characters · up to 5,000 per request (will be sent in 2 parts)")


def test_credits_against_what_is_left() -> None:
    subscription = Subscription.model_validate(
        json.loads((SAMPLES / "user_subscription.json").read_text()))
    left = subscription.characters_left
    assert credits_line("x" * 101, FLASH, offline=False, quota=None,
                        quota_problem=None) == "About 51 credits"
    assert credits_line("x" * 10, V3, offline=False, quota=subscription,
                        quota_problem=None) == f"About 10 credits · {left:,} left this period"
    assert credits_line("x" * 10, V3, offline=False, quota=subscription,
                        quota_problem="no user_read scope") == (
        "About 10 credits · credits left unknown")
    assert credits_line("x" * 10, V3, offline=True, quota=subscription,
                        quota_problem=None) == "About 10 credits"


def test_why_the_credits_left_are_unknown() -> None:
    from app.ui.speech.counts_text import IMPOSSIBLE_COUNTS, unknown_credits_reason

    impossible = Subscription.model_validate({"tier": "creator", "character_count": 1,
                                              "character_limit": 2 * 10 ** 400})
    believable = Subscription.model_validate({"tier": "creator", "character_count": 1,
                                              "character_limit": 100})
    assert unknown_credits_reason(impossible, None) == IMPOSSIBLE_COUNTS
    assert "impossible number of credits" in IMPOSSIBLE_COUNTS
    assert unknown_credits_reason(believable, "no user_read scope") == "no user_read scope"
    assert unknown_credits_reason(believable, None) == ""
    assert unknown_credits_reason(None, None) == ""
