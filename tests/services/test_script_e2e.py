"""A three-speaker script from a screenplay to a delivered folder, against the cloud test
server: generate all (stitching ids checked against the spec and the request log),
regenerate one block only, choose a take, export, and bad input on the way."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import soundfile as sf

from app.api.client import ApiClient
from app.api.dialogue import DialogueService
from app.api.speech import SpeechService
from app.audio.decode import decode_file
from app.domain.formats import OutputFormat
from app.domain.script import CastMember, Script
from app.domain.script_edit import choose_take, edit_text
from app.domain.script_import import import_script
from app.domain.script_plan import neighbours_affected
from app.domain.subtitles import parse_srt, parse_vtt
from app.library.script_store import load_queue_state, load_script, takes_dir_for
from app.services.script_document import ScriptDocument
from app.services.script_export import ExportOptions, export_script
from app.services.script_queue import BlockProgress, QueueProgress, ScriptQueue
from app.services.script_render import BlockRenderer
from tests.support.cloud import Cloud
from tests.support.loudness import file_loudness
from tests.support.spec import validate_request

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

GEORGE = "JBFqnCBsd6RMkjVDRZzb"
SARAH = "EXAVITQu4vr4xnSDxMaL"
CLONE = "aB3cD4eF5gH6iJ7kL8mN"

SCREENPLAY = """\
NARRATOR: It was a quiet morning in the bakery.
NARRATOR: The bell over the door rang.
NARRATOR: Anna walked in, shaking off the rain.

ANNA: Good morning! Two croissants, please.
BEN: Coming right up.
BEN: Anything else today?
ANNA: That's all, thanks.
"""


def cast_script(text: str = SCREENPLAY) -> Script:
    script = import_script(text).script
    script = replace(script, title="Bakery ad", output_format="mp3_44100_128")
    for speaker, voice in (("NARRATOR", GEORGE), ("ANNA", SARAH), ("BEN", CLONE)):
        script = script.with_cast_member(CastMember(speaker, voice, speaker.title()))
    return script


def tts_sent(cloud: Cloud) -> list[dict[str, Any]]:
    return [r for r in cloud.control.requests() if r["path"].startswith("/v1/text-to-speech/")]


def assert_joined(joined: Path, lengths_ms: list[int], *, gap_ms: int, lufs: float) -> float:
    """The joined file is the takes with `gap_ms` between them (within 20 ms) at `lufs`
    (within 1 LU), measured by the tests' own BS.1770 meter; returns what it measured."""
    measured, seconds = file_loudness(joined)
    expected_ms = sum(lengths_ms) + gap_ms * (len(lengths_ms) - 1)
    assert abs(seconds * 1000 - expected_ms) <= 20, (seconds, expected_ms)
    assert abs(measured - lufs) <= 1.0, f"{joined.name} measures {measured:.2f} LUFS"
    return measured


def check_spec(requests: list[dict[str, Any]]) -> None:
    for r in requests:
        validate_request(r["method"], r["path"], r["query"], r["json"])


class Harness:
    def __init__(self, client: ApiClient, path: Path, script: Script) -> None:
        self.document = ScriptDocument(script, path)
        self.renderer = BlockRenderer(SpeechService(client), takes_dir_for(path),
                                      dialogue=DialogueService(client))
        self.blocks: list[BlockProgress] = []
        self.progress: list[QueueProgress] = []

    def queue(self, concurrency: int = 3) -> ScriptQueue:
        return ScriptQueue(self.document, self.renderer, concurrency=concurrency,
                           on_block=self.blocks.append, on_progress=self.progress.append)


