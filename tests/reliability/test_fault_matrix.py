"""The fault matrix: every fault against every endpoint the app calls, met where a user
would meet it, through the real app against the cloud test server.

Columns (see tests/reliability/matrix.py): models and voices at start-up and the
subscription through the quota refresh, in a freshly launched window per cell; TTS
convert (WAV) and stream (MP3) through Generate, STT create, get and delete through the
Transcripts tab (Transcribe, Fetch, Delete) and music compose, stream, plan and detailed
through the Music tab, one window per column; TTS with-timestamps through the app's own
client and speech service inside the running app, since no part of the UI calls it.

Each cell checks what the user sees (a specific message and a next step), that the app
answers well before any stall would end, that it is usable again (the next action
succeeds), that the text typed is kept, that no file is left in the audio folder and the
history is unchanged, and that the server did at most one piece of paid work per action,
never repeated after a body started.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QPushButton, QWidget

from app.api.client import ClientConfig
from app.api.errors import ApiError
from app.library.drafts import DraftStore
from app.library.paths import AppPaths
from app.ui.errors import describe_error
from tests.reliability import matrix
from tests.reliability.conftest import (
    DNS_FAILURE_URL,
    OtherHost,
    Studio,
    StudioFactory,
    dead_url,
    run_coroutine,
)
from tests.support.cloud import Cloud

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

TEXT = "Please read this sentence aloud."
VOICE_ID = "JBFqnCBsd6RMkjVDRZzb"
DEADLINE_S = 8.0  # every fault ends in a message well before this (stalls last 30 s)
STALL_S = 30.0
# A cancel must end the request well before the stall would have (not a speed check: a
# loaded machine may take seconds to show it).
CANCEL_WAIT_MS = int(DEADLINE_S * 1000)
AUDIO_CAP_BYTES = 8 * 1024  # a lowered cap for "far larger than expected" audio
BODY_STARTED = {"stall_body", "truncated", "huge"}
# Once a window is up: connection retries back off from 50 ms rather than 0.5 s (the same
# policy, a faster run) and a silent server is given up on after 0.5 s.
QUICK = {"retry_base_delay_s": 0.05, "read_timeout_s": 0.5}
# For debugging one fault: XI_MATRIX_ROWS=cancel,huge runs only those rows.
ONLY_ROWS = {r for r in os.environ.get("XI_MATRIX_ROWS", "").split(",") if r}


def rows() -> list[str]:
    return [r.id for r in matrix.ROWS if not ONLY_ROWS or r.id in ONLY_ROWS]

PATHS = {
    "models": ("GET", r"^/v1/models$"),
    "voices": ("GET", r"^/v2/voices$"),
    "subscription": ("GET", r"^/v1/user/subscription$"),
    # Generate asks for word timings (the spoken-word mark), plain audio on a bare 404.
    "tts_convert": ("POST", r"^/v1/text-to-speech/[^/]+(/with-timestamps)?$"),
    "tts_stream": ("POST", r"^/v1/text-to-speech/[^/]+/stream(/with-timestamps)?$"),
    "tts_timestamps": ("POST", r"^/v1/text-to-speech/[^/]+/with-timestamps$"),
    "stt_create": ("POST", r"^/v1/speech-to-text$"),
    "stt_get": ("GET", r"^/v1/speech-to-text/transcripts/[^/]+$"),
    "stt_delete": ("DELETE", r"^/v1/speech-to-text/transcripts/[^/]+$"),
    "music_compose": ("POST", r"^/v1/music$"),
    "music_stream": ("POST", r"^/v1/music/stream$"),
    "music_plan": ("POST", r"^/v1/music/plan$"),
    # Song details with a format that streams go to the streamed variant (SSE events).
    "music_detailed": ("POST", r"^/v1/music/detailed(/stream)?$"),
}
AUDIO_COLUMNS = {"tts_convert", "tts_stream", "music_compose", "music_stream", "music_detailed"}


# -- what each fault is, and what the user must be told ---------------------------------

@dataclass(frozen=True)
class Step:
    faults: tuple[dict[str, Any], ...] = ()
    expect: tuple[str, ...] = ()  # in the message, case ignored
    url: str | None = None  # the server address is broken instead
    lowered_cap: bool = False  # real audio above a lowered client cap


def steps_for(row: str, column: str, other_host: OtherHost) -> list[Step]:
    status: dict[str, tuple[tuple[dict[str, Any], ...], tuple[str, ...]]] = {
        "bad_key": (({"fault": "401"},), ("API key was not accepted", "Settings")),
        "forbidden": (({"fault": "403"},), ("Not included in your plan", "upgrade")),
        "not_found": (({"fault": "404"},), ("not found", "try again")),
        "validation": (({"fault": "422"},), ("did not accept a setting",
                                             "text: Field required")),
        "concurrency": (({"fault": "429", "code": "too_many_concurrent_requests",
                          "retry_after": 0.05, "count": 3},),
                        ("Too many generations at once", "again")),
        "busy": (({"fault": "429", "retry_after": 0.05, "count": 3},),
                 ("ElevenLabs is busy", "Try again in")),
        "quota": (({"fault": "401", "code": "quota_exceeded"},),
                  ("Out of credits", "upgrade your plan")),
        "s500": (({"fault": "500"},), ("error 500", "try again")),
        "timeout_headers": (({"fault": "stall_before_headers", "seconds": STALL_S},),
                            ("took too long", "try again")),
        "stall_body": (({"fault": "stall_mid_body", "seconds": STALL_S},),
                       ("took too long", "try again")),
        "truncated": (({"fault": "truncated_body"},), ("cut off before the end", "Try again")),
        "invalid_json": (({"fault": "invalid_json"},), ("could not be used", "Try again")),
        "wrong_type": (({"fault": "wrong_content_type"},), ("could not be used", "Try again")),
        "redirect": (({"fault": "redirect_to_other_host", "location": other_host.url
                       + "/stolen"},), ("not followed", "Try again")),
    }
    if row in status:
        faults, expect = status[row]
        return [Step(faults, expect)]
    if row == "s502_503":
        return [Step(({"fault": "502"},), ("error 502", "try again")),
                Step(({"fault": "503", "retry_after": 0.05, "count": 3},),
                     ("error 503", "try again"))]
    if row == "refused":
        return [Step(url=dead_url(), expect=("Could not reach the server",
                                             "internet connection"))]
    if row == "dns":
        return [Step(url=DNS_FAILURE_URL, expect=("Could not reach the server",
                                                  "no-such-host.invalid"))]
    if row == "huge":
        if column in AUDIO_COLUMNS:
            return [Step(expect=("could not be used", "Try again"), lowered_cap=True)]
        return [Step(({"fault": "huge_body"},), ("could not be used", "too large"))]
    raise AssertionError(f"no steps for {row}")


def check_message(text: str, expect: tuple[str, ...]) -> None:
    for snippet in expect:
        assert snippet.lower() in text.lower(), f"{snippet!r} not in the message {text!r}"


# -- bookkeeping shared by every cell ----------------------------------------------------

def requests_to(cloud: Cloud, column: str) -> list[dict[str, Any]]:
    method, pattern = PATHS[column]
    return [r for r in cloud.control.requests()
            if r["method"] == method and re.search(pattern, r["path"])]


def generations(cloud: Cloud) -> int:
    return sum(cloud.control.stats()["generations"].values())


def add_faults(cloud: Cloud, column: str, faults: tuple[dict[str, Any], ...]) -> None:
    method, pattern = PATHS[column]
    if faults:
        cloud.control.add_faults(*[{"method": method, "path_regex": pattern, **f}
                                   for f in faults])


def check_no_double_charge(cloud: Cloud, column: str, row: str) -> None:
    """At most one piece of paid work per action; none repeated once a body started."""
    done = generations(cloud)
    assert done <= 1, f"{done} generations for one action"
    if row in BODY_STARTED:
        sent = len(requests_to(cloud, column))
        assert sent == 1, f"the request was sent {sent} times after a body had started"


def check_other_host(other_host: OtherHost) -> None:
    assert other_host.recorder.seen() == [], "a request reached the other host"


def audio_files(studio: Studio) -> list[str]:
    return sorted(p.name for p in studio.ctx.paths.audio_dir.iterdir())


def history_files(studio: Studio) -> list[str]:
    """The audio files of history rows that live in the audio folder (a transcript's row
    points to the user's own recording, wherever it is)."""
    audio_dir = studio.ctx.paths.audio_dir
    return sorted(g.file_path.name for g in studio.ctx.history.list()
                  if g.file_path and g.file_path.parent == audio_dir)


def check_nothing_saved(studio: Studio, history_before: set[int]) -> None:
    assert {g.id for g in studio.ctx.history.list()} == history_before, "history changed"
    assert audio_files(studio) == history_files(studio), (
        f"stray or partial files in the audio folder: {audio_files(studio)}")


@dataclass
class Cells:
    """Runs cells, records each in the matrix, and fails the test at the end if any did."""

    column: str
    failed: list[str] = field(default_factory=list)

    def run(self, row: str, cell: Callable[[], None], cleanup: Callable[[], None]) -> None:
        t0 = time.monotonic()
        try:
            cell()
        except Exception as exc:
            detail = f"{type(exc).__name__}: {exc}"
            matrix.record(row, self.column, matrix.FAIL, detail)
            self.failed.append(f"{row}: {detail}\n{traceback.format_exc(limit=6)}")
        else:
            matrix.record(row, self.column, matrix.PASS)
        finally:
            with contextlib.suppress(Exception):
                cleanup()
            if os.environ.get("XI_MATRIX_TIMES"):
                print(f"{self.column} {row} {time.monotonic() - t0:.2f}s")

    def finish(self) -> None:
        assert not self.failed, f"{self.column}: " + "\n".join(self.failed)


# -- the UI ------------------------------------------------------------------------------

def wait(qtbot: Any, condition: Callable[..., Any], timeout_ms: int, what: str) -> None:
    try:
        qtbot.waitUntil(condition, timeout=timeout_ms)
    except Exception as exc:
        raise AssertionError(f"waited {timeout_ms / 1000:g} s for {what}") from exc


def banner_text(studio: Studio) -> str:
    banner = studio.find(QWidget, "speech.error")
    return banner.text() if banner.isVisible() else ""


def text_box(studio: Studio) -> QPlainTextEdit:
    box: QPlainTextEdit = studio.find(QPlainTextEdit, "speech.text")
    return box


def wait_banner(qtbot: Any, studio: Studio, timeout_ms: int = 20_000) -> str:
    try:
        qtbot.waitUntil(lambda: banner_text(studio) != "", timeout=timeout_ms)
    except Exception as exc:
        status = studio.find(QLabel, "speech.status").text()
        raise AssertionError(f"no message shown; the status says {status!r}") from exc
    return banner_text(studio)


def click(qtbot: Any, studio: Studio, name: str) -> None:
    button = studio.find(QPushButton, name)
    assert button.isVisible() and button.isEnabled(), f"{name} cannot be clicked"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def generate_and_succeed(qtbot: Any, studio: Studio, cloud: Cloud) -> None:
    """The next action works: one Generate, one generation, one file, no message."""
    cloud.control.reset()
    generate = studio.find(QPushButton, "speech.generate")
    wait(qtbot, generate.isEnabled, 20_000, "Generate to be enabled")
    count = len(studio.ctx.history.list())
    click(qtbot, studio, "speech.generate")
    wait(qtbot, lambda: len(studio.ctx.history.list()) == count + 1, 20_000,
         "the next generation to be saved")
    assert banner_text(studio) == ""
    assert text_box(studio).toPlainText().startswith(TEXT)
    assert generations(cloud) == 1
    assert audio_files(studio) == history_files(studio)


def seed_draft(home: Path, text: str = TEXT) -> None:
    DraftStore(AppPaths.under(home).drafts_dir).save("speech", {"text": text})


def draft_text(home: Path) -> str:
    draft = DraftStore(AppPaths.under(home).drafts_dir).load("speech") or {}
    return str(draft.get("text") or "")


def fix_server_address(qtbot: Any, studio: Studio, url: str) -> None:
    """What a user does after a wrong address: Settings, type the right one, Save."""
    from PySide6.QtWidgets import QDialogButtonBox

    dialog = studio.window.open_settings()
    dialog.base_url.setText(url)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save.isEnabled(), dialog.base_url_note.text()
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)


