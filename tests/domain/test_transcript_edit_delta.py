"""An undo step kept as a delta takes the edits back and forth exactly."""

from __future__ import annotations

import random

from app.domain.transcript_edit import TranscriptEdits
from app.domain.transcript_edit_delta import EditsDelta


def random_edit(edits: TranscriptEdits, rnd: random.Random) -> TranscriptEdits:
    kind = rnd.randrange(6)
    index = rnd.randrange(50)
    if kind == 0:
        return edits.with_correction(index, f"word{rnd.randrange(5)}")
    if kind == 1:
        return edits.without_correction(index)
    if kind == 2:
        return edits.with_speaker_name(f"speaker_{rnd.randrange(3)}",
                                       rnd.choice(["Ann", "Bo", None]))
    if kind == 3:
        try:
            return edits.with_merge(f"speaker_{rnd.randrange(3)}", f"speaker_{rnd.randrange(3)}")
        except ValueError:
            return edits
    if kind == 4:
        return edits.with_speaker_overrides({index: rnd.choice(["speaker_1", None])})
    return edits


def test_deltas_undo_and_redo_a_random_history_exactly() -> None:
    rnd = random.Random(7)
    history = [TranscriptEdits()]
    deltas = []
    for _ in range(400):
        after = random_edit(history[-1], rnd)
        deltas.append(EditsDelta.between(history[-1], after))
        history.append(after)
    edits = history[-1]
    for step in range(len(deltas) - 1, -1, -1):
        edits = deltas[step].undo(edits)
        assert edits == history[step]
    for step, delta in enumerate(deltas):
        edits = delta.redo(edits)
        assert edits == history[step + 1]


def test_a_delta_holds_only_what_its_step_changed() -> None:
    edits = TranscriptEdits()
    for index in range(1000):
        edits = edits.with_correction(index, "x")
    delta = EditsDelta.between(edits, edits.with_correction(5, "y"))
    assert delta.changes == (("corrections", {5: "x"}, {5: "y"}),)
    assert delta.redo(edits).speaker_names is edits.speaker_names  # untouched: shared