async def test_generate_all_regenerate_one_and_export(cloud: Cloud, tmp_path: Path) -> None:
    client = cloud.client()
    try:
        path = tmp_path / "bakery.xiscript.json"
        h = Harness(client, path, cast_script())
        ids = [b.block_id for b in h.document.script.blocks]
        assert len(ids) == 7

        result = await h.queue().run()
        assert result.outcome == "finished", result.message
        assert sorted(result.made) == sorted(ids)
        assert h.progress[-1].finished == 7 and h.progress[-1].fraction == 1.0
        script = h.document.script
        assert script.all_takes_chosen and not script.missing_blocks()
        # Saved as it went: the file on disk has every take, and no queue is pending.
        assert load_script(path) == script
        assert load_queue_state(path) is None

        sent = tts_sent(cloud)
        check_spec(sent)
        assert len(sent) == 7
        assert all(r["path"].endswith("/with-timestamps") for r in sent)
        by_text = {r["json"]["text"]: r["json"] for r in sent}
        take = {b.block_id: b.chosen_take for b in script.blocks}
        blocks = script.blocks
        # Same voice in a row: each stitched to the one before it, with its text.
        second = by_text[blocks[1].text]
        assert second["previous_request_ids"] == [take[ids[0]].request_id]
        assert second["previous_text"] == blocks[0].text
        third = by_text[blocks[2].text]
        assert third["previous_request_ids"] == [take[ids[0]].request_id,
                                                 take[ids[1]].request_id]
        assert by_text[blocks[5].text]["previous_request_ids"] == [take[ids[4]].request_id]
        # A new voice starts a new run: nothing to link to.
        for index in (0, 3, 4, 6):
            assert "previous_request_ids" not in by_text[blocks[index].text]
        assert all(t is not None and t.alignment and t.character_cost for t in take.values())

        # Regenerate block 2: its neighbours of the same voice would change.
        assert neighbours_affected(script, ids[1]) == [ids[0], ids[2]]
        before = cloud.control.stats()["generations"]
        first_take = take[ids[1]]
        result = await h.queue().run([ids[1]], force=True)
        assert result.made == [ids[1]]
        after = tts_sent(cloud)[7:]
        assert len(after) == 1, "only the chosen block is requested"
        check_spec(after)
        assert after[0]["json"]["previous_request_ids"] == [take[ids[0]].request_id]
        assert after[0]["json"]["next_request_ids"] == [take[ids[2]].request_id]
        assert sum(cloud.control.stats()["generations"].values()) == sum(before.values()) + 1
        block2 = h.document.script.block(ids[1])
        assert len(block2.takes) == 2 and block2.chosen_take_id != first_take.take_id
        # Choose the first take again (A/B: the user preferred it).
        h.document.apply(lambda s: choose_take(s, ids[1], first_take.take_id))

        # "Generate missing" now asks for nothing: never pay twice.
        result = await h.queue().run()
        assert result.made == [] and len(tts_sent(cloud)) == 8

        out = tmp_path / "delivery"
        summary = await export_script(h.document.script, takes_dir_for(path), out)
        script = h.document.script
        chosen = [b.chosen_take for b in script.blocks]
        lengths = [decode_file(takes_dir_for(path) / t.file,
                               OutputFormat.parse(t.output_format)).duration_ms
                   for t in chosen if t is not None]
        assert (script.gap_ms, script.target_lufs) == (400, -16.0)  # the defaults
        measured = assert_joined(out / "Bakery-ad.wav", lengths, gap_ms=400, lufs=-16.0)
        # The summary's own figure is what the file measures.
        assert summary.loudness_lufs is not None
        assert abs(summary.loudness_lufs - measured) < 0.5
        # Another target and gap, measured in the file written.
        quieter = tmp_path / "quieter"
        other = await export_script(script, takes_dir_for(path), quieter,
                                    ExportOptions(gap_ms=900, target_lufs=-23.0))
        assert other.target_lufs == -23.0
        assert_joined(quieter / "Bakery-ad.wav", lengths, gap_ms=900, lufs=-23.0)
        block_files = sorted((out / "blocks").iterdir())
        assert [p.name for p in block_files][:2] == [
            "01_NARRATOR_It-was-a-quiet-morning.mp3", "02_NARRATOR_The-bell-over-the-door.mp3"]
        assert len(block_files) == 7
        assert (out / "blocks" / block_files[1].name).read_bytes() == (
            takes_dir_for(path) / first_take.file).read_bytes()
        cues = parse_srt((out / "Bakery-ad.srt").read_text())
        assert cues == parse_vtt((out / "Bakery-ad.vtt").read_text())
        starts = [c.start_ms for c in cues]
        assert starts == sorted(starts)
        assert " ".join(c.text.replace("\n", " ") for c in cues) == " ".join(
            b.text for b in script.blocks)
        # Each block's first cue starts where its first word does in the joined file.
        for item in summary.placed:
            assert item.take.alignment
            first_word = item.start_ms + item.take.alignment[0].start_ms
            assert any(abs(c.start_ms - first_word) <= 1 for c in cues)
        assert {p.name for p in summary.files} >= {"Bakery-ad.wav", "Bakery-ad.srt",
                                                    "Bakery-ad.vtt"}
    finally:
        await client.aclose()


async def test_deleted_voice_marks_its_blocks_and_the_rest_go_on(cloud: Cloud,
                                                                  tmp_path: Path) -> None:
    client = cloud.client()
    try:
        script = cast_script()
        script = script.with_cast_member(CastMember("BEN", "deletedVoice00000000", "Gone"))
        h = Harness(client, tmp_path / "s.xiscript.json", script)
        result = await h.queue().run()
        assert result.outcome == "some_failed"
        ben = [b.block_id for b in script.blocks if b.speaker == "BEN"]
        assert sorted(result.failed) == sorted(ben)
        assert all("no longer exists" in r and "BEN" in r for r in result.failed.values())
        assert len(result.made) == 5
        saved = load_script(tmp_path / "s.xiscript.json")
        assert all(saved.block(i).error for i in ben)
    finally:
        await client.aclose()


