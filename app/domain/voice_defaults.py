"""The API's default voice settings (what `GET /v1/voices/settings/default` answers when
the server does not say otherwise).

Kept apart from the pydantic wire models so the Speech tab can show its sliders before
those load (they come with the first server answer, after the window shows).
"""

from __future__ import annotations

from typing import Final

DEFAULT_VOICE_SETTINGS: Final[dict[str, float | bool]] = {
    "stability": 0.5,
    "similarity_boost": 0.75,
    "style": 0.0,
    "use_speaker_boost": True,
    "speed": 1.0,
}