# -- start-up: models, voices, and the subscription (quota refresh) ----------------------

def quota_problem(studio: Studio) -> str:
    return str(studio.find(QLabel, "speech.estimate").toolTip())


def startup_cell(qtbot: Any, studios: StudioFactory, cloud: Cloud,
                 other_host: OtherHost, column: str, row: str) -> None:
    if row == "cancel":
        startup_cancel(qtbot, studios, cloud, column)
        return
    for step in steps_for(row, column, other_host):
        home = studios.home()
        seed_draft(home)
        cloud.control.reset()
        other_host.recorder.clear()
        add_faults(cloud, column, step.faults)
        started = time.monotonic()
        studio = studios.start(home, cloud_url=step.url or cloud.url)
        if column == "subscription":
            wait(qtbot, lambda s=studio: quota_problem(s) != "", 20_000,
                 "the credits-left problem to be shown")
            message = quota_problem(studio)
            if row in ("bad_key", "forbidden"):  # a key without the user_read permission
                check_message(message, ("credits left are unknown", "permission",
                                        "Generating still works"))
            else:
                check_message(message, ("credits left are unknown", *step.expect))
        else:
            message = wait_banner(qtbot, studio)
            check_message(message, step.expect if row != "not_found"
                          else ("were not found", "server address in Settings"))
            assert message.split("<br>", 1)[-1].strip(), "no next step"
        elapsed = time.monotonic() - started
        assert elapsed < DEADLINE_S, f"the message took {elapsed:.1f} s"
        assert text_box(studio).toPlainText() == TEXT
        check_nothing_saved(studio, set())
        assert generations(cloud) == 0
        check_other_host(other_host)
        # Usable again: fix what the user can fix, then generate.
        cloud.control.reset()
        if step.url:
            fix_server_address(qtbot, studio, cloud.url)
        elif column != "subscription":
            click(qtbot, studio, "speech.error.retry")
        if column != "subscription":  # the voices and models load: Generate is enabled
            wait(qtbot, studio.find(QPushButton, "speech.generate").isEnabled, 20_000,
                 "the voices and models to load")
            assert banner_text(studio) == "" and generations(cloud) == 0
        else:  # Generate works, and the credits left are read again after it
            generate_and_succeed(qtbot, studio, cloud)
            estimate = studio.find(QLabel, "speech.estimate")
            wait(qtbot, lambda e=estimate: "left this period" in e.text(), 10_000,
                 "the credits left to be shown")
            assert quota_problem(studio) == ""
        studios.stop(studio)


