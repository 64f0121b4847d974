"""Long working sessions: nothing grows per transcript, script or plan opened, per
generation, per edit or per playhead update beyond what the user can see (History rows).

Driven through the real window (pytest-qt) against the cloud test server on loopback;
every check counts (objects by type, QObjects, threads, open files, asyncio tasks)."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject

from tests.ui.test_transcripts_view import synthetic_transcript

pytestmark = pytest.mark.e2e


def census(window: Any, qtbot: Any) -> Counter[str]:
    """Python objects by type, QObjects by class, and the process's threads, files and
    asyncio tasks: what a long session must not pile up. Taken once the app is idle (no
    task running: a save or a list refresh may still be finishing)."""
    qtbot.waitUntil(lambda: not asyncio.all_tasks(), timeout=20_000)
    gc.collect()
    counts: Counter[str] = Counter(type(o).__name__ for o in gc.get_objects())
    for child in window.findChildren(QObject):
        counts["Q:" + type(child).__name__] += 1
    counts["#qobjects"] = len(window.findChildren(QObject))
    counts["#threads"] = threading.active_count()
    counts["#fds"] = len(os.listdir("/proc/self/fd"))
    counts["#tasks"] = len(asyncio.all_tasks())
    return counts


def growth(before: Counter[str], after: Counter[str], at_least: int) -> dict[str, int]:
    return {k: after[k] - before[k] for k in after if after[k] - before[k] >= at_least}


def transcript_files(folder: Path, count: int, words: int = 2000) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"interview-{n}.json"
        path.write_text(json.dumps(synthetic_transcript(words, seed=n + 1)))
        paths.append(path)
    return paths


def test_transcripts_opened_and_reopened_all_day_leave_nothing_behind(
        studios, cloud, qtbot: Any, tmp_path: Path) -> None:
    """30 transcripts of 2,000 words opened one after another, then re-opened from
    History: no QObject, thread, open file or task is left per transcript closed.
    (Nothing grew when this was written: a regression guard.)"""
    studio = studios.start(studios.home(), cloud_url=cloud.url)
    window = studio.window
    tab = window.transcripts_tab
    window.show_tab("transcripts")

    def opened(wanted: str) -> bool:
        original = tab.document.original
        return (original is not None and original.transcription_id == wanted
                and not tab.controller.is_running("transcripts.open"))

    paths = transcript_files(tmp_path / "files", 30)
    for path in paths[:5]:  # the first ones import and build what every later one shares
        tab.open_path(path)
        qtbot.waitUntil(lambda p=path: opened(f"synthetic{int(p.stem.split('-')[1]) + 1}"),
                        timeout=30_000)
    census(window, qtbot)  # (the first census wraps every QObject: types made once)
    before = census(window, qtbot)
    for path in paths[5:]:
        tab.open_path(path)
        qtbot.waitUntil(lambda p=path: opened(f"synthetic{int(p.stem.split('-')[1]) + 1}"),
                        timeout=30_000)
    after = census(window, qtbot)
    for key in ("#qobjects", "#threads", "#tasks"):
        assert after[key] <= before[key], (key, before[key], after[key])
    assert after["#fds"] <= before["#fds"] + 2
    # Re-opened from History (no new rows there): no kind of object grows per transcript.
    reopened = studio.ctx.history.list()[:10] * 2
    for generation in reopened:
        tab.load_generation(generation)
        qtbot.waitUntil(lambda g=generation: tab.document.source.generation_id == g.id
                        and not tab.controller.is_running("transcripts.open"),
                        timeout=30_000)
    again = census(window, qtbot)
    assert growth(after, again, len(reopened)) == {}
    assert again["#fds"] <= before["#fds"] + 2
    assert tab.document.undo_stack.count() == 0


def test_scripts_and_plans_opened_all_day_leave_nothing_behind(
        studios, cloud, qtbot: Any, tmp_path: Path) -> None:
    """Scripts opened one after another in the Scripts tab keep nothing per script
    closed; plans opened in the Music tab keep only their undo steps (bounded, see
    below). (Nothing else grew when this was written: a regression guard.)"""
    studio = studios.start(studios.home(), cloud_url=cloud.url)
    window = studio.window
    scripts = window.scripts_tab
    window.show_tab("scripts")
    paths = []
    for n in range(26):
        path = tmp_path / f"script-{n}.txt"
        path.write_text("\n\n".join(f"Line {k} of script {n}, with a few words to say."
                                      for k in range(60)))
        paths.append(path)

    def open_script(path: Path) -> None:
        scripts.open_path(path)
        qtbot.waitUntil(lambda: scripts.document.path is not None
                        and scripts.document.path.name.startswith(path.stem + ".")
                        and not scripts.files._runner.is_running(scripts.files.OPEN),
                        timeout=30_000)

    for path in paths[:6]:
        open_script(path)
    census(window, qtbot)
    before = census(window, qtbot)
    for path in paths[6:]:
        open_script(path)
    after = census(window, qtbot)
    assert growth(before, after, len(paths) - 6) == {}
    for key in ("#qobjects", "#threads", "#tasks"):
        assert after[key] <= before[key], (key, before[key], after[key])

    music = window.music_tab
    window.show_tab("music")
    plan: dict[str, Any] = {
        "positive_global_styles": ["pop"], "negative_global_styles": [],
        "sections": [{"section_name": f"Part {k}", "positive_local_styles": ["warm"],
                      "negative_local_styles": [], "duration_ms": 10_000,
                      "lines": ["la la la"]} for k in range(8)]}
    for n in range(30):
        plan["sections"][0]["duration_ms"] = 10_000 + n
        assert music.load_plan_json(plan)
        if n == 9:
            census(window, qtbot)
            before = census(window, qtbot)
    after = census(window, qtbot)
    for key in ("#qobjects", "#threads", "#tasks"):
        assert after[key] <= before[key], (key, before[key], after[key])
    assert after["ReplacePlanCommand"] - before["ReplacePlanCommand"] == 20  # Undo steps


def test_following_the_playhead_for_hours_keeps_nothing(
        studios, cloud, qtbot: Any, tmp_path: Path, alsa_played_file: Path) -> None:
    """Playing a transcript's recording, the playhead moves the lit word tens of
    thousands of times: nothing accumulates. (Nothing grew when this was written: a
    regression guard.)"""
    import numpy as np
    import soundfile as sf

    studio = studios.start(studios.home(), cloud_url=cloud.url)
    window = studio.window
    tab = window.transcripts_tab
    window.show_tab("transcripts")
    data = synthetic_transcript(400, seed=3)
    path = tmp_path / "talk.json"
    path.write_text(json.dumps(data))
    seconds = data["words"][-1]["end"] + 1
    sf.write(tmp_path / "talk.wav", np.zeros(int(seconds * 8000), np.float32), 8000)
    tab.open_path(path)  # its recording beside it is linked
    qtbot.waitUntil(lambda: tab.playback.clip is not None, timeout=30_000)
    tab.playback.toggle()
    qtbot.waitUntil(lambda: tab.playback.player.state.name == "PLAYING", timeout=10_000)
    bar = window.player_bar

    def sweep() -> int:
        updates = 0
        for ms in range(0, int(seconds * 1000), 37):
            bar.position_changed.emit(ms)
            updates += 1
        qtbot.wait(20)
        return updates

    sweep()
    census(window, qtbot)
    before = census(window, qtbot)
    updates = sum(sweep() for _ in range(4))
    after = census(window, qtbot)
    assert tab.model.current_word is not None
    assert growth(before, after, 50) == {}, updates
    for key in ("#qobjects", "#threads", "#tasks"):
        assert after[key] <= before[key], (key, before[key], after[key])


def test_undo_history_is_long_but_bounded(studios, cloud, qtbot: Any, tmp_path: Path) -> None:
    """Thousands of corrections in one transcript, and a plan opened again and again in
    the Music tab: each keeps its last UNDO_STEPS steps (each step holds the state before
    and after it), and those last steps still undo."""
    from app.ui.undo_history import UNDO_STEPS

    studio, document = _a_long_transcript_open(studios, cloud, qtbot, tmp_path)
    window = studio.window
    words = [n for n, w in enumerate(document.original.words) if w.kind == "word"]
    edits = UNDO_STEPS + 200
    for step in range(edits):
        assert document.correct_word(words[step % len(words)], f"edit{step}")
    stack = document.undo_stack
    assert stack.count() == UNDO_STEPS
    for _ in range(UNDO_STEPS):
        stack.undo()
    assert not stack.canUndo()
    # Back to the transcript as it was 1,000 edits ago (not before the first edit).
    assert document.edits.corrections[words[199]] == "edit199"
    stack.redo()
    assert document.edits.corrections[words[200]] == "edit200"

    music = window.music_tab
    window.show_tab("music")
    plan = {"positive_global_styles": ["pop"], "negative_global_styles": [],
            "sections": [{"section_name": "Verse", "positive_local_styles": [],
                          "negative_local_styles": [], "duration_ms": 10_000, "lines": []}]}
    for n in range(UNDO_STEPS + 20):
        plan["sections"][0]["duration_ms"] = 10_000 + n * 10  # type: ignore[index]
        assert music.load_plan_json(plan)
    assert music.editor.undo_stack.count() == UNDO_STEPS
    # The Scripts tab's history has the same bound.
    assert window.scripts_tab.document.undo_stack.undoLimit() == UNDO_STEPS


def test_many_generations_keep_only_their_history_rows(studios, cloud, qtbot: Any) -> None:
    """50 short generations on the Speech tab: History gets 50 rows; QObjects, threads,
    open files, asyncio tasks and the loop's timers do not grow with them. (Every piece
    of every answer used to leave a cancelled 30-minute timer and its handle behind.)"""
    from tests.ui.test_settings_history_drafts import generate

    studio = studios.start(studios.home(), cloud_url=cloud.url)
    window = studio.window
    qtbot.waitUntil(lambda: window.speech_tab.catalog_ready, timeout=10_000)
    for n in range(5):  # the first ones import and build what every later one shares
        generate(qtbot, studio, f"Take {n}.")
    before = census(window, qtbot)
    rows = window.history.model.rowCount()
    for n in range(50):
        generate(qtbot, studio, f"Take number {n}.")
    qtbot.waitUntil(lambda: window.history.model.rowCount() == rows + 50, timeout=10_000)
    after = census(window, qtbot)
    for key in ("#threads", "#tasks"):
        assert after[key] <= before[key], (key, before[key], after[key])
    # (A style animation or two may start while the list scrolls: not one per take.)
    assert after["#qobjects"] <= before["#qobjects"] + 5
    assert after["#fds"] <= before["#fds"] + 2
    # Each History row holds its Generation; nothing else is kept per generation.
    assert after["Generation"] - before["Generation"] <= 2 * 50
    leftovers = {kind: after[kind] - before[kind]
                 for kind in ("Handle", "TimerHandle", "Context")}
    assert all(extra <= 20 for extra in leftovers.values()), leftovers
    assert asyncio.get_event_loop().pending_timers <= 20


def test_undo_history_memory_is_proportionate_to_its_steps(
        studios, cloud, qtbot: Any, tmp_path: Path) -> None:
    """An editor reviewing a long transcript corrects word after word: each undo step
    holds what it changed, not its own copy of every correction made so far (that grew
    with the square of the work: ~20 KB a step after 1,000 corrections)."""
    import tracemalloc

    studio, document = _a_long_transcript_open(studios, cloud, qtbot, tmp_path)
    window = studio.window
    words = [n for n, w in enumerate(document.original.words) if w.kind == "word"]
    steps = 800
    census(window, qtbot)
    tracemalloc.start()
    try:
        gc.collect()
        held_before = tracemalloc.get_traced_memory()[0]
        for step in range(steps):
            document.correct_word(words[step], f"fixed{step}")
        census(window, qtbot)  # the autosave has finished
        held = tracemalloc.get_traced_memory()[0] - held_before
    finally:
        tracemalloc.stop()
    assert document.undo_stack.count() == steps
    assert held / steps < 4096, f"{held / steps:.0f} bytes a step"
    # And the steps still undo and redo exactly.
    for _ in range(steps):
        document.undo_stack.undo()
    assert document.edits.corrections == {}
    for _ in range(steps):
        document.undo_stack.redo()
    assert document.edits.corrections == {words[n]: f"fixed{n}" for n in range(steps)}


def _a_long_transcript_open(studios: Any, cloud: Any, qtbot: Any,
                            tmp_path: Path) -> tuple[Any, Any]:
    """The window with a 3,000-word transcript open in the Transcripts tab, and its
    document."""
    studio = studios.start(studios.home(), cloud_url=cloud.url)
    tab = studio.window.transcripts_tab
    studio.window.show_tab("transcripts")
    path = transcript_files(tmp_path / "files", 1, words=3000)[0]
    tab.open_path(path)
    qtbot.waitUntil(lambda: tab.document.original is not None
                    and not tab.controller.is_running("transcripts.open"), timeout=30_000)
    return studio, tab.document
