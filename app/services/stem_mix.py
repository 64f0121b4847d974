"""A song's stems as the player and the export use them: decoded to one rate and length,
mixed with some stems muted or soloed, and written as WAV files (with marker files)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.api.music_stems import StemFile
from app.audio.clip import AudioClip
from app.audio.decode import decode_bytes
from app.audio.encode import write_wav
from app.domain.formats import OutputFormat
from app.services.daw_markers import SectionMark, marker_file_names, write_marker_files

# Letters and digits of any script stay (a Japanese title names its files too); the
# rest, including every character a file system refuses, does not.
_UNSAFE = re.compile(r"[^\w .-]+")


@dataclass(frozen=True)
class StemSet:
    """Stems of one song: names in the server's order, float32 (frames, channels) each."""

    names: tuple[str, ...]
    samples: dict[str, np.ndarray]
    sample_rate_hz: int

    @property
    def frames(self) -> int:
        return next(iter(self.samples.values())).shape[0] if self.samples else 0


def decode_stems(files: Sequence[StemFile], output_format: str,
                 cancelled: Callable[[], bool] = lambda: False) -> StemSet:
    """Decode each stem (headerless formats need `output_format`); all at the first
    stem's rate and channels, padded to the longest."""
    fmt = OutputFormat.parse(output_format)
    clips = []
    for stem in files:
        if cancelled():
            raise InterruptedError("stems decoding stopped")
        clips.append(decode_bytes(stem.data, fmt))
    if not clips:
        raise ValueError("no stems to decode")
    rate, channels = clips[0].sample_rate_hz, clips[0].channels
    frames = max(c.frames for c in clips)
    samples: dict[str, np.ndarray] = {}
    for stem, clip in zip(files, clips, strict=True):
        x = clip.samples
        if clip.sample_rate_hz != rate:
            positions = np.arange(round(len(x) * rate / clip.sample_rate_hz))
            x = np.stack([np.interp(positions * clip.sample_rate_hz / rate,
                                    np.arange(len(x)), x[:, c]) for c in range(x.shape[1])],
                         axis=1)
        if x.shape[1] != channels:
            x = np.repeat(x.mean(axis=1, keepdims=True), channels, axis=1)
        padded = np.zeros((frames, channels), np.float32)
        padded[:len(x)] = x[:frames]
        samples[stem.name] = padded
    return StemSet(tuple(s.name for s in files), samples, rate)


def audible(names: Sequence[str], muted: Collection[str], soloed: Collection[str]
            ) -> list[str]:
    """The stems heard: the soloed ones if any are, else all but the muted ones."""
    if soloed:
        return [n for n in names if n in soloed]
    return [n for n in names if n not in muted]


def mix(stems: StemSet, names: Collection[str]) -> AudioClip:
    """The sum of the named stems (silence when none)."""
    total = np.zeros((stems.frames, next(iter(stems.samples.values())).shape[1]), np.float32)
    for name in stems.names:
        if name in names:
            total += stems.samples[name]
    return AudioClip(total, stems.sample_rate_hz)


def free_prefix(folder: Path, title: str, stem_names: Sequence[str], with_sections: bool
                ) -> str:
    """The song's name for its files ("<title> - drums.wav", "<title> - markers.mid"),
    made safe for file names, with " (2)", " (3)"... when a file of that name is already
    in `folder`: an earlier export (another version of the same song) is never replaced."""
    base = " ".join(_UNSAFE.sub(" ", title).split())[:60].strip(" .") or "Song"
    for n in range(1, 1000):
        prefix = base if n == 1 else f"{base} ({n})"
        names = [_stem_file_name(prefix, s) for s in stem_names]
        names += marker_file_names(prefix, with_sections)
        if not any((folder / name).exists() for name in names):
            return prefix
    raise FileExistsError(f"{folder} already holds 999 exports of “{base}”")


def _stem_file_name(prefix: str, stem: str) -> str:
    return f"{prefix} - {_UNSAFE.sub('_', stem)}.wav"


def export_stems(stems: StemSet, folder: Path, title: str, marks: Sequence[SectionMark],
                 tempo_bpm: float, cancelled: Callable[[], bool] = lambda: False) -> list[Path]:
    """One WAV a stem ("<title> - drums.wav") and the marker files ("<title> -
    markers.mid"...), in `folder` (a MIDI file with the tempo even when there are no
    sections: a DAW still gets the grid). Files already there are kept: the names get a
    number instead (free_prefix).

    Runs in a worker thread, which cannot be killed: `cancelled` is asked before each
    file, and a stop removes the stems already written (InterruptedError)."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix = free_prefix(folder, title, stems.names, bool(marks))
    written: list[Path] = []
    partial: Path | None = None
    try:
        for name in stems.names:
            if cancelled():
                raise InterruptedError("stems export stopped")
            path = folder / _stem_file_name(prefix, name)
            partial = path.with_name(path.name + ".partial")
            write_wav(str(partial), AudioClip(stems.samples[name], stems.sample_rate_hz))
            partial.replace(path)
            partial = None
            written.append(path)
        if cancelled():
            raise InterruptedError("stems export stopped")
        length_ms = round(stems.frames * 1000 / stems.sample_rate_hz)
        return written + write_marker_files(folder, marks, tempo_bpm, length_ms, prefix)
    except BaseException:
        # A disk that fills up half-way must not leave half a set of stems (which a DAW
        # would import as the song) or a .partial file: the export is all or nothing.
        for leftover in [*written, *([partial] if partial is not None else [])]:
            leftover.unlink(missing_ok=True)
        raise


__all__ = ["StemSet", "audible", "decode_stems", "export_stems", "free_prefix", "mix"]
