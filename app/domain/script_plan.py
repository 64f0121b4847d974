"""What generating a script's blocks involves: continuity links, costs, knock-on effects.

Request stitching (shared/api/ELEVENLABS_API.md §3.1): a request may name up to three
earlier requests (`previous_request_ids`) and up to three later ones
(`next_request_ids`) of the same voice, and the text around it (`previous_text`,
`next_text`), so consecutive lines sound like one performance. Ids only link takes of
the same voice and model made by the text-to-speech endpoints, so a run of consecutive
blocks with the same voice is what gets linked; a block of another voice breaks the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.domain.script import Block, Script, Take

MAX_STITCH_IDS = 3  # previous_request_ids / next_request_ids maxItems
MAX_CONTEXT_CHARS = 1000  # how much neighbouring text is sent as previous/next text


@dataclass(frozen=True, slots=True)
class StitchContext:
    previous_request_ids: tuple[str, ...] = ()
    next_request_ids: tuple[str, ...] = ()
    previous_text: str | None = None
    next_text: str | None = None


def _linkable_take(script: Script, block: Block, model_id: str) -> Take | None:
    """The chosen take, if it still matches the block and was made by a plain TTS request
    of this model (a request id worth linking to)."""
    take = block.chosen_take
    if take is None or take.request_id is None or take.from_dialogue:
        return None
    if take.model_id != model_id or script.is_stale(block):
        return None
    return take


def _same_voice_run(script: Script, index: int, step: int) -> list[Block]:
    """Neighbouring blocks (walking by `step`) with the same voice, nearest first; empty
    blocks are stepped over, another voice ends the run."""
    voice = script.voice_of(script.blocks[index])
    run: list[Block] = []
    i = index + step
    while 0 <= i < len(script.blocks):
        block = script.blocks[i]
        if not block.is_empty:
            if voice is None or script.voice_of(block) != voice:
                break
            run.append(block)
        i += step
    return run


def _clip_tail(text: str) -> str:
    return text[-MAX_CONTEXT_CHARS:]


def stitch_context(script: Script, block_id: str) -> StitchContext:
    """The continuity fields for a new take of the block (see the module docstring)."""
    index = script.index_of(block_id)
    before = _same_voice_run(script, index, -1)
    after = _same_voice_run(script, index, +1)
    previous_ids: list[str] = []
    for block in before:
        take = _linkable_take(script, block, script.model_id)
        if take is None:
            break  # ids must be the requests right before this one, without holes
        previous_ids.insert(0, take.request_id or "")
        if len(previous_ids) == MAX_STITCH_IDS:
            break
    next_ids: list[str] = []
    for block in after:
        take = _linkable_take(script, block, script.model_id)
        if take is None:
            break
        next_ids.append(take.request_id or "")
        if len(next_ids) == MAX_STITCH_IDS:
            break
    previous_text = " ".join(b.text.strip() for b in reversed(before[:MAX_STITCH_IDS]))
    next_text = " ".join(b.text.strip() for b in after[:MAX_STITCH_IDS])
    return StitchContext(
        previous_request_ids=tuple(previous_ids),
        next_request_ids=tuple(next_ids),
        previous_text=_clip_tail(previous_text) or None,
        next_text=next_text[:MAX_CONTEXT_CHARS] or None,
    )


def neighbours_affected(script: Script, block_id: str) -> list[str]:
    """Blocks whose chosen take is linked to this block's by stitching, and so would
    sound better re-made if this block is regenerated: the nearest block of the same
    voice on each side that has a chosen take. Ordered as in the script."""
    index = script.index_of(block_id)
    found: list[str] = []
    for step in (-1, +1):
        run = _same_voice_run(script, index, step)
        if run and _linkable_take(script, run[0], script.model_id) is not None:
            found.append(run[0].block_id)
    return found


# --- Cost ------------------------------------------------------------------------------


def credits_for(text: str, cost_multiplier: float = 1.0) -> int:
    """Characters times the model's cost per character, rounded up (the server's
    `character-cost` header is the truth after the request)."""
    return math.ceil(len(text) * cost_multiplier) if text.strip() else 0


@dataclass(frozen=True, slots=True)
class CostEstimate:
    blocks: int
    characters: int
    credits: int


def estimate(script: Script, blocks: list[Block] | None = None,
             cost_multiplier: float = 1.0) -> CostEstimate:
    """Credits for generating the given blocks (default: all with text) once each."""
    chosen = [b for b in (script.blocks if blocks is None else blocks) if not b.is_empty]
    return CostEstimate(
        blocks=len(chosen),
        characters=sum(len(b.text) for b in chosen),
        credits=sum(credits_for(b.text, cost_multiplier) for b in chosen),
    )


def estimate_missing(script: Script, cost_multiplier: float = 1.0) -> CostEstimate:
    """What "Generate all missing" would cost (blocks that already have a matching take
    are free)."""
    return estimate(script, [b for b in script.blocks if script.needs_request(b)],
                    cost_multiplier)


def regeneration_cost(script: Script, block_id: str,
                      cost_multiplier: float = 1.0) -> dict[str, int]:
    """Credits to re-make the block and each affected neighbour, by block id."""
    ids = [block_id, *neighbours_affected(script, block_id)]
    return {i: credits_for(script.block(i).text, cost_multiplier) for i in ids}


def spent_credits(script: Script) -> int:
    """What every take in the script cost (as the server reported it)."""
    return sum(t.character_cost or 0 for b in script.blocks for t in b.takes)


# --- Concurrency -----------------------------------------------------------------------

# Requests at once per plan (ElevenLabs' published limits): the queue's starting guess.
# The server's `maximum-concurrent-requests` header is the truth once an answer carries
# it (`server_concurrency`), up or down.
PLAN_CONCURRENCY = {"free": 2, "starter": 3, "creator": 5, "pro": 10, "scale": 15,
                    "business": 15, "enterprise": 30, "offline": 2}
# The most requests at once the queue ever runs, whatever a header says: a garbage or
# hostile header must not open hundreds of connections.
MAX_CONCURRENCY = 50


def concurrency_for_tier(tier: str | None) -> int:
    """How many blocks to generate at once for a subscription tier (2 when unknown)."""
    if not tier:
        return 2
    key = tier.lower()
    for name, limit in PLAN_CONCURRENCY.items():
        if key.startswith(name):
            return limit
    return 2


def server_concurrency(maximum: int | None, ceiling: int = MAX_CONCURRENCY) -> int | None:
    """How many requests at once to adopt from the server's `maximum-concurrent-requests`
    (bounded to 1..`ceiling`); None when the header is absent or means nothing (0 or
    less), so the current limit stays."""
    if maximum is None or maximum < 1:
        return None
    return max(1, min(maximum, ceiling))


def stitch_runs(script: Script, block_ids: list[str]) -> list[list[str]]:
    """The given blocks grouped into runs that must be made one after another (in
    script order), because each links to the take of the one before it: consecutive
    blocks of the same voice. Different runs can be made at the same time."""
    wanted = set(block_ids)
    runs: list[list[str]] = []
    current: list[str] = []
    previous_voice: str | None = None
    for block in script.blocks:
        if block.is_empty:
            continue
        voice = script.voice_of(block)
        if voice is None or voice != previous_voice:
            if current:
                runs.append(current)
            current = []
        previous_voice = voice
        if block.block_id in wanted:
            current.append(block.block_id)
    if current:
        runs.append(current)
    return runs


# --- What "Generate all missing" would make ---------------------------------------------


@dataclass(frozen=True, slots=True)
class MissingWork:
    """The blocks "Generate all missing" would make, in script order, and the speakers of
    those blocks who have no voice yet (sorted)."""

    block_ids: list[str]
    uncast: list[str]


def missing_work(script: Script) -> MissingWork:
    """One pass over the script for "Generate all missing". It works out every block's
    fingerprint (a JSON encoding and a hash each: ~30 ms for a 5,000-block chapter), so
    the app runs it on a worker thread; the script is frozen, so that is safe."""
    missing = script.missing_blocks()
    uncast = sorted({b.speaker for b in missing if script.voice_of(b) is None})
    return MissingWork([b.block_id for b in missing], uncast)
