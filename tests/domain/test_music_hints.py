from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.music_plan import (
    MOODS,
    Plan,
    Section,
    StyleHints,
    parse_style_hints,
    section_hints,
)
from app.domain.music_templates import TEMPLATES


@pytest.mark.parametrize(
    ("tag", "bpm"),
    [("120 bpm", 120), ("120bpm", 120), ("BPM: 95", 95), ("tempo 90", 90),
     ("85 beats per minute", 85), ("99.6 BPM", 100), ("5 bpm", None), ("999 bpm", None),
     ("fast", None)],
)
def test_bpm(tag: str, bpm: int | None) -> None:
    assert parse_style_hints([tag]).bpm == bpm


@pytest.mark.parametrize(
    ("tag", "key", "mode"),
    [
        ("A minor", "A", "minor"),
        ("a minor", "A", "minor"),
        ("in F# major", "F#", "major"),
        ("C♯ minor", "C#", "minor"),
        ("E flat major", "Eb", "major"),
        ("Bb minor", "Bb", "minor"),
        ("Am", "A", "minor"),
        ("F#m", "F#", "minor"),
        ("Cmaj", "C", "major"),
        ("key of D", "D", None),
        ("D major key", "D", "major"),
        ("moody ballad in G Minor", "G", "minor"),
        ("minor", None, "minor"),
        ("major key", None, "major"),
        ("a minor key change", None, "minor"),  # "a" is the article here
        ("key of a song", None, None),
        ("AM radio", None, None),
        ("in C", None, None),
        ("Bb", None, None),
    ],
)
def test_key_and_mode(tag: str, key: str | None, mode: str | None) -> None:
    hints = parse_style_hints([tag])
    assert (hints.key, hints.mode) == (key, mode)


def test_mode_from_an_earlier_tag_is_kept() -> None:
    hints = parse_style_hints(["minor", "C major"])
    assert (hints.key, hints.mode) == ("C", "minor")


@pytest.mark.parametrize(
    ("tags", "instruments"),
    [
        (["piano"], ["piano"]),
        (["warm analog synths", "big drums"], ["synth", "drums"]),
        (["Rhodes electric piano"], ["electric piano"]),
        (["acoustic guitar", "guitar solo"], ["acoustic guitar", "guitar"]),
        (["bass guitar"], ["bass"]),
        (["808s", "hi-hats"], ["808", "drums"]),
        (["string section", "french horns", "choir"], ["strings", "brass", "choir"]),
        (["female vocals", "sax"], ["vocals", "saxophone"]),
        (["no drums", "without vocals"], []),
        (["soft pads", "pads"], ["pad"]),
        (["beats per minute", "keyboardist"], []),
    ],
)
def test_instruments(tags: list[str], instruments: list[str]) -> None:
    assert parse_style_hints(tags).instruments == instruments


@pytest.mark.parametrize(
    ("tags", "mood"),
    [
        (["dark"], "dark"),
        (["uplifting"], "happy"),
        (["melancholic piano"], "sad"),
        (["chill", "dark"], "calm"),
        (["epic orchestral"], "epic"),
        (["aggressive"], "energetic"),
        (["piano"], None),
        (["darkwave"], None),
        (["no dark tones"], None),
    ],
)
def test_mood(tags: list[str], mood: str | None) -> None:
    hints = parse_style_hints(tags)
    assert hints.mood == mood
    assert mood is None or mood in MOODS


def test_sample_styles() -> None:
    hints = parse_style_hints(["indie pop", "warm analog synths", "female vocals", "120 bpm",
                               "uplifting"])
    assert hints == StyleHints(bpm=120, mode=None, key=None, instruments=["synth", "vocals"],
                               mood="happy")


def test_section_styles_come_first() -> None:
    plan = Plan(["90 bpm", "piano", "calm"], [], [Section("A", 5000, ["140 bpm", "drums"])])
    hints = section_hints(plan, 0)
    assert hints.bpm == 140
    assert hints.instruments == ["drums", "piano"]
    assert hints.mood == "calm"


def test_templates_give_the_sketcher_something() -> None:
    for item in TEMPLATES:
        plan = item.plan()
        hints = parse_style_hints(plan.global_positive_styles)
        assert hints.instruments, item.key
        assert hints.mood is not None, item.key


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=30) | st.sampled_from(["120 bpm", "A minor", "piano"])))
def test_fuzz_never_fails(tags: list[Any]) -> None:
    hints = parse_style_hints(tags)
    assert hints.bpm is None or 20 <= hints.bpm <= 400
    assert hints.mode in (None, "major", "minor")
    assert len(hints.instruments) == len(set(hints.instruments))
