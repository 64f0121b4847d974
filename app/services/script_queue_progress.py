"""What the batch queue (app.services.script_queue) tells its listeners: each block's
state as it goes, the whole queue's progress, and the result once a run ends. Plain
values, so the window and the command line read the same words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockState = Literal["waiting", "generating", "retrying", "done", "reused", "failed",
                     "skipped"]
Outcome = Literal["finished", "some_failed", "cancelled", "quota_exceeded"]


@dataclass(frozen=True, slots=True)
class BlockProgress:
    block_id: str
    state: BlockState
    fraction: float = 0.0
    message: str = ""


@dataclass(frozen=True, slots=True)
class QueueProgress:
    total: int
    finished: int
    failed: int
    running: int
    paused: bool
    credits_spent: int

    @property
    def fraction(self) -> float:
        return self.finished / self.total if self.total else 1.0


@dataclass
class QueueResult:
    outcome: Outcome
    made: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)
    credits_spent: int = 0
    credits_needed: int = 0
    message: str = ""
    server_said: str = ""  # the server's own words, when the credits ran out
    # The whole script once the run ended: its blocks with text, and those with a take
    # that matches them (not only the blocks this run was asked for).
    spoken: int = 0
    have_take: int = 0
