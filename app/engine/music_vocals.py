"""The sung lines of a music sketch: each line voiced in its slot of its section, and the
music ducked under the voice. Any text-to-speech callable can sing (`VoiceLines`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from app.engine.music_sketch_plan import SketchPlan

_DUCK_GAIN = 0.6  # the music under a sung line (about -4.4 dB)
_VOCAL_PEAK = 0.75

VoiceLines = Callable[[str], tuple[np.ndarray, int]]


def voice_track(plan: SketchPlan, bounds: list[int], rate: int, voice_lines: VoiceLines,
                 bpm_of: Callable[[int], int]) -> np.ndarray:
    track = np.zeros(bounds[-1], np.float32)
    for index, section in enumerate(plan.sections):
        start, end = bounds[index], bounds[index + 1]
        track[start:end] += voice_section(section.lines, end - start, rate, voice_lines,
                                          bpm_of(index))
    return track


def voice_section(lines: Sequence[str], span: int, rate: int, voice_lines: VoiceLines,
                  bpm: int) -> np.ndarray:
    """One section's sung lines as a mono track of `span` frames, each line in its slot."""
    import soxr

    track = np.zeros(span, np.float32)
    lines = [line.strip() for line in lines if line and line.strip()]
    if not lines:
        return track
    slot = span // len(lines)
    lead_in = min(round(rate * 60.0 / bpm), slot // 5)
    for i, line in enumerate(lines):
        samples, line_rate = voice_lines(line)
        voice = np.asarray(samples, dtype=np.float32).reshape(-1)
        if not voice.size or line_rate <= 0:
            continue
        if line_rate != rate:
            voice = soxr.resample(voice, line_rate, rate).astype(np.float32)
        room = slot - lead_in - int(0.05 * rate)
        if room <= 0:
            continue
        if len(voice) > room:
            voice = voice[:room].copy()
            n = min(len(voice), int(0.03 * rate))
            voice[-n:] *= np.linspace(1.0, 0.0, n, dtype=np.float32)
        peak = float(np.max(np.abs(voice))) if voice.size else 0.0
        if peak > 0:
            voice *= np.float32(_VOCAL_PEAK / peak)
        at = i * slot + lead_in
        track[at: at + len(voice)] += voice
    return track


def duck_envelope(vocals: np.ndarray, rate: int) -> np.ndarray:
    """1.0 where no one sings, _DUCK_GAIN under the voice, with ~60 ms slopes.

    Worked out on 10 ms blocks (held through the gaps between words), then interpolated.
    """
    n = len(vocals)
    block = max(1, rate // 100)
    blocks = -(-n // block)
    padded = np.zeros(blocks * block, np.float32)
    padded[:n] = np.abs(vocals)
    active = (padded.reshape(blocks, block).max(axis=1) > 1e-4).astype(np.float32)
    held = (np.convolve(active, np.ones(25, np.float32), mode="same") > 0).astype(np.float32)
    smooth = np.convolve(held, np.ones(6, np.float32) / 6, mode="same")
    gain = (1.0 - (1.0 - _DUCK_GAIN) * smooth).astype(np.float32)
    # Linear steps from each block's gain to the next one's, a block at a time.
    ends = np.append(gain[1:], gain[-1])
    ramp = np.arange(block, dtype=np.float32) / np.float32(block)
    frames = gain[:, None] + (ends - gain)[:, None] * ramp[None, :]
    return frames.reshape(-1)[:n]


def espeak_voice_lines(voice_name: str = "en-us") -> VoiceLines:
    """A `voice_lines` callable speaking through the engine's espeak-ng."""
    from app.engine.espeak import Espeak, Prosody

    espeak = Espeak()

    def speak(text: str) -> tuple[np.ndarray, int]:
        result = espeak.synthesize(text, voice_name, Prosody(rate_wpm=150, pitch_range=80))
        return result.samples.astype(np.float32) / np.float32(32768.0), result.sample_rate_hz

    return speak


__all__ = ["VoiceLines", "duck_envelope", "espeak_voice_lines", "voice_section", "voice_track"]
