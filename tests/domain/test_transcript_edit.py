from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.transcript import Transcript, TranscriptFormatError
from app.domain.transcript_edit import TranscriptEdits, load_saved, to_api_json
from app.domain.transcript_parse import parse_transcript

SAMPLES = Path(__file__).parents[1] / "contract" / "samples"


def sample(name: str) -> Transcript:
    return parse_transcript((SAMPLES / name).read_bytes())


def test_no_edits_is_the_same_transcript() -> None:
    t = sample("stt_diarized_word.json")
    assert TranscriptEdits().apply(t) is t


def test_rename_merge_and_correct() -> None:
    t = sample("stt_diarized_word.json")
    edits = (
        TranscriptEdits()
        .with_speaker_name("speaker_0", "  Ana ")
        .with_merge("speaker_1", "speaker_0")
        .with_correction(8, "Thank")
    )
    edited = edits.apply(t)
    assert list(edited.speakers) == ["speaker_0"]
    assert edited.speakers["speaker_0"].name == "Ana"
    assert {w.speaker_id for w in edited.words} == {"speaker_0"}
    assert edited.words[8].text == "Thank"
    assert "Thank for having me!" in edited.text
    # The original is untouched, so every edit can be undone.
    assert t.words[8].text == "Thanks" and t.words[8].speaker_id == "speaker_1"
    assert (
        edits.without_correction(8)
        .without_merge("speaker_1")
        .with_speaker_name("speaker_0", "")
        .apply(t)
        == t
    )


def test_merges_follow_chains_and_refuse_cycles() -> None:
    edits = TranscriptEdits().with_merge("a", "b").with_merge("b", "c")
    assert edits.resolve_speaker("a") == "c"
    with pytest.raises(ValueError):
        edits.with_merge("c", "a")
    assert edits.with_merge("a", "a").speaker_merges == {"b": "c"}


def test_edits_json_round_trip() -> None:
    edits = (
        TranscriptEdits()
        .with_speaker_name("speaker_1", "Bo")
        .with_merge("speaker_2", "speaker_1")
        .with_correction(12, "")
        .with_correction(3, "word")
    )
    data = json.loads(json.dumps(edits.to_json()))
    assert TranscriptEdits.from_json(data) == edits
    assert TranscriptEdits.from_json(None) == TranscriptEdits()


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"corrections": {"x": "a"}},
        {"corrections": {"1": 5}},
        {"speaker_names": {"a": 1}},
        {"corrections": {"-1": "a"}},
        {"corrections": []},
    ],
)
def test_bad_edits_json(bad: object) -> None:
    with pytest.raises(TranscriptFormatError):
        TranscriptEdits.from_json(bad)


def test_odd_word_numbers_in_saved_edits_are_skipped_not_a_crash() -> None:
    # "²".isdigit() is true but int("²") fails: the file opened as "Something unexpected
    # went wrong: invalid literal for int()".
    edits = TranscriptEdits.from_json({
        "speaker_overrides": {"²": "speaker_9", "3": "speaker_1"},
        "timings": {"²": [1, 2], "1" * 5000: [1, 2], "4": [100, 200]},
    })
    assert edits.speaker_overrides == {3: "speaker_1"}
    assert edits.timings == {4: (100, 200)}


def test_saved_timings_are_read_as_an_edit_makes_them() -> None:
    edits = TranscriptEdits.from_json({"timings": {
        "0": [-5000, -1], "1": [500, 100], "2": [True, False], "3": [100, 200]}})
    assert edits.timings == {0: (0, 0), 1: (500, 500), 3: (100, 200)}
    assert edits.timings[1] == TranscriptEdits().with_timing(1, 500, 100).timings[1]


def test_to_api_json_single_channel_round_trip() -> None:
    t = sample("stt_diarized_word.json")
    edits = (
        TranscriptEdits()
        .with_speaker_name("speaker_1", "Guest")
        .with_correction(0, "Welcome,")
        .with_merge("speaker_0", "speaker_1")
    )
    saved = json.loads(json.dumps(to_api_json(t, edits)))
    assert saved["words"][0]["text"] == "Welcome,"
    assert saved["words"][0]["original_text"] == "Welcome"
    assert saved["words"][0]["original_speaker_id"] == "speaker_0"
    assert saved["text"].startswith("Welcome, back")
    assert saved["xi_studio"]["speaker_names"] == {"speaker_1": "Guest"}
    assert saved["xi_studio"]["original_text"] == t.text
    assert saved["audio_duration_secs"] == pytest.approx(3.62)
    assert saved["transcription_id"] == t.transcription_id

    # Any reader sees the edited transcript (names included)...
    reopened = parse_transcript(saved)
    assert reopened == edits.apply(t)
    assert reopened.speakers["speaker_1"].name == "Guest"
    # ...and XI Studio gets back the original plus the edits.
    original, loaded_edits = load_saved(json.dumps(saved))
    assert original == t
    assert loaded_edits == edits


