"""The Scripts tab's work with the server: the voice catalog, previews, the generation
queue (generate missing, regenerate a block, pause, resume, cancel), cost estimates and
the export. The queue itself is Qt-free (app.services.script_queue); this feeds it the
script, turns its callbacks into table updates and words, and keeps the buttons right.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from app.api.responses import AUDIO_TYPES
from app.domain import script_plan
from app.domain.wording import plural
from app.ui.app_context import AppContext
from app.ui.errors import UserMessage
from app.ui.qt_async import TaskRunner, loop_running
from app.ui.scripts.blocks_model import BlocksModel, Live
from app.ui.scripts.queue_progress import QueueProgressView
from app.ui.scripts.regenerate_dialog import Neighbour, RegenerateDialog
from app.ui.scripts.script_document import ScriptDocument
from app.ui.scripts.script_summary import Summary, describe, summarize
from app.ui.usage.usage_model import total_text

if TYPE_CHECKING:
    from app.domain.wire import Model, Subscription, Voice
    from app.library.ledger import LedgerEntry, Total
    from app.services.dialogue_refusal import DialogueModelRefused
    from app.services.script_queue import BlockProgress, QueueResult
    from app.ui.scripts.scripts_tab import ScriptsTab

log = logging.getLogger(__name__)

SUMMARY_DELAY_MS = 120
DIALOGUE_TIP = ("Make the selected blocks as one dialogue, in one request (Shift+click to "
                "select)")


def spent_line(total: Total | None) -> str:
    """The Scripts tab's "Spent on this script" line, from the usage ledger."""
    if total is None or not total.operations:
        return ""
    credits = f"~{total.credits:,}" if total.has_estimates else f"{total.credits:,}"
    return f"\nSpent on this script: {credits} credits ({total.operations} takes)"


def spent_tooltip(total: Total | None) -> str:
    if total is None or not total.operations:
        return "Nothing recorded for this script in the usage ledger yet."
    return (f"From the usage ledger: {total_text(total)} over "
            f"{plural(total.operations, 'operation')}, every take ever made for this "
            "script. View → Usage and costs (Ctrl+Shift+U) lists them.")






def _snippet(text: str, length: int = 40) -> str:
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"


