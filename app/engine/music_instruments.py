"""The music sketcher's instruments: note and drum waveforms (additive synthesis, FM,
pitch-swept kicks, filtered noise) and the panned mix into a stereo buffer.

Split from `music_sketch` (the arranger): this module makes sounds, that one decides
which to play when. Which stem each instrument belongs to is `layer_of` here, so the
sketcher can render a song in layers (`LAYERS`) that add up exactly to its mix.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: The layers a sketch is rendered in, named as the six-stem separation names them
#: (six_stems_v1); the sung lines are the vocals, the engine's melodic instruments
#: that are neither piano nor guitar (pads, strings, synths, bells, plucks) are other.
LAYERS = ("vocals", "drums", "bass", "guitar", "piano", "other")
_LAYER_OF = {"kick": "drums", "snare": "drums", "hat": "drums", "bass": "bass",
             "guitar": "guitar", "piano": "piano"}


def layer_of(instrument: str) -> int:
    """The index in LAYERS of an instrument (or drum) name."""
    return LAYERS.index(_LAYER_OF.get(instrument, "other"))


def _midi_hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


class Voices:
    """Note and drum waveforms for one render, cached: songs repeat themselves."""

    def __init__(self, rate: int, rng: np.random.Generator, brightness: float, lofi: bool) -> None:
        self.rate = rate
        self.brightness = brightness
        self.lofi = lofi
        self._cache: dict[tuple[Any, ...], np.ndarray] = {}
        self._noise = rng.standard_normal(rate).astype(np.float32)

    def note(self, instrument: str, midi: int, frames: int,
             detune_cents: float = 0.0) -> np.ndarray:
        key = (instrument, midi, frames, detune_cents)
        wave = self._cache.get(key)
        if wave is None:
            wave = self._render(instrument, _midi_hz(midi + detune_cents / 100.0), frames)
            self._cache[key] = wave
        return wave

    def _additive(self, freq: float, frames: int, partials: int, rolloff: float,
                  decay: float, decay_growth: float, vibrato: float = 0.0) -> np.ndarray:
        t = np.arange(frames, dtype=np.float32) / np.float32(self.rate)
        k = np.arange(1, partials + 1, dtype=np.float32)
        k = k[k * freq < self.rate * 0.45]
        if not len(k):
            return np.zeros(frames, np.float32)
        rolloff = rolloff + (1.0 - self.brightness) * 1.2
        amps = k ** -rolloff
        decays = decay * (1.0 + decay_growth * (k - 1.0))
        phase = np.float32(2.0 * math.pi * freq) * t
        if vibrato:
            phase = phase + np.float32(vibrato) * np.sin(np.float32(2 * math.pi * 5.0) * t)
        partial_waves = np.sin(phase[:, None] * k[None, :])
        if decay > 0:
            partial_waves *= np.exp(-t[:, None] * decays[None, :])
        out = partial_waves @ amps
        return (out / np.float32(amps.sum())).astype(np.float32)

    def _envelope(self, frames: int, attack_s: float, release_s: float) -> np.ndarray:
        a = min(frames // 2, max(1, int(attack_s * self.rate)))
        r = min(frames - a, max(1, int(release_s * self.rate)))
        x = np.arange(frames, dtype=np.float32)
        return np.interp(x, [0, a, frames - r, frames - 1], [0.0, 1.0, 1.0, 0.0]).astype(np.float32)

    def _render(self, instrument: str, freq: float, frames: int) -> np.ndarray:
        frames = max(1, frames)
        if instrument == "pad":
            wave = self._additive(freq, frames, 7, 1.1, 0.0, 0.0)
            env = self._envelope(frames, min(0.35, frames / self.rate * 0.3), 0.3)
        elif instrument == "strings":
            wave = self._additive(freq, frames, 8, 1.0, 0.0, 0.0, vibrato=0.004 * freq / 5.0)
            env = self._envelope(frames, min(0.5, frames / self.rate * 0.35), 0.35)
        elif instrument == "piano":
            wave = self._additive(freq, frames, 8, 1.4, 1.6, 0.6)
            env = self._envelope(frames, 0.004, 0.08)
        elif instrument == "guitar":
            wave = self._additive(freq, frames, 10, 1.0, 3.0, 0.5)
            env = self._envelope(frames, 0.003, 0.05)
        elif instrument == "bells":
            t = np.arange(frames, dtype=np.float32) / np.float32(self.rate)
            mod = np.sin(np.float32(2 * math.pi * freq * 3.5) * t) * (2.0 * np.exp(-t * 6.0))
            wave = (np.sin(np.float32(2 * math.pi * freq) * t + mod) * np.exp(-t * 2.5))
            wave = wave.astype(np.float32)
            env = self._envelope(frames, 0.002, 0.05)
        elif instrument == "synth":
            t = np.arange(frames, dtype=np.float32) / np.float32(self.rate)
            index = 1.5 * self.brightness * np.exp(-t * 4.0) + 0.3
            mod = np.sin(np.float32(2 * math.pi * freq * 2.0) * t) * index
            wave = np.sin(np.float32(2 * math.pi * freq) * t + mod).astype(np.float32)
            env = self._envelope(frames, 0.006, 0.06) * np.exp(-t * 2.0)
        elif instrument == "bass":
            wave = self._additive(freq, frames, 4, 1.8, 0.8, 0.8)
            env = self._envelope(frames, 0.006, 0.06)
        else:  # "pluck"
            wave = self._additive(freq, frames, 9, 1.1, 5.0, 0.7)
            env = self._envelope(frames, 0.002, 0.04)
        return (wave * env).astype(np.float32)

    def drum(self, kind: str) -> np.ndarray:
        key = ("drum", kind)
        wave = self._cache.get(key)
        if wave is not None:
            return wave
        rate = self.rate
        if kind == "kick":
            n = int(0.45 * rate)
            t = np.arange(n, dtype=np.float32) / np.float32(rate)
            freq = 46.0 + 110.0 * np.exp(-t / 0.035)
            phase = np.cumsum(freq) * np.float32(2 * math.pi / rate)
            wave = np.sin(phase) * np.exp(-t / 0.22)
            wave[: int(0.002 * rate)] += self._noise[: int(0.002 * rate)] * 0.3
        elif kind == "snare":
            n = int(0.28 * rate)
            t = np.arange(n, dtype=np.float32) / np.float32(rate)
            noise = np.diff(self._noise[: n + 1])
            body = np.sin(np.float32(2 * math.pi * 190.0) * t) * np.exp(-t / 0.05)
            wave = 0.45 * noise * np.exp(-t / 0.09) + 0.7 * body
        else:  # "hat"
            n = int(0.07 * rate)
            t = np.arange(n, dtype=np.float32) / np.float32(rate)
            noise = np.diff(np.diff(self._noise[rate // 2: rate // 2 + n + 2]))
            wave = 0.35 * noise * np.exp(-t / 0.018)
        wave = wave.astype(np.float32)
        if self.lofi:
            wave = wave * np.float32(0.8)
        self._cache[key] = wave
        return wave


def add(buf: np.ndarray, wave: np.ndarray, at: int, gain: float, pan: float = 0.0) -> None:
    """Mix `wave` into the stereo `buf` (2, frames) at frame `at`, panned -1..1."""
    if at >= buf.shape[1] or gain == 0.0:
        return
    end = min(buf.shape[1], at + len(wave))
    if end <= at:
        return
    angle = (pan + 1.0) * math.pi / 4.0
    piece = wave[: end - at]
    buf[0, at:end] += piece * np.float32(gain * math.cos(angle))
    buf[1, at:end] += piece * np.float32(gain * math.sin(angle))


__all__ = ["LAYERS", "Voices", "add", "layer_of"]
