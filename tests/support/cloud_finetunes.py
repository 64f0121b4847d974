"""`GET /v1/music/finetunes` for the cloud test server: every account has one trained
finetune of music_v1 and one still training (so the app must offer only the first)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.cloud_server import Reply

FINETUNES_OPERATION = "get_finetunes"
FINETUNES: list[dict[str, Any]] = [
    {"id": "ft_lofi_demo", "name": "My lo-fi tapes", "tags": ["lofi"],
     "primary_genre": "lofi", "model_id": "music_v1", "created_at": "2026-11-01T10:00:00Z",
     "visibility": "private", "created_by": "self", "status": "completed",
     "training_progress": 1.0, "failure_reason": None},
    {"id": "ft_training", "name": "Still learning", "tags": [], "primary_genre": None,
     "model_id": "music_v1", "created_at": "2026-12-01T10:00:00Z", "visibility": "private",
     "created_by": "self", "status": "in_progress", "training_progress": 0.4,
     "failure_reason": None},
]


def finetunes_reply() -> Reply:
    from tests.support.cloud_server import json_reply

    return json_reply(200, {"finetunes": FINETUNES, "next_cursor": None, "has_more": False},
                      {"request-id": uuid.uuid4().hex})
