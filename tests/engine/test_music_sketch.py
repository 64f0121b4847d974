"""The music sketcher: exact lengths, distinct sections, tempo, determinism, lyrics."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from app.engine.music_hints import parse_hints
from app.engine.music_planner import (
    MAX_SECTIONS,
    SECTION_MAX_MS,
    SECTION_MIN_MS,
    plan_from_prompt,
)
from app.engine.music_sketch import VoiceLines, render_plan
from app.engine.music_sketch_plan import SketchPlan, SketchSection, section_kind
from tests.support.spec import schema_named, validate_against

RATE = 22050  # half the default rate keeps the tests quick; one test uses 44.1 kHz


def plan_of(*sections: tuple[str, int], styles: tuple[str, ...] = ("pop", "A minor"),
            lines: dict[int, tuple[str, ...]] | None = None) -> SketchPlan:
    lines = lines or {}
    return SketchPlan(styles, (), tuple(SketchSection(name, ms, lines=lines.get(i, ()))
                                        for i, (name, ms) in enumerate(sections)))


def band_energy(x: np.ndarray, rate: int, lo: float, hi: float) -> float:
    mono = x.mean(axis=1) if x.ndim == 2 else x
    spectrum = np.abs(np.fft.rfft(mono)) ** 2
    freqs = np.fft.rfftfreq(len(mono), 1.0 / rate)
    return float(spectrum[(freqs >= lo) & (freqs < hi)].sum() / len(mono))


def onset_times(x: np.ndarray, rate: int) -> np.ndarray:
    """Sharp rises of high-frequency energy (drum hits, plucks), in seconds."""
    hp = np.diff(x.mean(axis=1))
    hop = rate // 200
    n = len(hp) // hop
    env = (hp[: n * hop].reshape(n, hop) ** 2).sum(axis=1)
    flux = np.maximum(0.0, np.diff(np.log(env + 1e-9)))
    threshold = flux.mean() + 2 * flux.std()
    peaks = [i for i in range(1, len(flux) - 1)
             if flux[i] > threshold and flux[i] >= flux[max(0, i - 8): i + 8].max()]
    return np.array(peaks) * hop / rate


# --- hints ---------------------------------------------------------------------------


def test_parse_hints_reads_tempo_key_instruments_and_mood() -> None:
    h = parse_hints(["120 bpm", "A minor", "piano", "synth", "drums", "dark"])
    assert (h.bpm, h.key_root, h.mode, h.mood) == (120, 9, "minor", "dark")
    assert {"piano", "synth", "drums"} <= h.instruments
    assert parse_hints(["F# major"]).key_root == 6
    assert parse_hints(["Bb"]).key_root == 10 and parse_hints(["Bb"]).mode == "major"
    assert parse_hints(["upbeat"]).tempo_bpm > parse_hints(["calm"]).tempo_bpm
    assert parse_hints(["dark"]).minor and not parse_hints(["upbeat"]).minor
    assert parse_hints(["lofi hip hop"]).mood == "lofi"
    no_drums = parse_hints(["piano", "no drums"])
    assert "drums" in no_drums.excluded and "drums" not in no_drums.instruments
    assert parse_hints(["a major label sound"]).key_root is None
    assert parse_hints([]).tempo_bpm == 100


def test_section_kinds_from_names_and_positions() -> None:
    assert section_kind("Intro", 0, 5) == "intro"
    assert section_kind("Verse 2", 3, 5) == "verse"
    assert section_kind("Pre-Chorus", 2, 5) == "prechorus"
    assert section_kind("Final Chorus", 4, 6) == "chorus"
    assert section_kind("Bridge", 3, 5) == "bridge"
    assert section_kind("Outro", 4, 5) == "outro"
    assert section_kind("Part A", 0, 4) == "intro" and section_kind("Part D", 3, 4) == "outro"


# --- rendering -------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [RATE, 44100, 48000])
def test_length_is_exact_to_the_millisecond(rate: int) -> None:
    rng = random.Random(rate)
    durations = [rng.randint(3000, 9000) for _ in range(4)]  # odd milliseconds included
    names = ["Intro", "Verse", "Chorus", "Outro"]
    plan = plan_of(*zip(names, durations, strict=True))
    audio = render_plan(plan, sample_rate_hz=rate, seed=1)
    assert audio.shape == (round(sum(durations) * rate / 1000), 2)
    assert audio.dtype == np.float32
    assert render_plan(plan_of(("Verse", 3001)), sample_rate_hz=rate, seed=2).shape[0] == \
        round(3001 * rate / 1000)
    assert render_plan(plan_of(), sample_rate_hz=rate).shape == (0, 2)


def test_sections_start_exactly_at_their_boundary() -> None:
    # The outro fades to silence at its end, then the chorus comes in with a kick.
    plan = plan_of(("Outro", 3001), ("Chorus", 3333), styles=("pop", "drums", "120 bpm"))
    audio = render_plan(plan, sample_rate_hz=RATE, seed=3)
    boundary = round(3001 * RATE / 1000)
    before = np.abs(audio[boundary - RATE // 100: boundary]).max()
    after = np.abs(audio[boundary: boundary + RATE // 20]).max()
    assert before < 0.01 and after > 0.1
    assert np.abs(audio[boundary - 1]).max() < 0.005  # not a sample of the chorus before it


def test_sections_sound_different() -> None:
    names = ["Intro", "Verse", "Chorus", "Bridge", "Outro"]
    plan = plan_of(*[(n, 6000) for n in names], styles=("pop", "110 bpm", "A minor"))
    audio = render_plan(plan, sample_rate_hz=RATE, seed=4)
    span = 6 * RATE
    features = []
    for i in range(len(names)):
        part = audio[i * span + RATE // 4: (i + 1) * span - RATE // 4]
        rms = float(np.sqrt(np.mean(part ** 2)))
        bands = np.array([band_energy(part, RATE, lo, hi) for lo, hi in
                          ((20, 150), (150, 600), (600, 2500), (2500, 10000))])
        features.append((rms, bands / bands.sum()))
    for (rms_a, bands_a), (rms_b, bands_b) in itertools.pairwise(features):
        louder = max(rms_a, rms_b) / min(rms_a, rms_b)
        shape = float(np.abs(bands_a - bands_b).sum())
        assert louder > 1.15 or shape > 0.15, (rms_a, rms_b, bands_a, bands_b)
    # The intro has no drums; the chorus is the fullest.
    assert features[0][1][3] < features[2][1][3]
    assert features[2][0] == max(f[0] for f in features)


def test_tempo_hint_sets_the_onset_spacing() -> None:
    spacings = {}
    for bpm in (80, 160):
        plan = plan_of(("Verse", 8000), styles=("drums", f"{bpm} bpm"))
        onsets = onset_times(render_plan(plan, sample_rate_hz=RATE, seed=5), RATE)
        assert len(onsets) > 8
        spacings[bpm] = float(np.median(np.diff(onsets)))
        assert spacings[bpm] == pytest.approx(30.0 / bpm, abs=0.01)  # eighth notes
    assert spacings[80] == pytest.approx(2 * spacings[160], rel=0.05)


def test_same_seed_same_audio() -> None:
    plan = plan_of(("Intro", 3000), ("Chorus", 4000))
    a = render_plan(plan, sample_rate_hz=RATE, seed=11)
    b = render_plan(plan, sample_rate_hz=RATE, seed=11)
    c = render_plan(plan, sample_rate_hz=RATE, seed=12)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_no_clipping_even_when_everything_plays() -> None:
    styles = ("energetic", "edm", "drums", "bass", "synth", "piano", "strings", "140 bpm")
    plan = plan_of(("Chorus", 5000), ("Drop", 5000), styles=styles,
                   lines={0: ("loud line",), 1: ("another loud line",)})

    def shout(text: str) -> tuple[np.ndarray, int]:
        return np.ones(16000, np.float32), 16000  # a full-scale voice

    audio = render_plan(plan, sample_rate_hz=RATE, seed=6, voice_lines=shout)
    assert np.isfinite(audio).all()
    assert 0.5 < np.abs(audio).max() <= 0.99


def test_renders_three_minutes() -> None:
    # Its speed (≥ 36× real time) is figure 6d of `python -m benchmarks`, not timed here.
    plan = plan_from_prompt("upbeat pop song with piano and drums", 180_000, seed=1)
    audio = render_plan(plan, seed=1)
    assert audio.shape == (180 * 44100, 2)
    assert np.isfinite(audio).all() and 0.1 < np.abs(audio).max() <= 0.99


# --- lyrics ----------------------------------------------------------------------------


def fake_voice(calls: list[str]) -> VoiceLines:
    def voice(text: str) -> tuple[np.ndarray, int]:
        """A buzzy 'voice' with energy from 200 Hz to 3 kHz, one second a line."""
        calls.append(text)
        rate = 16000
        t = np.arange(rate) / rate
        k = np.arange(1, 16)[:, None]
        wave = (np.sin(2 * np.pi * 200 * k * t) / k).sum(axis=0)
        return (0.3 * wave).astype(np.float32), rate

    return voice


def test_lyrics_are_voiced_over_their_section() -> None:
    calls: list[str] = []
    plan = plan_of(("Verse", 6000), ("Outro", 4000), lines={0: ("first line", "second line")})
    sung = render_plan(plan, sample_rate_hz=RATE, seed=7, voice_lines=fake_voice(calls))
    bare = render_plan(plan, sample_rate_hz=RATE, seed=7)
    assert calls == ["first line", "second line"]
    verse = slice(0, 6 * RATE)
    assert band_energy(sung[verse], RATE, 300, 3400) > 2 * band_energy(bare[verse], RATE, 300, 3400)
    # Each line starts in its half of the verse.
    loud = np.abs(sung[verse] - bare[verse] * (np.abs(sung).max() / np.abs(bare).max())).mean(1)
    assert loud[: 3 * RATE].max() > 0.1 and loud[3 * RATE:].max() > 0.1
    # Nothing is sung in the outro (it has no lines): there the music is only rescaled.
    outro = slice(6 * RATE + RATE // 2, 10 * RATE)
    ratio = np.dot(sung[outro].ravel(), bare[outro].ravel()) / np.dot(
        bare[outro].ravel(), bare[outro].ravel())
    assert np.abs(sung[outro] - ratio * bare[outro]).max() < 1e-4


def test_long_lines_are_cut_to_fit_their_section() -> None:
    def long_voice(text: str) -> tuple[np.ndarray, int]:
        return np.full(10 * 8000, 0.5, np.float32), 8000  # ten seconds for one line

    plan = plan_of(("Verse", 3000), ("Intro", 4000), lines={0: ("a very long line",)})
    sung = render_plan(plan, sample_rate_hz=RATE, seed=8, voice_lines=long_voice)
    bare = render_plan(plan, sample_rate_hz=RATE, seed=8)
    after = slice(3 * RATE + RATE // 4, 7 * RATE)
    ratio = np.dot(sung[after].ravel(), bare[after].ravel()) / np.dot(
        bare[after].ravel(), bare[after].ravel())
    assert np.abs(sung[after] - ratio * bare[after]).max() < 1e-4


def test_instrumental_ignores_lines() -> None:
    calls: list[str] = []
    plan = plan_of(("Verse", 4000), lines={0: ("la la la",)})
    instrumental = render_plan(plan, sample_rate_hz=RATE, seed=9, instrumental=True,
                               voice_lines=fake_voice(calls))
    assert calls == []
    assert np.array_equal(instrumental, render_plan(plan, sample_rate_hz=RATE, seed=9))


def test_real_speech_can_voice_the_lines() -> None:
    from app.engine.music_sketch import espeak_voice_lines

    plan = plan_of(("Chorus", 4000), lines={0: ("Hold on to the feeling",)})
    sung = render_plan(plan, sample_rate_hz=RATE, seed=10, voice_lines=espeak_voice_lines())
    bare = render_plan(plan, sample_rate_hz=RATE, seed=10)
    assert band_energy(sung, RATE, 300, 3400) > band_energy(bare, RATE, 300, 3400)


# --- plans from prompts ---------------------------------------------------------------------


def as_music_prompt(plan: SketchPlan) -> dict[str, object]:
    return {
        "positive_global_styles": list(plan.global_positive_styles),
        "negative_global_styles": list(plan.global_negative_styles),
        "sections": [{"section_name": s.name, "positive_local_styles": list(s.positive_styles),
                      "negative_local_styles": list(s.negative_styles),
                      "duration_ms": s.duration_ms, "lines": list(s.lines)}
                     for s in plan.sections],
    }


@pytest.mark.parametrize("length_ms", [3000, 5999, 6000, 7001, 12_345, 30_000, 61_234,
                                       179_999, 240_000, 600_000])
def test_plan_from_prompt_honours_length_and_limits(length_ms: int) -> None:
    plan = plan_from_prompt("a dreamy synthwave track", length_ms, seed=1)
    assert plan.duration_ms == length_ms
    assert 1 <= len(plan.sections) <= MAX_SECTIONS
    assert all(SECTION_MIN_MS <= s.duration_ms <= SECTION_MAX_MS for s in plan.sections)
    validate_against(schema_named("MusicPrompt"), as_music_prompt(plan))


def test_plan_from_prompt_defaults_and_styles() -> None:
    plan = plan_from_prompt("dark lofi hip hop with piano, no drums", None, seed=3)
    assert plan.duration_ms == 30_000
    styles = " ".join(plan.global_positive_styles)
    assert "lofi" in styles and "piano" in styles and "bpm" in styles
    assert "drums" in plan.global_negative_styles
    assert next(s.name for s in plan.sections) == "Intro"
    assert all(not s.lines for s in plan.sections)
    assert plan_from_prompt("a 2 minute rock song", None, seed=1).duration_ms == 120_000
    assert plan_from_prompt("jazz in E minor at 90 bpm", None, seed=1).global_positive_styles[
        -2:] == ("90 bpm", "E minor")
    assert plan_from_prompt("x", 10**9, seed=1).duration_ms == 600_000
    assert plan_from_prompt("x", 1, seed=1).duration_ms == 3000
    assert plan_from_prompt("pop", 60_000, seed=5) == plan_from_prompt("pop", 60_000, seed=5)


def test_plan_from_prompt_writes_lines_only_when_vocals_are_asked_for() -> None:
    sung = plan_from_prompt("a happy pop song about summer with female vocals", 60_000, seed=1)
    assert any(s.lines for s in sung.sections)
    assert all(len(line) <= 200 for s in sung.sections for line in s.lines)
    instrumental = plan_from_prompt("instrumental pop, no vocals", 60_000, seed=1)
    assert all(not s.lines for s in instrumental.sections)
    assert "vocals" in instrumental.global_negative_styles
