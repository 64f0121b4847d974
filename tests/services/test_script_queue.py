"""The batch queue's logic with a stand-in renderer (no server): ordering of stitched
runs, concurrency (the tier's guess, then the server's header), pause/resume/cancel, and
the crash marker."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.domain.script import Block, CastMember, Script, Take
from app.library.script_store import load_queue_state, load_script
from app.services.script_document import ScriptDocument
from app.services.script_queue import QueueProgress, ScriptQueue

pytestmark = pytest.mark.anyio


class FakeRenderer:
    """Makes a take after `release` is set (or at once); records what ran when."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.running = 0
        self.max_running = 0
        self.release = asyncio.Event()
        self.release.set()

    async def render(self, script: Script, block_id: str, on_fraction: object = None,
                     on_response: object = None) -> Take:
        self.started.append(block_id)
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        try:
            await self.release.wait()
            await asyncio.sleep(0.01)
        finally:
            self.running -= 1
        return take_of(script, block_id)


def take_of(script: Script, block_id: str) -> Take:
    block = script.block(block_id)
    member = script.cast_for(block.speaker)
    assert member is not None
    return Take(f"t-{block_id}-{len(block.takes)}", f"{block_id}/t.mp3", block.text,
                member.voice_id, script.model_id, script.output_format,
                block.effective_settings(member), request_id=f"r-{block_id}",
                character_cost=len(block.text))


def script_of(speakers: str) -> Script:
    cast = tuple(CastMember(s, f"voice-{s}") for s in set(speakers))
    return Script(cast=cast, blocks=tuple(Block(f"b{i}", s, f"Line {i}.")
                                          for i, s in enumerate(speakers)))


async def test_runs_of_one_voice_go_in_order_and_runs_in_parallel(tmp_path: Path) -> None:
    document = ScriptDocument(script_of("AABBC"), tmp_path / "s.xiscript.json")
    renderer = FakeRenderer()
    queue = ScriptQueue(document, renderer, concurrency=2)  # type: ignore[arg-type]
    result = await queue.run()
    assert result.outcome == "finished" and len(result.made) == 5
    assert renderer.max_running == 2
    order = renderer.started
    assert order.index("b0") < order.index("b1") and order.index("b2") < order.index("b3")
    saved = load_script(tmp_path / "s.xiscript.json")
    assert saved.all_takes_chosen and load_queue_state(tmp_path / "s.xiscript.json") is None
    assert result.message == "All 5 blocks have a take."
    assert (result.have_take, result.spoken) == (5, 5)
    # Nothing is missing now: a second run requests nothing.
    again = await ScriptQueue(document, renderer).run()  # type: ignore[arg-type]
    assert again.made == [] and len(renderer.started) == 5


async def test_remaking_some_blocks_speaks_of_the_whole_script(tmp_path: Path) -> None:
    """One block remade in a five-block script: what was made, then the whole script
    (it once said "All 1 block(s) have a take", as if the script had one block)."""
    document = ScriptDocument(script_of("AABBC"), tmp_path / "s.xiscript.json")
    await ScriptQueue(document, FakeRenderer(), concurrency=2).run()  # type: ignore[arg-type]
    result = await ScriptQueue(document, FakeRenderer(),  # type: ignore[arg-type]
                               concurrency=2).run(["b2"], force=True)
    assert result.made == ["b2"]
    assert result.message == "Made 1 block; all 5 blocks have a take."
    document.apply(lambda s: s.with_block(replace(s.block("b4"), text="Changed.")))
    result = await ScriptQueue(document, FakeRenderer(),  # type: ignore[arg-type]
                               concurrency=2).run(["b0", "b1"], force=True)
    assert result.message == "Made 2 blocks; 4 of 5 blocks have a take."


