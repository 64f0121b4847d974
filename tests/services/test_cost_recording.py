"""Finished work becomes usage-ledger rows: the server's figure when it gave one, our
estimate (labelled) when not, 0 for the offline engine; recording never fails the work.
The script queue records each take with its script and block, and `xi-studio render`
writes the same rows (a real subprocess against the cloud test server)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.api.responses import ResponseInfo
from app.domain.script import Block, CastMember, Script, Take
from app.library.ledger import (
    ALIGNMENT,
    CLOUD,
    DIALOGUE,
    ENGINE,
    SCRIPT_TAKE,
    TRANSCRIPTION,
    Ledger,
    LedgerEntry,
)
from app.library.paths import AppPaths
from app.services.cost_recording import (
    CostRecorder,
    alignment_row,
    credits_and_estimate,
    dialogue_row,
    music_row,
    speech_row,
    stems_row,
    transcription_row,
)
from app.services.script_document import ScriptDocument
from app.services.script_queue import ScriptQueue
from tests.support.cloud import Cloud
from tests.support.cloud_server import CREATOR_KEY

pytestmark = pytest.mark.anyio


def test_which_figure_a_row_carries() -> None:
    assert credits_and_estimate(12, 99, CLOUD) == (12, False)  # the server's figure
    assert credits_and_estimate(None, 99, CLOUD) == (99, True)  # ours, labelled
    assert credits_and_estimate(None, None, CLOUD) == (None, False)  # unknown, not 0
    assert credits_and_estimate(None, 99, ENGINE) == (0, False)  # offline is free


def test_rows_for_each_kind() -> None:
    info = ResponseInfo.from_headers({"request-id": "r1", "character-cost": "40"})
    no_cost = ResponseInfo.from_headers({"request-id": "r2"})
    speech = speech_row(text="Hello world", model_id="m", reported=None, multiplier=0.5)
    assert (speech.characters, speech.credits, speech.estimated) == (11, 6, True)
    assert speech_row(text="Hi", model_id="m", reported=3).estimated is False
    music = music_row(title="Song", model_id="music_v1", reported=None)
    assert music.credits is None and not music.estimated  # no invented price for music
    stems = stems_row(file=Path("/a/song.mp3"), info=info, duration_ms=3000)
    assert (stems.credits, stems.request_id, stems.what) == (40, "r1", "song.mp3")
    stt = transcription_row(file=Path("talk.wav"), title="talk.wav", model_id="scribe_v1",
                            duration_ms=90_000, info=no_cost, credits_per_minute=30)
    assert (stt.kind, stt.credits, stt.estimated, stt.request_id) == (
        TRANSCRIPTION, 45, True, "r2")
    assert transcription_row(file=None, title="t", model_id=None, duration_ms=90_000,
                             info=info).credits == 40
    aligned = alignment_row(file=Path("talk.wav"), text="one two", duration_ms=1000,
                            info=no_cost, source=ENGINE)
    assert (aligned.kind, aligned.credits, aligned.characters) == (ALIGNMENT, 0, 7)
    script = Script(title="Ad", cast=(CastMember("A", "v"),),
                    blocks=(Block("b1", "A", "One."), Block("b2", "A", "Two.")))
    takes = {"b1": Take("t1", "b1/t1.mp3", "One.", "v", "m", "mp3", character_cost=8,
                        request_id="d1"),
             "b2": Take("t2", "b2/t2.mp3", "Two.", "v", "m", "mp3", character_cost=0,
                        request_id="d1")}
    dialogue = dialogue_row(script=script, script_path=Path("/s/ad.xiscript.json"),
                            takes=takes)
    assert (dialogue.kind, dialogue.credits, dialogue.block_id) == (DIALOGUE, 8, "b1,b2")
    assert dialogue.script_path == "/s/ad.xiscript.json"


class BrokenLedger(Ledger):
    def add(self, entry: LedgerEntry) -> LedgerEntry:
        raise RuntimeError("the disk fell off")


async def test_recording_never_raises(tmp_path: Path) -> None:
    recorder = CostRecorder(BrokenLedger(tmp_path / "l.sqlite3"))
    assert await recorder.transcription(None, "t", None, 1000, None) is None
    assert await CostRecorder(None).stems(Path("x.mp3"), None, None) is None


async def test_each_row_carries_the_session_that_recorded_it(tmp_path: Path) -> None:
    """The window's recorder marks its rows (the status bar's "this session");
    `xi-studio render`'s has no session. A row already marked keeps its own."""
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    window = CostRecorder(ledger, session_id="s1")
    await window.stems(Path("song.mp3"), None, 3000)
    await window.add(LedgerEntry(SCRIPT_TAKE, "kept", credits=4, session_id="other"))
    await CostRecorder(ledger).stems(Path("render.mp3"), None, None)
    assert {e.what: e.session_id for e in ledger.entries()} == {
        "song.mp3": "s1", "kept": "other", "render.mp3": None}
    assert ledger.session_total("s1").operations == 1


