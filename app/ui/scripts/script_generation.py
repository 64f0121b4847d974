"""The Scripts tab's takes made by the server: the voice catalog and the generation
queue (generate missing, regenerate a block, pause, resume, cancel). The queue itself is
Qt-free (app.services.script_queue); this feeds it the script, turns its callbacks into
table updates and words, and keeps the buttons right. The cost estimate
(script_estimate.py), "As dialogue" (script_dialogue.py) and voice previews
(voice_preview.py) are parts of their own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt

from app.domain import script_plan
from app.domain.wording import plural
from app.ui.app_context import AppContext
from app.ui.errors import UserMessage
from app.ui.qt_async import TaskRunner
from app.ui.scripts.blocks_model import BlocksModel, Live
from app.ui.scripts.queue_progress import QueueProgressView
from app.ui.scripts.regenerate_dialog import Neighbour, RegenerateDialog
from app.ui.scripts.script_dialogue import DIALOGUE_TIP, ScriptDialogue
from app.ui.scripts.script_document import ScriptDocument
from app.ui.scripts.script_estimate import ScriptEstimate
from app.ui.scripts.voice_preview import VoicePreview

if TYPE_CHECKING:
    from app.domain.script import Block, Script
    from app.domain.wire import Model, Subscription, Voice
    from app.services.script_queue import BlockProgress, QueueResult
    from app.ui.scripts.script_summary import Summary
    from app.ui.scripts.scripts_tab import ScriptsTab

log = logging.getLogger(__name__)


def cast_first(uncast: list[str]) -> str:
    return f"Choose a voice for {', '.join(uncast)} first (in the cast, left)."


def _snippet(text: str, length: int = 40) -> str:
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"


class ScriptGeneration(QObject):
    CATALOG = "scripts.catalog"
    QUEUE = "scripts.queue"

    def __init__(self, tab: ScriptsTab, ctx: AppContext, runner: TaskRunner,
                 document: ScriptDocument, model: BlocksModel) -> None:
        super().__init__(tab)
        self._tab = tab
        self._ctx = ctx
        self._runner = runner
        self._document = document
        self._model = model
        self.models: list[Model] = []
        self.voices: list[Voice] = []
        self.quota: Subscription | None = None
        self._queue: Any = None  # the running ScriptQueue
        self._paused = False
        self._key_changed = False  # the queue was stopped by a new API key
        self._finding_missing = False  # the first pass of Generate all missing runs
        self._interrupted: list[str] = []
        self.progress = QueueProgressView(tab.progress, tab.status, self)
        self.estimate = ScriptEstimate(self, tab, ctx, runner, document)
        self.dialogue = ScriptDialogue(self, tab, ctx, document, model)
        self.previews = VoicePreview(tab, ctx, runner)
        runner.task_failed.connect(self._on_runner_task_failed)
        runner.reports(self.CATALOG, self.QUEUE, VoicePreview.PREVIEW)
        runner.task_finished.connect(self._on_runner_task_finished)

    @property
    def is_running(self) -> bool:
        return self._runner.is_running(self.QUEUE)

    @property
    def summary(self) -> Summary | None:
        """The latest count of the whole script (None until the first is in)."""
        return self.estimate.summary

    def refresh_summary(self) -> None:
        """Recount the estimate shortly (a burst of changes is counted once)."""
        self.estimate.refresh()

    def preview(self, voice: Voice) -> None:
        self.previews.preview(voice)

    def dialogue_problem(self) -> str | None:
        return self.dialogue.problem()

    def make_dialogue(self, block_ids: list[str]) -> None:
        self.dialogue.make(block_ids)

    # -- catalog ---------------------------------------------------------------------
    def load_catalog(self) -> None:
        self._runner.restart(self.CATALOG, self._load_catalog)

    async def _load_catalog(self) -> None:
        service = self._ctx.voices
        models, voices = await asyncio.gather(service.list_models(), service.all_voices())
        self.models = [m for m in models if m.can_do_text_to_speech]
        self.voices = list(voices)
        self._tab.set_catalog(self.models, self.voices)
        await self.refresh_quota()
        if self._interrupted:
            self._resume_interrupted()

    async def refresh_quota(self) -> None:
        try:
            self.quota = await self._ctx.account.subscription()
        except Exception:  # e.g. offline, or a key without user_read: not an error
            log.info("subscription not available", exc_info=True)
            self.quota = None
        self.refresh_summary()

    def current_model(self) -> Model | None:
        model_id = self._document.script.model_id
        return next((m for m in self.models if m.model_id == model_id), None)

    @property
    def cost_multiplier(self) -> float:
        model = self.current_model()
        if model is not None:
            return model.cost_multiplier
        # Offline voices cost nothing whatever model the script names.
        free = bool(self.models) and all(m.cost_multiplier == 0 for m in self.models)
        return 0.0 if free else 1.0

    def update_buttons(self) -> None:
        tab = self._tab
        running = self._runner.is_running(self.QUEUE)
        summary = self.summary
        tab.generate_all.setEnabled(not running and summary is not None
                                    and summary.missing_blocks > 0)
        # Pause and Resume share a place: the one that applies is shown, and the
        # keyboard's focus goes over to it from the button just pressed (asked before
        # that one is disabled, which sends the focus on to Cancel).
        paused = running and self._paused
        shown, hidden = ((tab.resume_button, tab.pause_button) if paused
                         else (tab.pause_button, tab.resume_button))
        had_focus = hidden.hasFocus()
        tab.pause_button.setEnabled(running and not self._paused)
        tab.resume_button.setEnabled(paused)
        shown.show()
        hidden.hide()
        if had_focus:
            shown.setFocus(Qt.FocusReason.OtherFocusReason)
        tab.cancel_button.setEnabled(running)
        has_chosen = summary is not None and summary.has_chosen
        tab.export_button.setEnabled(has_chosen)
        problem = self.dialogue_problem()
        tab.dialogue_button.setEnabled(not running and len(tab.selected_block_ids()) >= 2
                                       and problem is None)
        tab.dialogue_button.setToolTip(problem or DIALOGUE_TIP)
        tab.play_script.setEnabled(has_chosen)

    # -- the queue -------------------------------------------------------------------
    def check_ready(self, blocks: list[Block]) -> bool:
        script = self._document.script
        uncast = sorted({b.speaker for b in blocks if script.voice_of(b) is None})
        if uncast:
            self._tab.status.setText(cast_first(uncast))
            return False
        if self._runner.is_running(self.QUEUE):
            self._tab.status.setText("The queue is already running; wait for it or cancel it.")
            return False
        return True

    def generate_missing(self) -> None:
        """Make a take of every block that needs one. Finding them hashes every block
        (~30 ms for a 5,000-block chapter, a stall the user feels), so that pass runs on
        a worker thread inside the queue's own task: the window says at once that the
        work started, and Cancel already stops it during that pass."""
        self._tab.block_panel.commit_text()
        if self._runner.is_running(self.QUEUE):
            self._tab.status.setText("The queue is already running; wait for it or cancel it.")
            return
        script = self._document.script  # frozen: the worker reads this very version
        self.prepare_run()
        self._tab.progress.setRange(0, 0)  # a busy bar until the blocks are counted
        self._tab.status.setText("Looking for blocks without a take…")
        self._finding_missing = True
        self.start_run(lambda: self._generate_missing(script))

    async def _generate_missing(self, script: Script) -> None:
        work = await asyncio.to_thread(script_plan.missing_work, script)
        self._finding_missing = False
        if not work.block_ids or work.uncast:
            self.progress.await_standing()  # the count, shortly, fills the bar again
            self._tab.status.setText(
                cast_first(work.uncast) if work.uncast
                else "Every block already has a take for its current text.")
            return
        self._show_started(work.block_ids)
        await self._run_queue(work.block_ids, force=False)

    def regenerate(self, block_id: str) -> None:
        """A new take of the block; first ask about stitched neighbours, if any."""
        script = self._document.script
        block = script.block(block_id)
        if block.is_empty:
            self._tab.status.setText("This block has no text: type something first.")
            return
        if not self.check_ready([block]):
            return
        if not block.takes:
            self.start_takes([block_id], force=True)
            return
        costs = script_plan.regeneration_cost(script, block_id, self.cost_multiplier)
        neighbours = [
            Neighbour(other, f"block {script.index_of(other) + 1} · "
                             f"{script.block(other).speaker}: "
                             f"{_snippet(script.block(other).text)}", credits)
            for other, credits in costs.items() if other != block_id]
        label = f"block {script.index_of(block_id) + 1}"
        if not neighbours:
            self.start_takes([block_id], force=True)
            return
        RegenerateDialog(label, costs[block_id], neighbours,
                         lambda chosen: self.start_takes([block_id, *chosen], force=True),
                         self._tab).open()

    def pause(self) -> None:
        # Pressed while the blocks without a take are still being looked for there is
        # no queue yet: the queue starts paused (Pause did nothing there before).
        if self._queue is None and not self._runner.is_running(self.QUEUE):
            return
        if self._queue is not None:
            self._queue.pause()
        self._paused = True
        self._tab.status.setText("Paused: blocks being made finish, no new ones start. "
                                 "Press Resume to carry on.")
        self.update_buttons()

    def resume(self) -> None:
        if self._queue is None and not self._runner.is_running(self.QUEUE):
            return
        if self._queue is not None:
            self._queue.resume()
        self._paused = False
        self._tab.status.setText("Carrying on…")
        self.update_buttons()

    def cancel(self) -> None:
        if self._queue is not None:
            self._queue.cancel()  # the queue ends itself and reports what it kept
            self._tab.status.setText("Stopping… takes already made are kept.")
        elif self._runner.cancel(self.QUEUE):
            self._tab.status.setText("Stopped.")

    def stop_for_new_key(self) -> None:
        """The API key (or server) changed in Settings: requests in flight belong to the
        old account, so the queue (or dialogue) stops; takes already made are kept and
        "Generate all missing" carries on with the new key."""
        if not self._runner.is_running(self.QUEUE):
            return
        self._key_changed = True
        if self._queue is not None:
            self._queue.cancel()  # the queue ends itself and reports what it kept
        elif self._finding_missing:
            self._runner.cancel(self.QUEUE)  # nothing was asked of the server yet
            self.say(UserMessage("The queue stopped: the API key changed",
                                 "Nothing had been made yet.",
                                 "Press Generate all missing to start again with the new "
                                 "key."))
        else:
            self._runner.cancel(self.QUEUE)  # a dialogue request
            self.say(UserMessage("The dialogue stopped: the API key changed",
                                 "Nothing of it was kept.",
                                 "Make the dialogue again with the new key."))
        self.previews.cancel()
        self._tab.status.setText("The API key changed: stopping the queue… takes already "
                                 "made are kept.")

    def start_takes(self, block_ids: list[str], force: bool) -> None:
        order = {b.block_id: i for i, b in enumerate(self._document.script.blocks)}
        block_ids = sorted(dict.fromkeys(block_ids), key=lambda i: order.get(i, 0))
        self.prepare_run()
        self._show_started(block_ids)
        self.start_run(lambda: self._run_queue(block_ids, force))

    def prepare_run(self) -> None:
        """A run is about to start: not paused, and the last run's message is gone."""
        self._paused = False
        self._tab.error_banner.hide()

    def start_run(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` as the queue (one at a time: Pause, Resume and Cancel act on it)."""
        self._runner.start(self.QUEUE, work)
        self.update_buttons()

    def _show_started(self, block_ids: list[str]) -> None:
        """The bar counts the blocks asked for, and each says it waits in the queue."""
        self._tab.progress.setRange(0, len(block_ids))
        self._tab.progress.setValue(0)
        self._model.set_waiting(block_ids)

    async def _run_queue(self, block_ids: list[str], force: bool) -> None:
        from app.services.script_queue import ScriptQueue
        from app.services.script_render import DEFAULT_CHAR_LIMIT, BlockRenderer

        core = self._document.core
        model = self.current_model()
        renderer = BlockRenderer(
            self._ctx.speech, core.takes_dir,
            char_limit=model.maximum_text_length_per_request if model else DEFAULT_CHAR_LIMIT)
        tier = self.quota.tier if self.quota is not None else None
        queue = ScriptQueue(core, renderer, concurrency=script_plan.concurrency_for_tier(tier),
                            cost_multiplier=self.cost_multiplier,
                            on_block=self._on_queue_block, on_progress=self.progress.queue_progress,
                            costs=self._ctx.costs)
        self._queue = queue
        if self._paused:  # Pause pressed while the blocks were being looked for
            queue.pause()
        try:
            result = await queue.run(block_ids, force=force)
        except BaseException:
            queue.cancel()
            raise
        self._report(result)
        await self.refresh_quota()

    def _on_queue_block(self, progress: BlockProgress) -> None:
        if progress.state == "generating":
            self._model.set_live(progress.block_id, Live("generating", progress.fraction))
        elif progress.state in ("waiting", "retrying"):
            self._model.set_live(progress.block_id, Live("waiting"))
            if progress.message:
                self._tab.status.setText(progress.message)
        else:  # done, reused, failed, skipped: the script itself says so now
            self._model.set_live(progress.block_id, None)

    def _report(self, result: QueueResult) -> None:
        self.progress.show_pending()  # the last count first, then the outcome over it
        self._document.flush()
        self.progress.show_standing(result.have_take, result.spoken)
        self._tab.status.setText(result.message)
        if result.outcome == "cancelled" and self._key_changed:
            self.say(UserMessage(
                "The queue stopped: the API key changed", result.message,
                "Press Generate all missing to carry on with the new key; finished blocks "
                "are not made again."))
            return
        if result.outcome == "quota_exceeded":
            self.say(UserMessage("Your credits ran out", result.message,
                                 "Add credits or wait for the reset, then press Generate "
                                 "all missing: finished blocks are not made again."))
        elif result.outcome == "some_failed":
            reasons = sorted(set(result.failed.values()))
            self.say(UserMessage(f"{plural(len(result.failed), 'block')} could not be made",
                                 " ".join(reasons[:2]),
                                 "Fix what the marked blocks say, then press Generate all "
                                 "missing again; the other blocks are done."))

    def resume_interrupted(self, block_ids: list[str]) -> None:
        """A queue was running when the app stopped: carry on once connected."""
        self._interrupted = block_ids
        if self.models:
            self._resume_interrupted()

    def _resume_interrupted(self) -> None:
        ids, self._interrupted = self._interrupted, []
        script = self._document.script
        ids = [i for i in ids if script.has_block(i)]  # (a look-up each, not a pass)
        if not ids or self._runner.is_running(self.QUEUE):
            return
        self._tab.status.setText(f"The queue was interrupted; carrying on with "
                                 f"{plural(len(ids), 'block')} (finished ones are not made again).")
        self.start_takes(ids, force=False)

    # -- reporting -------------------------------------------------------------------
    def _on_runner_task_failed(self, name: str, exc: object) -> None:
        if name == self.CATALOG:
            self._tab.show_error(exc)
            self._tab.status.setText("Voices could not be loaded; the cast cannot be chosen.")
        elif name == self.QUEUE:
            self._tab.show_error(exc)

    def _on_runner_task_finished(self, name: str) -> None:
        if name == self.QUEUE:
            self.progress.standing_on_bar = True
            self._queue = None
            self._paused = False
            self._finding_missing = False
            self._key_changed = False
            self._model.clear_live()
            self.update_buttons()
            self.refresh_summary()

    def say(self, message: UserMessage) -> None:
        self._tab.show_error(message)
