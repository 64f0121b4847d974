"""The transcription queue against the real local engine on loopback (its STT routes on
uvicorn, PocketSphinx on espeak-ng speech): five recordings, one broken, one cancelled;
the others are transcribed and kept; the queue file brings everything back after a
restart without asking for finished ones again."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from app.api.client import ApiClient, ClientConfig
from app.api.errors import ApiError
from app.api.transcripts import TranscriptsService
from app.domain.stt_options import ExportFormat, TranscriptionOptions
from app.engine.stt_routes import create_router
from app.library.history import HistoryStore
from app.services.transcript_keep import KeepPlace, read_saved
from app.services.transcription_queue import (
    INTERRUPTED,
    JobResult,
    QueueJob,
    TranscriptionQueue,
    options_from_json,
    options_to_json,
    transcribe_jobs,
)
from tests.support.queue_tape import make_tape
from tests.support.servers import run_server

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def engine_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = FastAPI()
    app.include_router(create_router(tmp_path_factory.mktemp("engine")))
    with run_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """take1, take2, broken, take3, take4 (tests/support/queue_tape.py)."""
    return make_tape(tmp_path_factory.mktemp("audio"))


@pytest.fixture
async def client(engine_url: str) -> AsyncIterator[ApiClient]:
    api = ApiClient(ClientConfig(base_url=engine_url, api_key=None, retry_base_delay_s=0.01))
    yield api
    await api.aclose()


def _make_queue(tmp_path: Path, client: ApiClient,
                changes: list[tuple[str, str, float]] | None = None,
                concurrency: int = 1) -> tuple[TranscriptionQueue, HistoryStore]:
    history = HistoryStore(tmp_path / "history.db", tmp_path / "audio")
    place = KeepPlace(tmp_path / "transcripts", history, "session")
    queue = TranscriptionQueue(tmp_path / "queue.json",
                               transcribe_jobs(TranscriptsService(client), place),
                               concurrency=concurrency,
                               on_change=None if changes is None else lambda job: changes.append(
                                   (job.title, job.phase, job.fraction)))
    return queue, history


async def test_five_files_one_broken_one_cancelled_and_a_restart(
        tmp_path: Path, client: ApiClient, recordings: list[Path]) -> None:
    changes: list[tuple[str, str, float]] = []
    queue, history = _make_queue(tmp_path, client, changes)
    queue.load()
    options = TranscriptionOptions(language_code="en", diarize=True, num_speakers=2)
    jobs = [queue.add(path, options) for path in recordings]
    assert all(job.state == "waiting" for job in jobs)  # not started yet: nothing runs
    assert queue.cancel(jobs[4].job_id)  # cancelled while it waits
    queue.start()
    await asyncio.wait_for(queue.wait_idle(), 120)

    states = [job.state for job in jobs]
    assert states == ["done", "done", "failed", "done", "cancelled"], \
        [(j.title, j.state, j.reason) for j in jobs]
    broken = jobs[2]
    assert "broken.wav" in broken.reason or "audio" in broken.reason.lower(), broken.reason
    # Each job's progress was reported: the upload, then the wait for the transcript.
    assert ("take1.wav", "Transcribing…", 1.0) in changes
    assert any(title == "take1.wav" and phase == "Uploading…" for title, phase, _ in changes)
    for job in jobs[:2] + jobs[3:4]:
        assert job.transcript_path and Path(job.transcript_path).is_file()
        original, _edits, notes = read_saved(Path(job.transcript_path).read_bytes())
        assert original.words and notes["audio_path"] == job.source
        generation = history.get(job.generation_id or -1)
        assert generation is not None and generation.kind == "transcript"
        assert json.loads(generation.settings_json)["num_speakers"] == 2

    # The app restarts: the file brings back every job as it was.
    again, _ = _make_queue(tmp_path, client)
    restored = again.load()
    assert [(j.job_id, j.state, j.transcript_path) for j in restored] == \
        [(j.job_id, j.state, j.transcript_path) for j in jobs]
    assert restored[2].reason == broken.reason
    assert restored[0].options == options
    # Retrying the cancelled one transcribes only it: the finished ones are not sent again.
    kept_before = len(history.list(kind="transcript", limit=100))
    assert again.retry(restored[4].job_id)
    again.start()
    await asyncio.wait_for(again.wait_idle(), 120)
    assert [j.state for j in again.jobs] == ["done", "done", "failed", "done", "done"]
    assert len(history.list(kind="transcript", limit=100)) == kept_before + 1


async def test_a_job_running_when_the_app_stops_resumes_and_waiting_ones_stay(
        tmp_path: Path, recordings: list[Path]) -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow(job: QueueJob, progress: object) -> JobResult:
        started.set()
        await release.wait()
        return JobResult(None, None)

    queue = TranscriptionQueue(tmp_path / "queue.json", slow, concurrency=1)
    first = queue.add(recordings[0], TranscriptionOptions())
    second = queue.add(recordings[1], TranscriptionOptions(model_id="scribe_v1"))
    queue.start()
    await asyncio.wait_for(started.wait(), 10)
    assert (first.state, second.state) == ("running", "waiting")
    # A crash: the file was written while it ran (what is on disk says "running").
    await queue.flush()
    on_disk = json.loads((tmp_path / "queue.json").read_text())
    assert [j["state"] for j in on_disk["jobs"]] == ["running", "waiting"]
    crashed = TranscriptionQueue(tmp_path / "queue.json", slow)
    restored = crashed.load()
    assert [j.state for j in restored] == ["waiting", "waiting"]
    assert restored[0].reason == INTERRUPTED
    assert restored[1].options.model_id == "scribe_v1"
    # A clean stop says the same.
    queue.stop()
    assert first.state == "waiting" and first.reason == INTERRUPTED
    release.set()


async def test_cancel_a_running_job_and_retry_it(tmp_path: Path, client: ApiClient,
                                                 recordings: list[Path]) -> None:
    queue, history = _make_queue(tmp_path, client)
    queue.start()
    job = queue.add(recordings[0], TranscriptionOptions(language_code="en"))
    assert job.state == "running"
    assert queue.cancel(job.job_id)
    await asyncio.wait_for(queue.wait_idle(), 60)
    assert job.state == "cancelled" and job.transcript_path is None
    assert history.list(kind="transcript", limit=10) == []
    assert queue.retry(job.job_id)
    await asyncio.wait_for(queue.wait_idle(), 120)
    assert job.state == "done" and job.transcript_path


async def test_settings_change_while_waiting_not_after(tmp_path: Path,
                                                       recordings: list[Path]) -> None:
    seen: list[TranscriptionOptions] = []

    async def record(job: QueueJob, progress: object) -> JobResult:
        seen.append(job.options)
        return JobResult(None, None)

    queue = TranscriptionQueue(tmp_path / "queue.json", record)
    job = queue.add(recordings[0], TranscriptionOptions())
    assert queue.set_options(job.job_id, TranscriptionOptions(diarize=True, num_speakers=3))
    queue.start()
    await asyncio.wait_for(queue.wait_idle(), 10)
    assert seen == [TranscriptionOptions(diarize=True, num_speakers=3)]
    assert not queue.set_options(job.job_id, TranscriptionOptions())  # done: too late
    assert queue.remove(job.job_id) and queue.jobs == []


async def test_a_damaged_queue_file_is_set_aside_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "queue.json").write_text("{ not json")

    async def never(job: QueueJob, progress: object) -> JobResult:
        raise AssertionError

    queue = TranscriptionQueue(tmp_path / "queue.json", never)
    assert queue.load() == []
    [aside] = tmp_path.glob("queue.json.corrupt-*")
    assert aside.read_text() == "{ not json"


async def test_each_damaged_queue_file_is_kept_not_the_last_one_only(tmp_path: Path) -> None:
    """Before: each damaged file was moved to queue.damaged, replacing the one kept the
    time before (jobs a user might still recover from it were lost). After: each is kept
    under its own timestamped name, as History's damaged database is."""
    async def never(job: QueueJob, progress: object) -> JobResult:
        raise AssertionError

    for text in ("{ first damage", "{ second damage", "{ third damage"):
        (tmp_path / "queue.json").write_text(text)
        assert TranscriptionQueue(tmp_path / "queue.json", never).load() == []
    kept = sorted(p.read_text() for p in tmp_path.iterdir() if p.name != "queue.json")
    assert kept == ["{ first damage", "{ second damage", "{ third damage"]