def startup_cancel(qtbot: Any, studios: StudioFactory, cloud: Cloud,
                   column: str) -> None:
    """The user gives up while the request hangs: closing the window is prompt, and
    nothing typed is lost."""
    home = studios.home()
    seed_draft(home)
    cloud.control.reset()
    add_faults(cloud, column, ({"fault": "stall_before_headers", "seconds": STALL_S},))
    studio = studios.start(home, cloud_url=cloud.url, wait_ready=False)
    wait(qtbot, lambda: len(requests_to(cloud, column)) >= 1, 10_000, "the request")
    text_box(studio).moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(text_box(studio), " More.")
    assert studios.stop(studio) < DEADLINE_S, "closing the window waited for the stalled request"
    assert draft_text(home) == TEXT + " More."
    wait(qtbot, lambda: cloud.control.stats()["disconnects"] >= 1, 10_000,
         "the server to see the connection closed")
    cloud.control.reset()
    again = studios.start(home, cloud_url=cloud.url)
    assert text_box(again).toPlainText() == TEXT + " More."
    generate_and_succeed(qtbot, again, cloud)
    studios.stop(again)


@pytest.mark.parametrize("column", ["models", "voices", "subscription"])
def test_startup_faults(column: str, qtbot: Any, studios: StudioFactory, cloud: Cloud,
                        other_host: OtherHost) -> None:
    cells = Cells(column)
    for row_id in rows():
        cells.run(row_id, partial(startup_cell, qtbot, studios, cloud, other_host, column,
                                  row_id), cleanup=partial(_stop_all, studios))
    cells.finish()


