"""Wire models of the account's speech history (`GET /v1/history` and its items),
parsed leniently like app/domain/wire.py."""

from __future__ import annotations

from typing import Any

from app.domain.wire import WireModel


class HistoryItem(WireModel):
    """`SpeechHistoryItemResponseModel`: one generation kept by the account."""

    history_item_id: str
    date_unix: int
    character_count_change_from: int = 0
    character_count_change_to: int = 0
    content_type: str = "audio/mpeg"
    state: str = "created"
    request_id: str | None = None
    voice_id: str | None = None
    model_id: str | None = None
    voice_name: str | None = None
    voice_category: str | None = None
    text: str | None = None
    settings: dict[str, Any] | None = None
    source: str | None = None
    output_format: str | None = None

    @property
    def characters_used(self) -> int:
        return max(0, self.character_count_change_to - self.character_count_change_from)


class HistoryPage(WireModel):
    """`GetSpeechHistoryResponseModel`: a page, and where the next one starts."""

    history: list[HistoryItem]
    has_more: bool = False
    last_history_item_id: str | None = None
    scanned_until: int | None = None
