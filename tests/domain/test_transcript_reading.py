"""Transcripts read as people read them: text without word times, words with some
times missing, two channels talking over each other, Japanese without spaces."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from app.domain.script_spacing import join_words, joins_without_space
from app.domain.subtitles import (
    CueRules,
    SubtitlesNeedTimingsError,
    build_cues,
    to_plain_text,
    to_srt,
)
from app.domain.transcript_edit import TranscriptEdits, load_saved, to_api_json
from app.domain.transcript_lookup import paragraphs, search
from app.domain.transcript_parse import parse_transcript
from app.domain.transcript_utterances import utterances
from tests.support.transcripts import TEXT_ONLY, japanese, text_only, two_channel_call


# --------------------------------------------------------------------------- no word times
def test_text_without_words_is_shown_searched_and_exported_as_text() -> None:
    t = parse_transcript(text_only())
    assert t.words_from_text and not t.has_timestamps
    assert to_plain_text(t).strip() == TEXT_ONLY
    found = search(t, "without timestamps")
    assert [t.words[i].text for i in found] == ["without"]
    with pytest.raises(SubtitlesNeedTimingsError, match="need word timings"):
        build_cues(t)


def test_text_without_words_saves_back_in_the_replys_shape_with_corrections() -> None:
    t = parse_transcript(text_only())
    morning = next(w.index for w in t.words if w.text == "morning.")
    edits = TranscriptEdits().with_correction(morning, "evening.")
    saved = to_api_json(t, edits)
    assert saved["words"] == [] and saved["text"].startswith("Good evening.")
    original, reloaded_edits = load_saved(saved)
    assert original.text == TEXT_ONLY
    assert reloaded_edits.apply(original).text.startswith("Good evening.")


def test_untimed_words_are_refused_for_subtitles_with_a_reason() -> None:
    t = parse_transcript({"text": "a b", "words": [{"text": "a"}, {"text": " "},
                                                   {"text": "b"}]})
    with pytest.raises(SubtitlesNeedTimingsError) as caught:
        build_cues(t)
    assert "transcribe" in str(caught.value).lower()


# --------------------------------------------------------------------------- some times missing
def _word(text: str, start: float | None, end: float | None,
          speaker: str | None = "speaker_0", kind: str = "word") -> dict[str, Any]:
    return {"text": text, "start": start, "end": end, "type": kind, "speaker_id": speaker,
            "logprob": 0.0}


def test_words_without_times_share_the_known_gap_and_no_cue_is_zero_length() -> None:
    t = parse_transcript({"words": [
        _word("One", 0.0, 0.4), _word("two", None, None), _word("three", None, None),
        _word("four.", 2.0, 2.4), _word("five", None, None)]})
    times = [(w.start_ms, w.end_ms) for w in t.words]
    assert times[1][0] == 400 and times[2][1] == 2000  # the gap 0.4-2.0 s is shared
    assert times[1][1] == times[2][0] and times[1][0] < times[1][1] < times[2][1]
    assert times[4][1] > times[4][0] == 2400  # the last one gets about speaking time
    cues = build_cues(t, CueRules(max_chars_per_line=8, max_lines=1))
    assert all(c.end_ms > c.start_ms for c in cues)
    assert " ".join(" ".join(c.lines) for c in cues) == "One two three four. five"


def test_speaker_label_only_when_the_speaker_changes() -> None:
    t = parse_transcript({"words": [
        _word("Hello", 0.0, 0.3), _word(" ", 0.3, 0.35, kind="spacing"),
        _word("(laughs)", 0.35, 0.6, speaker=None, kind="audio_event"),
        _word(" ", 0.6, 0.65, kind="spacing"), _word("there", 0.65, 0.9),
        _word(" ", 0.9, 1.0, kind="spacing"), _word("Hi", 1.0, 1.2, speaker="speaker_1")]})
    text = to_srt(build_cues(t, CueRules(speaker_labels=True, include_audio_events=True)))
    assert text.count("Speaker 1:") == 1 and text.count("Speaker 2:") == 1
    assert "Speaker 1: Hello [laughs] there" in text


# --------------------------------------------------------------------------- two channels
def test_two_channels_are_read_utterance_by_utterance() -> None:
    t = parse_transcript(two_channel_call())
    spoken = [[t.words[i].text for i in p.word_indices if t.words[i].kind == "word"]
              for p in paragraphs(t)]
    assert spoken == [
        ["Hello,", "thanks", "for", "calling", "the", "help", "desk", "today."],
        ["Hi."],
        ["How", "can", "I", "help", "you", "with", "your", "order?"],
        ["Yes,", "I", "have", "a", "question", "about", "a", "parcel."],
    ]
    # Within each channel the order never changes.
    for channel in (0, 1):
        starts = [w.start_ms for w in t.words if w.channel == channel and w.kind == "word"]
        assert starts == sorted(starts)


def test_two_channel_subtitles_are_whole_utterances_in_time_order() -> None:
    t = parse_transcript(two_channel_call())
    cues = build_cues(t, CueRules(speaker_labels=True))
    assert [c.start_ms for c in cues] == sorted(c.start_ms for c in cues)
    assert all(c.end_ms - c.start_ms >= 500 for c in cues)
    assert min(len(c.text.split()) for c in cues if c.text != "Speaker 2: Hi.") >= 3
    srt = to_srt(cues)
    assert srt.count("Speaker 1:") == 2 and srt.count("Speaker 2:") == 2
    # Same channel: never overlapping.
    for channel in (0, 1):
        own = [c for c in cues if c.channel == channel]
        assert all(a.end_ms <= b.start_ms for a, b in pairwise(own))


def test_combined_single_list_of_channels_is_grouped_too() -> None:
    chunks = two_channel_call()["transcripts"]
    merged = sorted((w for c in chunks for w in c["words"]), key=lambda w: w["start"])
    t = parse_transcript({"words": merged, "text": ""})
    assert len(paragraphs(t)) == 4


def test_utterances_cut_at_sentence_end_and_pause() -> None:
    t = parse_transcript(two_channel_call())
    caller = [w for w in t.words if w.channel == 0]
    assert len(utterances(caller)) == 2


# --------------------------------------------------------------------------- Japanese
@pytest.mark.parametrize("spacing", [True, False])
def test_japanese_has_no_spaces_in_text_search_or_subtitles(spacing: bool) -> None:
    t = parse_transcript(japanese(spacing))
    assert to_plain_text(t).strip() == "今日はいい天気ですね。"
    found = search(t, "いい天気")
    assert [t.words[i].text for i in found] == ["いい"]
    assert search(t, "はいい") and search(t, "今日 は") == []
    cues = build_cues(t)
    assert [c.text for c in cues] == ["今日はいい天気ですね。"]


def test_spacing_rules() -> None:
    assert joins_without_space("今日", "は") and joins_without_space("Tokyo", "駅")
    assert not joins_without_space("hello", "world")
    assert not joins_without_space("مرحبا", "بكم")  # Arabic uses spaces
    assert join_words(["東京", "is", "big"]) == "東京is big"


def test_long_text_without_times_is_cut_into_paragraphs_at_sentences() -> None:
    sentence = " ".join(["word"] * 30) + "."
    text = " ".join([sentence] * 10) + "\nA new line starts here."
    t = parse_transcript({"text": text, "words": []})
    found = paragraphs(t)
    spoken = [sum(1 for i in p.word_indices if t.words[i].kind == "word") for p in found]
    assert spoken == [90, 90, 90, 30, 5]
    assert to_plain_text(t).count("\n\n") == 4