def _stop_all(studios: StudioFactory) -> None:
    for studio in list(studios.started):
        studios.stop(studio)


# -- Generate: TTS convert (WAV) and stream (MP3) ----------------------------------------

def tts_cell(qtbot: Any, studio: Studio, cloud: Cloud, other_host: OtherHost,
             column: str, row: str) -> None:
    client = studio.ctx.client
    if row == "cancel":
        tts_cancel(qtbot, studio, cloud, column)
        generate_and_succeed(qtbot, studio, cloud)
        return
    for step in steps_for(row, column, other_host):
        cloud.control.reset()
        other_host.recorder.clear()
        before = {g.id for g in studio.ctx.history.list()}
        if step.url:
            client.reconfigure(base_url=step.url)  # the network goes away
        if step.lowered_cap:
            client.reconfigure(max_body_bytes=AUDIO_CAP_BYTES)
            cloud.control.configure(min_seconds=8.0)
        add_faults(cloud, column, step.faults)
        started = time.monotonic()
        click(qtbot, studio, "speech.generate")
        message = wait_banner(qtbot, studio)
        elapsed = time.monotonic() - started
        assert elapsed < DEADLINE_S, f"the message took {elapsed:.1f} s"
        check_message(message, step.expect)
        assert message.split("<br>", 1)[-1].strip(), "no next step"
        assert "Your text is still here" in studio.find(QLabel, "speech.status").text()
        wait(qtbot, studio.find(QPushButton, "speech.generate").isEnabled, 10_000,
         "Generate to be enabled again")
        assert text_box(studio).toPlainText() == TEXT
        check_nothing_saved(studio, before)
        check_no_double_charge(cloud, column, row)
        check_other_host(other_host)
        restore_client(studio, cloud)
    generate_and_succeed(qtbot, studio, cloud)


def tts_cancel(qtbot: Any, studio: Studio, cloud: Cloud, column: str) -> None:
    cloud.control.reset()
    before = {g.id for g in studio.ctx.history.list()}
    if column == "tts_stream":  # a slow stream, cancelled while it plays
        cloud.control.configure(chunk_delay_s=0.15, chunk_bytes=512)
    else:  # WAV comes whole: cancelled while waiting for it
        add_faults(cloud, column, ({"fault": "stall_before_headers", "seconds": STALL_S},))
    click(qtbot, studio, "speech.generate")
    cancel = studio.find(QPushButton, "speech.cancel")
    wait(qtbot, cancel.isVisible, 5000, "Cancel to show")
    wait(qtbot, lambda: len(requests_to(cloud, column)) == 1, 5000, "the request")
    if column == "tts_stream":
        wait(qtbot, lambda: studio.ctx.player.duration_ms > 0, 10_000, "audio to play")
    started = time.monotonic()
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    status = studio.find(QLabel, "speech.status")
    wait(qtbot, lambda: status.text().startswith("Stopped"), CANCEL_WAIT_MS, "“Stopped”")
    assert time.monotonic() - started < DEADLINE_S
    check_message(status.text(), ("Nothing was saved", "your text is still here"))
    wait(qtbot, studio.find(QPushButton, "speech.generate").isEnabled, 10_000,
         "Generate to be enabled again")
    assert text_box(studio).toPlainText() == TEXT
    check_nothing_saved(studio, before)
    wait(qtbot, lambda: cloud.control.stats()["disconnects"] >= 1, 10_000,
         "the server to see the connection closed")
    assert generations(cloud) <= 1 and len(requests_to(cloud, column)) == 1


def restore_client(studio: Studio, cloud: Cloud) -> None:
    defaults = ClientConfig()
    studio.ctx.client.reconfigure(base_url=cloud.url, max_body_bytes=defaults.max_body_bytes,
                                  max_json_bytes=defaults.max_json_bytes)


@pytest.mark.parametrize(("column", "output_format"),
                         [("tts_convert", "wav_24000"), ("tts_stream", "mp3_44100_128")])
def test_generate_faults(column: str, output_format: str, qtbot: Any, studios: StudioFactory,
                         cloud: Cloud, other_host: OtherHost) -> None:
    cloud.control.reset()
    studio = studios.start(studios.home(column), cloud_url=cloud.url)
    studio.ctx.client.reconfigure(**QUICK)
    combo = studio.find(QComboBox, "speech.format")
    combo.setCurrentIndex(combo.findData(output_format))
    qtbot.keyClicks(text_box(studio), TEXT)

    def cleanup() -> None:
        studio.window.runner.cancel("speech.generate")
        qtbot.waitUntil(lambda: not studio.window.runner.is_running("speech.generate"),
                        timeout=10_000)
        restore_client(studio, cloud)
        cloud.control.reset()
        if text_box(studio).toPlainText() != TEXT:
            text_box(studio).setPlainText(TEXT)

    cells = Cells(column)
    for row_id in rows():
        cells.run(row_id, partial(tts_cell, qtbot, studio, cloud, other_host, column, row_id),
                  cleanup)
    cells.finish()


