"""Marker files a DAW imports: where each section starts, and the song's tempo.

    <song> - markers.mid           a type-0 MIDI file: the tempo, and one marker a section
                          (DAWs put MIDI markers on their timeline when importing it);
                          marker names in UTF-8 (Latin-1, MIDI's old default, has no
                          room for most of the world's section names)
    <song> - markers_audacity.txt  Audacity labels: "start<TAB>end<TAB>name", seconds
    <song> - markers_reaper.csv    Reaper's Region/Marker Manager list: one region a
                          section, "R<n>,<name>,<start>,<end>,<length>", seconds; the name
                          quoted as CSV quotes (a quote inside doubled)

The files are named after the song (as its stems are), so a second song exported into
the same folder keeps the first one's markers. Each is written whole under another name
and then renamed, so a failed export never leaves half a file.

A song without sections still gets the MIDI file, with the tempo alone: the other two
files would be empty. A name is one line in every file (tabs and line breaks become
spaces: Audacity splits on tabs, Reaper reads a row a line).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import mido

from app.library.atomic import AtomicFileWriter, atomic_write_text

DEFAULT_TEMPO_BPM = 120.0
TICKS_PER_BEAT = 480
# Not the tail of a longer number ("1200 bpm" is no tempo, not 200).
_BPM = re.compile(r"(?<![\d.])(\d{2,3}(?:\.\d+)?)\s*bpm\b", re.IGNORECASE)
MIN_BPM, MAX_BPM = 30.0, 300.0
CHARSET = "utf-8"
MIDI_FILE, AUDACITY_FILE, REAPER_FILE = ("markers.mid", "markers_audacity.txt",
                                         "markers_reaper.csv")


@dataclass(frozen=True)
class SectionMark:
    name: str
    start_ms: int
    end_ms: int


def named_tempo(texts: Sequence[str]) -> float | None:
    """The first tempo a style or prompt names ("120 bpm", "92.5 BPM"), or None."""
    for text in texts:
        for found in _BPM.finditer(text):
            if MIN_BPM <= float(found.group(1)) <= MAX_BPM:
                return float(found.group(1))
    return None


def tempo_from_styles(styles: Sequence[str]) -> float:
    """The tempo a style names ("120 bpm"), else DEFAULT_TEMPO_BPM."""
    found = named_tempo(styles)
    return DEFAULT_TEMPO_BPM if found is None else found


def midi_markers(marks: Sequence[SectionMark], tempo_bpm: float, length_ms: int = 0
                 ) -> mido.MidiFile:
    """A MIDI file with the tempo and a marker at each section's start (to the nearest
    tick), as long as the song (`length_ms`) or its last section, whichever is later."""
    midi = mido.MidiFile(type=0, ticks_per_beat=TICKS_PER_BEAT, charset=CHARSET)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    tempo = mido.bpm2tempo(tempo_bpm)
    track.append(mido.MetaMessage("set_tempo", tempo=tempo, time=0))
    track.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    now = 0
    for mark in marks:
        tick = round(mido.second2tick(mark.start_ms / 1000, TICKS_PER_BEAT, tempo))
        track.append(mido.MetaMessage("marker", text=_one_line(mark.name),
                                      time=max(0, tick - now)))
        now = max(now, tick)
    end_ms = max([length_ms, *(m.end_ms for m in marks)])
    end = round(mido.second2tick(end_ms / 1000, TICKS_PER_BEAT, tempo))
    track.append(mido.MetaMessage("end_of_track", time=max(0, end - now)))
    return midi


def audacity_labels(marks: Sequence[SectionMark]) -> str:
    return "".join(f"{m.start_ms / 1000:.6f}\t{m.end_ms / 1000:.6f}\t{_one_line(m.name)}\n"
                   for m in marks)


def reaper_regions(marks: Sequence[SectionMark]) -> str:
    rows = ["#,Name,Start,End,Length"]
    for i, m in enumerate(marks, 1):
        # Quoted whatever it holds, so a comma in a name never starts a new column.
        name = _one_line(m.name).replace('"', '""')
        rows.append(f'R{i},"{name}",{m.start_ms / 1000:.3f},{m.end_ms / 1000:.3f},'
                    f"{(m.end_ms - m.start_ms) / 1000:.3f}")
    return "\n".join(rows) + "\n"


def marker_file_names(prefix: str = "", with_sections: bool = True) -> list[str]:
    """The marker files' names for a song ("<prefix> - markers.mid", ...; the bare names
    without a prefix); only the MIDI file when there are no sections."""
    names = [MIDI_FILE, AUDACITY_FILE, REAPER_FILE] if with_sections else [MIDI_FILE]
    return [f"{prefix} - {name}" if prefix else name for name in names]


def write_marker_files(folder: Path, marks: Sequence[SectionMark], tempo_bpm: float,
                       length_ms: int = 0, prefix: str = "") -> list[Path]:
    """The marker files in `folder` (only the MIDI file without sections), named after
    `prefix` (the song); their paths."""
    paths = [folder / name for name in marker_file_names(prefix, bool(marks))]
    # Each written whole or not at all, with no temporary file left after a failure
    # (a full disk): the shared atomic writer.
    with AtomicFileWriter(paths[0]) as writer:
        midi_markers(marks, tempo_bpm, length_ms).save(file=writer)
    if marks:
        for path, text in zip(paths[1:], (audacity_labels(marks), reaper_regions(marks)),
                              strict=True):
            atomic_write_text(path, text, encoding=CHARSET)
    return paths


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "Section"


__all__ = ["AUDACITY_FILE", "CHARSET", "DEFAULT_TEMPO_BPM", "MIDI_FILE", "REAPER_FILE",
           "SectionMark", "audacity_labels", "marker_file_names", "midi_markers",
           "named_tempo", "reaper_regions", "tempo_from_styles", "write_marker_files"]
