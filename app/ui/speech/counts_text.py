"""The Speech tab's two count lines in plain words: how long the text is (and in how many
requests it will go), about how many credits it costs against what is left, and why
what is left is unknown. Pure wording, no widgets, so it is tested on its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.api.errors import AuthError, ForbiddenError
from app.domain.cost import estimate_speech_credits
from app.domain.text_split import split_for_limit
from app.ui.errors import describe_error

if TYPE_CHECKING:
    from app.domain.wire import Model, Subscription


def characters_line(text: str, model: Model | None) -> str:
    """E.g. "12,345 characters · up to 10,000 per request (will be sent in 2 parts)"."""
    limit = model.maximum_text_length_per_request if model else None
    count = f"{len(text):,} characters"
    if limit:
        count += f" · up to {limit:,} per request"
        if len(text) > limit:
            # What the generation will really send: "about 5" then 6 parts misled.
            parts = len(split_for_limit(text, max(1, limit)))
            count += f" (will be sent in {parts} parts)"
    return count


def credits_line(text: str, model: Model | None, *, offline: bool,
                 quota: Subscription | None, quota_problem: str | None) -> str:
    """E.g. "About 120 credits · 9,880 left this period"."""
    credits = estimate_speech_credits(text, model)
    estimate = "Free with offline voices" if model and model.cost_multiplier == 0 \
        else f"About {credits:,} credits"
    if offline:
        pass  # offline voices cost nothing: the engine's "1,000,000,000 left" means nothing
    elif quota_problem or (quota is not None and quota.characters_left is None):
        estimate += " · credits left unknown"  # (or the server's counts made no sense)
    elif quota is not None:
        estimate += f" · {quota.characters_left:,} left this period"
    return estimate


IMPOSSIBLE_COUNTS = ("Credits left are unknown: the server's answer gave an impossible number "
                     "of credits (below zero, or more than any plan has), so it is not "
                     "shown. Generating still works; View → Usage and costs shows what "
                     "this computer has recorded.")


def unknown_credits_reason(quota: Subscription | None, quota_problem: str | None) -> str:
    """Why credits_line says "credits left unknown", in words for its tooltip ("" when
    it does not): the subscription could not be read, or it was read but its counts
    cannot be true (a negative count, a limit 400 digits long)."""
    if quota_problem:
        return quota_problem
    if quota is not None and quota.characters_left is None:
        return IMPOSSIBLE_COUNTS
    return ""


def quota_problem_line(exc: object) -> str:
    """Why the credits left are unknown (the subscription could not be read)."""
    if isinstance(exc, AuthError | ForbiddenError):
        return ("Credits left are unknown: this API key may not read your subscription. "
                "Generating still works; to see your credits, give the key the User (read) "
                "permission on elevenlabs.io.")
    message = describe_error(exc if isinstance(exc, BaseException) else Exception(str(exc)))
    return f"Credits left are unknown. {message.as_text()}"