def test_to_api_json_without_edits_matches_the_source() -> None:
    t = sample("stt_diarized_word.json")
    saved = to_api_json(t)
    source = t.source_json
    for key in ("language_code", "text", "transcription_id", "entities", "channel_index"):
        assert saved[key] == source[key]
    for mine, theirs in zip(saved["words"], source["words"], strict=True):
        for key in ("text", "type", "speaker_id", "logprob"):
            assert mine[key] == theirs[key]
        assert mine["start"] == pytest.approx(theirs["start"])
    assert parse_transcript(saved) == t
    assert load_saved(saved) == (t, TranscriptEdits())


def test_to_api_json_multichannel_round_trip() -> None:
    t = sample("stt_multichannel.json")
    hi = next(w.index for w in t.words if w.text == "Hi,")
    edits = TranscriptEdits().with_correction(hi, "Hey,").with_speaker_name("speaker_0", "Desk")
    saved = json.loads(json.dumps(to_api_json(t, edits)))
    assert [c["channel_index"] for c in saved["transcripts"]] == [0, 1]
    assert saved["transcripts"][1]["text"] == "Hey, I have a question."
    assert saved["transcripts"][0]["text"] == "Hello, thanks for calling."
    assert all(w["channel_index"] == 1 for w in saved["transcripts"][1]["words"])
    assert parse_transcript(saved) == edits.apply(t)
    original, loaded = load_saved(saved)
    assert original == t and loaded == edits


def test_untimed_transcript_round_trip() -> None:
    t = parse_transcript(
        {
            "language_code": "en",
            "language_probability": 1,
            "text": "a b",
            "words": [
                {"text": "a", "type": "word", "logprob": -1},
                {"text": " ", "type": "spacing", "logprob": 0},
                {"text": "b", "type": "word", "logprob": -1},
            ],
        }
    )
    saved = to_api_json(t, TranscriptEdits().with_correction(2, "c"))
    assert saved["words"][0]["start"] is None
    original, edits = load_saved(saved)
    assert original == t and not original.has_timestamps
    assert edits.apply(original).text == "a c"


def test_character_timings_survive_a_correction() -> None:
    t = parse_transcript(
        {
            "language_code": "en",
            "language_probability": 1,
            "text": "Hi",
            "words": [
                {
                    "text": "Hi",
                    "start": 0,
                    "end": 0.2,
                    "type": "word",
                    "logprob": 0,
                    "characters": [
                        {"text": "H", "start": 0, "end": 0.1},
                        {"text": "i", "start": 0.1, "end": 0.2},
                    ],
                }
            ],
        }
    )
    edits = TranscriptEdits().with_correction(0, "Hey")
    assert edits.apply(t).words[0].characters == ()
    original, _ = load_saved(to_api_json(t, edits))
    assert original == t


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
        lambda c: (
            st.lists(c, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "edits",
                        "speaker_names",
                        "speaker_merges",
                        "corrections",
                        "original_text",
                        "0",
                    ]
                )
                | st.text(max_size=3),
                c,
                max_size=3,
            )
        ),
        max_leaves=20,
    ),
    st.sampled_from(["stt_diarized_word.json", "stt_multichannel.json"]),
)
def test_load_saved_with_odd_extras_fails_cleanly(extra: object, name: str) -> None:
    data = json.loads((SAMPLES / name).read_bytes())
    data["xi_studio"] = extra
    with contextlib.suppress(TranscriptFormatError):
        load_saved(data)


def test_names_saved_without_edits_come_back_as_renames() -> None:
    t = sample("stt_diarized_word.json")
    first = to_api_json(t, TranscriptEdits().with_speaker_name("speaker_0", "Host"))
    reopened = parse_transcript(first)  # names only, no edits
    second = to_api_json(reopened)
    original, edits = load_saved(second)
    assert original == t
    assert edits.speaker_names == {"speaker_0": "Host"}
