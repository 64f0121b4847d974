"""Composition plans from a prompt, for the music sketcher and `/v1/music/plan`.

`plan_from_prompt` scales an Intro/Verse/Chorus... structure to the length asked for,
within the API's limits (3-120 s a section, 3-600 s a song, at most 30 sections), and
writes the prompt's genre, mood, tempo, key and instruments as the song's styles.
"""

from __future__ import annotations

import math
import random
import re
import zlib
from collections.abc import Sequence

from app.engine.music_hints import mood_words, parse_hints
from app.engine.music_sketch_plan import SketchPlan, SketchSection, section_kind

SECTION_MIN_MS = 3_000
SECTION_MAX_MS = 120_000
MUSIC_LENGTH_MIN_MS = 3_000
MUSIC_LENGTH_MAX_MS = 600_000
MAX_SECTIONS = 30
DEFAULT_LENGTH_MS = 30_000

_LENGTH = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:-\s*)?(minutes?|mins?|seconds?|secs?)\b|\b(\d{1,2}):(\d{2})\b",
    re.IGNORECASE,
)
_VOCAL_WORDS = ("vocal", "vocals", "singing", "sung", "sing", "singer", "lyrics", "lyric",
                "rap", "rapping", "choir", "voice", "song about")
_NO_VOCALS = re.compile(r"\b(instrumental|no vocals?|without vocals?|no lyrics|no singing)\b",
                        re.IGNORECASE)
_SECTION_LOCAL_STYLES = {
    "intro": ["sparse", "soft pads"],
    "verse": ["plucked arpeggios", "soft drums"],
    "prechorus": ["building energy", "rising arpeggios"],
    "chorus": ["full chords", "driving drums", "bass"],
    "bridge": ["new chord progression", "half-time"],
    "break": ["instrumental break", "arpeggios"],
    "outro": ["gentle ending", "fade out"],
}
_KEYS = ("C", "D", "E", "F", "G", "A", "Bb", "Eb")


def _prompt_length_ms(prompt: str) -> int | None:
    m = _LENGTH.search(prompt)
    if not m:
        return None
    if m.group(3) is not None:
        return (int(m.group(3)) * 60 + int(m.group(4))) * 1000
    value = float(m.group(1))
    unit = m.group(2).lower()
    return round(value * (60_000 if unit.startswith("m") else 1000))


def _structure(length_ms: int) -> list[tuple[str, float]]:
    """Section names and weights for a song of this length."""
    if length_ms < 12_000:
        options = [("Verse", 1.0)] if length_ms < 6_000 else [("Intro", 1.0), ("Chorus", 2.0)]
    elif length_ms < 25_000:
        options = [("Intro", 1.0), ("Verse", 2.0), ("Chorus", 2.0)]
    elif length_ms < 45_000:
        options = [("Intro", 1.0), ("Verse", 2.0), ("Chorus", 2.0), ("Outro", 1.0)]
    elif length_ms < 150_000:
        options = [("Intro", 1.0), ("Verse 1", 2.0), ("Chorus", 2.0), ("Verse 2", 2.0),
                   ("Chorus", 2.0), ("Outro", 1.0)]
    else:
        options = [("Intro", 1.0), ("Verse 1", 2.0), ("Chorus", 2.0), ("Verse 2", 2.0),
                   ("Chorus", 2.0), ("Bridge", 1.5), ("Chorus", 2.0), ("Outro", 1.0)]
    # Every section must fit 3-120 s.
    while length_ms > SECTION_MAX_MS * len(options):
        options = [*options, ("Chorus", 2.0)]
    while len(options) > 1 and length_ms < SECTION_MIN_MS * len(options):
        options = options[:-1]
    return options


