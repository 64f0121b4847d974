from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.transcript import (
    Transcript,
    TranscriptFormatError,
    Word,
    merge_channels_by_time,
)
from app.domain.transcript_lookup import WordIndex, is_low_confidence, paragraphs, search, word_at
from app.domain.transcript_parse import parse_transcript

SAMPLES = Path(__file__).parents[1] / "contract" / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def api_words(*items: tuple[str, float, float, str | None], gap: bool = True) -> dict[str, Any]:
    """A single-channel reply; items are (text, start_s, end_s, speaker), spacing added."""
    words: list[dict[str, Any]] = []
    for n, (text, start, end, speaker) in enumerate(items):
        if n and gap:
            prev_end = items[n - 1][2]
            words.append(
                {
                    "text": " ",
                    "start": prev_end,
                    "end": start,
                    "type": "spacing",
                    "speaker_id": speaker,
                    "logprob": 0.0,
                }
            )
        kind = "audio_event" if text.startswith("(") else "word"
        words.append(
            {
                "text": text,
                "start": start,
                "end": end,
                "type": kind,
                "speaker_id": speaker,
                "logprob": -0.1,
            }
        )
    return {
        "language_code": "eng",
        "language_probability": 0.9,
        "text": "".join(w["text"] for w in words),
        "words": words,
    }


# --------------------------------------------------------------------------- parsing


def test_single_channel_sample() -> None:
    t = parse_transcript(sample("stt_diarized_word.json"))
    assert t.transcription_id == "tr_9f2c1d7a5b3e4f60"
    assert t.language_code == "eng"
    assert t.language_probability == pytest.approx(0.99)
    assert t.text.startswith("Welcome back everyone.")
    assert t.channels == 1
    assert len(t.words) == 15
    first = t.words[0]
    assert first == Word(0, "Welcome", 120, 520, "word", "speaker_0", 0, -0.02, ())
    assert t.words[6].kind == "audio_event"
    assert t.words[1].kind == "spacing"
    assert [w.index for w in t.words] == list(range(15))
    assert list(t.speakers) == ["speaker_0", "speaker_1"]
    assert t.speakers["speaker_1"].name == "Speaker 2"
    assert t.audio_duration_ms == 3620
    assert t.has_timestamps
    assert t.source_json["transcription_id"] == t.transcription_id


def test_multichannel_sample_is_merged_by_time() -> None:
    t = parse_transcript(sample("stt_multichannel.json").decode())
    assert t.channels == 2
    assert t.text == "Hello, thanks for calling.\nHi, I have a question."
    assert [w.index for w in t.words] == list(range(len(t.words)))
    starts = [w.start_ms for w in t.words]
    assert starts == sorted(starts)
    assert {w.channel for w in t.words} == {0, 1}
    assert t.words[0].text == "Hello," and t.words[0].channel == 0
    hi = next(w for w in t.words if w.text == "Hi,")
    assert hi.channel == 1 and hi.speaker_id == "speaker_1" and hi.start_ms == 1700
    assert set(t.speakers) == {"speaker_0", "speaker_1"}


def test_sample_with_additional_format_and_no_speakers() -> None:
    t = parse_transcript(json.loads(sample("stt_with_additional_format_srt.json")))
    assert t.speakers == {}
    assert [w.text for w in t.words] == ["Good", " ", "morning."]


def test_missing_optional_fields_are_tolerated() -> None:
    t = parse_transcript({"words": [{"text": "Hi"}, {"text": " "}, {"text": "there"}]})
    assert t.language_code == "" and t.language_probability is None
    assert t.text == "Hi there"
    assert [w.kind for w in t.words] == ["word", "spacing", "word"]
    assert not t.has_timestamps
    assert all(w.start_ms == 0 and w.end_ms == 0 for w in t.words)
    assert t.words[0].logprob is None and t.transcription_id is None


