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
