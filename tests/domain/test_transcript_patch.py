"""An edit patched in (only the words it touched made again) gives exactly what applying
all the edits to the server's transcript gives: the words, speakers, text, the cached
look-ups and the paragraphs, through a random run of edits, undos and redos."""

from __future__ import annotations

import random

import pytest

from app.domain import phrase_edit
from app.domain.transcript_edit import TranscriptEdits
from app.domain.transcript_lookup import paragraphs
from app.domain.transcript_parse import parse_transcript
from app.domain.transcript_patch import (
    patch_between,
    patched_paragraphs,
    patched_view,
)
from benchmarks.transcripts import make_transcript

PAUSE = 1500


def _random_edit(rng: random.Random, transcript, edits: TranscriptEdits) -> TranscriptEdits:
    words = [w.index for w in transcript.words if w.kind == "word"]
    n = rng.choice(words)
    kind = rng.randrange(6)
    if kind == 0:
        return phrase_edit.retype(edits, transcript, n, n + rng.randrange(1, 8),
                                  " ".join(rng.choice(["a", "new", "phrase", "here"])
                                           for _ in range(rng.randrange(1, 5))))
    if kind == 1:
        span = range(n, min(len(transcript.words), n + rng.randrange(1, 40)))
        speaker = rng.choice(["speaker_0", "speaker_1", "speaker_9"])
        return phrase_edit.give_to_speaker(edits, list(span), speaker)
    if kind == 2:
        try:
            return phrase_edit.split_before(edits, transcript, n)
        except ValueError:
            return edits
    if kind == 3 and edits.corrections:
        space = rng.choice(sorted(edits.corrections))
        try:
            return phrase_edit.join_before(edits, transcript, space + 1)
        except ValueError:
            return edits
    if kind == 4:
        return phrase_edit.nudge(edits, transcript, n, start_ms=rng.choice([-2000, 20]),
                                 end_ms=rng.choice([2500, -20]))
    return edits.with_speaker_name("speaker_1", rng.choice(["Ann", "Bo", ""]))


def _starts(found) -> list[int]:
    return [p.word_indices.start for p in found]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_patched_view_and_paragraphs_equal_a_full_rebuild(seed: int) -> None:
    rng = random.Random(seed)
    original = parse_transcript(make_transcript(words=3000, hours=0.3, seed=seed))
    history = [TranscriptEdits()]
    edited = original
    found = paragraphs(original, PAUSE)
    for _step in range(60):
        before = history[-1]
        if len(history) > 1 and rng.random() < 0.25:  # an undo
            after = history[-2]
            history.pop()
        else:
            after = _random_edit(rng, original, before)
            history.append(after)
        _ = edited.word_index, edited.word_counts, edited.duration_ms  # cached look-ups
        patch = patch_between(before, after)
        expected = after.apply(original)
        if patch is None:
            edited, found = expected, paragraphs(expected, PAUSE)
            continue
        edited = patched_view(original, edited, after, patch)
        assert edited == expected
        assert edited.word_counts == expected.word_counts
        assert edited.duration_ms == expected.duration_ms
        for ms in range(0, expected.duration_ms, 97_001):
            assert edited.word_index.word_at(ms) == expected.word_index.word_at(ms)
        replaced = patched_paragraphs(edited, _starts(found), patch, PAUSE)
        if replaced is not None:
            row, count, new = replaced
            found = [*found[:row], *new, *found[row + count:]]
        assert found == paragraphs(expected, PAUSE)


def test_a_merge_is_not_a_patch_and_a_rename_changes_no_word() -> None:
    before = TranscriptEdits()
    assert patch_between(before, before.with_merge("speaker_1", "speaker_0")) is None
    rename = patch_between(before, before.with_speaker_name("speaker_1", "Ann"))
    assert rename is not None and rename.names and not rename.words_changed


def test_a_retype_patches_only_its_words() -> None:
    original = parse_transcript(make_transcript(words=2000, hours=0.2))
    after = phrase_edit.retype(TranscriptEdits(), original, 500, 505, "three new words")
    patch = patch_between(TranscriptEdits(), after)
    assert patch is not None and patch.texts and not patch.speakers and not patch.times
    assert 500 <= patch.first <= patch.last <= 505
    edited = patched_view(original, original, after, patch)
    assert edited == after.apply(original)
    assert edited.words[:500] == original.words[:500]
