"""Stems without a window: which are heard with mutes and solos, their mix, decoding them
to one rate, channel count and length, and the export (WAV files a stem, named after the
song, and the marker files)."""

from __future__ import annotations

import io
from pathlib import Path

import mido
import numpy as np
import pytest
import soundfile as sf

from app.api.music_stems import StemFile
from app.services.daw_markers import SectionMark
from app.services.stem_mix import StemSet, audible, decode_stems, export_stems, mix

NAMES = ("vocals", "drums", "bass", "other")
RATE = 8000


def stem_set(frames: int = 800, channels: int = 1) -> StemSet:
    rng = np.random.default_rng(7)
    samples = {n: (0.1 * rng.standard_normal((frames, channels))).astype(np.float32)
               for n in NAMES}
    return StemSet(NAMES, samples, RATE)


def wav(samples: np.ndarray, rate: int) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="WAV", subtype="FLOAT")
    return buffer.getvalue()


@pytest.mark.parametrize(("muted", "soloed", "heard"), [
    (set(), set(), list(NAMES)),
    ({"drums"}, set(), ["vocals", "bass", "other"]),
    ({"drums", "bass"}, set(), ["vocals", "other"]),
    (set(), {"drums"}, ["drums"]),
    ({"drums"}, {"drums"}, ["drums"]),  # solo wins over its own mute
    ({"vocals"}, {"bass", "drums"}, ["drums", "bass"]),  # the server's order
    (set(NAMES), set(), []),
    (set(), {"nothing like it"}, []),
])
def test_audible(muted: set[str], soloed: set[str], heard: list[str]) -> None:
    assert audible(NAMES, muted, soloed) == heard


def test_the_mix_is_the_sum_of_the_named_stems() -> None:
    stems = stem_set(channels=2)
    clip = mix(stems, {"drums", "bass"})
    assert clip.sample_rate_hz == RATE and clip.samples.shape == (800, 2)
    np.testing.assert_allclose(clip.samples, stems.samples["drums"] + stems.samples["bass"],
                               atol=1e-7)
    everything = sum(stems.samples[n].astype(np.float64) for n in NAMES)
    np.testing.assert_allclose(mix(stems, NAMES).samples, everything, atol=1e-6)
    silent = mix(stems, [])
    assert silent.samples.shape == (800, 2) and not silent.samples.any()


