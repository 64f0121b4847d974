"""The music sketcher: renders a composition plan as an audible draft, offline.

Not a generative model: a small arranger and synthesiser written with numpy. Each
section gets a texture from its kind (intro: a sparse pad; verse: plucked arpeggios
over soft drums; chorus: fuller chords, drums, bass and a lead; bridge: a different
progression at half time; outro: a fading pad), a chord progression in the key the
styles name, and a tempo from a "120 bpm" style (or one that suits the mood); the
styles are read by `app.engine.music_hints`. Lyric lines can be voiced over their
section by any text-to-speech callable.

Exact lengths: the song has round(total_ms * rate / 1000) frames and each section
starts exactly at round(start_ms * rate / 1000); the sections crossfade over the first
few milliseconds of the later one.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.engine.music_hints import Hints, section_hints, song_hints
from app.engine.music_instruments import LAYERS, Voices, add, layer_of
from app.engine.music_sketch_plan import SketchPlan, section_kind
from app.engine.music_vocals import (
    VoiceLines,
    duck_envelope,
    espeak_voice_lines,
    voice_section,
    voice_track,
)

SAMPLE_RATE_HZ = 44100

TARGET_PEAK = 0.89
_CROSSFADE_MS = 40


# --- arrangement -----------------------------------------------------------------------

_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_MINOR = (0, 2, 3, 5, 7, 8, 10)
# Scale degrees (0 = tonic), one chord a bar.
_PROGRESSIONS = {
    False: {"intro": (0, 3), "verse": (0, 4, 5, 3), "prechorus": (1, 3, 4, 4),
            "chorus": (3, 0, 4, 5), "bridge": (5, 1, 3, 4), "break": (0, 5, 3, 4),
            "outro": (3, 4, 0, 0)},
    True: {"intro": (0, 5), "verse": (0, 5, 2, 6), "prechorus": (3, 5, 6, 6),
           "chorus": (0, 3, 5, 4), "bridge": (3, 6, 2, 5), "break": (0, 6, 5, 6),
           "outro": (5, 6, 0, 0)},
}


@dataclass(frozen=True)
class _Texture:
    pad: float = 0.0
    chords: float = 0.0
    arp: float = 0.0
    bass: float = 0.0
    lead: float = 0.0
    kick: float = 0.0
    snare: float = 0.0
    hat: float = 0.0
    arp_per_beat: int = 2
    half_time: bool = False
    busy_bass: bool = False
    fade_in: bool = False
    fade_out: bool = False


_TEXTURES = {
    "intro": _Texture(pad=0.55, fade_in=True),
    "verse": _Texture(pad=0.18, arp=0.42, bass=0.32, kick=0.5, snare=0.22, hat=0.16),
    "prechorus": _Texture(pad=0.32, arp=0.36, bass=0.38, kick=0.6, snare=0.35, hat=0.24,
                          arp_per_beat=4),
    "chorus": _Texture(pad=0.42, chords=0.42, arp=0.16, bass=0.48, lead=0.3, kick=0.8,
                       snare=0.6, hat=0.3, busy_bass=True),
    "bridge": _Texture(pad=0.5, arp=0.34, bass=0.28, kick=0.5, snare=0.4, arp_per_beat=1,
                       half_time=True),
    "break": _Texture(pad=0.3, arp=0.5, bass=0.38, hat=0.26),
    "outro": _Texture(pad=0.5, chords=0.2, bass=0.18, fade_out=True),
}


def _texture_for(kind: str, hints: Hints) -> _Texture:
    t = _TEXTURES[kind]
    values: dict[str, Any] = dataclasses.asdict(t)
    inst, excl = hints.instruments, hints.excluded
    no_drums = "drums" in excl or (hints.mood == "dreamy" and "drums" not in inst)
    if no_drums:
        values.update(kick=0.0, snare=0.0, hat=0.0)
    elif "drums" in inst and kind in ("intro", "outro"):
        values.update(kick=0.35, hat=0.14)
    if "bass" in excl:
        values["bass"] = 0.0
    if "piano" in inst and kind in ("intro", "verse", "bridge") and values["chords"] == 0.0:
        values["chords"] = 0.26
    if hints.mood in ("calm", "sad", "dreamy", "lofi"):
        values["busy_bass"] = False
        values["snare"] = values["snare"] * 0.7
    if hints.mood == "energetic" and kind in ("verse", "chorus"):
        values["arp_per_beat"] = 4 if hints.tempo_bpm < 130 else 2
    return _Texture(**values)


def _instrument_choice(hints: Hints) -> dict[str, str]:
    inst = hints.instruments
    electronic = hints.genre in ("edm", "house", "techno", "trance", "synthwave", "electronic",
                                 "dubstep", "trap")
    return {
        "pad": "strings" if "strings" in inst or hints.mood == "epic" else "pad",
        "chords": ("piano" if "piano" in inst
                   else "synth" if "synth" in inst or electronic
                   else "guitar" if "guitar" in inst else "piano"),
        "arp": ("guitar" if "guitar" in inst else "bells" if "bells" in inst
                else "synth" if "synth" in inst or electronic else "pluck"),
        "lead": "synth" if "synth" in inst or electronic else "bells" if "bells" in inst
        else "pluck",
    }


def _chord(degree: int, root: int, minor: bool, center: int, size: int = 3) -> list[int]:
    scale = _MINOR if minor else _MAJOR
    notes = []
    for k in range(size):
        step = degree + 2 * k
        notes.append(root + scale[step % 7] + 12 * (step // 7))
    mean = sum(notes) / len(notes)
    shift = round((center - mean) / 12.0) * 12
    return [n + shift for n in notes]


@dataclass
class _SectionJob:
    kind: str
    hints: Hints
    frames: int  # the section's own span
    tail: int  # frames rendered past the span (crossfaded into the next section)


def _render_section(job: _SectionJob, key_root: int, minor: bool, voices: Voices,
                    rng: np.random.Generator, rate: int) -> np.ndarray:
    """The whole section, (2, frames + tail)."""
    buf = np.zeros((2, job.frames + job.tail), np.float32)
    for at, piece, _ in section_chunks(job, key_root, minor, voices, rng, rate):
        buf[:, at:at + piece.shape[1]] += piece
    return buf


def section_chunks(job: _SectionJob, key_root: int, minor: bool, voices: Voices,
                   rng: np.random.Generator, rate: int, chunk_bars: int | None = None,
                   layered: bool = False) -> Iterator[tuple[int, np.ndarray, int]]:
    """The section `chunk_bars` bars at a time (None: all at once) as (first frame,
    (2, n) audio, first frame of the next piece) pieces to add up: a piece also holds the
    notes ringing past its last bar (up to a bar and a second), so pieces overlap.
    `layered`: each piece is (len(LAYERS), 2, n), one layer an instrument group, the
    same notes and the same random draws (their sum is the unlayered piece)."""
    hints = job.hints
    tex = _texture_for(job.kind, hints)
    choice = _instrument_choice(hints)
    bpm = hints.tempo_bpm
    beat = rate * 60.0 / bpm
    bar = beat * 4
    total = job.frames + job.tail
    progression = _PROGRESSIONS[minor][job.kind]
    bars = math.ceil(total / bar)
    jazzy = hints.mood == "lofi" or hints.genre in ("jazz", "lofi", "lo-fi", "soul", "r&b", "rnb")
    size = 4 if jazzy else 3
    swing = 0.16 if hints.mood == "lofi" else 0.0
    arp_pattern = [int(v) for v in rng.permutation(4)] if job.kind == "break" else [0, 1, 2, 3]
    lead_rhythm = [(0.0, 1.0), (1.0, 0.5), (1.5, 0.5), (2.0, 1.5), (3.5, 0.5)]
    if rng.random() < 0.5:
        lead_rhythm = [(0.0, 1.5), (1.5, 0.5), (2.0, 1.0), (3.0, 1.0)]
    lead_step = 0

    def at(beats: float) -> int:
        if swing and abs(beats - math.floor(beats) - 0.5) < 1e-9:
            beats += swing / 2  # late off-beat eighths
        return round(beats * beat)

    env = np.ones(total, np.float32)
    if tex.fade_in:
        n = min(job.frames, round(bar))
        env[:n] = np.linspace(0.0, 1.0, n, dtype=np.float32) ** 2
    if tex.fade_out:
        n = job.frames
        env[:n] *= np.linspace(1.0, 0.0, n, dtype=np.float32) ** 1.5
        env[n:] = 0.0
    bars_per_piece = chunk_bars or bars
    overhang = round(bar) + rate
    for first_bar in range(0, bars, bars_per_piece):
        last_bar = min(bars, first_bar + bars_per_piece)
        lo = round(first_bar * 4.0 * beat)
        hi = total if last_bar == bars else min(total, round(last_bar * 4.0 * beat) + overhang)
        bufs = np.zeros((len(LAYERS) if layered else 1, 2, hi - lo), np.float32)

        def into(instrument: str, bufs: np.ndarray = bufs) -> np.ndarray:
            return bufs[layer_of(instrument)] if layered else bufs[0]

        for b in range(first_bar, last_bar):
            start_beat = b * 4.0
            degree = progression[b % len(progression)]
            if job.kind == "outro" and b >= bars - 1:
                degree = 0
            chord = _chord(degree, key_root, minor, 57, size)
            bass_root = _chord(degree, key_root, minor, 36, 1)[0]
            bar_frames = round(bar)
            origin = round(start_beat * beat) - lo
            if tex.pad:
                length = bar_frames + int(0.3 * rate)
                for i, note in enumerate(chord):
                    pan = (-0.5, 0.5, 0.0, 0.25)[i % 4]
                    for cents, side in ((-7.0, -0.6), (7.0, 0.6)):
                        add(into(choice["pad"]),
                            voices.note(choice["pad"], note, length, cents), origin,
                            tex.pad * 0.22, max(-1.0, min(1.0, pan + side * 0.4)))
            if tex.chords:
                hits: tuple[float, ...] = ((0.0, 2.0) if job.kind in ("chorus", "prechorus")
                                           else (0.0,))
                if job.kind == "chorus" and hints.mood in ("upbeat", "energetic"):
                    hits = (0.0, 1.5, 2.0, 3.0)
                for h in hits:
                    length = round(beat * (2.0 if len(hits) <= 2 else 1.0))
                    for i, note in enumerate(chord):
                        add(into(choice["chords"]),
                            voices.note(choice["chords"], note + 12, length), origin + at(h),
                            tex.chords * 0.25, (i - 1) * 0.3)
            if tex.arp:
                per = tex.arp_per_beat
                step_len = round(beat / per)
                tones = [*chord[:3], chord[0] + 12]
                for s in range(4 * per):
                    note = tones[arp_pattern[s % 4]] + 12
                    vel = 0.85 + 0.3 * float(s % per == 0)
                    add(into(choice["arp"]), voices.note(choice["arp"], note, step_len * 2),
                         origin + at(s / per), tex.arp * 0.3 * vel, 0.45 if s % 2 else -0.45)
            if tex.bass:
                steps: tuple[float, ...] = ((0.0, 1.5, 2.0, 3.0, 3.5) if tex.busy_bass
                                            else (0.0, 2.0))
                if tex.half_time:
                    steps = (0.0,)
                for i, step in enumerate(steps):
                    nxt = steps[i + 1] if i + 1 < len(steps) else 4.0
                    length = max(1, round((nxt - step) * beat * 0.95))
                    add(into("bass"), voices.note("bass", bass_root, length), origin + at(step),
                         tex.bass * 0.55, 0.0)
            if tex.lead:
                for offset, dur in lead_rhythm:
                    move = int(rng.integers(-1, 2))
                    lead_step = max(-2, min(4, lead_step + move))
                    scale = _MINOR if minor else _MAJOR
                    deg = degree + (lead_step if offset % 2 else 2 * round(lead_step / 2))
                    note = key_root + 72 + scale[deg % 7] + 12 * (deg // 7)
                    add(into(choice["lead"]), voices.note(choice["lead"], note, round(dur * beat)),
                         origin + at(offset), tex.lead * 0.3, 0.15)
            humanise = rng.uniform(0.88, 1.0, 16)
            if tex.kick:
                kicks: tuple[float, ...] = (0.0,) if tex.half_time else (0.0, 2.0)
                if job.kind == "chorus":
                    kicks = (0.0, 1.5, 2.0) if hints.mood not in ("upbeat", "energetic") \
                        else (0.0, 1.0, 2.0, 3.0)
                for i, k in enumerate(kicks):
                    add(into("kick"), voices.drum("kick"), origin + at(k),
                         tex.kick * 0.7 * humanise[i], 0.0)
            if tex.snare:
                snares = (2.0,) if tex.half_time else (1.0, 3.0)
                for i, beat_at in enumerate(snares):
                    add(into("snare"), voices.drum("snare"), origin + at(beat_at),
                         tex.snare * 0.5 * humanise[4 + i], 0.1)
            if tex.hat:
                per = 4 if hints.mood == "energetic" and bpm < 110 else 2
                for s in range(4 * per):
                    vel = (1.0 if s % per == 0 else 0.6) * humanise[s % 16]
                    add(into("hat"), voices.drum("hat"), origin + at(s / per),
                        tex.hat * 0.5 * vel, 0.3)

        if voices.lofi:
            width = hi - lo
            crackle = (rng.random(width) < 0.0004).astype(np.float32) * rng.uniform(-0.3, 0.3,
                                                                                  width)
            into("crackle")[:] += crackle.astype(np.float32)[None, :] * np.float32(0.08)
        bufs *= env[None, None, lo:hi]
        yield lo, bufs if layered else bufs[0], (total if last_bar == bars
                                            else round(last_bar * 4.0 * beat))


def _fade(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Equal-power fade-in and fade-out curves of n frames."""
    x = np.linspace(0.0, 1.0, n, dtype=np.float32) * np.float32(math.pi / 2)
    return np.sin(x), np.cos(x)


