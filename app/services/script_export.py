"""Delivery: a script's chosen takes into a folder, as the window's Export and the
command line's `render` write it.

    <title>.wav                      all chosen takes joined, `gap_ms` apart, loudness
                                     matched to `target_lufs` (ITU-R BS.1770, pyloudnorm)
    blocks/01_Speaker_first-words.mp3  each chosen take, as generated (not re-encoded)
    <title>.srt, <title>.vtt         captions from the takes' word timings, placed where
                                     each take sits in the joined file

Decoding, joining and writing happen in a worker thread (`export_script` is async).
Files are written atomically; existing files of the same names are replaced. The worker
thread cannot be killed: `stopped` is asked between blocks, and an export stopped or
failing half-way removes the files it had written (never a half delivery in the folder).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.audio.clip import AudioClip
from app.audio.decode import decode_file
from app.audio.errors import AudioDecodeError
from app.domain.formats import OutputFormat
from app.domain.script import Script
from app.domain.script_delivery import (
    Placed,
    block_file_name,
    caption_cues,
    chosen_takes,
    place,
    safe_part,
)
from app.domain.subtitles import to_srt, to_vtt
from app.domain.wording import plural
from app.library.atomic import atomic_write_bytes, atomic_write_text
from app.library.bounded_read import NotRegularFileError
from app.library.stoppable_write import copy_file


@dataclass(frozen=True, slots=True)
class ExportOptions:
    gap_ms: int | None = None  # None: the script's
    target_lufs: float | None = None  # None: the script's
    joined: bool = True
    per_block: bool = True
    captions: bool = True


@dataclass
class ExportSummary:
    folder: Path
    files: list[Path] = field(default_factory=list)
    blocks: int = 0
    missing: list[str] = field(default_factory=list)  # block ids with text but no take
    joined_duration_ms: int = 0
    loudness_lufs: float | None = None
    target_lufs: float | None = None
    placed: list[Placed] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"Wrote {plural(len(self.files), 'file')} to {self.folder}:"]
        lines += [f"  {p.relative_to(self.folder)}" for p in self.files]
        if self.joined_duration_ms:
            seconds = self.joined_duration_ms / 1000
            loud = (f", loudness {self.loudness_lufs:.1f} LUFS"
                    if self.loudness_lufs is not None else "")
            lines.append(f"{plural(self.blocks, 'block')}, {seconds:.1f} s in all{loud}.")
            if (self.loudness_lufs is not None and self.target_lufs is not None
                    and self.loudness_lufs < self.target_lufs - 0.5):
                lines.append(f"(Quieter than the {self.target_lufs:g} LUFS asked for, so that "
                             "the loudest peaks do not clip.)")
        if self.missing:
            one = len(self.missing) == 1
            lines.append(f"{plural(len(self.missing), 'block')} {'has' if one else 'have'} no "
                         f"chosen take and {'was' if one else 'were'} left out.")
        return "\n".join(lines)


class ExportError(Exception):
    """Nothing could be delivered; the message says why and what to do."""


class ExportStopped(Exception):
    """The user stopped the export: the files it had written are removed."""


Progress = Callable[[int, int, str], None]  # (done, total, what: "Reading", "Writing")


def _never() -> bool:
    return False


def _resampled(clip: AudioClip, rate: int) -> np.ndarray:
    mono = clip.mono().samples[:, 0]
    if clip.sample_rate_hz == rate:
        return mono
    import soxr

    return np.asarray(soxr.resample(mono, clip.sample_rate_hz, rate), dtype=np.float32)


def match_loudness(samples: np.ndarray, rate: int, target_lufs: float
                   ) -> tuple[np.ndarray, float | None]:
    """Gain the samples to the target integrated loudness; peaks are kept under full
    scale (then the result is a little quieter than asked). Returns the samples and
    their measured loudness afterwards (None when too short to measure)."""
    import pyloudnorm

    meter = pyloudnorm.Meter(rate)
    if samples.size < int(0.4 * rate):
        return samples, None
    loudness = meter.integrated_loudness(samples.astype(np.float64))
    if not np.isfinite(loudness):
        return samples, None
    gained = samples * (10 ** ((target_lufs - loudness) / 20))
    peak = float(np.max(np.abs(gained))) if gained.size else 0.0
    if peak > 0.98:
        gained = gained * (0.98 / peak)
    after = meter.integrated_loudness(gained.astype(np.float64))
    return gained.astype(np.float32), float(after) if np.isfinite(after) else None


def _wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    import soundfile

    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(samples, -1.0, 1.0), rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def export_blocking(script: Script, takes_dir: Path, folder: Path,
                    options: ExportOptions | None = None, *,
                    stopped: Callable[[], bool] = _never,
                    progress: Progress | None = None) -> ExportSummary:
    return _export(script, takes_dir, folder, options or ExportOptions(), stopped,
                   progress or (lambda _d, _t, _w: None))


def _export(script: Script, takes_dir: Path, folder: Path, options: ExportOptions,
            stopped: Callable[[], bool], progress: Progress) -> ExportSummary:
    gap_ms = script.gap_ms if options.gap_ms is None else max(0, options.gap_ms)
    target = script.target_lufs if options.target_lufs is None else options.target_lufs
    found, missing = chosen_takes(script)
    if not found:
        raise ExportError("No block has a chosen take yet: generate the script first.")
    summary = ExportSummary(folder, missing=[b.block_id for b in missing], target_lufs=target)
    clips: list[AudioClip] = []
    for number, (block, take) in enumerate(found, 1):
        if stopped():
            raise ExportStopped("Export stopped: nothing was written.")
        progress(number - 1, len(found), "Reading")
        path = takes_dir / take.file
        if not path.is_file():
            raise ExportError(f"The audio of {block.speaker}'s line \"{block.text[:40]}\" is "
                              f"missing ({path}); regenerate that block.")
        try:
            clips.append(decode_file(path, OutputFormat.parse(take.output_format)))
        except (AudioDecodeError, ValueError) as exc:  # (ValueError: an unknown format)
            raise ExportError(f"The audio of {block.speaker}'s line \"{block.text[:40]}\" "
                              f"cannot be read ({exc}); regenerate that block.") from exc
    rate = max(c.sample_rate_hz for c in clips)
    mono = [_resampled(c, rate) for c in clips]
    durations = [len(m) * 1000 // rate for m in mono]
    summary.placed = place([(b, t, d) for (b, t), d in zip(found, durations, strict=True)],
                           gap_ms)
    summary.blocks = len(found)
    base = safe_part(script.title, 60) or "script"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        _write(takes_dir, folder, options, summary, mono, rate, gap_ms, target,
               base, stopped, progress)
    except BaseException:
        for path in summary.files:  # complete files, but half a delivery: none of it
            path.unlink(missing_ok=True)
        summary.files.clear()
        with contextlib.suppress(OSError):  # (only when empty: the user's files stay)
            (folder / "blocks").rmdir()
        raise
    return summary


def _write(takes_dir: Path, folder: Path, options: ExportOptions,
           summary: ExportSummary, mono: list[np.ndarray], rate: int, gap_ms: int,
           target: float, base: str, stopped: Callable[[], bool],
           progress: Progress) -> None:
    def check() -> None:
        if stopped():
            raise ExportStopped("Export stopped: the files it had written were removed.")

    total = len(summary.placed)
    check()
    progress(0, total, "Writing")
    if options.joined:
        gap = np.zeros(gap_ms * rate // 1000, np.float32)
        pieces: list[np.ndarray] = []
        for index, samples in enumerate(mono):
            if index:
                pieces.append(gap)
            pieces.append(samples)
        joined = np.concatenate(pieces)
        joined, summary.loudness_lufs = match_loudness(joined, rate, target)
        summary.joined_duration_ms = len(joined) * 1000 // rate
        summary.files.append(atomic_write_bytes(folder / f"{base}.wav",
                                                _wav_bytes(joined, rate)))
    if options.per_block:
        for done, item in enumerate(summary.placed):
            check()
            progress(done, total, "Writing")
            extension = Path(item.take.file).suffix.lstrip(".") or "audio"
            name = block_file_name(item.number, total, item.block.speaker,
                                   item.block.text, extension)
            # Copied in pieces, never read whole, from an ordinary file only: the take
            # may have been swapped for a folder or a named pipe since it was decoded.
            source = takes_dir / item.take.file
            try:
                summary.files.append(copy_file(source, folder / "blocks" / name))
            except OSError as exc:
                why = str(exc) if isinstance(exc, NotRegularFileError) else (
                    exc.strerror or str(exc))
                raise ExportError(f"The audio of {item.block.speaker}'s line "
                                  f"\"{item.block.text[:40]}\" ({source.name}) cannot be "
                                  f"copied: {why}; regenerate that block.") from exc
    check()
    if options.captions:
        cues = caption_cues(summary.placed)
        summary.files.append(atomic_write_text(folder / f"{base}.srt", to_srt(cues)))
        summary.files.append(atomic_write_text(folder / f"{base}.vtt", to_vtt(cues)))
    check()  # (stopped while the captions were written: they go too)


async def export_script(script: Script, takes_dir: Path, folder: Path,
                        options: ExportOptions | None = None, *,
                        stopped: Callable[[], bool] = _never,
                        progress: Progress | None = None) -> ExportSummary:
    """Write the delivery (see the module docstring) off the event loop."""
    return await asyncio.to_thread(export_blocking, script, Path(takes_dir), Path(folder),
                                   options, stopped=stopped, progress=progress)
