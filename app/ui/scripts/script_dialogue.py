"""The Scripts tab's "As dialogue": the selected blocks made in one text-to-dialogue
request (dialogue models only) and cut back onto the blocks as one new take each. When
a server refuses the model, it is remembered for the session (the button goes off for
it) and the same blocks are offered as ordinary takes, one request each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.ui.errors import UserMessage
from app.ui.scripts.blocks_model import Live

if TYPE_CHECKING:
    from app.services.dialogue_refusal import DialogueModelRefused
    from app.ui.app_context import AppContext
    from app.ui.scripts.blocks_model import BlocksModel
    from app.ui.scripts.script_document import ScriptDocument
    from app.ui.scripts.script_generation import ScriptGeneration
    from app.ui.scripts.scripts_tab import ScriptsTab

DIALOGUE_TIP = ("Make the selected blocks as one dialogue, in one request (Shift+click to "
                "select)")


class ScriptDialogue(QObject):
    def __init__(self, generation: ScriptGeneration, tab: ScriptsTab, ctx: AppContext,
                 document: ScriptDocument, model: BlocksModel) -> None:
        super().__init__(generation)
        self._generation = generation
        self._tab = tab
        self._ctx = ctx
        self._document = document
        self._model = model
        # Models a server refused to make dialogues with, this session: (server, model id).
        self._refused: set[tuple[str, str]] = set()

    def _refused_models(self) -> set[str]:
        server = self._ctx.client.base_url
        return {model for where, model in self._refused if where == server}

    def problem(self) -> str | None:
        """Why the script's model cannot make a dialogue (None: it can), from what the
        server lists in /v1/models and what it refused this session."""
        from app.domain.dialogue import dialogue_problem

        return dialogue_problem(self._document.script.model_id, self._generation.models,
                                self._refused_models())

    def make(self, block_ids: list[str]) -> None:
        """The selected blocks as one text-to-dialogue request (dialogue models only),
        cut back onto the blocks as one new take each."""
        self._tab.block_panel.commit_text()
        script = self._document.script
        blocks = [script.block(i) for i in block_ids]
        problem = self.problem()
        if problem is not None:
            self._tab.status.setText(problem)
            return
        if len(blocks) < 2 or any(b.is_empty for b in blocks):
            self._tab.status.setText("Select two or more blocks with text (Shift+click in "
                                     "the table) to make them as one dialogue.")
            return
        generation = self._generation
        if not generation.check_ready(blocks):
            return
        generation.prepare_run()
        self._tab.progress.setRange(0, 0)  # one request: a busy bar
        for block_id in block_ids:
            self._model.set_live(block_id, Live("generating"))
        self._tab.status.setText(f"Making {len(block_ids)} blocks as one dialogue…")
        generation.start_run(lambda: self._run(block_ids))

    async def _run(self, block_ids: list[str]) -> None:
        from app.api.dialogue import DialogueService
        from app.services.dialogue_refusal import DialogueModelRefused
        from app.services.script_queue import generate_dialogue
        from app.services.script_render import BlockRenderer

        core = self._document.core
        renderer = BlockRenderer(self._ctx.speech, core.takes_dir,
                                 dialogue=DialogueService(self._ctx.client))
        server = self._ctx.client.base_url
        generation = self._generation
        try:
            takes = await generate_dialogue(core, renderer, block_ids, costs=self._ctx.costs,
                                            cost_multiplier=generation.cost_multiplier)
        except DialogueModelRefused as exc:
            self._refused.add((server, exc.model_id))
            self._offer_one_by_one(exc, block_ids)
            return
        generation.progress.await_standing()
        self._tab.status.setText(f"Made {len(takes)} blocks as one dialogue; each has a new "
                                 "take.")
        await generation.refresh_quota()

    def _offer_one_by_one(self, refusal: DialogueModelRefused, block_ids: list[str]) -> None:
        """The server will not make dialogues with this model: say so, keep it in mind
        for the session (the button is off for it now), and offer the same blocks as
        ordinary takes, one request each."""
        from app.domain.dialogue import choose_instead

        self._model.clear_live()
        self._generation.progress.await_standing()
        instead = choose_instead(self._generation.models, self._refused_models())
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
        # (Look-ups, not a set of every block's id: a chapter has thousands.)
        blocks = [script.block(i) for i in block_ids if script.has_block(i)]
        if not blocks or not self._generation.check_ready(blocks):
            return
        self._generation.start_takes([b.block_id for b in blocks], force=True)