def test_decoding_brings_every_stem_to_the_first_ones_rate_channels_and_length() -> None:
    t = np.arange(RATE) / RATE
    tone = (0.2 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    files = [StemFile("vocals", "vocals.wav", wav(np.stack([tone, tone], axis=1), RATE)),
             StemFile("drums", "drums.wav", wav(tone[: RATE // 2], RATE)),  # shorter, mono
             StemFile("bass", "bass.wav", wav(tone[::2], RATE // 2))]  # half the rate
    stems = decode_stems(files, "pcm_8000")
    assert stems.names == ("vocals", "drums", "bass") and stems.sample_rate_hz == RATE
    assert {s.shape for s in stems.samples.values()} == {(RATE, 2)}
    drums = stems.samples["drums"]
    np.testing.assert_allclose(drums[: RATE // 2, 0], tone[: RATE // 2], atol=1e-6)
    assert not drums[RATE // 2:].any()  # padded with silence
    bass = stems.samples["bass"][: RATE - 2, 0]  # resampled back to the first rate
    np.testing.assert_allclose(bass, tone[: RATE - 2], atol=0.02)


def test_decoding_headerless_stems_needs_the_format() -> None:
    pcm = (np.full(400, 0.25) * 32767).astype("<i2").tobytes()
    stems = decode_stems([StemFile("other", "other.pcm", pcm)], "pcm_16000")
    assert stems.sample_rate_hz == 16000 and stems.frames == 400
    np.testing.assert_allclose(stems.samples["other"], 0.25, atol=1e-4)


def test_decoding_nothing_or_stopped() -> None:
    with pytest.raises(ValueError, match="no stems"):
        decode_stems([], "pcm_8000")
    one = [StemFile("vocals", "vocals.wav", wav(np.zeros(10, np.float32), RATE))]
    with pytest.raises(InterruptedError):
        decode_stems(one, "pcm_8000", cancelled=lambda: True)


def test_export_writes_a_wav_a_stem_and_the_markers(tmp_path: Path) -> None:
    stems = stem_set()
    marks = [SectionMark("Intro", 0, 50), SectionMark("Outro", 50, 100)]
    written = export_stems(stems, tmp_path / "out", "My song: take 2/3?", marks, 100.0)
    names = [p.name for p in written]
    assert names == [f"My song take 2 3 - {n}.wav" for n in NAMES] + [
        "My song take 2 3 - markers.mid", "My song take 2 3 - markers_audacity.txt",
        "My song take 2 3 - markers_reaper.csv"]
    for name in NAMES:
        data, rate = sf.read(str(tmp_path / "out" / f"My song take 2 3 - {name}.wav"),
                             dtype="float32", always_2d=True)
        assert rate == RATE and sf.info(str(written[0])).subtype == "PCM_16"
        np.testing.assert_allclose(data, stems.samples[name], atol=1 / 32767)
    assert not list((tmp_path / "out").glob("*.partial"))
    # The MIDI is as long as the stems (100 ms at 8 kHz), the song's grid in a DAW.
    assert mido.MidiFile(str(written[-3])).length == pytest.approx(0.1, abs=0.002)


def test_export_without_sections_writes_the_tempo_only(tmp_path: Path) -> None:
    written = export_stems(stem_set(), tmp_path, "Song", [], 120.0)
    assert [p.name for p in written][-1] == "Song - markers.mid"
    assert len(written) == len(NAMES) + 1


def test_a_second_export_into_the_same_folder_keeps_the_first(tmp_path: Path) -> None:
    """Another version of the same song, or another song named alike, exported into the
    same folder gets numbered names: nothing exported before is replaced."""
    marks = [SectionMark("Intro", 0, 50), SectionMark("Outro", 50, 100)]
    first = export_stems(stem_set(), tmp_path, "Song", marks, 100.0)
    before = {p: p.read_bytes() for p in first}
    second = export_stems(stem_set(), tmp_path, "Song", [SectionMark("Whole", 0, 100)], 90.0)
    assert [p.name for p in second] == [f"Song (2) - {n}.wav" for n in NAMES] + [
        "Song (2) - markers.mid", "Song (2) - markers_audacity.txt",
        "Song (2) - markers_reaper.csv"]
    assert all(p.read_bytes() == data for p, data in before.items())
    # A name taken by any one file (here the other song's markers alone) moves them all.
    (tmp_path / "Other - markers.mid").write_bytes(b"not ours")
    third = export_stems(stem_set(), tmp_path, "Other", [], 120.0)
    assert third[0].name == "Other (2) - vocals.wav"
    assert (tmp_path / "Other - markers.mid").read_bytes() == b"not ours"
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize(("title", "prefix"), [
    ("Canção do mar", "Canção do mar"),  # letters of any script are kept
    ("夏の歌", "夏の歌"),
    ("a<b>c:d\"e|f?g*h\\i", "a b c d e f g h i"),  # none a file system refuses
    ("...", "Song"),
    ("", "Song"),
    ("x" * 100, "x" * 60),
])
def test_file_names_from_the_title(tmp_path: Path, title: str, prefix: str) -> None:
    written = export_stems(stem_set(frames=10), tmp_path, title, [], 120.0)
    assert written[0].name == f"{prefix} - vocals.wav"
    assert written[0].exists()


def test_a_disk_that_fills_half_way_leaves_no_half_export(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The third stem's write fails (the disk is full): the two stems written before and
    the third's .partial were left, half a song that a DAW would import as the whole."""
    import app.services.stem_mix as stem_mix

    real_write = stem_mix.write_wav
    calls = []

    def write_until_full(path: str, clip: object) -> None:
        calls.append(path)
        real_write(path, clip)  # type: ignore[arg-type]
        if len(calls) == 3:
            raise OSError(28, "No space left on device")

    (tmp_path / "Kept.wav").write_bytes(b"the user's own file")
    monkeypatch.setattr(stem_mix, "write_wav", write_until_full)
    with pytest.raises(OSError, match="No space"):
        export_stems(stem_set(), tmp_path, "Song", [SectionMark("Intro", 0, 100)], 100.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Kept.wav"]
    monkeypatch.setattr(stem_mix, "write_wav", real_write)
    written = export_stems(stem_set(), tmp_path, "Song", [], 100.0)
    assert written[0].name == f"Song - {NAMES[0]}.wav"  # the name is free again
