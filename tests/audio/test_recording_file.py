"""A long recording read a span at a time (app/audio/recording_file.py): the span is
the file's own frames, and the strip's peaks of a span longer than a read chunk are
the same as those of the decoded span."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from app.audio.clip import AudioClip
from app.audio.peaks import SPAN_CHUNK_S, span_peaks
from app.audio.recording_file import RecordingFile

RATE = 800


def test_spans_and_their_peaks_come_from_the_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    frames = 3 * SPAN_CHUNK_S * RATE + 123
    samples = rng.uniform(-0.9, 0.9, (frames, 2)).astype(np.float32)
    path = tmp_path / "long.wav"
    sf.write(path, samples, RATE, subtype="FLOAT")
    recording = RecordingFile.open(path)
    assert (recording.frames, recording.channels, recording.sample_rate_hz) == (
        frames, 2, RATE)
    assert np.array_equal(recording.span(1000, 1500), samples[1000:1500])
    assert recording.span(frames - 10, frames + 10).shape == (10, 2)
    clip = AudioClip(samples, RATE)
    for start_ms, end_ms in [(-2000, 100_000), (5_000, frames * 1000 // RATE + 3000)]:
        assert np.array_equal(span_peaks(recording, start_ms, end_ms, 1200),
                              span_peaks(clip, start_ms, end_ms, 1200))