@pytest.mark.parametrize("text", [
    '{"jobs": ' + "[" * 995 + "]" * 995 + "}",  # json.loads: RecursionError, not ValueError
    '{"jobs": [{"source": "/a.wav", "added_at": 1' + "0" * 400 + "}]}",  # float(): Overflow
])
async def test_a_queue_file_damaged_past_valueerror_still_loads(tmp_path: Path,
                                                                 text: str) -> None:
    """Either stopped the queue's loading, and every later add() raised the same: the
    queue took no job until the file was deleted by hand."""
    (tmp_path / "queue.json").write_text(text)

    async def never(job: QueueJob, progress: object) -> JobResult:
        raise AssertionError

    queue = TranscriptionQueue(tmp_path / "queue.json", never)
    jobs = queue.load()
    assert all(job.added_at > 0 for job in jobs)
    assert queue.add(tmp_path / "b.wav", TranscriptionOptions()).title == "b.wav"


def test_settings_round_trip_through_the_file() -> None:
    options = TranscriptionOptions(
        model_id="scribe_v1", language_code="fr", diarize=True, num_speakers=4,
        tag_audio_events=False, keyterms=("XI Studio", "Scribe"),
        additional_formats=(ExportFormat("srt", max_characters_per_line=40),))
    assert options_from_json(json.loads(json.dumps(options_to_json(options)))) == options
    assert options_from_json({"model_id": "scribe_v1", "nonsense": 1}).model_id == "scribe_v1"
    assert options_from_json("garbage") == TranscriptionOptions()


