"""The engine's own sketches, remembered by song id so their layers can be rendered again:
stem separation of an engine sketch returns its real layers, not an estimate.

What is kept is the recipe, not the audio: the `Song` (its plan, the seed it rendered
with, instrumental or not, the voice that sang it, the store its kept sections came
from) and a fingerprint of the mix (its RMS a FINGERPRINT_FRAMES window at a time,
a few hundred floats a minute). At most MAX_SKETCHES songs, the oldest forgotten first.

Stem separation gets a file, not a song id (the API's form has none), so the file is
recognised by its audio: a sketch of the same length (within MAX_LENGTH_SLACK_S, for a
codec's padding) whose fingerprint correlates at least MIN_ENVELOPE_CORRELATION is
rendered again in layers (`Song.blocks(layered=True)`), lined up with the file (a lag
of at most MAX_LAG_FRAMES, by cross-correlation) and scaled to it (least squares below 8 kHz);
it is accepted only when the file minus the re-rendered mix is at most
MAX_MATCH_RESIDUAL of the file's energy (so an MP3 of the sketch matches, other
music never does). The layers are then the stems, and the last stem is the file minus
the others, so they add up to the file exactly (what the file's codec changed lands in
that last stem: other, or instrumental for two stems).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from app.engine.music_instruments import LAYERS
from app.engine.music_songs import RENDER_RATE_HZ, Song

FINGERPRINT_FRAMES = 4096
MAX_SKETCHES = 64
MAX_LENGTH_SLACK_S = 0.25
MIN_ENVELOPE_CORRELATION = 0.98
MAX_LAG_FRAMES = 4096
GAIN_BAND_HZ = 8000.0
LEVEL_SPAN_S = 30
MAX_MATCH_RESIDUAL = 0.03  # about -15 dB: MP3 at 128 kbps stays well under it
MAX_EXACT_SECONDS = 6 * 60  # longer songs: the approximation (memory: 6 layers a song)


def envelope_of(mono: np.ndarray) -> np.ndarray:
    """The RMS of each whole FINGERPRINT_FRAMES window."""
    n = len(mono) // FINGERPRINT_FRAMES
    if n == 0:
        return np.zeros(0, np.float32)
    windows = np.asarray(mono[:n * FINGERPRINT_FRAMES], np.float64).reshape(n, -1)
    return np.sqrt(np.mean(windows ** 2, axis=1)).astype(np.float32)


class Fingerprint:
    """A song's envelope, gathered block by block as it is rendered."""

    def __init__(self) -> None:
        self._tail = np.zeros(0, np.float32)
        self._parts: list[np.ndarray] = []
        self.frames = 0

    def add(self, block: np.ndarray) -> None:
        self.frames += len(block)
        joined = np.concatenate([self._tail, np.asarray(block, np.float32)])
        whole = len(joined) // FINGERPRINT_FRAMES * FINGERPRINT_FRAMES
        self._parts.append(envelope_of(joined[:whole]))
        self._tail = joined[whole:]

    def envelope(self) -> np.ndarray:
        return np.concatenate(self._parts) if self._parts else np.zeros(0, np.float32)


@dataclass(frozen=True)
class SketchRecipe:
    song: Song
    frames: int  # at RENDER_RATE_HZ
    envelope: np.ndarray


def _best_lag(x: np.ndarray, m: np.ndarray) -> int:
    """k such that x[t] ~ m[t - k], |k| <= MAX_LAG_FRAMES (over the first 10 s)."""
    n = min(len(x), len(m), 10 * RENDER_RATE_HZ)
    if n < 16:
        return 0
    size = 1 << int(np.ceil(np.log2(2 * n)))
    cc = np.fft.irfft(np.fft.rfft(x[:n], size) * np.conj(np.fft.rfft(m[:n], size)), size)
    lag = min(MAX_LAG_FRAMES, n - 1)
    candidates = np.concatenate([cc[:lag + 1], cc[size - lag:]])
    best = int(np.argmax(candidates))
    return best if best <= lag else best - (lag * 2 + 1)


def _level(x: np.ndarray, mix: np.ndarray) -> float:
    """The gain that best scales `mix` to `x`, measured below GAIN_BAND_HZ: a codec's
    low-pass (MP3 cuts above ~16 kHz) must not read as a quieter file. Over the first
    LEVEL_SPAN_S (one level for a whole sketch; a long song's spectrum is not needed)."""
    n = min(len(x), len(mix), LEVEL_SPAN_S * RENDER_RATE_HZ)
    spectrum_x = np.fft.rfft(x[:n].astype(np.float64))
    spectrum_m = np.fft.rfft(mix[:n])
    band = np.fft.rfftfreq(n, 1.0 / RENDER_RATE_HZ) < GAIN_BAND_HZ
    energy = float(np.sum(np.abs(spectrum_m[band]) ** 2))
    if energy <= 0:
        return 1.0
    return float(np.real(np.sum(spectrum_x[band] * np.conj(spectrum_m[band])))) / energy


