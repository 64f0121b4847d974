"""The music sketch rendered a section at a time, for songs of any length.

`render_plan` holds the whole song (a 60-minute song is 1.3 GB of float32 stereo, and
its copies more): too much for a local service. `render_blocks` yields the song section
by section, so memory stays at one section (at most 2 minutes) and the first audio
leaves within a fraction of a second. The song's loudness cannot wait for its loudest
section, so each section gets the gain a loud chorus needs (REFERENCE_PEAK), lowered
only when the section itself is louder: quiet parts stay quiet, nothing clips.

`cancelled()` is checked before every section: a client that goes away stops the work
within one section's rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from app.engine.music_sketch import (
    _TARGET_PEAK,
    SAMPLE_RATE_HZ,
    VoiceLines,
    _duck_envelope,
    raw_sections,
    voice_section,
)
from app.engine.music_sketch_plan import SketchPlan

#: The raw peak of a full chorus (measured over the textures): sections up to it share
#: one gain, so the song keeps its dynamics without knowing its loudest section ahead.
REFERENCE_PEAK = 0.8


class RenderCancelled(Exception):
    """The client went away; the song was not finished."""


def _never() -> bool:
    return False


def render_blocks(plan: SketchPlan, sample_rate_hz: int = SAMPLE_RATE_HZ,
                  seed: int | None = None, instrumental: bool = False,
                  voice_lines: VoiceLines | None = None,
                  cancelled: Callable[[], bool] = _never) -> Iterator[tuple[int, np.ndarray]]:
    """The song as consecutive float32 stereo blocks (frames, 2), one per section, each
    with its section's index (sections of no length are skipped).

    Together they have exactly the frames `render_plan` gives, sections at the same
    boundaries, the same music up to each section's gain. Raises `RenderCancelled`.
    """
    rate = int(sample_rate_hz)
    sing = voice_lines is not None and not instrumental
    carry: np.ndarray | None = None  # the previous section's crossfade tail
    for raw in raw_sections(plan, rate, seed):
        if cancelled():
            raise RenderCancelled
        audio = raw.audio
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        audio *= np.float32(_TARGET_PEAK / max(peak, REFERENCE_PEAK))
        if carry is not None:
            audio[:, :carry.shape[1]] += carry
        carry = audio[:, raw.span:].copy() if raw.tail else None
        block = audio[:, :raw.span]
        lines = plan.sections[raw.index].lines
        if sing and voice_lines is not None and any(line.strip() for line in lines):
            vocals = voice_section(lines, raw.span, rate, voice_lines, raw.bpm)
            if np.any(vocals):
                block *= _duck_envelope(vocals, rate)[None, :]
                block += vocals[None, :]
        loudest = float(np.max(np.abs(block))) if block.size else 0.0
        if loudest > _TARGET_PEAK:
            block *= np.float32(_TARGET_PEAK / loudest)
        yield raw.index, np.ascontiguousarray(block.T)


__all__ = ["REFERENCE_PEAK", "RenderCancelled", "render_blocks"]
