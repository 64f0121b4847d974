"""The Scripts tab with a long script (30 speakers): what the window does per change is
counted, never timed."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox

from app.domain import script_edit
from app.domain.script import Take
from app.domain.wire import Voice
from app.ui.scripts import cast_edits
from app.ui.scripts.cast_panel import CastPanel
from tests.support.long_script import VOICES, long_script, speaker


def test_a_recorded_take_leaves_the_cast_boxes_alone(qtbot: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    panel = CastPanel()
    qtbot.addWidget(panel)
    panel.set_voices([Voice(voice_id=VOICES[0], name="George"),
                      Voice(voice_id=VOICES[1], name="Sarah")])
    script = long_script(blocks=300, speakers=30, takes=1)
    panel.show_script(script)
    box = panel.findChild(QComboBox, "scripts.voice_speaker1")
    assert box is not None and box.currentText() == "Sarah"
    shown: list[str | None] = []
    select = CastPanel._select
    monkeypatch.setattr(CastPanel, "_select", staticmethod(
        lambda combo, value, role: (shown.append(value), select(combo, value, role))))
    for i in range(10):  # the queue records takes: the script changes, its cast does not
        block = script.blocks[i]
        take = Take(f"new{i}", f"b{i}/new.mp3", block.text, VOICES[i % 2],
                    script.model_id, script.output_format)
        script = script_edit.add_take(script, block.block_id, take)
        panel.show_script(script)
    assert shown == []  # (before: every speaker's box, for every take: 300 looks)
    script = cast_edits.cast_voice(speaker(1), VOICES[0], "George")(script)
    panel.show_script(script)  # the user chose another voice: shown
    assert len(shown) == 30 and box.currentText() == "George"
    panel.set_voices([Voice(voice_id=VOICES[0], name="George, renamed")])
    panel.show_script(script)  # a new list of voices: every box shown from it
    assert len(shown) == 60 and box.currentText() == "George, renamed"