class ScriptGeneration(QObject):
    CATALOG = "scripts.catalog"
    QUEUE = "scripts.queue"
    PREVIEW = "scripts.preview"
    SUMMARY = "scripts.summary"

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
        self._interrupted: list[str] = []
        self.progress = QueueProgressView(tab.progress, tab.status, self)
        # Models a server refused to make dialogues with, this session: (server, model id).
        self._dialogue_refused: set[tuple[str, str]] = set()
        self.summary: Summary | None = None
        self.ledger_total: Total | None = None  # this script in the usage ledger
        ctx.costs.subscribe(self._on_costs_recorded)
        self.destroyed.connect(lambda: ctx.costs.unsubscribe(self._on_costs_recorded))
        self._summary_timer = QTimer(self)
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(SUMMARY_DELAY_MS)
        self._summary_timer.timeout.connect(self._count)
        runner.task_failed.connect(self._on_runner_task_failed)
        runner.reports(self.CATALOG, self.QUEUE, self.PREVIEW)
        runner.task_finished.connect(self._on_runner_task_finished)

    @property
    def is_running(self) -> bool:
        return self._runner.is_running(self.QUEUE)

    # -- catalog ---------------------------------------------------------------------
    def load_catalog(self) -> None:
        self._runner.restart(self.CATALOG, self._load_catalog)

    async def _load_catalog(self) -> None:
        service = self._ctx.voices
        models, voices = await asyncio.gather(service.list_models(), service.all_voices())
        self.models = [m for m in models if m.can_do_text_to_speech]
        self.voices = list(voices)
        self._tab.set_catalog(self.models, self.voices)
        await self._refresh_quota()
        if self._interrupted:
            self._resume_interrupted()

    async def _refresh_quota(self) -> None:
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

    # -- estimates -------------------------------------------------------------------
    def refresh_summary(self) -> None:
        """Recount the estimate shortly (a burst of changes is counted once)."""
        self._summary_timer.start()

    def _count(self) -> None:
        if not loop_running():
            return  # the window is closing: nobody will read it
        script, multiplier = self._document.script, self.cost_multiplier
        path, ledger = self._document.path, self._ctx.costs.ledger

        async def count() -> None:
            summary = await asyncio.to_thread(summarize, script, multiplier)
            # What the usage ledger says this script cost (every take ever made for it,
            # chosen or not, kept or deleted since).
            spent = await asyncio.to_thread(ledger.script_total, path) \
                if ledger is not None and path is not None else None
            if self._document.script is script:
                self.summary = summary
                self.ledger_total = spent
                self._tab.estimate.setText(self.estimate_text())
                self._tab.estimate.setToolTip(spent_tooltip(spent))
                if self.progress.standing_on_bar and not self.is_running:
                    self.progress.show_standing(
                        summary.spoken_blocks - summary.missing_blocks, summary.spoken_blocks)
                self.update_buttons()

        self._runner.restart(self.SUMMARY, count)

    def estimate_text(self) -> str:
        if self.summary is None:
            return "Counting…"
        left = self.quota.characters_left if self.quota is not None else None
        words = describe(self.summary, self.cost_multiplier, left)
        return words + spent_line(self.ledger_total)

    def _on_costs_recorded(self, entry: LedgerEntry) -> None:
        path = self._document.path
        if path is not None and entry.script_path == str(path):
            self.refresh_summary()

    def update_buttons(self) -> None:
        tab = self._tab
        running = self._runner.is_running(self.QUEUE)
        summary = self.summary
        tab.generate_all.setEnabled(not running and summary is not None
                                    and summary.missing_blocks > 0)
        tab.pause_button.setEnabled(running and not self._paused)
        tab.resume_button.setEnabled(running and self._paused)
        tab.cancel_button.setEnabled(running)
        has_chosen = summary is not None and summary.has_chosen
        tab.export_button.setEnabled(has_chosen)
        problem = self.dialogue_problem()
        tab.dialogue_button.setEnabled(not running and len(tab.selected_block_ids()) >= 2
                                       and problem is None)
        tab.dialogue_button.setToolTip(problem or DIALOGUE_TIP)
        tab.play_script.setEnabled(has_chosen)

    # -- dialogue models -------------------------------------------------------------
    def _refused_models(self) -> set[str]:
        server = self._ctx.client.base_url
        return {model for where, model in self._dialogue_refused if where == server}

    def dialogue_problem(self) -> str | None:
        """Why the script's model cannot make a dialogue (None: it can), from what the
        server lists in /v1/models and what it refused this session."""
        from app.domain.dialogue import dialogue_problem

        return dialogue_problem(self._document.script.model_id, self.models,
                                self._refused_models())

    # -- preview ---------------------------------------------------------------------
    def preview(self, voice: Voice) -> None:
        self._runner.restart(self.PREVIEW, lambda: self._preview(voice))

    async def _preview(self, voice: Voice) -> None:
        from app.audio.decode import decode_bytes
        from app.audio.peaks import compute_peaks

        if not voice.preview_url:
            # Not made up with a paid request: a click on ▶ should never spend credits
            # (nor go unrecorded in the usage ledger).
            self._tab.status.setText(
                f"{voice.name} has no preview sample on the server, so there is nothing to "
                "play. To hear this voice, generate one of its blocks.")
            return
        self._tab.status.setText(f"Fetching the preview of {voice.name}…")
        data = await self._ctx.client.fetch_public(voice.preview_url,
                                                 expect=AUDIO_TYPES)
        clip = await asyncio.to_thread(decode_bytes, data, None)
        peaks = await asyncio.to_thread(compute_peaks, clip, 800)
        self._ctx.player.load(clip)
        bar = self._tab.player_bar
        bar.show_clip(f"Preview: {voice.name}", peaks)
        self._ctx.player.play()
        bar.follow()
        self._tab.status.setText(f"Playing the preview of {voice.name}.")

    # -- the queue -------------------------------------------------------------------
    def _check_ready(self, blocks: list) -> bool:
        script = self._document.script
        uncast = sorted({b.speaker for b in blocks if script.voice_of(b) is None})
        if uncast:
            self._tab.status.setText(f"Choose a voice for {', '.join(uncast)} first (in the "
                                     "cast, left).")
            return False
        if self._runner.is_running(self.QUEUE):
            self._tab.status.setText("The queue is already running; wait for it or cancel it.")
            return False
        return True

    def generate_missing(self) -> None:
        self._tab.block_panel.commit_text()
        missing = self._document.script.missing_blocks()
        if not missing:
            self._tab.status.setText("Every block already has a take for its current text.")
            return
        if self._check_ready(missing):
            self._start([b.block_id for b in missing], force=False)

    def regenerate(self, block_id: str) -> None:
        """A new take of the block; first ask about stitched neighbours, if any."""
        script = self._document.script
        block = script.block(block_id)
        if block.is_empty:
            self._tab.status.setText("This block has no text: type something first.")
            return
        if not self._check_ready([block]):
            return
        if not block.takes:
            self._start([block_id], force=True)
            return
        costs = script_plan.regeneration_cost(script, block_id, self.cost_multiplier)
        neighbours = [
            Neighbour(other, f"block {script.index_of(other) + 1} · "
                             f"{script.block(other).speaker}: "
                             f"{_snippet(script.block(other).text)}", credits)
            for other, credits in costs.items() if other != block_id]
        label = f"block {script.index_of(block_id) + 1}"
        if not neighbours:
            self._start([block_id], force=True)
            return
        RegenerateDialog(label, costs[block_id], neighbours,
                         lambda chosen: self._start([block_id, *chosen], force=True),
                         self._tab).open()

    def make_dialogue(self, block_ids: list[str]) -> None:
        """The selected blocks as one text-to-dialogue request (dialogue models only),
        cut back onto the blocks as one new take each."""
        self._tab.block_panel.commit_text()
        script = self._document.script
        blocks = [script.block(i) for i in block_ids]
        problem = self.dialogue_problem()
        if problem is not None:
            self._tab.status.setText(problem)
            return
        if len(blocks) < 2 or any(b.is_empty for b in blocks):
            self._tab.status.setText("Select two or more blocks with text (Shift+click in "
                                     "the table) to make them as one dialogue.")
            return
        if not self._check_ready(blocks):
            return
        self._paused = False
        self._tab.error_banner.hide()
        self._tab.progress.setRange(0, 0)  # one request: a busy bar
        for block_id in block_ids:
            self._model.set_live(block_id, Live("generating"))
        self._tab.status.setText(f"Making {len(block_ids)} blocks as one dialogue…")
        self._runner.start(self.QUEUE, lambda: self._run_dialogue(block_ids))
        self.update_buttons()

    async def _run_dialogue(self, block_ids: list[str]) -> None:
        from app.api.dialogue import DialogueService
        from app.services.dialogue_refusal import DialogueModelRefused
        from app.services.script_queue import generate_dialogue
        from app.services.script_render import BlockRenderer

        core = self._document.core
        renderer = BlockRenderer(self._ctx.speech, core.takes_dir,
                                 dialogue=DialogueService(self._ctx.client))
        server = self._ctx.client.base_url
        try:
            takes = await generate_dialogue(core, renderer, block_ids, costs=self._ctx.costs,
                                            cost_multiplier=self.cost_multiplier)
        except DialogueModelRefused as exc:
            self._dialogue_refused.add((server, exc.model_id))
            self._offer_one_by_one(exc, block_ids)
            return
        self.progress.await_standing()
        self._tab.status.setText(f"Made {len(takes)} blocks as one dialogue; each has a new "
                                 "take.")
        await self._refresh_quota()

    def _offer_one_by_one(self, refusal: DialogueModelRefused, block_ids: list[str]) -> None:
        """The server will not make dialogues with this model: say so, keep it in mind
        for the session (the button is off for it now), and offer the same blocks as
        ordinary takes, one request each."""
        from app.domain.dialogue import choose_instead

        self._model.clear_live()
        self.progress.await_standing()
        instead = choose_instead(self.models, self._refused_models())
        said = f" The server said: {refusal.server_message}" if refusal.server_message else ""
        self._tab.status.setText("Nothing was made: this model can't make dialogues.")
        ids = list(block_ids)
        self._tab.show_error(
            UserMessage("This model can't make dialogues",
                        f"Nothing was made or charged.{said}",
                        f"To make them as one dialogue, {instead}. Or press Make them one "
                        f"by one to make the {len(ids)} blocks as separate takes with this "
                        "model.", can_retry=True, retry_label="Make them one by one"),
            on_retry=lambda: self.make_one_by_one(ids))

    def make_one_by_one(self, block_ids: list[str]) -> None:
        """The blocks a dialogue was refused for, as ordinary takes (one request each)."""
        script = self._document.script
        known = {b.block_id for b in script.blocks}
        blocks = [script.block(i) for i in block_ids if i in known]
        if not blocks or not self._check_ready(blocks):
            return
        self._start([b.block_id for b in blocks], force=True)

    def pause(self) -> None:
        if self._queue is not None:
            self._queue.pause()
            self._paused = True
            self._tab.status.setText("Paused: blocks being made finish, no new ones start. "
                                     "Press Resume to carry on.")
            self.update_buttons()

    def resume(self) -> None:
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
        else:
            self._runner.cancel(self.QUEUE)  # a dialogue request
            self.say(UserMessage("The dialogue stopped: the API key changed",
                                 "Nothing of it was kept.",
                                 "Make the dialogue again with the new key."))
        self._runner.cancel(self.PREVIEW)
        self._tab.status.setText("The API key changed: stopping the queue… takes already "
                                 "made are kept.")

    def _start(self, block_ids: list[str], force: bool) -> None:
        order = {b.block_id: i for i, b in enumerate(self._document.script.blocks)}
        block_ids = sorted(dict.fromkeys(block_ids), key=lambda i: order.get(i, 0))
        self._paused = False
        self._tab.error_banner.hide()
        self._tab.progress.setRange(0, len(block_ids))
        self._tab.progress.setValue(0)
        self._model.set_waiting(block_ids)
        self._runner.start(self.QUEUE, lambda: self._run_queue(block_ids, force))
        self.update_buttons()

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
        try:
            result = await queue.run(block_ids, force=force)
        except BaseException:
            queue.cancel()
            raise
        self._report(result)
        await self._refresh_quota()

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
        known = {b.block_id for b in script.blocks}
        ids = [i for i in ids if i in known]
        if not ids or self._runner.is_running(self.QUEUE):
            return
        self._tab.status.setText(f"The queue was interrupted; carrying on with "
                                 f"{plural(len(ids), 'block')} (finished ones are not made again).")
        self._start(ids, force=False)

    # -- reporting -------------------------------------------------------------------
    def _on_runner_task_failed(self, name: str, exc: object) -> None:
        if name == self.CATALOG:
            self._tab.show_error(exc)
            self._tab.status.setText("Voices could not be loaded; the cast cannot be chosen.")
        elif name in (self.QUEUE, self.PREVIEW):
            self._tab.show_error(exc)
            if name == self.PREVIEW:
                self._tab.status.setText("The preview could not be played (the message "
                                         "above says why).")



    def _on_runner_task_finished(self, name: str) -> None:
        if name == self.QUEUE:
            self.progress.standing_on_bar = True
            self._queue = None
            self._paused = False
            self._key_changed = False
            self._model.clear_live()
            self.update_buttons()
            self.refresh_summary()

    def say(self, message: UserMessage) -> None:
        self._tab.show_error(message)