def test_missing_times_are_filled_from_the_neighbours() -> None:
    t = parse_transcript(
        {
            "words": [
                {"text": "a", "start": 1.0, "end": 2.0, "type": "word", "logprob": 0},
                {"text": "b", "start": None, "end": None, "type": "word", "logprob": 0},
                {"text": "c", "start": 3.0, "end": 2.5, "type": "word", "logprob": 0},
            ]
        }
    )
    assert [(w.start_ms, w.end_ms) for w in t.words] == [(1000, 2000), (2000, 3000), (3000, 3000)]


def test_character_timings() -> None:
    data = api_words(("Hi", 0.0, 0.2, None))
    data["words"][0]["characters"] = [
        {"text": "H", "start": 0.0, "end": 0.1},
        {"text": "i", "start": 0.1, "end": None},
    ]
    (word,) = parse_transcript(data).words
    assert [(c.text, c.start_ms, c.end_ms) for c in word.characters] == [
        ("H", 0, 100),
        ("i", 100, None),
    ]


@pytest.mark.parametrize(
    ("data", "words_in_message"),
    [
        (b"\xff\xfe not utf8", "UTF-8"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ({"foo": 1}, "neither"),
        (json.loads(sample("stt_webhook_ack.json")), "accepted"),
        ({"detail": {"status": "not_found"}}, "error"),
        ({"words": "nope"}, "list"),
        ({"words": [{"start": 0}]}, "no text"),
        ({"words": [{"text": "a", "start": "soon"}]}, "number"),
        ({"words": [{"text": "a", "start": -1}]}, "negative"),
        ({"words": [{"text": "a", "start": True}]}, "number"),
        ({"words": [{"text": "a", "start": 1e308}]}, "too large"),
        ({"words": [{"text": "a", "start": 10**400}]}, "too large"),
        # Finite, yet no recording: they went on to "int too large for SQLite".
        ({"words": [{"text": "a", "start": 1e300, "end": 1e301}]}, "too large"),
        ({"words": [{"text": "a", "start": 10**30, "end": 10**31}]}, "too large"),
        ({"words": [], "text": "a", "audio_duration_secs": 1e20}, "too large"),
        ({"words": [{"text": "a", "channel_index": -1}]}, "channel"),
        ({"transcripts": [1]}, "Channel transcript 1"),
        ("NaN", "JSON object"),
        ('{"words": [{"text": "a", "start": NaN}]}', "finite"),
        ("[" * 100_000 + "]" * 100_000, "JSON"),
    ],
)
def test_malformed_input_raises_plain_words(data: Any, words_in_message: str) -> None:
    with pytest.raises(TranscriptFormatError) as info:
        parse_transcript(data)
    assert words_in_message in str(info.value)
    assert isinstance(info.value, ValueError)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=30,
)
word_keys = st.sampled_from(
    ["text", "start", "end", "type", "speaker_id", "logprob", "characters", "channel_index"]
)
fuzzy_word = st.dictionaries(word_keys, json_values | st.sampled_from(["word", "spacing"]))
fuzzy_transcript = st.fixed_dictionaries(
    {},
    optional={
        "words": st.lists(fuzzy_word, max_size=5) | json_values,
        "transcripts": st.lists(
            st.dictionaries(
                st.sampled_from(["words", "text", "channel_index"]),
                st.lists(fuzzy_word, max_size=3) | json_values,
            ),
            max_size=3,
        )
        | json_values,
        "text": json_values,
        "language_code": json_values,
        "language_probability": json_values,
        "transcription_id": json_values,
        "audio_duration_secs": json_values,
        "xi_studio": json_values,
    },
)


def _parses_or_fails_cleanly(data: Any) -> None:
    try:
        t = parse_transcript(data)
    except TranscriptFormatError as exc:
        assert str(exc)
        return
    assert isinstance(t, Transcript)
    assert [w.index for w in t.words] == list(range(len(t.words)))
    assert all(w.end_ms >= w.start_ms >= 0 for w in t.words)
    paragraphs(t)
    search(t, "a")
    word_at(t, 0)