def test_a_queue_file_with_settings_of_the_wrong_types_still_loads(tmp_path: Path) -> None:
    """A number where the key terms (or the extra formats) are raised TypeError: the whole
    queue could not load, and the window said nothing of the jobs it held. A word where a
    number belongs was kept and raised later, when the job was checked."""
    path = tmp_path / "queue.json"
    path.write_text(json.dumps({"version": 1, "jobs": [{
        "job_id": "j1", "source": str(tmp_path / "talk.wav"), "state": "waiting",
        "options": {"model_id": "scribe_v1", "keyterms": 5, "additional_formats": 7,
                    "temperature": "x", "seed": "x", "diarize": 1, "source_url": 5,
                    "num_speakers": True}}, {
        "job_id": "j2", "source": str(tmp_path / "b.wav"),
        "options": {"additional_formats": [{"format": "srt", "max_segment_chars": "x"},
                                           "srt"]}}]}))
    queue = TranscriptionQueue(path, None)  # type: ignore[arg-type]  # nothing runs
    first, second = queue.load()
    assert first.options == TranscriptionOptions(model_id="scribe_v1")
    assert first.options.validate() == []
    assert second.options.additional_formats == (ExportFormat("srt"),)


async def test_a_failure_reason_is_in_plain_words(tmp_path: Path,
                                                  recordings: list[Path]) -> None:
    async def refuse(job: QueueJob, progress: object) -> JobResult:
        raise ApiError("The server refused it.")

    queue = TranscriptionQueue(tmp_path / "queue.json", refuse,
                               describe=lambda exc: f"Could not transcribe: {exc}")
    job = queue.add(recordings[0], TranscriptionOptions())
    queue.start()
    await asyncio.wait_for(queue.wait_idle(), 10)
    assert job.state == "failed"
    assert job.reason.startswith("Could not transcribe: The server refused it.")
