"""Make several script blocks as one text-to-dialogue request, so the voices answer each
other in one performance, and record each block's new take."""

from __future__ import annotations

from app.api.errors import ApiStatusError
from app.domain.script import Script, Take
from app.domain.script_edit import add_take
from app.services.cost_recording import CostRecorder
from app.services.dialogue_refusal import DialogueModelRefused, refuses_model
from app.services.script_document import ScriptDocument
from app.services.script_render import BlockRenderer


async def generate_dialogue(document: ScriptDocument, renderer: BlockRenderer,
                            block_ids: list[str], *, costs: CostRecorder | None = None,
                            cost_multiplier: float = 1.0) -> dict[str, Take]:
    """Make the blocks as one text-to-dialogue request (see
    `BlockRenderer.render_dialogue`), record each block's new take as chosen and save.
    Raises DialogueModelRefused when the server will not make dialogues with the script's
    model, else RenderError or app.api errors (nothing is recorded then)."""
    wanted = set(block_ids)
    order = [b.block_id for b in document.script.blocks if b.block_id in wanted]
    model_id = document.script.model_id
    try:
        takes = await renderer.render_dialogue(document.script, order)
    except ApiStatusError as exc:
        if refuses_model(exc, model_id):
            raise DialogueModelRefused(model_id, exc.message, exc.request_id) from exc
        raise

    def record(script: Script) -> Script:
        for block_id, take in takes.items():
            if script.has_block(block_id):
                script = add_take(script, block_id, take, choose=True)
        return script

    document.apply(record)
    await document.save()
    if costs is not None:
        await costs.dialogue(document, takes, cost_multiplier)
    return takes
