"""Marker files a DAW imports: where each section starts, and the song's tempo.

    markers.mid           a type-0 MIDI file: the tempo, and one marker a section
                          (DAWs put MIDI markers on their timeline when importing it)
    markers_audacity.txt  Audacity labels: "start<TAB>end<TAB>name", seconds
    markers_reaper.csv    Reaper's Region/Marker Manager list: one region a section
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import mido

DEFAULT_TEMPO_BPM = 120.0
TICKS_PER_BEAT = 480
_BPM = re.compile(r"(\d{2,3}(?:\.\d+)?)\s*bpm\b", re.IGNORECASE)


@dataclass(frozen=True)
class SectionMark:
    name: str
    start_ms: int
    end_ms: int


def tempo_from_styles(styles: Sequence[str]) -> float:
    """The tempo a style names ("120 bpm"), else DEFAULT_TEMPO_BPM."""
    for style in styles:
        found = _BPM.search(style)
        if found and 30 <= float(found.group(1)) <= 300:
            return float(found.group(1))
    return DEFAULT_TEMPO_BPM


def midi_markers(marks: Sequence[SectionMark], tempo_bpm: float) -> mido.MidiFile:
    """A MIDI file with the tempo and a marker at each section's start (exact ticks)."""
    midi = mido.MidiFile(type=0, ticks_per_beat=TICKS_PER_BEAT)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    tempo = mido.bpm2tempo(tempo_bpm)
    track.append(mido.MetaMessage("set_tempo", tempo=tempo, time=0))
    track.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    now = 0
    for mark in marks:
        tick = round(mido.second2tick(mark.start_ms / 1000, TICKS_PER_BEAT, tempo))
        track.append(mido.MetaMessage("marker", text=mark.name, time=max(0, tick - now)))
        now = max(now, tick)
    end = round(mido.second2tick((marks[-1].end_ms if marks else 0) / 1000, TICKS_PER_BEAT,
                                 tempo))
    track.append(mido.MetaMessage("end_of_track", time=max(0, end - now)))
    return midi


def audacity_labels(marks: Sequence[SectionMark]) -> str:
    return "".join(f"{m.start_ms / 1000:.6f}\t{m.end_ms / 1000:.6f}\t{_one_line(m.name)}\n"
                   for m in marks)


def reaper_regions(marks: Sequence[SectionMark]) -> str:
    rows = ["#,Name,Start,End,Length"]
    for i, m in enumerate(marks, 1):
        name = _one_line(m.name).replace('"', "'")
        rows.append(f'R{i},"{name}",{m.start_ms / 1000:.3f},{m.end_ms / 1000:.3f},'
                    f"{(m.end_ms - m.start_ms) / 1000:.3f}")
    return "\n".join(rows) + "\n"


def write_marker_files(folder: Path, marks: Sequence[SectionMark], tempo_bpm: float
                       ) -> list[Path]:
    """The three marker files in `folder`; their paths."""
    paths = [folder / "markers.mid", folder / "markers_audacity.txt",
             folder / "markers_reaper.csv"]
    midi_markers(marks, tempo_bpm).save(str(paths[0]))
    paths[1].write_text(audacity_labels(marks), encoding="utf-8")
    paths[2].write_text(reaper_regions(marks), encoding="utf-8")
    return paths


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "Section"


__all__ = ["SectionMark", "audacity_labels", "midi_markers", "reaper_regions",
           "tempo_from_styles", "write_marker_files"]
