"""Which models can make dialogues: what /v1/models lists (`can_do_text_to_speech`), the
one documented family rule, and what the server refused this session; and how many
requests at once the queue takes from the server's header."""

from __future__ import annotations

import pytest

from app.domain.dialogue import (
    DIALOGUE_MODEL_FAMILY,
    choose_instead,
    dialogue_models,
    dialogue_problem,
    in_dialogue_family,
    makes_dialogues,
    supports_dialogue,
)
from app.domain.local_engine import ENGINE_MODEL_ID
from app.domain.script_plan import MAX_CONCURRENCY, server_concurrency
from app.domain.wire import Model

V3 = Model(model_id="eleven_v3", name="Eleven v3")
V3_VARIANT = Model(model_id="eleven_v3_conversational", name="Eleven v3 Conversational")
MULTILINGUAL = Model(model_id="eleven_multilingual_v2", name="Eleven Multilingual v2")
V3_NO_TEXT = Model(model_id="eleven_v3_sts", name="v3 voice changer", can_do_text_to_speech=False)
LISTED = [MULTILINGUAL, V3, V3_VARIANT, V3_NO_TEXT]


@pytest.mark.parametrize(("model_id", "family"), [
    ("eleven_v3", True), ("eleven_v3_conversational", True), ("eleven_v30", False),
    ("eleven_multilingual_v2", False), ("eleven_flash_v2_5", False), ("", False),
    ("xi_local_espeak_v1", False),
])
def test_the_family_rule(model_id: str, family: bool) -> None:
    assert DIALOGUE_MODEL_FAMILY == "eleven_v3"  # the spec's default model for dialogues
    assert in_dialogue_family(model_id) is family


def test_a_model_needs_the_family_and_text_to_speech() -> None:
    assert supports_dialogue(V3) and supports_dialogue(V3_VARIANT)
    assert not supports_dialogue(MULTILINGUAL)
    assert not supports_dialogue(V3_NO_TEXT)  # the spec: it must do text to speech
    assert not supports_dialogue(None)  # not listed by the server
    assert dialogue_models(LISTED) == [V3, V3_VARIANT]
    assert dialogue_models(LISTED, refused={"eleven_v3"}) == [V3_VARIANT]


def test_what_the_user_is_told() -> None:
    assert dialogue_problem("eleven_v3", LISTED) is None
    assert dialogue_problem("eleven_v3", []) == (
        "The server's models are not loaded yet; wait a moment.")
    problem = dialogue_problem("eleven_multilingual_v2", LISTED)
    assert problem == ("Eleven Multilingual v2 can't make dialogues; choose Eleven v3 as the "
                       "script's Model, or make the blocks one by one with Generate all "
                       "missing.")
    unlisted = dialogue_problem("eleven_v3_alpha", LISTED)
    assert unlisted is not None and "does not list the model eleven_v3_alpha" in unlisted
    listed_without_text = dialogue_problem("eleven_v3_sts", LISTED)
    assert listed_without_text is not None and "can't make dialogues" in listed_without_text


def test_a_refusal_is_believed_and_another_model_suggested() -> None:
    refused = {"eleven_v3_conversational"}
    problem = dialogue_problem("eleven_v3_conversational", LISTED, refused)
    assert problem == ("This model can't make dialogues (the server refused it); choose "
                       "Eleven v3 as the script's Model, or make the blocks one by one with "
                       "Generate all missing.")
    assert dialogue_problem("eleven_v3", LISTED, refused) is None  # only that model
    # Every dialogue model refused: the family is named, not a refused one.
    assert choose_instead(LISTED, {"eleven_v3", "eleven_v3_conversational"}) == (
        "choose Eleven v3 as the script's Model")
    assert choose_instead([V3_VARIANT]) == "choose Eleven v3 Conversational as the script's Model"


def engine_model() -> Model:
    """The local engine's one model, exactly as its /v1/models lists it."""
    from app.engine.catalog import model_json

    return Model.model_validate(model_json(["en", "de"]))


def test_the_local_engines_model_makes_dialogues() -> None:
    """Offline, the engine lists only its own model and answers every dialogue endpoint,
    so that model must qualify although it is not an Eleven v3 model."""
    from app.engine import voices

    engine = engine_model()
    assert engine.model_id == ENGINE_MODEL_ID == voices.ENGINE_MODEL_ID  # one definition
    assert not in_dialogue_family(ENGINE_MODEL_ID)
    assert makes_dialogues(ENGINE_MODEL_ID) and supports_dialogue(engine)
    assert dialogue_problem(ENGINE_MODEL_ID, [engine]) is None
    assert dialogue_models([engine, MULTILINGUAL]) == [engine]
    # A server that lists the id without speaking text does not qualify it.
    silent = engine.model_copy(update={"can_do_text_to_speech": False})
    assert not supports_dialogue(silent)
    # A script made for the cloud is pointed at the engine's model, by its name.
    problem = dialogue_problem("eleven_multilingual_v2", [engine])
    assert problem == ("This server does not list the model eleven_multilingual_v2, so it "
                       "can't make dialogues; choose Offline voices (espeak-ng) as the "
                       "script's Model.")
    # The server's refusal is still believed for it.
    refused = dialogue_problem(ENGINE_MODEL_ID, [engine], {ENGINE_MODEL_ID})
    assert refused is not None and "the server refused it" in refused


@pytest.mark.parametrize(("header", "ceiling", "adopted"), [
    (None, MAX_CONCURRENCY, None),  # no header: keep the guess
    (0, MAX_CONCURRENCY, None), (-3, MAX_CONCURRENCY, None),  # meaningless
    (2, MAX_CONCURRENCY, 2), (12, MAX_CONCURRENCY, 12),  # down or up from a guess
    (10_000, MAX_CONCURRENCY, MAX_CONCURRENCY),  # bounded
    (8, 3, 3),  # a ceiling the user set
])
def test_the_server_concurrency_header(header: int | None, ceiling: int,
                                       adopted: int | None) -> None:
    assert server_concurrency(header, ceiling) == adopted
