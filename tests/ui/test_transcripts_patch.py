"""An edit, undo or redo updates only the paragraphs it touched, and the result is
exactly what rebuilding everything gives: the document's edited view, the model's rows
(announced as dataChanged / rowsRemoved / rowsInserted, never a reset) and the cached
layouts, which move with their rows."""

from __future__ import annotations

import random

from app.domain import phrase_edit
from app.domain.transcript_parse import parse_transcript
from app.ui.transcripts.paragraph_model import ParagraphModel, build_rows
from app.ui.transcripts.transcript_document import TranscriptDocument
from app.ui.transcripts.transcript_view import TranscriptView
from benchmarks.transcripts import make_transcript


def test_edits_undo_and_redo_patch_the_rows_exactly(qtbot) -> None:
    original = parse_transcript(make_transcript(words=2500, hours=0.25, seed=4))
    document = TranscriptDocument()
    model = ParagraphModel()
    view = TranscriptView(model)
    qtbot.addWidget(view)
    view.resize(700, 500)
    document.changed.connect(lambda: model.set_transcript(
        document.edited, frozenset(document.edits.corrections), None, document.last_patch))
    document.open(original)
    model.set_transcript(document.edited, frozenset())
    view.show()
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    rng = random.Random(5)
    words = [w.index for w in original.words if w.kind == "word"]
    for _step in range(40):
        n = rng.choice(words)
        choice = rng.randrange(6)
        edits = document.edits
        if choice == 0:
            document.apply_edit(phrase_edit.retype(edits, original, n, n + 4, "one two"), "r")
        elif choice == 1:
            document.apply_edit(phrase_edit.split_before(edits, original, n), "s")
        elif choice == 2:
            document.apply_edit(phrase_edit.give_to_speaker(
                edits, range(n, n + 30), "speaker_7"), "g")
        elif choice == 3:
            document.apply_edit(phrase_edit.nudge(edits, original, n, start_ms=-3000), "n")
        elif choice == 4:
            document.undo_stack.undo()
        else:
            document.undo_stack.redo()
        view.show_word(n)
        view.viewport().repaint()
        assert document.edited == document.edits.apply(original)
        assert model.rows == build_rows(document.edited)
        layouts = view.delegate.layouts
        for (row, _width), laid in layouts._cache.items():
            shown = {w for w in laid.words if w >= 0}
            assert shown <= set(model.rows[row].words)
    assert not resets
    while document.undo_stack.canUndo():
        document.undo_stack.undo()
    assert document.edited == original
    assert model.rows == build_rows(original)