def _boundaries(durations_ms: Sequence[int], rate: int) -> list[int]:
    out = [0]
    total = 0
    for d in durations_ms:
        total += int(d)
        out.append(round(total * rate / 1000))
    return out


@dataclass
class RawPiece:
    """A piece of one section as the arranger plays it, before the song's loudness is set
    (pieces of a section overlap: add them up)."""

    index: int  # the section's index in the plan
    start: int  # the section's first frame in the song
    span: int  # the section's own frames
    tail: int  # frames past the span, crossfaded into the next section
    at: int  # where this piece starts, counted from the section's first frame
    audio: np.ndarray  # float32 (2, n) (layered: (len(LAYERS), 2, n)), fades applied
    bpm: int
    settled: int  # song frame before which no later piece adds anything


def _section_fades(i: int, span: int, tail: int, fade: int, rate: int) -> np.ndarray:
    """The gain curve over a section's span + tail: crossfades, or click guards."""
    curve = np.ones(span + tail, np.float32)
    n_in = min(fade, span)
    if i > 0:
        curve[:n_in] *= _fade(n_in)[0]
    else:
        n_click = min(span, max(1, rate // 200))
        curve[:n_click] *= np.linspace(0.0, 1.0, n_click, dtype=np.float32)
    if tail:
        curve[span:] *= _fade(tail)[1]
    else:
        n_click = min(span, max(1, rate // 100))
        curve[span - n_click:span] *= np.linspace(1.0, 0.0, n_click, dtype=np.float32)
    return curve


def raw_pieces(plan: SketchPlan, sample_rate_hz: int = SAMPLE_RATE_HZ,
               seed: int | None = None, chunk_bars: int | None = None,
               layered: bool = False) -> Iterator[RawPiece]:
    """The plan's sections in order, each in pieces of `chunk_bars` bars (None: one piece
    per section); sections of no length are skipped. `layered`: each piece's audio is
    (len(LAYERS), 2, n), the instrument groups apart (see `section_chunks`)."""
    rate = int(sample_rate_hz)
    if rate <= 0:
        raise ValueError("the sample rate must be positive")
    if any(s.duration_ms < 0 for s in plan.sections):
        raise ValueError("section durations cannot be negative")
    bounds = _boundaries([s.duration_ms for s in plan.sections], rate)
    total = bounds[-1]
    if total == 0:
        return
    rng = np.random.default_rng(seed)
    song = song_hints(plan)
    count = len(plan.sections)
    hints = [section_hints(plan, i) for i in range(count)]
    # The song's key: the one its styles name, else the first a section names, else any.
    named = [root for root in (h.key_root for h in (song, *hints)) if root is not None]
    key_root = named[0] if named else int(rng.integers(0, 12))
    voices = Voices(rate, rng, song.brightness, song.mood == "lofi")
    fade = max(1, round(_CROSSFADE_MS * rate / 1000))
    for i, section in enumerate(plan.sections):
        start, end = bounds[i], bounds[i + 1]
        span = end - start
        if span == 0:
            continue
        following = total - end
        tail = min(fade, following, max(0, bounds[i + 2] - end) if i + 2 <= count else 0)
        kind = section_kind(section.name, i, count)
        own_root = hints[i].key_root
        local_root = own_root if own_root is not None else key_root
        job = _SectionJob(kind, hints[i], span, tail)
        curve = _section_fades(i, span, tail, fade, rate)
        for at, audio, next_at in section_chunks(job, local_root, hints[i].minor, voices,
                                                 rng, rate, chunk_bars, layered):
            audio *= curve[at:at + audio.shape[-1]]
            yield RawPiece(i, start, span, tail, at, audio, hints[i].tempo_bpm,
                           start + min(next_at, span))


def render_plan(plan: SketchPlan, sample_rate_hz: int = SAMPLE_RATE_HZ, seed: int | None = None,
                instrumental: bool = False, voice_lines: VoiceLines | None = None) -> np.ndarray:
    """Render the plan as float32 stereo (frames, 2), peak at most 0.99.

    The result has exactly round(total_ms * rate / 1000) frames, and section i starts at
    round(start_ms_i * rate / 1000). The same plan and seed give the same samples.
    `voice_lines(text) -> (mono samples, rate)` voices each section's lines unless
    `instrumental`. The whole song is held in memory: `music_stream_render` renders a
    section at a time for long songs.
    """
    rate = int(sample_rate_hz)
    bounds = _boundaries([s.duration_ms for s in plan.sections], max(rate, 1))
    total = bounds[-1]
    out = np.zeros((2, total), np.float32)
    bpms = [0] * len(plan.sections)
    for raw in raw_pieces(plan, rate, seed):
        begin = raw.start + raw.at
        out[:, begin:begin + raw.audio.shape[1]] += raw.audio
        bpms[raw.index] = raw.bpm
    if total == 0:
        return out.T.copy()
    peak = float(np.max(np.abs(out)))
    if peak > 0:
        out *= np.float32(TARGET_PEAK / peak)
    if voice_lines is not None and not instrumental and any(s.lines for s in plan.sections):
        vocals = voice_track(plan, bounds, rate, voice_lines, lambda i: bpms[i] or 120)
        if np.any(vocals):
            out *= duck_envelope(vocals, rate)[None, :]
            out += vocals[None, :]
            peak = float(np.max(np.abs(out)))
            if peak > TARGET_PEAK:
                out *= np.float32(TARGET_PEAK / peak)
    return np.ascontiguousarray(out.T)


__all__ = ["LAYERS", "SAMPLE_RATE_HZ", "RawPiece", "VoiceLines", "espeak_voice_lines",
           "raw_pieces", "render_plan", "section_chunks", "voice_section"]
