from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.subtitles import (
    Cue,
    CueRules,
    SubtitleFormatError,
    build_cues,
    parse_srt,
    parse_vtt,
    to_plain_text,
    to_srt,
    to_vtt,
    wrap_lines,
)
from app.domain.transcript import Transcript
from app.domain.transcript_edit import TranscriptEdits
from app.domain.transcript_parse import parse_transcript

SAMPLES = Path(__file__).parents[1] / "contract" / "samples"


def sample(name: str) -> Transcript:
    return parse_transcript((SAMPLES / name).read_bytes())


def speech(
    texts: list[str], *, word_ms: int = 300, gap_ms: int = 100, speaker: str | None = None
) -> Transcript:
    """Evenly timed words with spacing items between them."""
    words: list[dict[str, Any]] = []
    t = 0
    for n, text in enumerate(texts):
        if n:
            words.append(
                {
                    "text": " ",
                    "start": (t - gap_ms) / 1000,
                    "end": t / 1000,
                    "type": "spacing",
                    "speaker_id": speaker,
                    "logprob": 0.0,
                }
            )
        kind = "audio_event" if text.startswith("(") else "word"
        words.append(
            {
                "text": text,
                "start": t / 1000,
                "end": (t + word_ms) / 1000,
                "type": kind,
                "speaker_id": speaker,
                "logprob": -0.1,
            }
        )
        t += word_ms + gap_ms
    return parse_transcript(
        {
            "language_code": "en",
            "language_probability": 1.0,
            "text": " ".join(texts),
            "words": words,
        }
    )


def check_rules(cues: list[Cue], rules: CueRules) -> None:
    for cue in cues:
        assert 1 <= len(cue.lines) <= rules.max_lines
        for line in cue.lines:
            assert len(line) <= rules.max_chars_per_line or " " not in line
        single_word = len(cue.lines) == 1 and " " not in cue.lines[0]
        assert cue.end_ms - cue.start_ms <= rules.max_cue_ms or single_word
        assert cue.end_ms >= cue.start_ms
    for a, b in pairwise(cues):
        assert b.start_ms - a.end_ms >= rules.min_gap_ms or a.end_ms == a.start_ms


def test_sample_cues() -> None:
    t = sample("stt_diarized_word.json")
    cues = build_cues(t)
    # The speaker changes after "everyone."; the laughter is left out.
    assert [c.lines for c in cues] == [("Welcome back everyone.",), ("Thanks for having me!",)]
    assert (cues[0].start_ms, cues[0].end_ms) == (120, 1370)
    assert (cues[1].start_ms, cues[1].end_ms) == (2400, 3490)


def test_audio_events_in_brackets_and_speaker_labels() -> None:
    t = sample("stt_diarized_word.json")
    t = TranscriptEdits().with_speaker_name("speaker_1", "Guest").apply(t)
    cues = build_cues(t, CueRules(include_audio_events=True, speaker_labels=True))
    assert cues[0].lines == ("Speaker 1: Welcome back everyone.",)
    assert cues[1].lines[0].startswith("Guest: [laughter] Thanks")


def test_lines_wrap_at_word_boundaries_and_balance() -> None:
    text = ["one", "two", "three", "four", "five", "six", "seven", "eight"]
    text += ["nine", "ten", "eleven", "twelve"]
    rules = CueRules(max_chars_per_line=20, max_lines=2, max_cue_ms=60_000)
    cues = build_cues(speech(text), rules)
    check_rules(cues, rules)
    assert " ".join(" ".join(c.lines) for c in cues) == " ".join(text)
    first = cues[0].lines
    assert len(first) == 2 and abs(len(first[0]) - len(first[1])) <= 6


def test_max_duration_splits() -> None:
    rules = CueRules(max_cue_ms=1000, max_chars_per_line=80)
    cues = build_cues(speech(["a", "b", "c", "d", "e", "f", "g"]), rules)
    check_rules(cues, rules)
    assert [c.lines for c in cues] == [("a b",), ("c d",), ("e f",), ("g",)]


def test_pause_splits() -> None:
    t = speech(["before", "after"], gap_ms=800)
    assert len(build_cues(t)) == 2
    assert len(build_cues(t, CueRules(split_pause_ms=801))) == 1


def test_speaker_change_splits() -> None:
    t = sample("stt_multichannel.json")
    cues = build_cues(t, CueRules(split_pause_ms=10_000))
    assert [c.lines for c in cues] == [("Hello, thanks for calling.",), ("Hi, I have a question.",)]


