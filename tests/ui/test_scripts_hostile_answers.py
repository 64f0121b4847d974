"""The Scripts tab against a server whose with-timestamps answers are damaged. An
alignment whose arrays have different lengths or whose times go backwards or below zero
is left out and the take kept (its audio is whole and was paid for; it plays without word
timing and its captions are spread evenly); an answer with no audio, or an empty 200,
marks its block failed with words saying the server's answer was damaged and records no
take. Either way the queue goes on with the rest."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QTableView

from app.library.script_store import load_script
from tests.support.cloud_server import encode_tone
from tests.ui.test_scripts_bad_input import SARAH, open_csv, statuses

pytestmark = pytest.mark.e2e

AUDIO = base64.b64encode(encode_tone("mp3_44100_128", 0.5)).decode("ascii")


def _answer(chars: list[str], starts: list[float], ends: list[float]) -> dict[str, Any]:
    alignment = {"characters": chars, "character_start_times_seconds": starts,
                 "character_end_times_seconds": ends}
    return {"audio_base64": AUDIO, "alignment": alignment, "normalized_alignment": alignment}


TIMINGS_DAMAGED = [
    _answer(list("Hi there"), [0.0, 0.1], [0.1, 0.2]),  # fewer times than characters
    _answer(list("Hi"), [0.3, 0.1], [0.2, 0.0]),  # times that go backwards
    _answer(list("Hi"), [-1.0, 0.1], [0.1, 0.2]),  # a time below zero
]
NO_AUDIO = [
    {"alignment": None},  # no audio at all
    None,  # an empty 200
]
DAMAGED = TIMINGS_DAMAGED + NO_AUDIO


def test_damaged_timed_answers_keep_their_audio_or_fail_and_the_queue_goes_on(
        launch, cloud, qtbot, tmp_path: Path) -> None:
    rows = [f"ANNA,Line number {n}.,{SARAH}" for n in range(1, len(DAMAGED) + 2)]
    studio = open_csv(launch, cloud, qtbot, tmp_path, rows)
    tab = studio.window.scripts_tab
    cloud.control.add_faults(*({"path_regex": "/with-timestamps$", "fault": "json_body",
                                "body": body} for body in DAMAGED))
    qtbot.mouseClick(studio.find(QPushButton, "scripts.generate_all"),
                     Qt.MouseButton.LeftButton)
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.waitUntil(lambda: not tab.generation.is_running
                    and all(s == "done" or s.startswith("failed") for s in statuses(table)),
                    timeout=30_000)
    result = statuses(table)
    assert result.count("done") == 1 + len(TIMINGS_DAMAGED), result
    failed = [s for s in result if s.startswith("failed")]
    assert len(failed) == len(NO_AUDIO), result
    for words in failed:
        assert "server" in words.casefold(), words
    script = load_script(tab.document.path)
    takes = [t for b in script.blocks for t in b.takes]
    assert len(takes) == 1 + len(TIMINGS_DAMAGED)
    # The damaged timings were left out (the file opens again); the good one is kept.
    assert sorted(t.alignment is None for t in takes) == [False] + [True] * len(
        TIMINGS_DAMAGED)
    assert [b.text for b in script.blocks] == [r.split(",")[1] for r in rows]


def _dialogue(segments: list[tuple[int, float, float]]) -> dict[str, Any]:
    return {"audio_base64": AUDIO, "alignment": None, "normalized_alignment": None,
            "voice_segments": [{"voice_id": SARAH, "start_time_seconds": start,
                                "end_time_seconds": end, "character_start_index": 0,
                                "character_end_index": 0, "dialogue_input_index": line}
                               for line, start, end in segments]}


@pytest.mark.parametrize("body, words", [
    # The second line starts after the half second of audio: its take was empty.
    (_dialogue([(0, 0.0, 0.2), (1, 3.0, 4.0)]), "line 2 starts at 3000 ms"),
    # The second line is put before the first: the first line's take was empty.
    (_dialogue([(0, 0.3, 0.5), (1, 0.0, 0.2)]), "before line 1"),
    # Only the first line has audio.
    (_dialogue([(0, 0.0, 0.5)]), "no audio for line 2"),
], ids=["after the audio", "backwards", "uncovered"])
def test_a_dialogue_answer_whose_segments_do_not_fit_records_nothing(
        launch, cloud, qtbot, tmp_path: Path, body: dict[str, Any], words: str) -> None:
    from tests.ui.test_scripts_dialogue_models import choose_model, select_rows
    from tests.ui.test_scripts_e2e import GEORGE, cast_voice, open_screenplay

    studio = open_screenplay(launch, cloud, qtbot, tmp_path)
    tab = studio.window.scripts_tab
    table = studio.find(QTableView, "scripts.blocks")
    for speaker in ("NARRATOR", "ANNA", "BEN"):
        cast_voice(studio, qtbot, speaker, SARAH if speaker != "BEN" else GEORGE)
    combo = studio.find(QComboBox, "scripts.model")
    qtbot.waitUntil(lambda: combo.findData("eleven_v3") >= 0, timeout=20_000)
    choose_model(studio, "eleven_v3")
    cloud.control.add_faults({"path_regex": "^/v1/text-to-dialogue/with-timestamps$",
                              "fault": "json_body", "body": body})
    dialogue = studio.find(QPushButton, "scripts.dialogue")
    select_rows(table, [2, 3])
    qtbot.waitUntil(dialogue.isEnabled, timeout=5_000)
    qtbot.mouseClick(dialogue, Qt.MouseButton.LeftButton)
    banner = studio.find(QLabel, "scripts.error.text")
    qtbot.waitUntil(lambda: "damaged" in banner.text(), timeout=20_000)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    assert words in banner.text(), banner.text()
    assert not any(b.takes for b in tab.document.script.blocks)
    assert not any(b.takes for b in load_script(tab.document.path).blocks)
    # The server answering properly again, the same blocks are made.
    select_rows(table, [2, 3])
    qtbot.waitUntil(dialogue.isEnabled, timeout=5_000)
    qtbot.mouseClick(dialogue, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(table)[2:4] == ["done"] * 2, timeout=30_000)
