"""An approximate stem separation that needs no model: a documented, plain method.

Used by the local engine for audio it did not compose (and as a stand-in for the cloud's
model). Method: the harmonic/percussive split by median filtering of the spectrogram
(D. FitzGerald, "Harmonic/percussive separation using median filtering", DAFx 2010),
then frequency bands of the harmonic part:

    drums   the percussive part (a spectrogram peak across frequencies, short in time)
    bass    the harmonic part below 250 Hz
    vocals  the harmonic part from 250 Hz to 4 kHz (the band a singing voice fills; keys
            and guitars in that band come with it: it cannot tell instruments apart)
    guitar, piano   silent: telling instruments apart needs a trained model
    other   everything else: the mix minus the stems above

The last stem of every variation is the mix minus the others, so the stems always add
up to the mix exactly (up to the float rounding of a sum), whatever the filters did.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

STEM_VARIATIONS: dict[str, tuple[str, ...]] = {
    "two_stems_v1": ("vocals", "instrumental"),
    "six_stems_v1": ("vocals", "drums", "bass", "guitar", "piano", "other"),
}
DEFAULT_VARIATION = "six_stems_v1"

_N_FFT = 2048
_HOP = 512
_KERNEL = 17  # median filter length (frames in time for harmonic, bins for percussive)
_BASS_MAX_HZ = 250.0
_VOICE_MAX_HZ = 4000.0

Stopped = Callable[[], bool]


def _never() -> bool:
    return False


def _check(stopped: Stopped) -> None:
    """Between pieces: the work runs in a thread nobody can kill, so it ends itself once
    the one who asked has gone (a split of 10 minutes takes many seconds)."""
    if stopped():
        raise InterruptedError("stem separation stopped")


def _stft(x: np.ndarray, window: np.ndarray) -> np.ndarray:
    pad = np.pad(x, (_N_FFT, _N_FFT + _HOP))
    frames = sliding_window_view(pad, _N_FFT)[::_HOP]
    return np.fft.rfft(frames * window, axis=1)


def _istft(spec: np.ndarray, window: np.ndarray, length: int) -> np.ndarray:
    frames = np.fft.irfft(spec, n=_N_FFT, axis=1) * window
    total = (len(frames) - 1) * _HOP + _N_FFT
    out = np.zeros(total)
    norm = np.zeros(total)
    for i, frame in enumerate(frames):
        at = i * _HOP
        out[at:at + _N_FFT] += frame
        norm[at:at + _N_FFT] += window ** 2
    out /= np.maximum(norm, 1e-8)
    return out[_N_FFT:_N_FFT + length]


def _median(magnitude: np.ndarray, axis: int, stopped: Stopped = _never) -> np.ndarray:
    """A centred median filter of `_KERNEL` along `axis` (0 = time, 1 = frequency)."""
    half = _KERNEL // 2
    padded = np.pad(magnitude, [(half, half) if a == axis else (0, 0) for a in range(2)],
                    mode="edge")
    result = np.empty_like(magnitude)
    step = 256  # a slice at a time keeps the window view's copy small
    for lo in range(0, magnitude.shape[0], step):
        _check(stopped)
        hi = min(magnitude.shape[0], lo + step)
        if axis == 0:
            windows = sliding_window_view(padded[lo:hi + 2 * half], _KERNEL, axis=0)
        else:
            windows = sliding_window_view(padded[lo:hi], _KERNEL, axis=1)
        result[lo:hi] = np.median(windows, axis=-1)
    return result


def _channel_stems(x: np.ndarray, rate: int, names: tuple[str, ...],
                   stopped: Stopped = _never) -> dict[str, np.ndarray]:
    window = np.hanning(_N_FFT + 1)[:-1]
    _check(stopped)
    spec = _stft(x.astype(np.float64), window)
    magnitude = np.abs(spec)
    _check(stopped)
    harmonic = _median(magnitude, 0, stopped) ** 2
    _check(stopped)
    percussive = _median(magnitude, 1, stopped) ** 2
    harmonic_mask = harmonic / (harmonic + percussive + 1e-12)
    freqs = np.fft.rfftfreq(_N_FFT, 1.0 / rate)
    masks = {
        "drums": 1.0 - harmonic_mask,
        "bass": harmonic_mask * (freqs < _BASS_MAX_HZ)[None, :],
        "vocals": harmonic_mask * ((freqs >= _BASS_MAX_HZ) & (freqs < _VOICE_MAX_HZ))[None, :],
    }
    stems: dict[str, np.ndarray] = {}
    for name in names[:-1]:
        _check(stopped)
        mask = masks.get(name)
        stems[name] = (np.zeros(len(x)) if mask is None
                       else _istft(spec * mask, window, len(x)))
    stems[names[-1]] = x - sum(stems.values(), np.zeros(len(x)))
    return stems


def split_stems(samples: np.ndarray, rate: int, variation: str = DEFAULT_VARIATION,
                stopped: Stopped = _never) -> dict[str, np.ndarray]:
    """The stems of `samples` ((frames, channels) float), each shaped like it, float32.

    They sum to `samples` exactly by construction (the last stem is the remainder).
    `stopped()` is checked between pieces (each pass of a channel, each slice of the
    median filters); once true the split raises `InterruptedError`."""
    names = STEM_VARIATIONS[variation]
    audio = np.asarray(samples, dtype=np.float64)
    if audio.ndim == 1:
        audio = audio[:, None]
    per_channel = [_channel_stems(audio[:, c], rate, names, stopped)
                   for c in range(audio.shape[1])]
    return {name: np.stack([ch[name] for ch in per_channel], axis=1).astype(np.float32)
            for name in names}


def remainder_last(mix: np.ndarray, stems: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """`stems` with the last one replaced by the mix minus the others (exact sum)."""
    names = list(stems)
    result = dict(stems)
    others = sum((stems[n].astype(np.float64) for n in names[:-1]),
                 np.zeros(mix.shape, np.float64))
    result[names[-1]] = (mix.astype(np.float64) - others).astype(np.float32)
    return result


__all__ = ["DEFAULT_VARIATION", "STEM_VARIATIONS", "remainder_last", "split_stems"]