@settings(max_examples=300, deadline=None)
@given(json_values | fuzzy_transcript)
def test_fuzz_any_json_value(data: Any) -> None:
    _parses_or_fails_cleanly(data)
    try:
        text = json.dumps(data)
    except ValueError:
        return
    _parses_or_fails_cleanly(text)
    _parses_or_fails_cleanly(text.encode())


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64) | st.text(max_size=64))
def test_fuzz_arbitrary_bytes_and_text(data: bytes | str) -> None:
    _parses_or_fails_cleanly(data)


# --------------------------------------------------------------------------- look-ups


def test_word_at_edges() -> None:
    t = parse_transcript(sample("stt_diarized_word.json"))
    assert word_at(t, 0) is None  # before the first word
    assert word_at(t, 119) is None
    assert word_at(t, 120) == 0  # start is inclusive
    assert word_at(t, 519) == 0
    assert word_at(t, 520) is None  # end is exclusive; spacing never counts
    assert word_at(t, 550) == 2
    assert word_at(t, 1600) == 6  # an audio event counts
    assert word_at(t, 3489) == 14
    assert word_at(t, 3490) is None and word_at(t, 10**9) is None
    assert word_at(t.word_index, 550) == 2
    assert word_at([0, 100, 200], 150) == 1
    assert word_at([0, 100, 200], -5) is None
    assert word_at([], 5) is None


def test_word_at_with_overlaps_and_zero_length_words() -> None:
    words = (
        Word(0, "long", 0, 1000, channel=0),
        Word(1, "short", 100, 200, channel=1),
        Word(2, "blip", 500, 500, channel=1),
    )
    index = WordIndex(words)
    assert index.word_at(150) == 1
    assert index.word_at(300) == 0  # the longer, earlier word still sounds
    assert index.word_at(500) == 2
    assert index.word_at(1000) is None
    assert index.last_started(300) == 1 and index.last_started(-1) is None


def _word_at_by_scan(words: tuple[Word, ...], ms: int) -> int | None:
    """What WordIndex.word_at answers, the slow way: of the words sounding at `ms`, the
    one that started last (the later one in the transcript among equal starts)."""
    sounding = [w for w in words if w.kind != "spacing"
                and (w.start_ms <= ms < w.end_ms or w.start_ms == w.end_ms == ms)]
    return max(sounding, key=lambda w: (w.start_ms, w.index)).index if sounding else None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 30),
                          st.sampled_from(["word", "word", "spacing", "audio_event"])),
                max_size=25),
       st.lists(st.integers(-5, 90), min_size=1, max_size=10))
def test_word_index_answers_as_a_scan_in_any_order(
        items: list[tuple[int, int, str]], probes: list[int]) -> None:
    # Out of order, overlapping, zero-length and spacing items: the fast paths for words
    # already in time order must not change any answer.
    words = tuple(Word(i, f"w{i}", start, start + length, kind)
                  for i, (start, length, kind) in enumerate(items))
    index = WordIndex(words)
    for ms in probes:
        assert index.word_at(ms) == _word_at_by_scan(words, ms)
    started = [w for w in words if w.kind != "spacing"]
    for ms in probes:
        at_or_before = [w for w in started if w.start_ms <= ms]
        expected = max(at_or_before, key=lambda w: (w.start_ms, w.index)).index \
            if at_or_before else None
        assert index.last_started(ms) == expected


def test_next_and_previous_skip_spacing() -> None:
    t = parse_transcript(sample("stt_diarized_word.json"))
    index = t.word_index
    assert index.next_word(0) == 2
    assert index.next_word(1) == 2
    assert index.next_word(14) is None
    assert index.next_word(-1) == 0
    assert index.previous_word(2) == 0
    assert index.previous_word(3) == 2
    assert index.previous_word(0) is None


