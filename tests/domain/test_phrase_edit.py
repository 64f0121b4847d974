"""Phrase and turn edits, the review look-ups and the alignment → transcript step, as
plain data."""

from __future__ import annotations

import pytest

from app.domain import phrase_edit
from app.domain.alignment import alignment_to_transcript, script_from_words
from app.domain.review import next_flagged, sentence_span
from app.domain.transcript_edit import TranscriptEdits, load_saved, to_api_json
from app.domain.transcript_lookup import paragraphs
from app.domain.transcript_parse import parse_transcript


def _transcript():  # type: ignore[no-untyped-def]
    words = []
    texts = ["One", "two.", "Three", "four", "five.", "Six"]
    for i, text in enumerate(texts):
        if words:
            words.append({"text": " ", "type": "spacing", "start": i * 0.5, "end": i * 0.5,
                          "speaker_id": "speaker_0"})
        words.append({"text": text, "type": "word", "start": i * 0.5, "end": i * 0.5 + 0.4,
                      "speaker_id": "speaker_0", "logprob": -2.0 if text == "four" else -0.1})
    return parse_transcript({"language_code": "en", "text": " ".join(texts), "words": words})


def _texts(transcript, edits):  # type: ignore[no-untyped-def]
    return [w.text for w in edits.apply(transcript).words if w.kind == "word"]


def test_retype_spreads_over_the_slots_and_keeps_the_original() -> None:
    t = _transcript()
    more = phrase_edit.retype(TranscriptEdits(), t, 4, 8, "3 4 5 and")
    assert _texts(t, more) == ["One", "two.", "3", "4", "5 and", "Six"]
    fewer = phrase_edit.retype(TranscriptEdits(), t, 4, 8, "345")
    assert _texts(t, fewer) == ["One", "two.", "345", "", "", "Six"]
    saved = to_api_json(t, more)
    assert [w["original_text"] for w in saved["words"] if "original_text" in w] == \
        ["Three", "four", "five."]
    with pytest.raises(ValueError):
        phrase_edit.retype(TranscriptEdits(), t, 4, 8, "   ")


def test_turns_splits_nudges_survive_saving() -> None:
    t = _transcript()
    new = phrase_edit.new_speaker_id(t, TranscriptEdits())
    assert new == "speaker_1"
    edits = phrase_edit.give_to_speaker(TranscriptEdits(), range(6, 11), new)
    edits = phrase_edit.split_before(edits, t, 4)
    edits = phrase_edit.nudge(edits, t, 0, start_ms=20, end_ms=-20)
    edited = edits.apply(t)
    assert [p.speaker_id for p in paragraphs(edited)] == ["speaker_0", "speaker_0",
                                                           "speaker_1"]
    assert (edited.words[0].start_ms, edited.words[0].end_ms) == (20, 380)
    _original, restored = load_saved(to_api_json(t, edits))
    assert restored == edits
    assert phrase_edit.join_before(edits, t, 4).corrections == {}
    with pytest.raises(ValueError):
        phrase_edit.join_before(edits, t, 2)
    with pytest.raises(ValueError):
        phrase_edit.split_before(edits, t, 3)  # index 3 is a space, not a word


def test_sentence_span_and_flagged_words() -> None:
    t = _transcript()
    assert sentence_span(t, 6) == (1000, 2400)  # "Three four five."
    assert sentence_span(t, 0) == (0, 900)
    flagged = lambda w: w.confidence is not None and w.confidence < 0.5  # noqa: E731
    assert next_flagged(t, None, 1, flagged) == 6
    assert next_flagged(t, 6, 1, flagged) is None
    assert next_flagged(t, 10, -1, flagged) == 6


def test_alignment_becomes_a_transcript() -> None:
    result = {"words": [{"text": "Hi", "start": 0.1, "end": 0.3, "loss": 0.1},
                        {"text": "there.", "start": 0.4, "end": 0.8, "loss": 1.0}],
              "characters": [], "loss": 0.55}
    t = parse_transcript(alignment_to_transcript(result, speakers=["speaker_3"]))
    spoken = [w for w in t.words if w.kind == "word"]
    assert [(w.text, w.start_ms, w.speaker_id) for w in spoken] == [
        ("Hi", 100, "speaker_3"), ("there.", 400, "speaker_3")]
    assert spoken[1].confidence is not None and spoken[1].confidence < 0.01
    assert script_from_words([("a", "x"), ("b", "x"), ("c", "y")]) == "a b\nc"
