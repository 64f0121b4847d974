"""What the music sketcher renders: a plan of named sections, and each section's kind.

A plan is the engine's own plain copy of a composition plan (the routes convert the
domain's `Plan` to it and back). It sits apart from the renderer so the style reader and
the prompt planner can use it without loading the synthesiser; `section_kind` sits here
because both the renderer (the texture) and the planner (the local styles and the
placeholder lyrics) ask what kind a section is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SketchSection:
    name: str
    duration_ms: int
    positive_styles: Sequence[str] = ()
    negative_styles: Sequence[str] = ()
    lines: Sequence[str] = ()


@dataclass(frozen=True)
class SketchPlan:
    global_positive_styles: Sequence[str] = ()
    global_negative_styles: Sequence[str] = ()
    sections: Sequence[SketchSection] = ()

    @property
    def duration_ms(self) -> int:
        return sum(s.duration_ms for s in self.sections)


_KIND_WORDS = (
    ("prechorus", ("pre-chorus", "prechorus", "pre chorus", "build", "lift", "riser")),
    ("chorus", ("chorus", "hook", "refrain", "drop")),
    ("verse", ("verse", "rap")),
    ("bridge", ("bridge", "middle 8", "middle eight")),
    ("intro", ("intro", "opening", "prelude")),
    ("outro", ("outro", "ending", "coda", "fade", "end")),
    ("break", ("break", "instrumental", "solo", "interlude")),
)


def section_kind(name: str, index: int, count: int) -> str:
    """intro/verse/prechorus/chorus/bridge/break/outro, from the name or the position."""
    lowered = name.lower()
    for kind, words in _KIND_WORDS:
        if any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", lowered) for w in words):
            return kind
    if count >= 3 and index == 0:
        return "intro"
    if count >= 3 and index == count - 1:
        return "outro"
    return "verse" if index % 2 == (1 if count >= 3 else 0) else "chorus"
