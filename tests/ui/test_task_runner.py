"""TaskRunner.restart: cancel the running task, start the new one once it has unwound."""

from __future__ import annotations

import asyncio
from typing import Any

from app.ui.qt_async import TaskRunner


class Recorder:
    def __init__(self, runner: TaskRunner) -> None:
        self.events: list[tuple[str, str]] = []
        runner.task_started.connect(lambda n: self.events.append(("started", n)))
        runner.task_cancelled.connect(lambda n: self.events.append(("cancelled", n)))
        runner.task_finished.connect(lambda n: self.events.append(("finished", n)))
        runner.task_failed.connect(lambda n, e: self.events.append(("failed", str(e))))


def test_restart_waits_for_the_cancelled_task_to_unwind(qtbot: Any, qt_loop: Any) -> None:
    runner = TaskRunner()
    seen = Recorder(runner)
    log: list[str] = []
    release = asyncio.Event()

    async def slow_to_unwind(tag: str) -> None:
        log.append(f"{tag} begins")
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            log.append(f"{tag} unwinding")
            await asyncio.shield(release.wait())  # like a file write that must finish
            log.append(f"{tag} unwound")
            raise

    async def quick(tag: str) -> str:
        log.append(f"{tag} runs")
        return tag

    runner.start("job", lambda: slow_to_unwind("first"))
    qtbot.waitUntil(lambda: log == ["first begins"], timeout=2000)
    # What "cancel, then start" did: refused while the first one unwinds.
    runner.cancel("job")
    assert runner.start("job", lambda: quick("refused")) is None
    assert runner.is_cancelling("job")

    second = runner.restart("job", lambda: quick("second"))
    third = runner.restart("job", lambda: quick("third"))  # replaces the waiting second
    qtbot.waitUntil(lambda: "first unwinding" in log, timeout=2000)
    assert runner.is_running("job") and "third runs" not in log
    release.set()
    qtbot.waitUntil(third.done, timeout=2000)
    assert second.cancelled() and third.result() == "third"
    assert log == ["first begins", "first unwinding", "first unwound", "third runs"]
    assert seen.events == [("started", "job"), ("cancelled", "job"), ("finished", "job"),
                           ("started", "job"), ("finished", "job")]
    assert not runner.is_running("job")


def test_restart_of_nothing_running_starts_at_once(qtbot: Any, qt_loop: Any) -> None:
    runner = TaskRunner()
    task = runner.restart("job", lambda: asyncio.sleep(0, result=7))
    qtbot.waitUntil(task.done, timeout=2000)
    assert task.result() == 7 and not runner.is_running("job")


def test_cancel_while_waiting_cancels_the_new_one_too(qtbot: Any, qt_loop: Any) -> None:
    runner = TaskRunner()
    ran: list[str] = []
    release = asyncio.Event()

    async def first() -> None:
        ran.append("first")
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await asyncio.shield(release.wait())
            raise

    async def second() -> None:
        ran.append("second")

    old = runner.start("job", first)
    qtbot.waitUntil(lambda: ran == ["first"], timeout=2000)
    new = runner.restart("job", second)
    runner.cancel("job")  # the user changed their mind again
    release.set()
    qtbot.waitUntil(lambda: old is not None and old.done() and new.done(), timeout=2000)
    assert new.cancelled() and ran == ["first"] and not runner.is_running("job")


def test_nothing_is_left_waiting(qtbot: Any, qt_loop: Any) -> None:
    runner = TaskRunner()
    first = runner.start("job", lambda: asyncio.sleep(3600))
    tasks = [runner.restart("job", lambda: asyncio.sleep(3600)) for _ in range(3)]
    runner.cancel("job")  # the last one, before it ever ran
    qtbot.waitUntil(lambda: first is not None and first.done()
                    and all(t.done() for t in tasks), timeout=2000)
    assert runner._waiting_for == {} and not runner.is_running("job")


def test_reported_tasks_are_named_exactly_or_by_a_prefix_ending_in_a_dot(qtbot: Any) -> None:
    """What the main window's safety net leaves to the tabs: "transcripts." covers every
    Transcripts task; "speech.load" covers that one task, not "speech.load_more"."""
    runner = TaskRunner()
    runner.reports("transcripts.", "speech.load")
    assert runner.is_reported("transcripts.autosave")
    assert runner.is_reported("speech.load")
    assert not runner.is_reported("speech.load_more")
    assert not runner.is_reported("transcripts")
    assert not runner.is_reported("music.autosave")
