"""What the user chose on the Speech tab, as plain data (read from the widgets once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.domain.formats import OutputFormat
from app.domain.speech_extras import SpeechExtras, model_takes_language

# The wire models (pydantic) load with the first server answer, after the window shows.
if TYPE_CHECKING:
    from app.domain.wire import (
        Model,
        SpeechOptions,
        SpeechRequest,
        TextNormalization,
        Voice,
        VoiceSettings,
    )


@dataclass(frozen=True)
class SpeechForm:
    text: str
    voice: Voice
    model: Model
    output_format: OutputFormat
    voice_settings: VoiceSettings
    language_code: str | None = None
    seed: int | None = None
    normalization: TextNormalization = "auto"
    # (dictionary id, version id) of the attached pronunciation dictionaries, in order.
    pronunciation_locators: tuple[tuple[str, str | None], ...] = ()
    extras: SpeechExtras = field(default_factory=SpeechExtras)  # zero retention, latency hint, ...

    def request_for(self, part: str, *, previous_text: str | None = None,
                    next_text: str | None = None,
                    previous_request_ids: list[str] | None = None) -> SpeechRequest:
        from app.domain.wire import PronunciationDictionaryLocator, SpeechRequest

        locators = [PronunciationDictionaryLocator(pronunciation_dictionary_id=d, version_id=v)
                    for d, v in self.pronunciation_locators] or None
        return SpeechRequest(
            text=part,
            model_id=self.model.model_id,
            # (Only models that take a language get one: multilingual_v2 refuses some.)
            language_code=(self.language_code or None)
            if model_takes_language(self.model.model_id) else None,
            voice_settings=self.voice_settings,
            seed=self.seed,
            apply_text_normalization=self.normalization,
            previous_text=previous_text,
            next_text=next_text,
            # Zero-retention mode keeps nothing, so there is nothing to stitch to.
            previous_request_ids=(previous_request_ids or None)
            if self.extras.enable_logging else None,
            pronunciation_dictionary_locators=locators,
            use_pvc_as_ivc=self.extras.use_pvc_as_ivc or None,
            apply_language_text_normalization=(
                self.extras.apply_language_text_normalization or None),
        )

    def options(self) -> SpeechOptions:
        from app.domain.wire import SpeechOptions

        return SpeechOptions(
            output_format=self.output_format.value,
            enable_logging=None if self.extras.enable_logging else False,
            optimize_streaming_latency=self.extras.optimize_streaming_latency)
