"""The batch queue: "Generate all missing" for a script, with progress, pause, resume,
cancel, and the promise never to pay twice.

* Blocks that already have a take made from exactly their current text, voice, model,
  format and settings are not requested again (their take is chosen instead).
* Consecutive blocks of one voice are made one after another so each can be stitched to
  the take before it; such runs are made side by side, as many at once as the server
  allows. The subscription's tier gives the first guess (`concurrency`); the server's
  `maximum-concurrent-requests` header is the truth and is adopted, up or down, as soon
  as an answer carries it. Until the first answer the queue sends one request only
  (unless a limit is already known, `server_limit`): that is what keeps a guess above the
  account's real limit from ever being sent at once.
* 429 (too many requests at once, or busy) is waited out and the block tried again; the
  batch never fails because of it.
* A voice deleted on the server marks its blocks failed with the reason; the rest go on.
* Quota exceeded stops the queue (requests already running finish and are kept) and the
  result says how many credits the remaining blocks need.
* Each take is recorded in the script as soon as its audio file is complete, with a note
  beside the audio; the script file is saved at most every couple of seconds
  (ScriptDocument.save_soon: a long chapter is MBs) and at once when the run ends, and
  opening a script adopts noted takes it lacks (app.library.take_notes); a marker file
  says which blocks the queue was asked for, so after a crash the queue can resume
  (`load_queue_state`) without requesting finished blocks again.

Progress goes to plain callables (`on_block`, `on_progress`), called on the event loop,
with the values of app.services.script_queue_progress. A whole dialogue made as one
request is app.services.dialogue_generation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable

from app.api.errors import (
    ApiError,
    NotFoundError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
)
from app.api.responses import ResponseInfo
from app.audio.errors import AudioDecodeError
from app.domain.script import Script
from app.domain.script_edit import add_take, choose_take, mark_failed
from app.domain.script_plan import (
    MAX_CONCURRENCY,
    credits_for,
    server_concurrency,
    stitch_runs,
)
from app.domain.script_standing import finished_words, takes_standing, were
from app.domain.wording import plural
from app.library.script_store import clear_queue_state, save_queue_state
from app.library.take_notes import write_note
from app.services.concurrency_gate import ConcurrencyGate
from app.services.cost_recording import CostRecorder
from app.services.dialogue_generation import generate_dialogue
from app.services.script_document import ScriptDocument
from app.services.script_queue_progress import (
    BlockProgress,
    BlockState,
    Outcome,
    QueueProgress,
    QueueResult,
)
from app.services.script_render import BlockRenderer, RenderError

# The progress values and generate_dialogue are re-exported: the window, the command
# line and the tests import them from here.
__all__ = ["BlockProgress", "BlockState", "Outcome", "QueueProgress", "QueueResult",
           "ScriptQueue", "generate_dialogue", "missing_block_ids"]

log = logging.getLogger(__name__)


def missing_block_ids(script: Script) -> list[str]:
    return [b.block_id for b in script.missing_blocks()]


class ScriptQueue:
    def __init__(self, document: ScriptDocument, renderer: BlockRenderer, *,
                 concurrency: int = 2, cost_multiplier: float = 1.0,
                 on_block: Callable[[BlockProgress], None] | None = None,
                 on_progress: Callable[[QueueProgress], None] | None = None,
                 retry_wait_s: float = 1.0, max_retry_wait_s: float = 15.0,
                 costs: CostRecorder | None = None, max_concurrency: int = MAX_CONCURRENCY,
                 server_limit: int | None = None) -> None:
        self.document = document
        self.costs = costs  # each take's cost goes to the usage ledger
        self.renderer = renderer
        #: Never more than this at once, whatever the server says (e.g. the number a
        #: user gave on the command line).
        self.max_concurrency = max(1, min(max_concurrency, MAX_CONCURRENCY))
        #: The guess used until the server says (from the subscription's tier).
        self.concurrency = max(1, min(concurrency, self.max_concurrency))
        #: What the server said it allows (`maximum-concurrent-requests`), once known.
        self.server_limit = server_concurrency(server_limit, self.max_concurrency)
        self._gate = ConcurrencyGate(self.server_limit or 1)
        self._probing = self.server_limit is None
        self.cost_multiplier = cost_multiplier
        self.on_block = on_block
        self.on_progress = on_progress
        self.retry_wait_s = retry_wait_s
        self.max_retry_wait_s = max_retry_wait_s
        self._resume = asyncio.Event()
        self._resume.set()
        self._stop = False
        self._cancelled = False
        self._quota: QuotaExceededError | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._total = 0
        self._running = 0
        self._result = QueueResult("finished")

    # --- control ---------------------------------------------------------------------

    @property
    def limit(self) -> int:
        """How many blocks may be made at once right now."""
        return self._gate.limit

    @property
    def paused(self) -> bool:
        return not self._resume.is_set()

    def pause(self) -> None:
        """Start no new block; those being made finish."""
        self._resume.clear()
        self._report()

    def resume(self) -> None:
        self._resume.set()
        self._report()

    def cancel(self) -> None:
        """Stop now: requests in flight are abandoned (their takes are not recorded)."""
        self._cancelled = True
        self._stop = True
        self._resume.set()
        for task in self._tasks:
            task.cancel()

    # --- running ---------------------------------------------------------------------

    async def run(self, block_ids: Iterable[str] | None = None, *,
                  force: bool = False) -> QueueResult:
        """Make takes for the blocks (default: all missing ones). With `force`, a new take
        is made even where a matching one exists (an explicit "Regenerate")."""
        script = self.document.script
        ids = missing_block_ids(script) if block_ids is None else [
            i for i in block_ids if script.has_block(i)]
        # A pass over every block (its voice, whether it has text): off the event loop,
        # as it is a few milliseconds more of the window's time for a long chapter.
        runs = await asyncio.to_thread(stitch_runs, script, ids)
        wanted = [i for run in runs for i in run]
        self._total = len(wanted)
        self._result = QueueResult("finished")
        if self.document.path is not None:
            await asyncio.to_thread(save_queue_state, self.document.path, wanted)
        for block_id in wanted:
            self._emit(BlockProgress(block_id, "waiting"))
        self._report()
        pending: asyncio.Queue[list[str]] = asyncio.Queue()
        for run in runs:
            pending.put_nowait(run)
        # A worker per run up to the most ever allowed: the gate decides how many of them
        # have a request out, and that number follows the server.
        workers = min(self.max_concurrency, len(runs))
        self._tasks = [asyncio.create_task(self._worker(pending, force))
                       for _ in range(workers)]
        try:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        finally:
            self._tasks = []
            # What `save_soon` still holds back is written now, however the run ended.
            await self.document.save()
        return await self._finish(wanted)

    async def _finish(self, wanted: list[str]) -> QueueResult:
        result = self._result
        script = self.document.script
        # (Sets and look-ups: with lists and scans, the end of a 5,000-block queue
        # compared every block with every other on the event loop.)
        over = {*result.made, *result.reused, *result.failed}
        # Hashes each block left (all of a chapter's when cancelled at once): off the
        # event loop, as the count below.
        result.remaining = await asyncio.to_thread(
            lambda: [i for i in wanted if i not in over and script.has_block(i)
                     and not script.is_done(script.block(i))])
        result.credits_needed = sum(credits_for(script.block(i).text, self.cost_multiplier)
                                    for i in result.remaining)
        result.have_take, result.spoken = await asyncio.to_thread(takes_standing, script)
        made, remaining = len(result.made), len(result.remaining)
        if self._quota is not None:
            result.outcome = "quota_exceeded"
            result.server_said = self._quota.message
            result.message = (
                f"Your credits ran out. {were(made)} made and kept; the remaining "
                f"{plural(remaining, 'block')} {'needs' if remaining == 1 else 'need'} about "
                f"{result.credits_needed} credits. Add credits (or wait for the monthly "
                f"reset), then choose Generate missing to continue. The server said: "
                f"{self._quota.message}")
        elif self._cancelled:
            result.outcome = "cancelled"
            result.message = (f"Stopped. {were(made)} made and kept; {remaining:,} still "
                              f"{'needs' if remaining == 1 else 'need'} a take.")
        elif result.failed:
            result.outcome = "some_failed"
            result.message = (f"{plural(len(result.failed), 'block')} could not be made; "
                              f"the others are done. The marked blocks say why.")
        else:
            result.message = finished_words(made, len(result.reused), result.have_take,
                                            result.spoken)
        if self.document.path is not None and (not result.remaining or self._cancelled):
            with contextlib.suppress(OSError):
                await asyncio.to_thread(clear_queue_state, self.document.path)
        self._report()
        return result

    async def _worker(self, pending: asyncio.Queue[list[str]], force: bool) -> None:
        while not self._stop:
            try:
                run = pending.get_nowait()
            except asyncio.QueueEmpty:
                return
            for block_id in run:
                await self._resume.wait()
                if self._stop:
                    return
                await self._one(block_id, force)

    async def _one(self, block_id: str, force: bool) -> None:
        script = self.document.script
        if not script.has_block(block_id):
            self._result.skipped.append(block_id)
            self._emit(BlockProgress(block_id, "skipped", message="The block was removed."))
            return
        block = script.block(block_id)
        if block.is_empty:
            self._result.skipped.append(block_id)
            self._emit(BlockProgress(block_id, "skipped", 1.0, "The block has no text."))
            return
        existing = block.take_matching(script.fingerprint_of(block))
        if existing is not None and not force:
            if block.chosen_take_id != existing.take_id:
                self.document.apply(lambda s: choose_take(s, block_id, existing.take_id))
            self._result.reused.append(block_id)
            self._emit(BlockProgress(block_id, "reused", 1.0,
                                     "A take made from this text already exists."))
            return
        if not await self._slot():
            return
        self._running += 1
        self._report()
        try:
            await self._make(block_id)
        finally:
            self._gate.release()
            self._running -= 1
            self._end_probe()  # the first block is over, with or without an answer
            self._report()

    async def _slot(self) -> bool:
        """Wait for a place among the requests allowed at once, and for the queue not to
        be paused; False when the queue is stopping."""
        while True:
            await self._resume.wait()
            if self._stop:
                return False
            await self._gate.acquire()
            if self._stop:
                self._gate.release()
                return False
            if self._resume.is_set():
                return True
            self._gate.release()  # paused while waiting: wait for Resume without it

    def _note_response(self, info: ResponseInfo) -> None:
        """Adopt the server's `maximum-concurrent-requests` (up or down). Its
        `current-concurrent-requests` is not used: it counts this queue's own requests
        too, so the gate's own count is the better "how many are out"."""
        limit = server_concurrency(info.maximum_concurrent_requests, self.max_concurrency)
        if limit is None:
            self._end_probe()  # an answer without the header: the guess it is
            return
        if limit != self.server_limit:
            log.info("the server allows %d requests at once (was %s)", limit,
                     self.server_limit or f"a guess of {self.concurrency}")
        self.server_limit = limit
        self._probing = False
        self._gate.set_limit(limit)

    def _end_probe(self) -> None:
        if self._probing:
            self._probing = False
            self._gate.set_limit(self.server_limit or self.concurrency)

    async def _make(self, block_id: str) -> None:
        wait = self.retry_wait_s
        self._emit(BlockProgress(block_id, "generating"))
        while True:
            script = self.document.script
            try:
                take = await self.renderer.render(
                    script, block_id,
                    lambda f: self._emit(BlockProgress(block_id, "generating", f)),
                    on_response=self._note_response)
            except (RateLimitError, ServerError) as exc:
                refused = ResponseInfo.from_headers(exc.headers, exc.status_code)
                if refused.maximum_concurrent_requests is not None:
                    self._note_response(refused)
                if isinstance(exc, ServerError) and exc.status_code not in (502, 503, 504):
                    self._fail(block_id, f"The server failed: {exc.message}")
                    return
                delay = min(self.max_retry_wait_s, exc.retry_after_s
                            if isinstance(exc, RateLimitError) and exc.retry_after_s else wait)
                self._emit(BlockProgress(block_id, "retrying", 0.0,
                                         f"The server is busy; trying again in {delay:g} s."))
                await asyncio.sleep(delay)
                wait = min(self.max_retry_wait_s, wait * 2)
                await self._resume.wait()
                if self._stop:
                    return
                continue
            except QuotaExceededError as exc:
                self._quota = exc
                self._stop = True
                self._emit(BlockProgress(block_id, "waiting", 0.0,
                                         "Not made: the credits ran out."))
                return
            except NotFoundError as exc:
                speaker = script.block(block_id).speaker
                reason = (f"The voice for {speaker} no longer exists on the server; choose "
                          f"another voice for {speaker} in the cast."
                          if exc.code == "voice_not_found" or "voice" in exc.message.lower()
                          else f"Not found on the server: {exc.message}")
                self._fail(block_id, reason)
                return
            except (RenderError, ApiError, AudioDecodeError, OSError) as exc:
                self._fail(block_id, str(exc))
                return
            except Exception as exc:
                # Anything else (an answer nobody foresaw, a bug) fails this block, not
                # the worker: a dead worker would leave the rest of its run unmade and
                # the queue would end without a word.
                log.exception("block %s could not be made", block_id)
                self._fail(block_id, f"Something unexpected went wrong: {exc}")
                return
            break
        # The file is saved at most every few seconds (a chapter is MBs): until a save
        # holds this take, its note beside the audio keeps it through a crash.
        note = None
        try:
            note = None if self.document.path is None else await asyncio.to_thread(
                write_note, self.document.takes_dir, block_id, take)
        except OSError:  # (the disk is full?) the next save holds the take all the same
            log.warning("no note of take %s could be written", take.take_id, exc_info=True)
        if not self.document.script.has_block(block_id):
            # Deleted while it was being made: its file stays, unreferenced.
            self._result.skipped.append(block_id)
            self._emit(BlockProgress(block_id, "skipped", message="The block was removed."))
            return
        if note is not None:
            self.document.drop_note_when_saved(note)
        self.document.apply(lambda s: add_take(s, block_id, take, choose=True))
        self.document.save_soon()
        if self.costs is not None:
            await self.costs.script_take(self.document, block_id, take, self.cost_multiplier)
        self._result.made.append(block_id)
        self._result.credits_spent += take.character_cost or 0
        self._emit(BlockProgress(block_id, "done", 1.0))

    def _fail(self, block_id: str, reason: str) -> None:
        self.document.apply(lambda s: mark_failed(s, block_id, reason))
        self._result.failed[block_id] = reason
        self._emit(BlockProgress(block_id, "failed", 0.0, reason))

    # --- reporting -------------------------------------------------------------------

    def _emit(self, progress: BlockProgress) -> None:
        if progress.state in ("done", "reused", "failed", "skipped"):
            self._report()
        if self.on_block is not None:
            try:
                self.on_block(progress)
            except Exception:  # a broken listener must not stop the queue
                log.exception("block progress listener failed")

    def _report(self) -> None:
        if self.on_progress is None:
            return
        r = self._result
        finished = len(r.made) + len(r.reused) + len(r.failed) + len(r.skipped)
        try:
            self.on_progress(QueueProgress(self._total, finished, len(r.failed),
                                           self._running, self.paused, r.credits_spent))
        except Exception:
            log.exception("queue progress listener failed")