# -- the Music tab: compose (a plan, whole), stream (a prompt), detailed, plan -----------

MUSIC_PROMPT = "A calm piano tune for a rainy afternoon."
MUSIC_STATUS = "Nothing was saved. Your plan and prompt are still here."


def music_banner(studio: Studio) -> str:
    banner = studio.find(QWidget, "music.error")
    return banner.text() if banner.isVisible() else ""


def music_input(studio: Studio) -> tuple[str, str]:
    """What the user typed and arranged: the prompt and the plan."""
    from app.domain.music_plan_write import plan_to_dict

    tab = studio.window.music_tab
    return tab.prompt_panel.text(), json.dumps(plan_to_dict(tab.editor.plan()), sort_keys=True)


def music_prepare(studio: Studio, column: str) -> None:
    """The settings that make the tab call `column`'s endpoint (what a user would pick)."""
    from app.ui.music.music_tab import PLAN_PAGE, PROMPT_PAGE

    tab = studio.window.music_tab
    studio.window.tabs.setCurrentWidget(tab)
    out = tab.output
    out.store.setChecked(False)
    out.detailed.setChecked(column == "music_detailed")
    out.format.setCurrentIndex(out.format.findData("mp3_44100_128"))
    if column == "music_compose":  # a v1 plan free to stretch sections goes to /v1/music
        out.model.setCurrentIndex(out.model.findData("music_v1"))
        tab.mode.setCurrentIndex(PLAN_PAGE)
        tab.editor.respect.setChecked(False)
    else:
        tab.mode.setCurrentIndex(PROMPT_PAGE)


def music_act(qtbot: Any, studio: Studio, column: str) -> None:
    if music_banner(studio):  # the last message, read: dismissed
        click(qtbot, studio, "music.error.dismiss")
    click(qtbot, studio, "music.prompt_to_plan" if column == "music_plan" else "music.compose")


def music_succeed(qtbot: Any, studio: Studio, cloud: Cloud, column: str) -> None:
    """The next action works: one click, one song (or plan), nothing else paid for."""
    cloud.control.reset()
    music_prepare(studio, column)
    status = studio.find(QLabel, "music.status")
    count = len(studio.ctx.history.list())
    wait(qtbot, lambda: studio.find(QPushButton, "music.compose").isEnabled(), 10_000,
         "Compose to be enabled")
    music_act(qtbot, studio, column)
    if column == "music_plan":
        wait(qtbot, lambda: status.text().startswith("Plan written"), 20_000, "the plan")
    else:
        wait(qtbot, lambda: len(studio.ctx.history.list()) == count + 1, 20_000,
             "the next song to be saved")
        assert generations(cloud) == 1
    assert music_banner(studio) == ""
    assert len(requests_to(cloud, column)) == 1
    assert studio.window.music_tab.prompt_panel.text() == MUSIC_PROMPT
    assert audio_files(studio) == history_files(studio)


def music_cell(qtbot: Any, holder: list[Studio], studios: StudioFactory, cloud: Cloud,
               other_host: OtherHost, column: str, row: str) -> None:
    studio = holder[0]
    client = studio.ctx.client
    if row == "cancel":
        music_cancel(qtbot, holder, studios, cloud, column)
        music_succeed(qtbot, holder[0], cloud, column)
        return
    for step in steps_for(row, column, other_host):
        cloud.control.reset()
        other_host.recorder.clear()
        music_prepare(studio, column)
        before = {g.id for g in studio.ctx.history.list()}
        typed = music_input(studio)
        if step.url:
            client.reconfigure(base_url=step.url)
        if step.lowered_cap:
            client.reconfigure(max_body_bytes=AUDIO_CAP_BYTES)
            cloud.control.configure(min_seconds=8.0)
        add_faults(cloud, column, step.faults)
        started = time.monotonic()
        music_act(qtbot, studio, column)
        try:
            qtbot.waitUntil(lambda: music_banner(studio) != "", timeout=20_000)
        except Exception as exc:
            status = studio.find(QLabel, "music.status").text()
            raise AssertionError(f"no message shown; the status says {status!r}") from exc
        elapsed = time.monotonic() - started
        assert elapsed < DEADLINE_S, f"the message took {elapsed:.1f} s"
        message = music_banner(studio)
        check_message(message, step.expect)
        assert message.split("<br>", 1)[-1].strip(), "no next step"
        assert studio.find(QLabel, "music.status").text() == MUSIC_STATUS
        wait(qtbot, lambda: not studio.window.runner.is_running("music.compose")
             and not studio.window.runner.is_running("music.plan"), 10_000, "the task to end")
        assert music_input(studio) == typed, "what the user typed or planned changed"
        check_nothing_saved(studio, before)
        check_no_double_charge(cloud, column, row)
        check_other_host(other_host)
        restore_client(studio, cloud)
    music_succeed(qtbot, studio, cloud, column)