def test_overlong_word_stands_alone() -> None:
    long_word = "Supercalifragilisticexpialidocious"
    rules = CueRules(max_chars_per_line=10, max_lines=2)
    cues = build_cues(speech(["a", long_word, "b", "c"]), rules)
    check_rules(cues, rules)
    assert any(long_word in c.lines for c in cues)
    assert wrap_lines([long_word, "ab", "cd"], 10, 2) == [long_word, "ab cd"]
    assert wrap_lines(["ab", "cd", "ef"], 2, 2) is None


def test_min_gap_trims_the_earlier_cue() -> None:
    t = speech(["one", "two", "three"], gap_ms=50)
    rules = CueRules(max_chars_per_line=3, max_lines=1, min_gap_ms=100)
    cues = build_cues(t, rules)
    check_rules(cues, rules)
    assert [c.start_ms for c in cues] == [0, 350, 700]
    assert cues[0].end_ms == 250


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text("abcdefghij", min_size=1, max_size=15), min_size=1, max_size=60),
    st.integers(5, 50),
    st.integers(1, 3),
    st.integers(200, 5000),
    st.integers(0, 200),
)
def test_rules_always_hold(
    words: list[str], chars: int, lines: int, max_ms: int, min_gap: int
) -> None:
    rules = CueRules(
        max_chars_per_line=chars, max_lines=lines, max_cue_ms=max_ms, min_gap_ms=min_gap
    )
    cues = build_cues(speech(words, gap_ms=150), rules)
    check_rules(cues, rules)
    assert [w for c in cues for line in c.lines for w in line.split()] == words
    assert parse_srt(to_srt(cues)) == cues
    assert parse_vtt(to_vtt(cues)) == cues


def test_srt_format() -> None:
    cues = [Cue(200, 950, ("Good morning.",)), Cue(3_723_004, 3_725_000, ("a", "b"))]
    assert to_srt(cues) == (
        "1\n00:00:00,200 --> 00:00:00,950\nGood morning.\n\n"
        "2\n01:02:03,004 --> 01:02:05,000\na\nb\n"
    )
    assert parse_srt(to_srt(cues)) == cues
    assert to_srt([]) == ""


def test_vtt_format_and_escaping() -> None:
    cues = [Cue(200, 950, ("Tom & Jerry <3",)), Cue(61_000, 62_500, ("x --> y",))]
    text = to_vtt(cues)
    assert text.startswith("WEBVTT\n\n00:00:00.200 --> 00:00:00.950\nTom &amp; Jerry &lt;3\n")
    assert "00:01:01.000 --> 00:01:02.500" in text
    assert parse_vtt(text) == cues


def test_parse_the_servers_srt_and_loose_files() -> None:
    srt = "1\n00:00:00,200 --> 00:00:00,950\nGood morning.\n"
    assert parse_srt(srt) == [Cue(200, 950, ("Good morning.",))]
    loose = (
        "\ufeff1\r\n00:00:01,5 --> 00:00:02,000\r\nHi\r\n\r\n\r\n"
        "2\r\n0:00:03,000 --> 0:00:04,000\r\nYo\r\n"
    )
    assert parse_srt(loose) == [Cue(1500, 2000, ("Hi",)), Cue(3000, 4000, ("Yo",))]
    vtt = (
        "WEBVTT - title\n\nNOTE a comment\n\nSTYLE\n::cue {}\n\n"
        "intro\n00:01.000 --> 00:02.000 align:start\nHello\n"
    )
    assert parse_vtt(vtt) == [Cue(1000, 2000, ("Hello",))]
    with pytest.raises(SubtitleFormatError):
        parse_vtt("1\n00:00:01.000 --> 00:00:02.000\nHi\n")
    with pytest.raises(SubtitleFormatError):
        parse_srt("1\nnot a time\nHi\n")


def test_plain_text() -> None:
    t = sample("stt_diarized_word.json")
    assert to_plain_text(t) == "Welcome back everyone.\n\n(laughter) Thanks for having me!\n"
    assert to_plain_text(t, timestamps=True, speakers=True) == (
        "[00:00:00] Speaker 1: Welcome back everyone.\n\n"
        "[00:00:01] Speaker 2: (laughter) Thanks for having me!\n"
    )
    multi = sample("stt_multichannel.json")
    assert to_plain_text(multi, speakers=True) == (
        "Speaker 1: Hello, thanks for calling.\n\nSpeaker 2: Hi, I have a question.\n"
    )
    assert to_plain_text(parse_transcript({"words": []})) == ""


def test_rules_reject_nonsense() -> None:
    with pytest.raises(ValueError):
        CueRules(max_lines=0)
    with pytest.raises(ValueError):
        CueRules(min_gap_ms=-1)
