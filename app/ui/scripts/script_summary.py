"""The numbers under the queue buttons, computed off the event loop. No Qt here.

Whether a block is done means hashing what it would be made from; for a long script
(500 blocks) that is tens of milliseconds, too long for the UI thread on every take that
arrives. The tab computes this summary in a worker thread, shortly after a change.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain import script_plan
from app.domain.script import Script
from app.domain.wording import plural


@dataclass(frozen=True)
class Summary:
    blocks: int
    spoken_blocks: int  # those with text
    whole_credits: int
    missing_blocks: int
    missing_credits: int
    spent_credits: int
    uncast: tuple[str, ...]
    has_chosen: bool


def summarize(script: Script, cost_multiplier: float) -> Summary:
    whole = script_plan.estimate(script, None, cost_multiplier)
    missing = script_plan.estimate_missing(script, cost_multiplier)
    return Summary(
        blocks=len(script.blocks), spoken_blocks=whole.blocks, whole_credits=whole.credits,
        missing_blocks=missing.blocks, missing_credits=missing.credits,
        spent_credits=script_plan.spent_credits(script),
        uncast=tuple(script.uncast_speakers()),
        has_chosen=any(b.chosen_take_id for b in script.blocks))


def describe(summary: Summary, cost_multiplier: float, credits_left: int | None) -> str:
    if not summary.blocks:
        return "Open or import a script to begin (Ctrl+Shift+O)."
    if cost_multiplier == 0:
        words = (f"Free with offline voices · {plural(summary.missing_blocks, 'block')} "
                 "missing")
    else:
        words = (f"Whole script ≈ {summary.whole_credits:,} credits · missing: "
                 f"{plural(summary.missing_blocks, 'block')} ≈ "
                 f"{summary.missing_credits:,} credits · spent so far {summary.spent_credits:,}")
    if credits_left is not None:
        words += f" · {credits_left:,} left this period"
    if summary.uncast:
        words += f". Choose a voice for {', '.join(summary.uncast)} first."
    return words
