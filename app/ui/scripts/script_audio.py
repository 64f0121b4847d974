"""The audio side of playing a script, without Qt: takes decoded and laid end to end,
and where each spoken word is in time and in the text.

`build_timeline` runs in a worker thread (decoding); `Timeline.word_at` answers the
player bar's 16 ms position ticks cheaply (bisect).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.script import Take
from app.domain.word_timing import word_spans

if TYPE_CHECKING:  # numpy and the decoders load in the worker thread, with the first play
    from app.audio.clip import AudioClip


@dataclass(frozen=True)
class Segment:
    block_id: str
    start_ms: int
    end_ms: int
    text: str  # the take's text: the words' character spans refer to it
    spans: tuple[tuple[int, int, int, int], ...] = ()  # (start ms, end ms, char from, to)


@dataclass
class Timeline:
    clip: AudioClip | None
    segments: list[Segment] = field(default_factory=list)

    def index_at(self, ms: int) -> int | None:
        """Which part (counted from 0) is heard at `ms`; None in a gap or past the end."""
        starts = [s.start_ms for s in self.segments]
        index = bisect.bisect_right(starts, ms) - 1
        if index < 0 or ms >= self.segments[index].end_ms:
            return None
        return index

    def segment_at(self, ms: int) -> Segment | None:
        index = self.index_at(ms)
        return None if index is None else self.segments[index]

    def word_at(self, ms: int) -> tuple[Segment, tuple[int, int] | None] | None:
        """The segment playing at `ms` and the characters of the word being spoken
        (None between words)."""
        segment = self.segment_at(ms)
        if segment is None:
            return None
        local = ms - segment.start_ms
        starts = [span[0] for span in segment.spans]
        index = bisect.bisect_right(starts, local) - 1
        if index >= 0 and local < segment.spans[index][1]:
            return segment, (segment.spans[index][2], segment.spans[index][3])
        return segment, None


def build_timeline(parts: Sequence[tuple[str, Take, Path]], gap_ms: int) -> Timeline:
    """Decode each (block id, take, file) and join them with `gap_ms` of silence, at the
    first take's sample rate and the widest channel count. Raises on unreadable audio."""
    import numpy as np

    from app.audio.clip import AudioClip
    from app.audio.decode import decode_file
    from app.domain.formats import OutputFormat

    clips = []
    for _block_id, take, path in parts:
        fmt = OutputFormat.parse(take.output_format) if take.output_format else None
        clips.append(decode_file(path, fmt))
    if not clips:
        raise ValueError("nothing to play: no block has a chosen take yet")
    rate = clips[0].sample_rate_hz
    channels = max(c.channels for c in clips)
    pieces: list[np.ndarray] = []
    segments: list[Segment] = []
    position = 0  # frames
    gap = np.zeros((rate * gap_ms // 1000, channels), np.float32)
    for index, ((block_id, take, _path), clip) in enumerate(zip(parts, clips, strict=True)):
        samples = _resampled(clip.samples, clip.sample_rate_hz, rate)
        if samples.shape[1] < channels:
            samples = np.repeat(samples[:, :1], channels, axis=1)
        if index:
            pieces.append(gap)
            position += gap.shape[0]
        start_ms = position * 1000 // rate
        pieces.append(samples)
        position += samples.shape[0]
        segments.append(Segment(block_id, start_ms, position * 1000 // rate, take.text,
                                word_spans(take.text, take.alignment)))
    return Timeline(AudioClip(np.concatenate(pieces), rate), segments)


def _resampled(samples: Any, from_hz: int, to_hz: int) -> Any:
    if from_hz == to_hz:
        return samples
    import soxr

    return soxr.resample(samples, from_hz, to_hz)
