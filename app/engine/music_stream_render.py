"""The music sketch rendered a section at a time, for songs of any length.

`render_plan` holds the whole song (a 60-minute song is 1.3 GB of float32 stereo, and
its copies more): too much for a local service. `render_blocks` yields the song a few
bars at a time, so memory stays at about one section (at most 2 minutes) and the first
audio leaves within a fraction of a second. The song's loudness cannot wait for its
loudest section, so the whole song gets the gain a loud chorus needs (REFERENCE_PEAK),
lowered only for a block that is louder still: quiet parts stay quiet, nothing clips.

`cancelled()` is checked before every few bars: a client that goes away stops the work
at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from app.engine.music_sketch import LAYERS, SAMPLE_RATE_HZ, TARGET_PEAK, raw_pieces
from app.engine.music_sketch_plan import SketchPlan
from app.engine.music_vocals import VoiceLines, duck_envelope, voice_section

#: The raw peak of a full chorus (measured over the textures): sections up to it share
#: one gain, so the song keeps its dynamics without knowing its loudest section ahead.
REFERENCE_PEAK = 0.8
#: Bars rendered at a time (about 8 s at 120 bpm): the first audio is ready at once.
CHUNK_BARS = 4


class RenderCancelled(Exception):
    """The client went away; the song was not finished."""


def _never() -> bool:
    return False


class _Vocals:
    """One section's sung lines and the ducking under them, in song frames."""

    def __init__(self, start: int, track: np.ndarray, rate: int) -> None:
        self.start = start
        self.track = track
        self.duck = duck_envelope(track, rate)

    def apply(self, block: np.ndarray, block_start: int) -> None:
        """Duck and sing over the part of `block` (layers, 2, n) this section covers: the
        music layers ducked, the voice added to the first layer (the vocals when
        layered, the only one otherwise)."""
        lo = max(block_start, self.start)
        hi = min(block_start + block.shape[-1], self.start + len(self.track))
        if hi <= lo:
            return
        a, b = lo - self.start, hi - self.start
        piece = block[:, :, lo - block_start:hi - block_start]
        piece *= self.duck[a:b]
        piece[0] += self.track[None, a:b]


def render_blocks(plan: SketchPlan, sample_rate_hz: int = SAMPLE_RATE_HZ,
                  seed: int | None = None, instrumental: bool = False,
                  voice_lines: VoiceLines | None = None,
                  cancelled: Callable[[], bool] = _never,
                  chunk_bars: int = CHUNK_BARS, layered: bool = False) -> Iterator[np.ndarray]:
    """The song as consecutive float32 stereo blocks (frames, 2), a few bars each.

    Together they have exactly the frames `render_plan` gives, sections at the same
    boundaries, the same music at one fixed gain. Raises `RenderCancelled`.
    `layered`: blocks are (len(LAYERS), frames, 2), the song's layers (vocals, drums,
    bass, guitar, piano, other) with the same gains, ducking and limiting, so they add
    up to the unlayered block (up to float rounding).
    """
    rate = int(sample_rate_hz)
    sing = voice_lines is not None and not instrumental
    gain = np.float32(TARGET_PEAK / REFERENCE_PEAK)
    count = len(LAYERS) if layered else 1
    pending = np.zeros((count, 2, 0), np.float32)  # song frames from `base` on, not final
    base = 0
    vocals: _Vocals | None = None

    def finished(upto: int) -> np.ndarray:
        nonlocal pending, base
        block = pending[:, :, :upto - base] * gain
        pending = pending[:, :, upto - base:]
        if vocals is not None:
            vocals.apply(block, base)
        base = upto
        mix = block.sum(axis=0) if layered else block[0]
        loudest = float(np.max(np.abs(mix))) if mix.size else 0.0
        if loudest > TARGET_PEAK:  # louder than a full chorus: this block only, no clip
            block *= np.float32(TARGET_PEAK / loudest)
        if layered:
            return np.ascontiguousarray(block.transpose(0, 2, 1))
        return np.ascontiguousarray(block[0].T)

    for raw in raw_pieces(plan, rate, seed, chunk_bars, layered):
        if cancelled():
            raise RenderCancelled
        begin = raw.start + raw.at
        if raw.at == 0 and sing and voice_lines is not None:
            lines = plan.sections[raw.index].lines
            track = voice_section(lines, raw.span, rate, voice_lines, raw.bpm) \
                if any(line.strip() for line in lines) else None
            vocals = _Vocals(raw.start, track, rate) \
                if track is not None and np.any(track) else vocals
        audio = raw.audio if layered else raw.audio[None]
        end = begin + audio.shape[-1]
        if end - base > pending.shape[-1]:
            grown = np.zeros((count, 2, end - base), np.float32)
            grown[:, :, :pending.shape[-1]] = pending
            pending = grown
        pending[:, :, begin - base:end - base] += audio
        if raw.settled > base:  # no later piece reaches before this: that much is final
            yield finished(raw.settled)
    if pending.shape[-1]:
        yield finished(base + pending.shape[-1])


__all__ = ["REFERENCE_PEAK", "RenderCancelled", "render_blocks"]
