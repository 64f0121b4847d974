"""The Scripts tab refreshes once per turn of the event loop while the queue records
takes (benchmark figure 10b), but shows a user's edit at once."""

from __future__ import annotations

from dataclasses import replace

from app.domain.script import Block, Script
from app.ui.scripts.script_document import ScriptDocument


def test_queue_changes_are_announced_once_per_turn_and_edits_at_once(qtbot) -> None:
    document = ScriptDocument()
    document.load(Script(blocks=(Block("a", "ANNA", "One."), Block("b", "ANNA", "Two."))),
                  None)
    seen: list[Script] = []
    document.changed.connect(lambda: seen.append(document.script))
    for n in range(5):  # five takes recorded in one turn of the loop
        document.core.apply(lambda s, n=n: replace(s, title=f"t{n}"))
    assert seen == []
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert seen[0].title == "t4"
    qtbot.wait(20)
    assert len(seen) == 1

    document.core.apply(lambda s: replace(s, title="queued"))
    document.edit("Rename", lambda s: replace(s, title="mine"))  # at once, covering both
    assert [s.title for s in seen[1:]] == ["mine"]
    qtbot.wait(20)
    assert len(seen) == 2
    document.undo_stack.undo()
    assert seen[-1].title == "queued" and len(seen) == 3

    document.core.apply(lambda s: replace(s, title="late"))
    document.flush()  # the queue's end: shown before its outcome
    assert seen[-1].title == "late"
