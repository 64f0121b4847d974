"""What the rest of the app knows of XI Studio's own local engine (`xi-studio serve`,
app/engine) without importing it: the id of the one model it lists in `GET /v1/models`.

The engine imports the id from here, so the engine, the dialogue rule, the pronunciation
rules and the language-code rule all name one and the same model.
"""

from __future__ import annotations

ENGINE_MODEL_ID = "xi_local_espeak_v1"

__all__ = ["ENGINE_MODEL_ID"]
