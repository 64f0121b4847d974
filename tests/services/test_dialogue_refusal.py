"""A dialogue refused because of its model is told apart from other refusals, and
`generate_dialogue` raises it as DialogueModelRefused (against the cloud test server,
which refuses models that are not dialogue models with a realistic error body)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.api.errors import error_from_response
from app.library.script_store import load_script
from app.services.dialogue_refusal import DialogueModelRefused, refuses_model
from tests.services.test_script_e2e import Harness, cast_script
from tests.support.cloud import Cloud
from tests.support.spec import validate_request

MODEL = "eleven_multilingual_v2"


def error(status: int, body: Any) -> Exception:
    return error_from_response(status, {"content-type": "application/json"},
                               json.dumps(body).encode())


@pytest.mark.parametrize(("status", "body", "refused"), [
    # The newer shape, naming the field.
    (400, {"detail": {"type": "invalid_request_error", "code": "unsupported_model",
                      "status": "unsupported_model", "param": "model_id",
                      "message": "This model does not support text to dialogue."}}, True),
    # The legacy shape, naming the model in its message only.
    (400, {"detail": {"status": "invalid_model",
                      "message": f"Model '{MODEL}' cannot be used for dialogue."}}, True),
    # FastAPI's list, pointing at the field.
    (422, {"detail": [{"loc": ["body", "model_id"], "msg": "unsupported model",
                       "type": "value_error"}]}, True),
    # Refusals that are not about the model.
    (422, {"detail": [{"loc": ["body", "inputs", 0, "text"], "msg": "Field required",
                       "type": "missing"}]}, False),
    (400, {"detail": {"status": "max_character_limit_exceeded",
                      "message": f"Text too long for {MODEL}: at most 5000 characters."}},
     False),
    (400, {"detail": {"status": "too_many_voices", "message": "At most 10 voices."}}, False),
    (401, {"detail": {"status": "quota_exceeded",
                      "message": f"Not enough credits for {MODEL}."}}, False),
    (500, {"detail": {"status": "internal", "message": f"{MODEL} crashed."}}, False),
])
def test_which_refusals_are_about_the_model(status: int, body: Any, refused: bool) -> None:
    assert refuses_model(error(status, body), MODEL) is refused


def test_another_models_name_is_not_this_model() -> None:
    refusal = error(400, {"detail": {"status": "invalid", "message": "Use eleven_v3."}})
    assert not refuses_model(refusal, MODEL)
    assert not refuses_model(ValueError(MODEL), MODEL)


@pytest.mark.anyio
@pytest.mark.e2e
@pytest.mark.parametrize("model_id", ["eleven_multilingual_v2", "eleven_v3_conversational"])
async def test_the_cloud_refuses_a_model_and_nothing_is_recorded(cloud: Cloud, tmp_path: Path,
                                                                 model_id: str) -> None:
    from app.services.script_queue import generate_dialogue

    client = cloud.client()
    try:
        path = tmp_path / "r.xiscript.json"
        h = Harness(client, path, replace(cast_script(), model_id=model_id))
        await h.document.save()
        ids = [b.block_id for b in h.document.script.blocks][3:5]
        with pytest.raises(DialogueModelRefused) as caught:
            await generate_dialogue(h.document, h.renderer, ids)
        assert caught.value.model_id == model_id
        assert model_id in caught.value.server_message  # the server's own words, kept
        assert caught.value.request_id  # for support
        assert not any(b.takes for b in load_script(path).blocks)
        sent = [r for r in cloud.control.requests() if "dialogue" in r["path"]]
        assert len(sent) == 1 and sent[0]["json"]["model_id"] == model_id
        validate_request("POST", sent[0]["path"], sent[0]["query"], sent[0]["json"])
        assert cloud.control.stats()["generations"] == {}  # nothing made, nothing charged
    finally:
        await client.aclose()