async def test_quota_runs_out_mid_queue(cloud: Cloud, tmp_path: Path) -> None:
    key = "xi-test-nearly-empty"
    # Enough for the first blocks only (each costs its characters).
    cloud.control.set_account(key, "creator", character_limit=90, concurrency_limit=1)
    client = cloud.client(key=key)
    try:
        path = tmp_path / "q.xiscript.json"
        h = Harness(client, path, cast_script())
        result = await h.queue(concurrency=1).run()
        assert result.outcome == "quota_exceeded"
        assert 0 < len(result.made) < 7
        assert result.credits_needed == sum(len(h.document.script.block(i).text)
                                            for i in result.remaining)
        assert f"need about {result.credits_needed} credits" in result.message
        kept = load_script(path)
        assert sum(1 for b in kept.blocks if b.chosen_take) == len(result.made)
        assert load_queue_state(path) is not None  # the queue can be resumed later
        # With credits again, only the rest is made.
        cloud.control.set_account(key, "creator", character_limit=10_000, concurrency_limit=1)
        before = len(tts_sent(cloud))
        again = await h.queue().run(load_queue_state(path))
        assert again.outcome == "finished"
        assert sorted(again.made) == sorted(result.remaining)
        assert len(tts_sent(cloud)) - before == len(result.remaining)
    finally:
        await client.aclose()


async def test_429_is_waited_out(cloud: Cloud, tmp_path: Path) -> None:
    client = cloud.client(max_retries=0)
    try:
        cloud.control.add_faults({"path_regex": "^/v1/text-to-speech/", "fault": "429",
                                  "count": 3, "retry_after": 0.05})
        h = Harness(client, tmp_path / "r.xiscript.json", cast_script())
        result = await h.queue().run()
        assert result.outcome == "finished" and len(result.made) == 7
        assert any(p.state == "retrying" for p in h.blocks)
    finally:
        await client.aclose()


async def test_block_over_the_limit_is_split_and_stitched(cloud: Cloud,
                                                          tmp_path: Path) -> None:
    client = cloud.client()
    try:
        long_text = " ".join(f"Sentence number {i} is here." for i in range(12))
        script = cast_script(f"NARRATOR: {long_text}\n")
        path = tmp_path / "l.xiscript.json"
        h = Harness(client, path, script)
        h.renderer.char_limit = 120
        result = await h.queue().run()
        assert result.outcome == "finished"
        sent = tts_sent(cloud)
        check_spec(sent)
        assert len(sent) > 2 and all(len(r["json"]["text"]) <= 120 for r in sent)
        assert "".join(r["json"]["text"] for r in sent) == long_text
        take = h.document.script.blocks[0].chosen_take
        assert take is not None and len(take.piece_request_ids) == len(sent)
        for index, request in enumerate(sent[1:], start=1):
            assert request["json"]["previous_request_ids"] == list(
                take.piece_request_ids[max(0, index - 3):index])
        assert take.alignment and [w.word for w in take.alignment] == long_text.split()
        starts = [w.start_ms for w in take.alignment]
        assert starts == sorted(starts) and take.duration_ms and starts[-1] < take.duration_ms
    finally:
        await client.aclose()


async def test_dialogue_split_back_onto_blocks(cloud: Cloud, tmp_path: Path) -> None:
    client = cloud.client()
    try:
        script = replace(cast_script(), model_id="eleven_v3")
        ids = [b.block_id for b in script.blocks][3:7]
        path = tmp_path / "d.xiscript.json"
        h = Harness(client, path, script)
        takes = await h.renderer.render_dialogue(script, ids)
        sent = [r for r in cloud.control.requests() if "dialogue" in r["path"]]
        check_spec(sent)
        assert [r["path"] for r in sent] == ["/v1/text-to-dialogue/with-timestamps"]
        assert [i["text"] for i in sent[0]["json"]["inputs"]] == [
            script.block(i).text for i in ids]
        for block_id in ids:
            take = takes[block_id]
            assert take.from_dialogue and take.alignment
            assert [w.word for w in take.alignment] == script.block(block_id).text.split()
            audio = (takes_dir_for(path) / take.file).read_bytes()
            seconds = sf.info(io.BytesIO(audio)).duration
            assert take.alignment[-1].end_ms <= seconds * 1000 + 30
    finally:
        await client.aclose()