def _shifted(layers: np.ndarray, lag: int, frames: int) -> np.ndarray:
    out = np.zeros((layers.shape[0], frames), np.float32)
    lo, hi = max(0, lag), min(frames, layers.shape[1] + lag)
    if hi > lo:
        out[:, lo:hi] = layers[:, lo - lag:hi - lag]
    return out


class SketchRegistry:
    """The recipes of the engine's latest sketches, by song id (thread-safe)."""

    def __init__(self, max_sketches: int = MAX_SKETCHES) -> None:
        self._max = max_sketches
        self._recipes: OrderedDict[str, SketchRecipe] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, song: Song, fingerprint: Fingerprint) -> None:
        recipe = SketchRecipe(song, fingerprint.frames, fingerprint.envelope())
        with self._lock:
            self._recipes[song.song_id] = recipe
            self._recipes.move_to_end(song.song_id)
            while len(self._recipes) > self._max:
                self._recipes.popitem(last=False)

    def get(self, song_id: str) -> SketchRecipe | None:
        with self._lock:
            return self._recipes.get(song_id)

    def _candidates(self, frames: int, envelope: np.ndarray) -> Iterator[SketchRecipe]:
        with self._lock:
            recipes = list(reversed(self._recipes.values()))  # the newest first
        for recipe in recipes:
            if abs(recipe.frames - frames) > MAX_LENGTH_SLACK_S * RENDER_RATE_HZ:
                continue
            n = min(len(envelope), len(recipe.envelope))
            a, b = envelope[:n].astype(np.float64), recipe.envelope[:n].astype(np.float64)
            norm = float(np.linalg.norm(a) * np.linalg.norm(b))
            if n and norm > 0 and float(a @ b) / norm >= MIN_ENVELOPE_CORRELATION:
                yield recipe

    def exact_layers(self, mono: np.ndarray, rate: int) -> np.ndarray | None:
        """The layers (len(LAYERS), len(mono)) of the sketch `mono` is (at `rate`),
        lined up with and scaled to it; None when it is not one of ours (blocking)."""
        if rate <= 0 or len(mono) > MAX_EXACT_SECONDS * rate or len(mono) == 0:
            return None
        x = np.asarray(mono, np.float32)
        if rate != RENDER_RATE_HZ:
            import soxr

            x = soxr.resample(x, rate, RENDER_RATE_HZ).astype(np.float32)
        for recipe in self._candidates(len(x), envelope_of(x)):
            layers = _render_layers(recipe.song)
            lag = _best_lag(x.astype(np.float64), layers.sum(axis=0, dtype=np.float64))
            aligned = _shifted(layers, lag, len(x))
            mix = aligned.sum(axis=0, dtype=np.float64)
            energy = float(mix @ mix)
            if energy <= 0:
                continue
            gain = _level(x, mix)
            residual = x - gain * mix
            if float(residual @ residual) > MAX_MATCH_RESIDUAL * float(x @ x):
                continue
            aligned *= np.float32(gain)
            if rate != RENDER_RATE_HZ:
                import soxr

                aligned = np.stack([_fit(soxr.resample(layer, RENDER_RATE_HZ, rate),
                                         len(mono)) for layer in aligned])
            return aligned
        return None


def _fit(x: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, np.float32)
    out[:min(n, len(x))] = x[:n]
    return out


def _render_layers(song: Song) -> np.ndarray:
    blocks: Iterable[np.ndarray] = song.blocks(layered=True)
    parts = list(blocks)
    if not parts:
        return np.zeros((len(LAYERS), 0), np.float32)
    return np.concatenate(parts, axis=1)


def stems_from_layers(mix: np.ndarray, layers: np.ndarray, names: tuple[str, ...]
                      ) -> dict[str, np.ndarray]:
    """The stems `names` (a variation) from a sketch's layers, each (frames, 1) float32;
    the last one is the mix minus the others, so they add up to `mix` exactly."""
    stems: dict[str, np.ndarray] = {}
    for name in names[:-1]:
        stems[name] = layers[LAYERS.index(name)] if name in LAYERS \
            else np.zeros(len(mix), np.float32)
    rest = np.asarray(mix, np.float64) - sum((s.astype(np.float64) for s in stems.values()),
                                             np.zeros(len(mix)))
    stems[names[-1]] = rest.astype(np.float32)
    return {name: np.asarray(s, np.float32)[:, None] for name, s in stems.items()}


__all__ = ["FINGERPRINT_FRAMES", "Fingerprint", "SketchRecipe", "SketchRegistry",
           "envelope_of", "stems_from_layers"]