def _split_length(length_ms: int, weights: Sequence[float]) -> list[int]:
    """Whole-ms durations in proportion to `weights`, each 3-120 s, summing to length_ms."""
    n = len(weights)
    unit = 100 if length_ms % 100 == 0 else 1
    total_units = length_ms // unit
    lo, hi = math.ceil(SECTION_MIN_MS / unit), SECTION_MAX_MS // unit
    raw = [w / sum(weights) * total_units for w in weights]
    units = [min(hi, max(lo, math.floor(r))) for r in raw]
    # Hand out (or take back) the difference one unit at a time, by largest remainder.
    order = sorted(range(n), key=lambda i: raw[i] - math.floor(raw[i]), reverse=True)
    diff = total_units - sum(units)
    step = 1 if diff > 0 else -1
    guard = 0
    while diff != 0 and guard < 10 * total_units + 10:
        changed = False
        for i in order:
            if diff == 0:
                break
            if lo <= units[i] + step <= hi:
                units[i] += step
                diff -= step
                changed = True
        guard += 1
        if not changed:
            break
    durations = [u * unit for u in units]
    durations[-1] += length_ms - sum(durations)  # any rounding rest (unit 1: none)
    return durations


def _topic(prompt: str) -> str:
    m = re.search(r"\babout\s+([a-z' ]{3,40}?)(?:[,.;!?]|\s+with\b|\s+in\b|$)", prompt.lower())
    return m.group(1).strip() if m else "the night"


def _placeholder_lines(kind: str, topic: str) -> list[str]:
    if kind == "verse":
        return [f"Walking through the thought of {topic}", "Every step a little brighter"]
    if kind == "chorus":
        return [f"Oh, {topic}", f"{topic.capitalize()} is calling me home"]
    if kind == "bridge":
        return ["Hold on, hold on"]
    return []


def plan_from_prompt(prompt: str, music_length_ms: int | None = None,
                     seed: int | None = None) -> SketchPlan:
    """A plan for a prompt: Intro/Verse/Chorus... scaled to the length asked for.

    The length is `music_length_ms`, else one the prompt states ("2 minutes", "1:30"),
    else 30 s; it is kept within 3-600 s. Global styles come from the prompt's genre,
    mood, tempo, key and instruments, plus a tempo and key picked (with `seed`) when the
    prompt gives none, so the plan renders the same every time. Lyric lines are
    placeholders, and only when the prompt asks for vocals.
    """
    text = prompt.strip()
    length = music_length_ms if music_length_ms is not None else _prompt_length_ms(text)
    length = int(length) if length else DEFAULT_LENGTH_MS
    length = max(MUSIC_LENGTH_MIN_MS, min(MUSIC_LENGTH_MAX_MS, length))
    rng = random.Random(seed if seed is not None else zlib.crc32(text.encode("utf-8")))
    hints = parse_hints([text])
    positive: list[str] = []
    if hints.genre:
        positive.append(hints.genre)
    for word in mood_words(text):
        if word not in positive and word != hints.genre:
            positive.append(word)
    for instrument in sorted(hints.instruments - {"vocals"}):
        positive.append(instrument)
    if not positive:
        positive = ["pop", "melodic"]
    bpm = hints.bpm or max(60, min(180, hints.tempo_bpm + rng.choice((-6, -3, 0, 3, 6))))
    positive.append(f"{bpm} bpm")
    if hints.key_root is not None:
        names = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
        positive.append(f"{names[hints.key_root]} {'minor' if hints.minor else 'major'}")
    else:
        positive.append(f"{rng.choice(_KEYS)} {'minor' if hints.minor else 'major'}")
    negative = sorted(hints.excluded)
    lowered = text.lower()
    wants_vocals = not _NO_VOCALS.search(text) and (
        "vocals" in hints.instruments
        or any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in _VOCAL_WORDS))
    if _NO_VOCALS.search(text) and "vocals" not in negative:
        negative.append("vocals")
    structure = _structure(length)
    durations = _split_length(length, [w for _, w in structure])
    topic = _topic(text)
    sections = []
    for index, ((name, _weight), duration) in enumerate(zip(structure, durations, strict=True)):
        kind = section_kind(name, index, len(structure))
        lines = _placeholder_lines(kind, topic) if wants_vocals else []
        sections.append(SketchSection(name, duration, tuple(_SECTION_LOCAL_STYLES[kind]), (),
                                      tuple(lines)))
    return SketchPlan(tuple(positive[:50]), tuple(negative[:50]), tuple(sections[:MAX_SECTIONS]))
