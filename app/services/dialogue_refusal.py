"""Telling "the server will not make a dialogue with this model" apart from other
refusals of a text-to-dialogue request.

`/v1/models` has no dialogue flag, so the app's rule (app/domain/dialogue.py) is a
well-founded guess; the server has the last word. A 400 or 422 whose error names the
model (its message quotes the model id, or its `param` / field location is `model_id`)
means this model cannot make dialogues here: the caller remembers that for the session
and offers to make the blocks one by one instead of failing with a bare error.
"""

from __future__ import annotations

from app.api.errors import ApiStatusError, BadRequestError, ValidationError
from app.services.script_render import RenderError

MODEL_FIELD = "model_id"
# Refusals about the text or the voices, which may quote the model (its character limit,
# say) without refusing it: making the blocks one by one would not help with these.
NOT_ABOUT_THE_MODEL = frozenset({"max_character_limit_exceeded", "text_too_long",
                                 "too_many_voices", "empty_inputs", "voice_not_found"})


class DialogueModelRefused(RenderError):
    """The server refused to make a dialogue with `model_id`; `server_message` is what
    it said."""

    def __init__(self, model_id: str, server_message: str,
                 request_id: str | None = None) -> None:
        super().__init__(f"The server can't make dialogues with the model {model_id}: "
                         f"{server_message}")
        self.model_id = model_id
        self.server_message = server_message
        self.request_id = request_id


def _param(exc: ApiStatusError) -> str | None:
    detail = exc.body.get("detail") if isinstance(exc.body, dict) else None
    value = detail.get("param") if isinstance(detail, dict) else None
    return value if isinstance(value, str) else None


def refuses_model(exc: BaseException, model_id: str) -> bool:
    """Whether a failed dialogue request was refused because of its model."""
    if not isinstance(exc, BadRequestError | ValidationError) or not model_id:
        return False
    if exc.code in NOT_ABOUT_THE_MODEL:
        return False
    if model_id in exc.message or _param(exc) == MODEL_FIELD:
        return True
    if isinstance(exc, ValidationError):
        return any(field.loc and field.loc[-1] == MODEL_FIELD for field in exc.field_errors)
    return False


__all__ = ["DialogueModelRefused", "refuses_model"]
