"""The less common parts of a text-to-speech request, and which models take them.

Per shared/api/ELEVENLABS_API.md §3.1: `enable_logging=false` is zero-retention mode
(Enterprise accounts only; nothing is kept, so history and request stitching are off);
`optimize_streaming_latency` is deprecated; `use_pvc_as_ivc` is deprecated;
`apply_language_text_normalization` helps Japanese only (and adds latency);
`language_code` is ignored by models that do not take it (eleven_multilingual_v2 even
refuses some), so it is sent only to models that do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.domain.local_engine import ENGINE_MODEL_ID

# Models that take `language_code` (ElevenLabs documents it for the v2.5 models and v3),
# and XI Studio's offline engine, which switches espeak-ng's language.
LANGUAGE_CODE_MODELS = ("eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_v3",
                        ENGINE_MODEL_ID)
LATENCY_CHOICES = (None, 0, 1, 2, 3, 4)
ZERO_RETENTION_NOTE = (
    "Zero-retention mode: ElevenLabs keeps nothing of these requests (no history on the "
    "website). Only Enterprise accounts may use it; other accounts get an error. Long "
    "texts are not stitched together in this mode, so part boundaries may be audible.")


def model_takes_language(model_id: str | None) -> bool:
    return model_id in LANGUAGE_CODE_MODELS


def model_normalizes_japanese(language_ids: Iterable[str]) -> bool:
    """Language text normalisation is for Japanese: offered when the model speaks it."""
    return any(code.lower().startswith("ja") for code in language_ids)


@dataclass(frozen=True, slots=True)
class SpeechExtras:
    enable_logging: bool = True
    optimize_streaming_latency: int | None = None
    use_pvc_as_ivc: bool = False
    apply_language_text_normalization: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"enable_logging": self.enable_logging,
                "optimize_streaming_latency": self.optimize_streaming_latency,
                "use_pvc_as_ivc": self.use_pvc_as_ivc,
                "apply_language_text_normalization": self.apply_language_text_normalization}

    @classmethod
    def from_json(cls, data: Any) -> SpeechExtras:
        if not isinstance(data, dict):
            return cls()
        latency = data.get("optimize_streaming_latency")
        return cls(
            enable_logging=data.get("enable_logging") is not False,
            optimize_streaming_latency=latency if latency in LATENCY_CHOICES else None,
            use_pvc_as_ivc=data.get("use_pvc_as_ivc") is True,
            apply_language_text_normalization=data.get(
                "apply_language_text_normalization") is True)
