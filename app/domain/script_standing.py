"""How a script's takes stand, in words: after the queue has made some blocks, the
status line and the progress bar speak of the whole script ("all 5 blocks have a take"),
not only of the blocks just made ("all 1 block(s)" read as if the script had one)."""

from __future__ import annotations

from app.domain.script import Script
from app.domain.wording import plural


def standing_words(have: int, spoken: int) -> str:
    """'all 5 blocks have a take', '4 of 5 blocks have a take', 'the block has a take'
    (`spoken`: the blocks with text; `have`: those whose chosen take matches them)."""
    if spoken == 0:
        return "the script has no blocks with text"
    if spoken == 1:
        return "the block has a take" if have else "the block has no take yet"
    if have >= spoken:
        return f"all {spoken:,} blocks have a take"
    return f"{have:,} of {spoken:,} blocks have a take"


def made_words(made: int, reused: int) -> str:
    """'Made 1 block', 'Reused an earlier take for 2 blocks', 'Made 2 blocks and reused
    an earlier take for 1' ("" when neither)."""
    if made and reused:
        return f"Made {plural(made, 'block')} and reused an earlier take for {reused:,}"
    if made:
        return f"Made {plural(made, 'block')}"
    if reused:
        return f"Reused an earlier take for {plural(reused, 'block')}"
    return ""


def finished_words(made: int, reused: int, have: int, spoken: int) -> str:
    """What a queue that made every block it was asked for says: the whole script's
    standing, after what this run did when that was not the whole script."""
    standing = standing_words(have, spoken)
    done = made_words(made, reused)
    if not done or made + reused >= spoken:
        return sentence(standing) + "."
    return f"{done}; {standing}."


def were(count: int, word: str = "block") -> str:
    """'1 block was', '3 blocks were'."""
    return f"{plural(count, word)} {'was' if count == 1 else 'were'}"


def sentence(words: str) -> str:
    return words[:1].upper() + words[1:]


def takes_standing(script: Script) -> tuple[int, int]:
    """(blocks with a take that matches them, blocks with text). Hashes every block:
    tens of milliseconds for a long script, so off the event loop."""
    spoken = [b for b in script.blocks if not b.is_empty]
    return sum(1 for b in spoken if script.is_done(b)), len(spoken)
