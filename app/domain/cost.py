"""Credit estimates before sending (the server's `character-cost` header is the truth)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.domain.wire import Model


def estimate_speech_credits(text: str, model: Model | None) -> int:
    """Characters times the model's cost multiplier, rounded up."""
    multiplier = model.cost_multiplier if model is not None else 1.0
    return math.ceil(len(text) * multiplier)


# Speech to text and forced alignment answer without a cost header, so their cost is
# estimated from the audio's length. ElevenLabs sells them by hours of audio per plan,
# not by a published credit price: this is a rough figure, not a price list, and every
# cost made from it is labelled an estimate (the Usage window, the CSV). A caller that
# knows the plan's own rate passes it instead.
TRANSCRIPTION_CREDITS_PER_MINUTE = 30.0


def estimate_credits_for_audio(duration_ms: int,
                               credits_per_minute: float = TRANSCRIPTION_CREDITS_PER_MINUTE
                               ) -> int:
    """Credits for `duration_ms` of audio at a per-minute rate, rounded up (at least 1
    for any audio at all)."""
    if duration_ms <= 0:
        return 0
    return max(1, math.ceil(duration_ms / 60_000 * credits_per_minute))


def estimate_credits_for_characters(characters: int, multiplier: float = 1.0) -> int:
    """What `estimate_speech_credits` does, for a count of characters."""
    return math.ceil(max(0, characters) * multiplier)