async def test_pause_resume_and_cancel(tmp_path: Path) -> None:
    path = tmp_path / "p.xiscript.json"
    document = ScriptDocument(script_of("ABCDEF"), path)
    renderer = FakeRenderer()
    renderer.release.clear()
    progress: list[QueueProgress] = []
    queue = ScriptQueue(document, renderer, concurrency=1,  # type: ignore[arg-type]
                        on_progress=progress.append)
    task = asyncio.create_task(queue.run())
    while not renderer.started:
        await asyncio.sleep(0.005)
    queue.pause()
    assert progress[-1].paused
    renderer.release.set()
    while document.script.blocks[0].chosen_take is None:
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.05)
    assert renderer.started == ["b0"], "nothing new starts while paused"
    assert load_queue_state(path) == [f"b{i}" for i in range(6)]
    renderer.release.clear()
    queue.resume()
    while len(renderer.started) < 2:
        await asyncio.sleep(0.005)
    queue.cancel()
    result = await task
    assert result.outcome == "cancelled"
    assert result.made == ["b0"] and len(result.remaining) == 5
    assert result.message == "Stopped. 1 block was made and kept; 5 still need a take."
    # Kept on disk; the abandoned block has no take.
    saved = load_script(path)
    assert saved.blocks[0].chosen_take is not None and saved.blocks[1].chosen_take is None


async def test_empty_and_uncast_blocks(tmp_path: Path) -> None:
    script = script_of("AB")
    script = Script(cast=(CastMember("A", "voice-A"),),
                    blocks=(*script.blocks, Block("e", "A", "   ")))
    document = ScriptDocument(script, None)

    class Refuses(FakeRenderer):
        async def render(self, script: Script, block_id: str, on_fraction: object = None,
                         on_response: object = None) -> Take:
            from app.services.script_render import RenderError

            if script.voice_of(script.block(block_id)) is None:
                raise RenderError("B has no voice yet: choose one in the cast.")
            return await super().render(script, block_id, on_fraction)

    result = await ScriptQueue(document, Refuses()).run()  # type: ignore[arg-type]
    assert result.made == ["b0"] and result.failed == {
        "b1": "B has no voice yet: choose one in the cast."}
    assert document.script.block("b1").error and result.outcome == "some_failed"


def test_partial_files_from_a_crash_are_removed(tmp_path: Path) -> None:
    from app.library.atomic import AtomicFileWriter
    from app.library.script_store import remove_partial_files, takes_dir_for

    path = tmp_path / "c.xiscript.json"
    writer = AtomicFileWriter(takes_dir_for(path) / "b1" / "t1.mp3")
    writer.write(b"half")
    finished = takes_dir_for(path) / "b1" / "t0.mp3"
    finished.write_bytes(b"whole")
    assert remove_partial_files(path) == 1
    assert not writer.partial_path.exists() and finished.exists()
    writer.abort()


async def test_block_deleted_while_being_made(tmp_path: Path) -> None:
    from app.domain.script_edit import remove_blocks

    document = ScriptDocument(script_of("AB"), tmp_path / "d.xiscript.json")
    renderer = FakeRenderer()
    renderer.release.clear()
    task = asyncio.create_task(ScriptQueue(document, renderer,  # type: ignore[arg-type]
                                           concurrency=1).run())
    while not renderer.started:
        await asyncio.sleep(0.005)
    document.apply(lambda s: remove_blocks(s, [renderer.started[0]]))
    renderer.release.set()
    result = await task
    assert result.outcome == "finished" and len(result.made) == 1
    assert result.skipped == [renderer.started[0]]


class HeaderRenderer(FakeRenderer):
    """A FakeRenderer whose answers carry `maximum-concurrent-requests` (or none)."""

    def __init__(self, maximum: int | None) -> None:
        super().__init__()
        self.maximum = maximum

    async def render(self, script: Script, block_id: str, on_fraction: object = None,
                     on_response: Any = None) -> Take:
        from app.api.responses import ResponseInfo

        self.started.append(block_id)
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        try:
            headers = {} if self.maximum is None else {
                "maximum-concurrent-requests": str(self.maximum)}
            await asyncio.sleep(0.01)  # the answer's headers arrive...
            if on_response is not None:
                on_response(ResponseInfo.from_headers(headers))
            await self.release.wait()  # ...then its body
        finally:
            self.running -= 1
        return take_of(script, block_id)


async def wait_for(condition: Any, seconds: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.005)