class OneTakeRenderer:
    async def render(self, script: Script, block_id: str, on_fraction: object = None,
                     on_response: object = None) -> Take:
        block = script.block(block_id)
        return Take(f"t-{block_id}", f"{block_id}/t.mp3", block.text, "v", script.model_id,
                    script.output_format, request_id=f"r-{block_id}",
                    character_cost=None if block_id == "b1" else len(block.text))


async def test_the_queue_records_each_take_with_its_script_and_block(tmp_path: Path) -> None:
    path = tmp_path / "ad.xiscript.json"
    script = Script(title="Ad", cast=(CastMember("A", "v"),),
                    blocks=(Block("b0", "A", "Hello there."), Block("b1", "A", "Bye now.")))
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    heard: list[LedgerEntry] = []
    recorder = CostRecorder(ledger)
    recorder.subscribe(heard.append)
    queue = ScriptQueue(ScriptDocument(script, path), OneTakeRenderer(),  # type: ignore[arg-type]
                        cost_multiplier=2.0, costs=recorder)
    result = await queue.run()
    assert result.outcome == "finished"
    rows = {e.block_id: e for e in ledger.entries(script_path=str(path))}
    assert rows["b0"].credits == 12 and not rows["b0"].estimated
    assert rows["b1"].credits == 16 and rows["b1"].estimated  # no header: 8 chars x 2
    assert rows["b0"].kind == SCRIPT_TAKE and rows["b0"].what.startswith("Ad: A “Hello")
    assert rows["b0"].request_id == "r-b0" and len(heard) == 2
    assert ledger.script_total(path).credits == 28


@pytest.mark.e2e
def test_render_records_every_take_against_the_cloud(cloud: Cloud, tmp_path: Path) -> None:
    source = tmp_path / "two.txt"
    source.write_text("ANNA: Hello there.\nBEN: Thanks for having me.\n")
    env = dict(os.environ, XI_STUDIO_HOME=str(tmp_path / "home"),
               ELEVENLABS_API_KEY=CREATOR_KEY)
    env.pop("XI_STUDIO_ENGINE_URL", None)
    result = subprocess.run([sys.executable, "-m", "app", "render", str(source), "--out",
                             str(tmp_path / "out"), "--server", cloud.url],
                            capture_output=True, text=True, env=env, timeout=240)
    assert result.returncode == 0, result.stderr
    rows = Ledger(AppPaths.under(tmp_path / "home").ledger_db).entries()
    assert sorted(r.kind for r in rows) == [SCRIPT_TAKE, SCRIPT_TAKE]
    assert all(r.source == CLOUD and not r.estimated and r.request_id for r in rows)
    charged = sum(cloud.control.stats()["generations"].values())
    assert charged == 2
    assert {r.script_path for r in rows} == {str(tmp_path / "out" / "two.xiscript.json")}
    assert sum(r.credits or 0 for r in rows) == len("Hello there.") + len(
        "Thanks for having me.")


class DialogueRenderer:
    async def render_dialogue(self, script: Script, block_ids: list[str]) -> dict[str, Take]:
        return {i: Take(f"t-{i}", f"{i}/t.mp3", script.block(i).text, "v", script.model_id,
                        script.output_format, request_id="dlg",
                        character_cost=20 if n == 0 else 0, from_dialogue=True)
                for n, i in enumerate(block_ids)}


async def test_a_dialogue_is_one_row_for_its_blocks(tmp_path: Path) -> None:
    from app.services.script_queue import generate_dialogue

    path = tmp_path / "talk.xiscript.json"
    script = Script(title="Talk", cast=(CastMember("A", "v"), CastMember("B", "w")),
                    blocks=(Block("b0", "A", "Hi."), Block("b1", "B", "Hello.")))
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    await generate_dialogue(ScriptDocument(script, path), DialogueRenderer(),  # type: ignore[arg-type]
                            ["b0", "b1"], costs=CostRecorder(ledger))
    [row] = ledger.entries()
    assert (row.kind, row.credits, row.block_id, row.request_id) == (DIALOGUE, 20, "b0,b1",
                                                                      "dlg")
    assert ledger.script_total(path).credits == 20