def music_cancel(qtbot: Any, holder: list[Studio], studios: StudioFactory,
                 cloud: Cloud, column: str) -> None:
    studio = holder[0]
    cloud.control.reset()
    music_prepare(studio, column)
    before = {g.id for g in studio.ctx.history.list()}
    typed = music_input(studio)
    if column == "music_stream":  # a slow stream, cancelled while it plays
        cloud.control.configure(chunk_delay_s=0.15, chunk_bytes=512)
    else:
        add_faults(cloud, column, ({"fault": "stall_before_headers", "seconds": STALL_S},))
    music_act(qtbot, studio, column)
    wait(qtbot, lambda: len(requests_to(cloud, column)) == 1, 5000, "the request")
    if column == "music_plan":
        # Writing a plan has no Cancel button: the user closes the window.
        assert studios.stop(studio) < DEADLINE_S, "closing the window waited for the request"
        wait(qtbot, lambda: cloud.control.stats()["disconnects"] >= 1, 10_000,
             "the server to see the connection closed")
        holder[0] = studio = studios.start(studio.home, cloud_url=cloud.url)
        studio.ctx.client.reconfigure(**QUICK)
        assert studio.window.music_tab.prompt_panel.text() == MUSIC_PROMPT
        return
    if column == "music_stream":
        wait(qtbot, lambda: studio.ctx.player.duration_ms > 0, 10_000, "music to play")
    started = time.monotonic()
    click(qtbot, studio, "music.cancel")
    status = studio.find(QLabel, "music.status")
    wait(qtbot, lambda: status.text().startswith("Stopped"), CANCEL_WAIT_MS, "“Stopped”")
    assert time.monotonic() - started < DEADLINE_S
    check_message(status.text(), ("Nothing was saved", "still here"))
    wait(qtbot, lambda: not studio.window.runner.is_running("music.compose"), 10_000,
         "the task to end")
    assert music_input(studio) == typed
    check_nothing_saved(studio, before)
    wait(qtbot, lambda: cloud.control.stats()["disconnects"] >= 1, 10_000,
         "the server to see the connection closed")
    assert generations(cloud) <= 1 and len(requests_to(cloud, column)) == 1


@pytest.mark.parametrize("column", ["music_compose", "music_stream", "music_plan",
                                    "music_detailed"])
def test_music_tab_faults(column: str, qtbot: Any, studios: StudioFactory,
                          cloud: Cloud, other_host: OtherHost) -> None:
    cloud.control.reset()
    holder = [studios.start(studios.home(column), cloud_url=cloud.url)]
    holder[0].ctx.client.reconfigure(**QUICK)
    music_prepare(holder[0], "music_stream")  # the prompt page, to type on
    holder[0].find(QWidget, "music.length").setValue(10)
    qtbot.keyClicks(holder[0].find(QPlainTextEdit, "music.prompt"), MUSIC_PROMPT)
    # A plan to compose, opened as a user opens a plan file.
    from tests.support.cloud_server import SAMPLES

    plan = json.loads((SAMPLES / "music_composition_plan_v1.json").read_text())
    assert holder[0].window.music_tab.load_plan_json(plan)

    def cleanup() -> None:
        studio = holder[0]
        studio.window.runner.cancel("music.compose")
        studio.window.runner.cancel("music.plan")
        wait(qtbot, lambda: not studio.window.runner.is_running("music.compose")
             and not studio.window.runner.is_running("music.plan"), 10_000, "tasks to end")
        restore_client(studio, cloud)
        cloud.control.reset()

    cells = Cells(column)
    for row_id in rows():
        cells.run(row_id, partial(music_cell, qtbot, holder, studios, cloud, other_host,
                                  column, row_id), cleanup)
    cells.finish()


# -- the Transcripts tab: transcribe a file, fetch by id, delete on the server ----------

STT_EXPECT_NOT_FOUND = {"stt_get": ("No transcript with that id", "Check the id"),
                        "stt_delete": ("Already gone", "Nothing to do")}


def stt_banner(studio: Studio) -> str:
    banner = studio.find(QWidget, "transcripts.error")
    return banner.text() if banner.isVisible() else ""


def stt_status(studio: Studio) -> str:
    return str(studio.find(QLabel, "transcripts.status").text())