async def test_edit_makes_stale_and_edit_back_reuses(cloud: Cloud, tmp_path: Path) -> None:
    client = cloud.client()
    try:
        h = Harness(client, tmp_path / "e.xiscript.json", cast_script())
        await h.queue().run()
        first = h.document.script.blocks[0]
        h.document.apply(lambda s: edit_text(s, first.block_id, "A new opening line."))
        assert h.document.script.is_stale(h.document.script.blocks[0])
        await h.queue().run()
        assert len(tts_sent(cloud)) == 8
        h.document.apply(lambda s: edit_text(s, first.block_id, first.text))
        result = await h.queue().run()
        assert result.reused == [first.block_id] and len(tts_sent(cloud)) == 8
        assert h.document.script.blocks[0].chosen_take_id == first.chosen_take_id
    finally:
        await client.aclose()


async def test_generate_dialogue_records_takes(cloud: Cloud, tmp_path: Path) -> None:
    from app.services.script_queue import generate_dialogue

    client = cloud.client()
    try:
        script = replace(cast_script(), model_id="eleven_v3")
        path = tmp_path / "g.xiscript.json"
        h = Harness(client, path, script)
        ids = [b.block_id for b in script.blocks][4:6]
        takes = await generate_dialogue(h.document, h.renderer, list(reversed(ids)))
        saved = load_script(path)
        for block_id in ids:
            assert saved.block(block_id).chosen_take == takes[block_id]
            assert not saved.is_stale(saved.block(block_id))
    finally:
        await client.aclose()


def alternating_script(lines: int = 8) -> Script:
    """Every block in another voice than the one before: each block a run of its own,
    so all of them could go at once."""
    text = "".join(f"{'ANNA' if i % 2 == 0 else 'BEN'}: Line number {i} of the scene.\n"
                   for i in range(lines))
    return cast_script(text)


async def test_the_servers_concurrency_limit_is_obeyed_not_the_tiers(cloud: Cloud,
                                                                     tmp_path: Path) -> None:
    """The tier (creator) says 5 at once; the account allows 2 and every answer says so in
    `maximum-concurrent-requests`. The server never has more than 2 of the queue's
    requests at once, so none is refused."""
    from app.domain.script_plan import concurrency_for_tier

    key = "xi-test-two-at-once"
    cloud.control.set_account(key, "creator", concurrency_limit=2)
    cloud.control.configure(work_delay_s=0.3)  # requests overlap, as they do for real
    client = cloud.client(key=key, max_retries=0)  # a 429 would reach the queue
    try:
        h = Harness(client, tmp_path / "c.xiscript.json", alternating_script())
        guess = concurrency_for_tier("creator")
        assert guess == 5
        queue = ScriptQueue(h.document, h.renderer, concurrency=guess,
                            on_block=h.blocks.append, on_progress=h.progress.append)
        result = await queue.run()
        assert result.outcome == "finished" and len(result.made) == 8
        stats = cloud.control.stats()
        assert stats["max_requests_in_flight"] == 2  # never more, and the 2 were used
        assert len(tts_sent(cloud)) == 8  # none refused, none sent twice
        assert not any(p.state == "retrying" for p in h.blocks)
        assert queue.server_limit == 2 and queue.limit == 2
        assert max(p.running for p in h.progress) == 2
    finally:
        await client.aclose()


async def test_a_limit_taken_by_another_app_is_waited_out(cloud: Cloud,
                                                          tmp_path: Path) -> None:
    """Another program uses one of the account's two places while the queue runs: the
    queue's second request is refused (429 too_many_concurrent_requests), waits and is
    made; the batch finishes."""
    import asyncio

    from app.domain.wire import SpeechRequest

    key = "xi-test-shared"
    cloud.control.set_account(key, "creator", concurrency_limit=2)
    cloud.control.configure(work_delay_s=0.2, chunk_delay_s=0.05, chunk_bytes=512)
    client = cloud.client(key=key, max_retries=0)
    other = cloud.client(key=key)
    try:
        h = Harness(client, tmp_path / "s.xiscript.json", alternating_script(6))
        queue = ScriptQueue(h.document, h.renderer, concurrency=5, retry_wait_s=0.05,
                            max_retry_wait_s=0.2, on_block=h.blocks.append)

        async def other_app() -> None:
            async with SpeechService(other).stream(
                    GEORGE, SpeechRequest(text="Someone else is talking for a while now, "
                                               "holding one of the places.")) as answer:
                async for _chunk in answer.chunks():
                    pass

        busy = asyncio.create_task(other_app())
        await asyncio.sleep(0.1)  # it has its place first
        result = await queue.run()
        await busy
        assert result.outcome == "finished" and len(result.made) == 6
        assert any(p.state == "retrying" for p in h.blocks)  # refused, then waited
        assert not result.failed
    finally:
        await client.aclose()
        await other.aclose()
