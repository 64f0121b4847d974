"""The music sketcher's reading of style tags: tempo, key, mode, instruments, mood, genre.

E.g. ["A minor", "120 bpm", "lofi", "piano", "no drums"]. The vocabulary is the
sketcher's own: moods and instruments are the ones its textures and voices know (a
"dreamy" or "lofi" mood, "piano", "bells"...), genres set a tempo, and negations ("no
drums") are remembered so a section can take away what the song has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.engine.music_sketch_plan import SketchPlan

_NOTE_PCS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_KEY = re.compile(
    r"\b([A-Ga-g])\s*(#|♯|b|♭|-?sharp|-?flat)?\s*(major|minor|maj|min)\b"
    r"|\b([A-G])(#|♯|b|♭)?(m|maj)?(?=\s|$|,)",
)
_BPM = re.compile(r"(\d{2,3}(?:\.\d+)?)\s*(?:bpm|beats per minute)", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:no|without|non|minus|zero)\s+([a-z][a-z\- ]*)", re.IGNORECASE)

# word (as it appears in a style) -> canonical instrument
_INSTRUMENTS = {
    "piano": "piano", "keys": "piano", "rhodes": "piano", "keyboard": "piano",
    "synth": "synth", "synths": "synth", "synthesizer": "synth", "synthesiser": "synth",
    "synthwave": "synth", "808": "bass", "arp": "synth", "arps": "synth",
    "pad": "pad", "pads": "pad",
    "guitar": "guitar", "guitars": "guitar", "acoustic": "guitar",
    "bass": "bass", "bassline": "bass", "sub": "bass",
    "drums": "drums", "drum": "drums", "percussion": "drums", "beat": "drums",
    "beats": "drums", "kick": "drums", "snare": "drums", "hats": "drums",
    "strings": "strings", "violin": "strings", "violins": "strings", "cello": "strings",
    "orchestra": "strings", "orchestral": "strings",
    "bells": "bells", "bell": "bells", "glockenspiel": "bells", "celesta": "bells",
    "vocals": "vocals", "vocal": "vocals", "voice": "vocals", "singing": "vocals",
    "singer": "vocals", "choir": "vocals", "lyrics": "vocals", "rap": "vocals",
}
# word -> canonical mood
_MOODS = {
    "dark": "dark", "moody": "dark", "sinister": "dark", "ominous": "dark", "tense": "dark",
    "mysterious": "dark", "haunting": "dark", "gritty": "dark",
    "sad": "sad", "melancholic": "sad", "melancholy": "sad", "somber": "sad", "sombre": "sad",
    "emotional": "sad", "heartbreak": "sad",
    "upbeat": "upbeat", "happy": "upbeat", "cheerful": "upbeat", "joyful": "upbeat",
    "bright": "upbeat", "uplifting": "upbeat", "sunny": "upbeat", "fun": "upbeat",
    "playful": "upbeat", "groovy": "upbeat",
    "energetic": "energetic", "driving": "energetic", "intense": "energetic",
    "powerful": "energetic", "aggressive": "energetic", "fast": "energetic",
    "calm": "calm", "chill": "calm", "relaxed": "calm", "relaxing": "calm", "peaceful": "calm",
    "soft": "calm", "gentle": "calm", "mellow": "calm", "slow": "calm",
    "epic": "epic", "cinematic": "epic", "heroic": "epic", "anthemic": "epic",
    "dreamy": "dreamy", "ambient": "dreamy", "ethereal": "dreamy", "atmospheric": "dreamy",
    "romantic": "romantic", "warm": "romantic", "tender": "romantic",
    "lofi": "lofi", "lo-fi": "lofi", "lo fi": "lofi",
}
_MINOR_MOODS = {"dark", "sad", "epic"}
_GENRES = {
    "pop": 112, "rock": 120, "jazz": 96, "lofi": 80, "lo-fi": 80, "hip-hop": 90,
    "hip hop": 90, "hiphop": 90, "trap": 140, "edm": 126, "house": 124, "techno": 130,
    "trance": 138, "dubstep": 140, "drum and bass": 172, "dnb": 172, "synthwave": 100,
    "electronic": 118, "ambient": 70, "classical": 90, "folk": 100, "country": 104,
    "blues": 84, "funk": 108, "disco": 118, "r&b": 88, "rnb": 88, "soul": 92,
    "reggae": 80, "metal": 140, "punk": 160, "indie": 116, "orchestral": 90,
    "cinematic": 90, "piano ballad": 72, "ballad": 72,
}
_MOOD_BPM = {"dark": 84, "sad": 72, "upbeat": 122, "energetic": 132, "calm": 82,
             "epic": 96, "dreamy": 74, "romantic": 86, "lofi": 78}
DEFAULT_BPM = 100


@dataclass(frozen=True)
class Hints:
    """What the styles say about how the music should sound."""

    bpm: int | None = None
    mode: str | None = None  # "major" or "minor"
    key_root: int | None = None  # pitch class, 0 = C
    instruments: frozenset[str] = frozenset()
    mood: str | None = None
    genre: str | None = None
    excluded: frozenset[str] = frozenset()  # "no drums", "without vocals"...

    def merged(self, other: Hints) -> Hints:
        """`other` (e.g. a section's own styles) over these (the song's)."""
        return Hints(
            bpm=other.bpm or self.bpm,
            mode=other.mode or self.mode,
            key_root=other.key_root if other.key_root is not None else self.key_root,
            instruments=(self.instruments | other.instruments) - other.excluded,
            mood=other.mood or self.mood,
            genre=other.genre or self.genre,
            excluded=(self.excluded - other.instruments) | other.excluded,
        )

    def without(self, negative: Hints) -> Hints:
        """Take away what negative styles name."""
        removed = negative.instruments | negative.excluded
        return Hints(
            bpm=self.bpm, mode=self.mode, key_root=self.key_root,
            instruments=self.instruments - removed,
            mood=None if self.mood is not None and self.mood == negative.mood else self.mood,
            genre=self.genre, excluded=self.excluded | removed,
        )

    @property
    def tempo_bpm(self) -> int:
        if self.bpm:
            return self.bpm
        if self.genre in _GENRES and self.mood not in ("calm", "sad", "dreamy", "lofi"):
            return _GENRES[self.genre]
        return _MOOD_BPM.get(self.mood or "", _GENRES.get(self.genre or "", DEFAULT_BPM))

    @property
    def minor(self) -> bool:
        if self.mode is not None:
            return self.mode == "minor"
        return self.mood in _MINOR_MOODS

    @property
    def brightness(self) -> float:
        """0..1: how much upper harmonics the instruments keep."""
        return {"dark": 0.45, "lofi": 0.35, "calm": 0.55, "sad": 0.5, "dreamy": 0.5,
                "upbeat": 0.95, "energetic": 1.0, "epic": 0.8}.get(self.mood or "", 0.75)


def _pitch_class(letter: str, accidental: str | None) -> int:
    pc = _NOTE_PCS[letter.lower()]
    acc = (accidental or "").lower().lstrip("-")
    if acc in ("#", "♯", "sharp"):
        pc += 1
    elif acc in ("b", "♭", "flat"):
        pc -= 1
    return pc % 12


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9&]+(?:-[a-z0-9]+)?", text.lower())


def parse_hints(styles: Iterable[str]) -> Hints:
    """Read tempo, key, mode, instruments, mood and genre from style phrases.

    E.g. ["A minor", "120 bpm", "lofi", "piano", "no drums"].
    """
    bpm: int | None = None
    mode: str | None = None
    root: int | None = None
    mood: str | None = None
    genre: str | None = None
    instruments: set[str] = set()
    excluded: set[str] = set()
    for style in styles:
        text = str(style).strip()
        if not text:
            continue
        lowered = text.lower()
        if bpm is None and (m := _BPM.search(text)):
            bpm = max(40, min(220, round(float(m.group(1)))))
        for m in _KEY.finditer(text):
            if m.group(1):
                letter, acc, quality = m.group(1), m.group(2), m.group(3).lower()
                before = text[: m.start()].lower()
                if letter.islower() and len(text.split()) > 2 and not before.endswith(
                        ("in ", "key of ", "key ")):
                    continue  # "a major label": an article, not the key of A
            else:
                letter, acc, quality = m.group(4), m.group(5), (m.group(6) or "maj")
                if len(text.split()) > 3:
                    continue  # a lone capital letter in a sentence is not a key
            if root is None:
                root = _pitch_class(letter, acc)
                mode = "minor" if quality in ("minor", "min", "m") else "major"
        negated = " ".join(m.group(1) for m in _NEGATION.finditer(lowered))
        for word in _words(negated):
            if word in _INSTRUMENTS:
                excluded.add(_INSTRUMENTS[word])
        positive = _NEGATION.sub(" ", lowered)
        words = _words(positive)
        if mode is None and "minor" in words:
            mode = "minor"
        elif mode is None and "major" in words:
            mode = "major"
        for word in words:
            if word in _INSTRUMENTS:
                instruments.add(_INSTRUMENTS[word])
            if mood is None and word in _MOODS:
                mood = _MOODS[word]
        if mood is None:
            for phrase, canonical in _MOODS.items():
                if " " in phrase and phrase in positive:
                    mood = canonical
        if genre is None:
            for name in sorted(_GENRES, key=len, reverse=True):
                if re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", positive):
                    genre = name
                    break
        if "lofi" in words or "lo-fi" in positive or "lo fi" in positive:
            mood = mood if mood in ("dark", "sad") else "lofi"
    return Hints(bpm=bpm, mode=mode, key_root=root, instruments=frozenset(instruments - excluded),
                 mood=mood, genre=genre, excluded=frozenset(excluded))


def mood_words(text: str) -> list[str]:
    """The mood words `text` uses, in order, leaving out negated ones ("no dark tones")."""
    return [word for word in _words(_NEGATION.sub(" ", text.lower())) if word in _MOODS]


def song_hints(plan: SketchPlan) -> Hints:
    """The hints for the whole song (its global styles, negatives taken away)."""
    return parse_hints(plan.global_positive_styles).without(
        parse_hints(plan.global_negative_styles))


def section_hints(plan: SketchPlan, index: int) -> Hints:
    """The hints for section `index`: its own styles (negatives taken away) over the song's."""
    section = plan.sections[index]
    local = parse_hints(section.positive_styles).without(parse_hints(section.negative_styles))
    return song_hints(plan).merged(local)
