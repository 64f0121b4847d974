"""Words for comparing two takes of a block, A then B: which take each letter is, and
which of them the player is on, so the user knows what they are hearing (both takes
are of the same line, often in the same voice: by ear alone they are easy to mix up).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.script import Block


def take_name(block: Block, take_id: str) -> str:
    """'take 2 (chosen)': numbered as in the list of takes."""
    number = next((n for n, t in enumerate(block.takes, start=1) if t.take_id == take_id), 0)
    name = f"take {number}" if number else "a take no longer listed"
    return f"{name} (chosen)" if take_id == block.chosen_take_id else name


@dataclass(frozen=True, slots=True)
class TakeComparison:
    block_number: int
    a: str  # take_name of take A
    b: str

    @classmethod
    def of(cls, block: Block, block_number: int, take_a: str, take_b: str) -> TakeComparison:
        return cls(block_number, take_name(block, take_a), take_name(block, take_b))

    def title(self) -> str:
        """The player bar's title."""
        return f"Block {self.block_number}: A {self.a}, B {self.b}"

    def started(self) -> str:
        return (f"Comparing block {self.block_number}: A is {self.a}, then B is {self.b}, "
                "with a short pause between.")

    def hearing(self, part: int) -> str:
        """The status while the playhead is on part 0 (A) or 1 (B); -1: it has ended."""
        if part == 0:
            return f"Comparing block {self.block_number}. Now: A, {self.a}. Next: B, {self.b}."
        if part == 1:
            return f"Comparing block {self.block_number}. Now: B, {self.b} (A was {self.a})."
        return (f"Compared block {self.block_number}: A was {self.a}, B was {self.b}. To "
                "keep one, select it and press Use take.")