def _wav(path: Path) -> Path:
    """A second of a tone: the recording the user transcribes."""
    if not path.exists():
        t = np.arange(16_000) / 16_000
        sf.write(path, (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16_000)
    return path


def remote_transcript(cloud: Cloud, audio: Path) -> str:
    """A transcript that exists on the server (made by another device, say)."""
    import httpx

    from tests.support.cloud_server import CREATOR_KEY

    response = httpx.post(f"{cloud.url}/v1/speech-to-text", headers={"xi-api-key": CREATOR_KEY},
                          data={"model_id": "scribe_v2"},
                          files=[("file", ("a.wav", audio.read_bytes(), "audio/wav"))],
                          timeout=10, trust_env=False)
    response.raise_for_status()
    return str(response.json()["transcription_id"])


@dataclass
class SttColumn:
    qtbot: Any
    holder: list[Studio]
    studios: StudioFactory
    cloud: Cloud
    column: str
    audio: Path

    @property
    def studio(self) -> Studio:
        return self.holder[0]

    def saved_state(self) -> tuple[set[int], list[str], list[str]]:
        studio = self.studio
        folder = studio.ctx.paths.data_dir / "transcripts"
        files = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
        return {g.id for g in studio.ctx.history.list()}, files, audio_files(studio)

    def typed(self) -> tuple[str, str]:
        tab = self.studio.window.transcripts_tab
        return tab.source.id_input.text(), str(tab.source.media_path)

    def prepare(self) -> None:
        """Before the action: on the tab, with what the action needs (and the user typed)."""
        studio, tab = self.studio, self.studio.window.transcripts_tab
        studio.window.tabs.setCurrentWidget(tab)
        if stt_banner(studio):
            click(self.qtbot, studio, "transcripts.error.dismiss")
        if self.column == "stt_create":
            if tab.source.media_path != self.audio:
                tab.open_path(self.audio)  # as after choosing the file
            return
        transcription_id = remote_transcript(self.cloud, self.audio)
        box = tab.source.id_input
        box.clear()
        self.qtbot.keyClicks(box, transcription_id)
        if self.column == "stt_delete":  # delete works on the transcript being shown
            click(self.qtbot, studio, "transcripts.fetch")

            def shown() -> bool:
                original = tab.document.original
                return original is not None and original.transcription_id == transcription_id

            wait(self.qtbot, lambda: shown() and self.idle(), 10_000,
                 "the transcript to be fetched")

    def act(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        name = {"stt_create": "transcripts.transcribe", "stt_get": "transcripts.fetch",
                "stt_delete": "transcripts.delete"}[self.column]
        click(self.qtbot, self.studio, name)
        if self.column == "stt_delete":
            asked = [b for b in self.studio.window.findChildren(
                QMessageBox, "transcripts.delete_confirm") if b.isVisible()]
            assert len(asked) == 1, "no confirmation was asked"
            asked[0].button(QMessageBox.StandardButton.Yes).click()

    def succeeded(self) -> bool:
        status = stt_status(self.studio)
        return {"stt_create": status.startswith("Transcribed"),
                "stt_get": status.startswith("Fetched"),
                "stt_delete": "was deleted from the server" in status}[self.column]

    def baseline(self) -> tuple[int, int]:
        """(requests to this column's endpoint, generations) so far: the set-up's own
        requests (a transcript made elsewhere, fetched to be deleted) are not the action's."""
        return len(requests_to(self.cloud, self.column)), generations(self.cloud)

    def since(self, baseline: tuple[int, int]) -> tuple[int, int]:
        sent, done = self.baseline()
        return sent - baseline[0], done - baseline[1]

    def next_action(self) -> None:
        self.cloud.control.reset()
        self.prepare()
        baseline = self.baseline()
        self.act()
        try:
            self.qtbot.waitUntil(self.succeeded, timeout=20_000)
        except Exception as exc:
            raise AssertionError(f"the next action did not succeed: status "
                                 f"{stt_status(self.studio)!r}, message "
                                 f"{stt_banner(self.studio)!r}") from exc
        assert stt_banner(self.studio) == ""
        sent, done = self.since(baseline)
        assert sent == 1 and done <= 1, (sent, done)

    def idle(self) -> bool:
        runner = self.studio.window.runner
        return not any(runner.is_running(n) for n in (
            "transcripts.transcribe", "transcripts.fetch", "transcripts.delete"))


def stt_cell(column: SttColumn, other_host: OtherHost, row: str) -> None:
    qtbot, cloud, studio = column.qtbot, column.cloud, column.studio
    if row == "cancel":
        stt_cancel(column)
        column.next_action()
        return
    for step in steps_for(row, column.column, other_host):
        cloud.control.reset()
        column.prepare()
        baseline = column.baseline()
        other_host.recorder.clear()
        saved, typed = column.saved_state(), column.typed()
        if step.url:
            studio.ctx.client.reconfigure(base_url=step.url)
        add_faults(cloud, column.column, step.faults)
        started = time.monotonic()
        column.act()
        try:
            qtbot.waitUntil(lambda: stt_banner(studio) != "", timeout=20_000)
        except Exception as exc:
            raise AssertionError(f"no message; the status says {stt_status(studio)!r}") from exc
        elapsed = time.monotonic() - started
        assert elapsed < DEADLINE_S, f"the message took {elapsed:.1f} s"
        message = stt_banner(studio)
        expect = STT_EXPECT_NOT_FOUND.get(column.column, step.expect) \
            if row == "not_found" else step.expect
        check_message(message, expect)
        assert message.split("<br>", 1)[-1].strip(), "no next step"
        wait(qtbot, column.idle, 10_000, "the task to end")
        assert column.typed() == typed, "what the user typed or chose changed"
        assert column.saved_state() == saved, "something was saved"
        sent, done = column.since(baseline)
        assert done <= 1, f"{done} generations for one action"
        if row in BODY_STARTED:
            assert sent == 1, f"the request was sent {sent} times after a body had started"
        check_other_host(other_host)
        restore_client(studio, cloud)
    column.next_action()


def stt_cancel(column: SttColumn) -> None:
    qtbot, cloud = column.qtbot, column.cloud
    cloud.control.reset()
    column.prepare()
    baseline = column.baseline()
    saved, typed = column.saved_state(), column.typed()
    add_faults(cloud, column.column, ({"fault": "stall_before_headers", "seconds": STALL_S},))
    column.act()
    wait(qtbot, lambda: column.since(baseline)[0] == 1, 5000, "the request")
    studio = column.studio
    if column.column == "stt_delete":
        # Deleting has no Cancel button: the user closes the window.
        assert column.studios.stop(studio) < DEADLINE_S, \
            "closing the window waited for the request"
        column.holder[0] = column.studios.start(studio.home, cloud_url=cloud.url)
        column.holder[0].ctx.client.reconfigure(**QUICK)
    else:
        started = time.monotonic()
        click(qtbot, studio, "transcripts.cancel")
        wait(qtbot, column.idle, CANCEL_WAIT_MS, "the request to stop")
        assert time.monotonic() - started < DEADLINE_S
        check_message(stt_status(studio), ("stopped", "Nothing was saved"))
        assert column.typed() == typed
        assert column.saved_state() == saved
    wait(qtbot, lambda: cloud.control.stats()["disconnects"] >= 1, 10_000,
         "the server to see the connection closed")


@pytest.mark.parametrize("column", ["stt_create", "stt_get", "stt_delete"])
def test_transcripts_tab_faults(column: str, qtbot: Any, studios: StudioFactory,
                                cloud: Cloud, other_host: OtherHost, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    # A transcription may take an hour by design (app/api/transcripts.py); a silent
    # server is given up on as quickly as any other here.
    monkeypatch.setattr("app.api.transcripts.TRANSCRIBE_READ_TIMEOUT_S", QUICK["read_timeout_s"])
    cloud.control.reset()
    holder = [studios.start(studios.home(column), cloud_url=cloud.url)]
    holder[0].ctx.client.reconfigure(**QUICK)
    stt = SttColumn(qtbot, holder, studios, cloud, column, _wav(tmp_path / "speech.wav"))

    def cleanup() -> None:
        for name in ("transcripts.transcribe", "transcripts.fetch", "transcripts.delete"):
            stt.studio.window.runner.cancel(name)
        wait(qtbot, stt.idle, 10_000, "tasks to end")
        restore_client(stt.studio, cloud)
        cloud.control.reset()

    cells = Cells(column)
    for row_id in rows():
        cells.run(row_id, partial(stt_cell, stt, other_host, row_id), cleanup)
    cells.finish()


# -- the service layer: TTS with-timestamps (no part of the UI calls it) ----------------

ServiceCall = Callable[[], Awaitable[Any]]


@dataclass
class ServiceColumn:
    column: str
    call: Callable[[Any], ServiceCall]  # (context) -> a fresh call


def service_cell(qtbot: Any, studio: Studio, cloud: Cloud, other_host: OtherHost,
                 spec: ServiceColumn, row: str) -> None:
    client = studio.ctx.client
    column = spec.column

    def prepared() -> ServiceCall:
        cloud.control.reset()
        return spec.call(studio.ctx)

    if row == "cancel":
        call = prepared()
        add_faults(cloud, column, ({"fault": "stall_before_headers", "seconds": STALL_S},))
        task = asyncio.ensure_future(call())
        wait(qtbot, lambda: len(requests_to(cloud, column)) == 1, 10_000, "the request")
        started = time.monotonic()
        task.cancel()
        wait(qtbot, task.done, CANCEL_WAIT_MS, "the cancelled call to end")
        assert task.cancelled() and time.monotonic() - started < DEADLINE_S
        wait(qtbot, lambda: cloud.control.stats()["disconnects"] >= 1, 10_000,
         "the server to see the connection closed")
    else:
        for step in steps_for(row, column, other_host):
            call = prepared()
            other_host.recorder.clear()
            gens_before = generations(cloud)
            if step.url:
                client.reconfigure(base_url=step.url)
            if step.lowered_cap:
                client.reconfigure(max_body_bytes=AUDIO_CAP_BYTES)
                cloud.control.configure(min_seconds=8.0)
            add_faults(cloud, column, step.faults)
            _, exc, elapsed = run_coroutine(qtbot, call, timeout_s=20)
            assert isinstance(exc, ApiError), f"expected an ApiError, got {exc!r}"
            assert elapsed < DEADLINE_S, f"the error took {elapsed:.1f} s"
            message = describe_error(exc)
            check_message(message.as_text(), step.expect[:1])
            assert message.next_step.strip(), "no next step"
            done = generations(cloud) - gens_before
            assert done <= 1, f"{done} generations for one call"
            if row in BODY_STARTED:
                assert len(requests_to(cloud, column)) == 1, "sent again after a body started"
            check_other_host(other_host)
            restore_client(studio, cloud)
    # Usable again: the same call, without a fault, works.
    call = prepared()
    gens_before = generations(cloud)
    _, exc, _ = run_coroutine(qtbot, call, timeout_s=20)
    assert exc is None, f"the next call failed: {exc!r}"
    assert generations(cloud) - gens_before <= 1
    assert audio_files(studio) == []  # the service layer never writes files


def with_timestamps_column() -> ServiceColumn:
    from app.domain.wire import SpeechOptions, SpeechRequest

    return ServiceColumn("tts_timestamps", lambda ctx: lambda: ctx.speech.with_timestamps(
        VOICE_ID, SpeechRequest(text=TEXT, model_id="eleven_multilingual_v2"),
        SpeechOptions(output_format="mp3_44100_128")))


def test_service_layer_faults(qtbot: Any, studios: StudioFactory, cloud: Cloud,
                              other_host: OtherHost) -> None:
    cloud.control.reset()
    studio = studios.start(studios.home("services"), cloud_url=cloud.url)
    studio.ctx.client.reconfigure(**QUICK)
    spec = with_timestamps_column()
    cells = Cells(spec.column)
    for row_id in rows():
        cells.run(row_id, partial(service_cell, qtbot, studio, cloud, other_host, spec,
                                  row_id), cleanup=partial(restore_client, studio, cloud))
    cells.finish()