def test_paragraphs_split_at_speaker_turns() -> None:
    t = parse_transcript(sample("stt_diarized_word.json"))
    paras = paragraphs(t)
    assert [(p.speaker_id, p.word_indices) for p in paras] == [
        ("speaker_0", range(0, 6)),
        ("speaker_1", range(6, 15)),
    ]
    assert (paras[0].start_ms, paras[0].end_ms) == (120, 1370)
    assert (paras[1].start_ms, paras[1].end_ms) == (1550, 3490)


def test_paragraphs_split_at_long_pauses_and_channels() -> None:
    t = parse_transcript(
        api_words(("one", 0, 0.5, None), ("two", 0.6, 1.0, None), ("three", 2.5, 3.0, None))
    )
    assert [p.word_indices for p in paragraphs(t)] == [range(0, 4), range(4, 5)]
    assert [p.word_indices for p in paragraphs(t, pause_ms=1501)] == [range(0, 5)]
    multi = parse_transcript(sample("stt_multichannel.json"))
    assert [p.channel for p in paragraphs(multi)] == [0, 1]
    assert paragraphs(parse_transcript({"words": []})) == []


def test_untagged_sound_does_not_split_a_paragraph() -> None:
    t = parse_transcript(
        api_words(
            ("hi", 0, 0.2, "speaker_0"),
            ("(cough)", 0.3, 0.4, None),
            ("there", 0.5, 0.7, "speaker_0"),
        )
    )
    assert len(paragraphs(t)) == 1


def test_low_confidence() -> None:
    word = Word(0, "maybe", 0, 10, logprob=math.log(0.4))
    assert is_low_confidence(word, 0.5)
    assert not is_low_confidence(word, 0.3)
    assert word.confidence == pytest.approx(0.4)
    assert not is_low_confidence(Word(0, "x", 0, 1, logprob=None))
    assert not is_low_confidence(Word(0, " ", 0, 1, kind="spacing", logprob=-9.0))


def test_search_is_case_insensitive_and_spans_words() -> None:
    t = parse_transcript(sample("stt_diarized_word.json"))
    assert search(t, "thanks") == [8]
    assert search(t, "THANKS   for having") == [8]
    assert search(t, "back everyone") == [2]
    assert search(t, "e") == [0, 4, 6, 14]  # one hit per word
    assert search(t, "ank") == [8]  # inside a word
    assert search(t, "nowhere") == []
    assert search(t, "   ") == []


def test_search_without_spacing_items_and_per_channel() -> None:
    t = parse_transcript(api_words(("Big", 0, 1, None), ("Deal", 1, 2, None), gap=False))
    assert search(t, "big deal") == [0]
    multi = parse_transcript(sample("stt_multichannel.json"))
    hi = next(w.index for w in multi.words if w.text == "Hi,")
    assert search(multi, "hi, i have") == [hi]
    # Words of different channels interleave in time but never join into one phrase.
    assert search(multi, "calling. hi") == []


def test_merge_channels_by_time_reindexes() -> None:
    a = [Word(0, "a", 0, 10, channel=0), Word(1, "c", 20, 30, channel=0)]
    b = [Word(0, "b", 10, 20, channel=1), Word(1, "d", 20, 25, channel=1)]
    merged = merge_channels_by_time([a, b])
    assert [(w.text, w.index) for w in merged] == [("a", 0), ("b", 1), ("c", 2), ("d", 3)]


def _big_transcript(count: int) -> Transcript:
    words: list[dict[str, Any]] = []
    for n in range(count):
        start = n * 0.3
        words.append(
            {
                "text": f"w{n}",
                "start": start,
                "end": start + 0.2,
                "type": "word",
                "speaker_id": f"speaker_{(n // 50) % 3}",
                "logprob": -0.01,
            }
        )
        words.append(
            {
                "text": " ",
                "start": start + 0.2,
                "end": start + 0.3,
                "type": "spacing",
                "logprob": 0.0,
            }
        )
    return parse_transcript(
        {"language_code": "en", "language_probability": 1, "text": "", "words": words}
    )


