"""DAW marker files read back as a DAW would: the MIDI with mido (tempo, markers to the
nearest tick, its length), the Audacity labels split on tabs and the Reaper region list
parsed as CSV; no sections, one section, names in any script or with commas, quotes and
tabs, a fractional tempo."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import mido
import pytest

from app.services.daw_markers import (
    AUDACITY_FILE,
    DEFAULT_TEMPO_BPM,
    MIDI_FILE,
    REAPER_FILE,
    TICKS_PER_BEAT,
    SectionMark,
    named_tempo,
    reaper_regions,
    tempo_from_styles,
    write_marker_files,
)

MARKS = [SectionMark("Intro", 0, 3000), SectionMark("Verse", 3000, 7250),
         SectionMark("Chorus", 7250, 11000)]


def read_midi(path: Path) -> tuple[list[float], list[tuple[str, float]], float]:
    """(tempos in BPM, [(marker, seconds)], length in seconds) as a DAW would see them."""
    midi = mido.MidiFile(str(path), charset="utf-8")
    tempos = [mido.tempo2bpm(m.tempo) for m in midi.tracks[0] if m.type == "set_tempo"]
    seconds, markers = 0.0, []
    for message in midi:  # delta times in seconds, by the file's own tempo
        seconds += message.time
        if message.type == "marker":
            markers.append((message.text, seconds))
    return tempos, markers, midi.length


def read_reaper(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def half_tick_s(bpm: float) -> float:
    return 60 / bpm / TICKS_PER_BEAT / 2 + 1e-9


def test_three_sections_in_all_three_files(tmp_path: Path) -> None:
    written = write_marker_files(tmp_path, MARKS, 100.0, length_ms=12_000)
    assert [p.name for p in written] == [MIDI_FILE, AUDACITY_FILE, REAPER_FILE]
    tempos, markers, length = read_midi(tmp_path / MIDI_FILE)
    assert tempos == [pytest.approx(100.0)]
    assert [name for name, _s in markers] == ["Intro", "Verse", "Chorus"]
    assert [s for _n, s in markers] == pytest.approx([0.0, 3.0, 7.25], abs=half_tick_s(100))
    assert length == pytest.approx(12.0, abs=half_tick_s(100))  # the song, not the last mark
    labels = [line.split("\t") for line in
              (tmp_path / AUDACITY_FILE).read_text(encoding="utf-8").splitlines()]
    assert labels == [["0.000000", "3.000000", "Intro"], ["3.000000", "7.250000", "Verse"],
                      ["7.250000", "11.000000", "Chorus"]]
    rows = read_reaper(tmp_path / REAPER_FILE)
    assert rows[0] == ["#", "Name", "Start", "End", "Length"]
    assert rows[1:] == [["R1", "Intro", "0.000", "3.000", "3.000"],
                        ["R2", "Verse", "3.000", "7.250", "4.250"],
                        ["R3", "Chorus", "7.250", "11.000", "3.750"]]


def test_no_sections_still_gives_the_tempo(tmp_path: Path) -> None:
    written = write_marker_files(tmp_path, [], 96.0, length_ms=8_000)
    assert written == [tmp_path / MIDI_FILE]  # empty label lists would only mislead
    assert not (tmp_path / AUDACITY_FILE).exists() and not (tmp_path / REAPER_FILE).exists()
    tempos, markers, length = read_midi(tmp_path / MIDI_FILE)
    assert tempos == [pytest.approx(96.0)] and markers == []
    assert length == pytest.approx(8.0, abs=half_tick_s(96))
    assert reaper_regions([]) == "#,Name,Start,End,Length\n"


def test_one_section(tmp_path: Path) -> None:
    write_marker_files(tmp_path, [SectionMark("Whole song", 0, 5_500)], 120.0)
    _tempos, markers, length = read_midi(tmp_path / MIDI_FILE)
    assert markers == [("Whole song", 0.0)]
    assert length == pytest.approx(5.5, abs=half_tick_s(120))
    assert read_reaper(tmp_path / REAPER_FILE)[1:] == [
        ["R1", "Whole song", "0.000", "5.500", "5.500"]]


@pytest.mark.parametrize(("name", "one_line"), [
    ("Refrão", "Refrão"),
    ("サビ", "サビ"),
    ("Strophe ² — 🎵", "Strophe ² — 🎵"),
    ('Verse, "big" one', 'Verse, "big" one'),
    ("Bridge\twith\ttabs", "Bridge with tabs"),
    ("Two\nlines\r\n", "Two lines"),
    ("a,b,,c", "a,b,,c"),
    ('"', '"'),
    ("  ", "Section"),
])
def test_any_name_reads_back_the_same_in_every_file(tmp_path: Path, name: str,
                                                    one_line: str) -> None:
    marks = [SectionMark("Intro", 0, 2000), SectionMark(name, 2000, 4000)]
    write_marker_files(tmp_path, marks, 120.0)
    _tempos, markers, _length = read_midi(tmp_path / MIDI_FILE)
    assert [n for n, _s in markers] == ["Intro", one_line]
    labels = (tmp_path / AUDACITY_FILE).read_text(encoding="utf-8").splitlines()
    assert labels[1].split("\t") == ["2.000000", "4.000000", one_line]
    rows = read_reaper(tmp_path / REAPER_FILE)
    assert [len(r) for r in rows] == [5, 5, 5]  # a comma or quote never adds a column
    assert rows[2] == ["R2", one_line, "2.000", "4.000", "2.000"]


def test_a_fractional_tempo_keeps_the_markers_on_time(tmp_path: Path) -> None:
    marks = [SectionMark("A", 0, 3_333), SectionMark("B", 3_333, 10_001),
             SectionMark("C", 10_001, 61_789)]
    write_marker_files(tmp_path, marks, 92.5)
    tempos, markers, length = read_midi(tmp_path / MIDI_FILE)
    assert tempos == [pytest.approx(92.5, abs=1e-4)]
    assert [s for _n, s in markers] == pytest.approx([0.0, 3.333, 10.001],
                                                     abs=half_tick_s(92.5))
    assert length == pytest.approx(61.789, abs=half_tick_s(92.5))


def test_the_files_are_replaced_not_appended(tmp_path: Path) -> None:
    write_marker_files(tmp_path, MARKS, 100.0)
    write_marker_files(tmp_path, MARKS[:1], 100.0)
    assert len(read_reaper(tmp_path / REAPER_FILE)) == 2
    assert len(read_midi(tmp_path / MIDI_FILE)[1]) == 1


@pytest.mark.parametrize(("texts", "bpm"), [
    (["pop", "100 bpm"], 100.0),
    (["92.5 BPM"], 92.5),
    (["a funky groove at 128bpm, then faster"], 128.0),
    (["1200 bpm"], None),  # no tempo, not "200 bpm"
    (["20 bpm", "90 bpm"], 90.0),  # out of range: the next one
    (["tempo 120"], None),
    ([], None),
])
def test_the_named_tempo(texts: list[str], bpm: float | None) -> None:
    assert named_tempo(texts) == bpm
    assert tempo_from_styles(texts) == (DEFAULT_TEMPO_BPM if bpm is None else bpm)


def test_the_reaper_list_is_plain_csv() -> None:
    text = reaper_regions([SectionMark('He said "go", then', 0, 1500)])
    assert list(csv.reader(io.StringIO(text)))[1] == ["R1", 'He said "go", then', "0.000",
                                                      "1.500", "1.500"]
    assert '"He said ""go"", then"' in text  # the quote doubled, as CSV has it