@pytest.mark.parametrize(("guess", "maximum"), [(2, 4), (5, 2)])
async def test_the_servers_limit_is_adopted_up_or_down(tmp_path: Path, guess: int,
                                                       maximum: int) -> None:
    """The first block goes alone; its answer's header sets how many go at once from
    then on, above or below the tier's guess."""
    document = ScriptDocument(script_of("ABABABABAB"), None)  # ten runs of one block
    renderer = HeaderRenderer(maximum)
    renderer.release.clear()
    queue = ScriptQueue(document, renderer, concurrency=guess)  # type: ignore[arg-type]
    assert queue.limit == 1  # nothing known yet: one request until the first answer
    task = asyncio.create_task(queue.run())
    await wait_for(lambda: renderer.running == maximum)
    await asyncio.sleep(0.05)
    assert renderer.running == maximum and queue.limit == maximum
    assert queue.server_limit == maximum
    renderer.release.set()
    result = await task
    assert len(result.made) == 10 and renderer.max_running == maximum


async def test_without_the_header_the_tier_guess_is_kept(tmp_path: Path) -> None:
    document = ScriptDocument(script_of("ABABAB"), None)
    renderer = HeaderRenderer(None)
    renderer.release.clear()
    queue = ScriptQueue(document, renderer, concurrency=3)  # type: ignore[arg-type]
    task = asyncio.create_task(queue.run())
    await wait_for(lambda: renderer.running == 3)
    assert queue.limit == 3 and queue.server_limit is None
    renderer.release.set()
    assert len((await task).made) == 6 and renderer.max_running == 3


async def test_a_known_limit_skips_the_first_lone_request_and_a_ceiling_holds(
        tmp_path: Path) -> None:
    document = ScriptDocument(script_of("ABABAB"), None)
    renderer = HeaderRenderer(8)
    renderer.release.clear()
    queue = ScriptQueue(document, renderer, concurrency=2,  # type: ignore[arg-type]
                        max_concurrency=3, server_limit=2)
    assert queue.limit == 2
    task = asyncio.create_task(queue.run())
    await wait_for(lambda: renderer.running == 2)
    await wait_for(lambda: queue.limit == 3)  # the header says 8; the ceiling is 3
    await wait_for(lambda: renderer.running == 3)
    renderer.release.set()
    await task
    assert renderer.max_running == 3


async def test_the_gate_follows_its_limit() -> None:
    from app.services.concurrency_gate import ConcurrencyGate

    gate = ConcurrencyGate(1)
    await gate.acquire()
    waiting = [asyncio.create_task(gate.acquire()) for _ in range(3)]
    await asyncio.sleep(0.01)
    assert gate.held == 1 and not any(t.done() for t in waiting)
    gate.set_limit(3)  # raised: two more start at once
    await asyncio.sleep(0.01)
    assert gate.held == 3 and sum(t.done() for t in waiting) == 2
    gate.set_limit(1)  # lowered: nobody new until the holders are down to 0
    gate.release()
    gate.release()
    await asyncio.sleep(0.01)
    assert gate.held == 1 and sum(t.done() for t in waiting) == 2
    late = next(t for t in waiting if not t.done())
    late.cancel()  # a cancelled waiter takes no place
    await asyncio.sleep(0.01)
    gate.release()
    assert gate.held == 0
    await asyncio.wait_for(gate.acquire(), 1)
    assert gate.held == 1


async def test_an_unforeseen_error_fails_its_block_and_the_run_goes_on(tmp_path: Path) -> None:
    """A renderer raising something nobody listed (once an IndexError from a damaged
    alignment) killed the worker: the rest of its run was never made and the queue ended
    without a word. Now that block is marked failed and the others are made."""

    class Breaks(FakeRenderer):
        async def render(self, script: Script, block_id: str, on_fraction: object = None,
                         on_response: object = None) -> Take:
            if block_id == "b1":
                raise IndexError("list index out of range")
            return await super().render(script, block_id, on_fraction)

    document = ScriptDocument(script_of("AAAA"), tmp_path / "u.xiscript.json")
    result = await ScriptQueue(document, Breaks(), concurrency=1).run()  # type: ignore[arg-type]
    assert result.made == ["b0", "b2", "b3"] and list(result.failed) == ["b1"]
    assert "unexpected" in result.failed["b1"] and result.outcome == "some_failed"
    assert document.script.block("b1").error