def test_thirty_thousand_words() -> None:
    t = _big_transcript(30_000)
    assert len(t.words) == 60_000
    assert word_at(t, 0) == 0
    assert word_at(t, 29_999 * 300 + 100) == 59_998
    assert word_at(t, 12_345 * 300 + 250) is None  # in a gap
    assert word_at(t, 12_345 * 300 + 10) == 2 * 12_345
    assert search(t, "w29999") == [59_998]
    assert search(t, "w12345 w12346") == [24_690]
    assert len(search(t, "w1")) == 11_111
    assert len(paragraphs(t)) == 600


@pytest.mark.parametrize("kind", [["word"], {"a": 1}])
def test_an_unhashable_type_is_a_format_error_not_a_crash(kind: object) -> None:
    """The fast column-wise reader must leave odd shapes to the validating one (found by
    the parser fuzz test: a list as a word's type raised TypeError)."""
    words = [{"text": "Hi", "start": 0.0, "end": 0.4, "type": kind}]
    with pytest.raises(TranscriptFormatError):
        parse_transcript({"language_code": "en", "text": "Hi", "words": words})


def test_a_long_transcript_read_in_slices_is_the_same_as_item_by_item() -> None:
    # The quick reader works on slices of a few thousand items; an item needing a closer
    # look far into the list (characters at 9,000, a missing time at 9,500) sends the
    # whole list to the validating reader, with the same result as for a short one.
    items = [(f"w{n}", n * 0.5, n * 0.5 + 0.4, "speaker_0") for n in range(5000)]
    data = api_words(*items)
    quick = parse_transcript(data)
    assert [w.index for w in quick.words] == list(range(len(data["words"])))
    assert quick.words[9000].start_ms == data["words"][9000]["start"] * 1000
    data["words"][9000]["characters"] = [{"text": "w", "start": 2250.0, "end": 2250.1}]
    data["words"][9500]["end"] = None
    slow = parse_transcript(data)
    assert [w.index for w in slow.words] == list(range(len(data["words"])))
    assert [c.text for c in slow.words[9000].characters] == ["w"]
    assert slow.words[9500].end_ms is not None
    assert [w.text for w in slow.words] == [w.text for w in quick.words]
    data["words"][9700]["start"] = "soon"
    with pytest.raises(TranscriptFormatError):
        parse_transcript(data)


@pytest.mark.parametrize("first", ["app.domain.transcript", "app.domain.transcript_parse"])
def test_the_reader_is_still_offered_by_the_model_module(first: str) -> None:
    """transcript.py offers parse_transcript and load_json (they live in transcript_parse,
    which imports transcript.py), whichever module a fresh interpreter imports first."""
    code = (
        f"import {first}\n"
        "from app.domain.transcript import load_json, parse_transcript\n"
        "from app.domain import transcript_parse\n"
        "assert parse_transcript is transcript_parse.parse_transcript\n"
        "assert load_json is transcript_parse.load_json\n"
        "import app.domain.transcript as model\n"
        "assert not hasattr(model, 'no_such_name')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)



@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                      "utf-32"])
def test_json_in_any_of_its_encodings_is_read(encoding: str) -> None:
    """PowerShell's `curl ... > t.json` writes UTF-16: it was "not UTF-8 text"."""
    text = sample("stt_diarized_word.json").decode("utf-8")
    assert parse_transcript(text.encode(encoding)) == parse_transcript(text)


def test_a_text_of_too_many_words_is_refused_not_made_into_words() -> None:
    """ "ab " * 2,000,000 (a 6 MB file) became 4,000,000 Words: 2.4 GB and 25 s to open,
    and a few times that was more memory than the computer has."""
    data = json.dumps({"text": "ab " * 600_000, "words": []})
    with pytest.raises(TranscriptFormatError, match="more than 500,000 words"):
        parse_transcript(data)
    assert len(parse_transcript({"text": "ab " * 1000, "words": []}).words) == 2000
