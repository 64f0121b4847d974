"""What the engine tells clients about itself: its model and its (unlimited) subscription."""

from __future__ import annotations

from typing import Any

from app.domain.local_engine import ENGINE_MODEL_ID
from app.domain.wire import Language, Model, ModelRates

MAX_TEXT_CHARS = 10_000

LANGUAGE_NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "hi": "Hindi", "nl": "Dutch", "pl": "Polish", "ru": "Russian",
    "ja": "Japanese", "zh": "Chinese",
}

# Cloud model ids that code written for the cloud sends (the SDK defaults to
# eleven_multilingual_v2). The engine speaks them all with its one offline model.
CLOUD_TTS_MODEL_IDS = frozenset({
    "eleven_multilingual_v2", "eleven_multilingual_v1", "eleven_monolingual_v1",
    "eleven_v3", "eleven_v3_conversational", "eleven_v4", "eleven_v4_turbo",
    "eleven_flash_v2_5", "eleven_flash_v2", "eleven_turbo_v2_5", "eleven_turbo_v2",
})
_NOT_TTS_MARKERS = ("_sts_", "_ttv_", "scribe", "music")


def accepts_model(model_id: str | None) -> bool:
    """Whether a TTS request for `model_id` can be served (by the offline model)."""
    if model_id is None or model_id == ENGINE_MODEL_ID or model_id in CLOUD_TTS_MODEL_IDS:
        return True
    # Newer cloud TTS models the list above does not know yet.
    return model_id.startswith("eleven_") and not any(m in model_id for m in _NOT_TTS_MARKERS)


def model_json(languages: list[str]) -> dict[str, Any]:
    """The engine's model as `ModelResponseModel`."""
    model = Model(
        model_id=ENGINE_MODEL_ID,
        name="Offline voices (espeak-ng)",
        description=(
            "Speech made on this computer with espeak-ng: works offline, costs no credits, "
            "sounds synthetic. Requests for cloud models are spoken with this model."
        ),
        can_do_text_to_speech=True,
        can_do_voice_conversion=False,
        can_use_style=False,
        can_use_speaker_boost=False,
        can_be_finetuned=False,
        serves_pro_voices=False,
        requires_alpha_access=False,
        token_cost_factor=0.0,
        maximum_text_length_per_request=MAX_TEXT_CHARS,
        max_characters_request_free_user=MAX_TEXT_CHARS,
        max_characters_request_subscribed_user=MAX_TEXT_CHARS,
        languages=[Language(language_id=code, name=LANGUAGE_NAMES.get(code, code))
                   for code in languages],
        model_rates=ModelRates(character_cost_multiplier=0.0, cost_discount_multiplier=1.0),
        concurrency_group="standard",
    )
    return model.model_dump(mode="json")


def subscription_json(voice_count: int) -> dict[str, Any]:
    """`ExtendedSubscriptionResponseModel` for an offline engine: nothing is ever used up."""
    return {
        "tier": "offline",
        "character_count": 0,
        "character_limit": 1_000_000_000,
        "max_character_limit_extension": None,
        "max_credit_limit_extension": "unlimited",
        "can_extend_character_limit": False,
        "allowed_to_extend_character_limit": False,
        "next_character_count_reset_unix": None,
        "voice_slots_used": 0,
        "professional_voice_slots_used": 0,
        "professional_voice_slots_used_in_workspace": 0,
        "voice_limit": voice_count,
        "max_voice_add_edits": None,
        "voice_add_edit_counter": 0,
        "professional_voice_limit": 0,
        "can_extend_voice_limit": False,
        "can_use_instant_voice_cloning": False,
        "can_use_professional_voice_cloning": False,
        "currency": None,
        "current_overage": {"amount": "0", "currency": "usd"},
        "status": "active",
        "billing_period": None,
        "character_refresh_period": None,
        "next_invoice": None,
        "open_invoices": [],
        "has_open_invoices": False,
        "pending_change": None,
        "has_used_starter_coupon_on_account": False,
        "has_used_creator_coupon_on_account": False,
    }
