"""Starting points for the Music tab: a few plans that are valid for music_v1 and music_v2.

They use only what both models understand (no `{directions}`, no context adherence) and
keep every section within both models' limits; `tests/domain/test_music_templates.py`
checks that `validate_plan` finds nothing for either model.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.music_plan import Plan, Section


@dataclass(frozen=True)
class MusicTemplate:
    key: str
    title: str
    description: str
    prompt: str  # the same idea as a one-line prompt, for prompt mode
    _plan: Plan

    def plan(self) -> Plan:
        """A fresh copy: the editor may change it freely."""
        return self._plan.copy()


def _pop_song() -> Plan:
    return Plan(
        global_positive_styles=[
            "pop", "catchy", "bright synths", "punchy drums", "female vocals", "118 bpm",
            "C major", "polished production",
        ],
        global_negative_styles=["heavy metal", "distorted guitars"],
        sections=[
            Section("Intro", 8_000, ["filtered synth riff", "building"], ["vocals"]),
            Section(
                "Verse 1", 20_000, ["steady groove", "intimate vocal"], [],
                [
                    "Morning comes in through the window",
                    "Coffee's cold but I don't mind",
                    "Every song that's on the radio",
                    "Sounds like you this time",
                ],
            ),
            Section(
                "Chorus", 18_000, ["big drums", "layered harmonies", "anthemic"], [],
                [
                    "Turn it up, turn it up",
                    "Let the whole street hear us",
                    "Turn it up, we've got enough",
                    "Nothing's gonna stop us",
                ],
            ),
            Section(
                "Verse 2", 20_000, ["steady groove", "added guitar"], [],
                [
                    "Streetlights blinking like they know",
                    "Where we're going after dark",
                    "Every word we never said out loud",
                    "Is written on my heart",
                ],
            ),
            Section(
                "Chorus", 18_000, ["big drums", "layered harmonies", "anthemic"], [],
                [
                    "Turn it up, turn it up",
                    "Let the whole street hear us",
                    "Turn it up, we've got enough",
                    "Nothing's gonna stop us",
                ],
            ),
            Section("Outro", 10_000, ["fading synths", "soft ending"], ["drums"]),
        ],
    )


def _lofi_beat() -> Plan:
    return Plan(
        global_positive_styles=[
            "lo-fi hip hop", "instrumental", "dusty vinyl crackle", "mellow electric piano",
            "laid-back drums", "warm bass", "80 bpm", "chill",
        ],
        global_negative_styles=["vocals", "aggressive", "bright"],
        sections=[
            Section("Intro", 10_000, ["vinyl crackle", "soft keys alone"], ["drums"]),
            Section("Loop A", 40_000, ["head-nodding groove", "jazzy chords"], []),
            Section("Loop B", 40_000, ["variation", "gentle guitar licks"], []),
            Section("Outro", 10_000, ["tape stop", "fading"], []),
        ],
    )


def _cinematic_trailer() -> Plan:
    return Plan(
        global_positive_styles=[
            "cinematic", "epic orchestral", "trailer music", "instrumental", "D minor",
            "strings", "brass", "huge percussion",
        ],
        global_negative_styles=["vocals", "pop", "electronic drums"],
        sections=[
            Section("Opening", 15_000, ["dark", "low strings", "ominous pulse"], ["percussion"]),
            Section("Build", 20_000, ["rising tension", "string ostinato", "taiko drums"], []),
            Section("Climax", 20_000, ["full orchestra", "choir", "massive impacts"], []),
            Section("Sting", 5_000, ["final hit", "reverb tail"], []),
        ],
    )


def _podcast_intro() -> Plan:
    return Plan(
        global_positive_styles=[
            "upbeat", "modern", "instrumental", "acoustic guitar", "light percussion",
            "claps", "110 bpm", "friendly",
        ],
        global_negative_styles=["vocals", "dark", "heavy"],
        sections=[
            Section("Intro", 5_000, ["guitar strum", "building"], []),
            Section("Theme", 12_000, ["full groove", "catchy melody"], []),
            Section("Tag", 5_000, ["clean ending", "final chord"], []),
        ],
    )


TEMPLATES: tuple[MusicTemplate, ...] = (
    MusicTemplate(
        "pop_song", "Pop song",
        "Verse, chorus, verse, chorus with lyrics, about 1½ minutes.",
        "An upbeat, catchy pop song with bright synths and female vocals about a good morning.",
        _pop_song(),
    ),
    MusicTemplate(
        "lofi_beat", "Lo-fi beat",
        "A relaxed instrumental loop for studying, 100 seconds.",
        "A chill lo-fi hip hop beat with dusty vinyl crackle, mellow electric piano and "
        "laid-back drums, instrumental.",
        _lofi_beat(),
    ),
    MusicTemplate(
        "cinematic_trailer", "Cinematic trailer",
        "An orchestral build from a dark opening to a huge climax, 1 minute.",
        "An epic cinematic trailer cue: dark low strings building to a huge orchestral "
        "climax with choir and taiko drums, instrumental.",
        _cinematic_trailer(),
    ),
    MusicTemplate(
        "podcast_intro", "Podcast intro",
        "A friendly 22-second jingle to open a show.",
        "A short, friendly and upbeat podcast intro jingle with acoustic guitar, claps and "
        "light percussion, instrumental.",
        _podcast_intro(),
    ),
)


def template(key: str) -> MusicTemplate:
    """The template called `key`; KeyError if there is none."""
    for item in TEMPLATES:
        if item.key == key:
            return item
    raise KeyError(key)
