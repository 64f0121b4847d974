"""Wire models of the account's speech history (`GET /v1/history` and its items),
parsed leniently like app/domain/wire.py."""

from __future__ import annotations

from typing import Any

from pydantic import field_validator

from app.domain.wire import MAX_PLAN_CREDITS, WireModel, readable_entries

# The latest date read as one (the year 3000): a later or negative `date_unix` is a broken
# server's. Formatted for the account history's table it raised OverflowError or
# ValueError ("year 31690708 is out of range") in the row's date cell.
LATEST_DATE_UNIX = 32_503_680_000


class HistoryItem(WireModel):
    """`SpeechHistoryItemResponseModel`: one generation kept by the account."""

    history_item_id: str
    date_unix: int | None  # None: the server's date is not one (see LATEST_DATE_UNIX)
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

    @field_validator("date_unix", mode="after")
    @classmethod
    def _a_date_or_none(cls, value: int | None) -> int | None:
        return value if value is not None and 0 <= value <= LATEST_DATE_UNIX else None

    @property
    def characters_used(self) -> int:
        """The credits it took; 0 (unknown) for a count no plan has: imported, 2**70 of
        them stopped the import with SQLite's "Python int too large"."""
        used = self.character_count_change_to - self.character_count_change_from
        return used if 0 <= used <= MAX_PLAN_CREDITS else 0


class HistoryPage(WireModel):
    """`GetSpeechHistoryResponseModel`: a page, and where the next one starts."""

    history: list[HistoryItem]
    has_more: bool = False
    last_history_item_id: str | None = None
    scanned_until: int | None = None

    @field_validator("history", mode="before")
    @classmethod
    def _readable_items(cls, value: Any) -> Any:
        """An item that cannot be read is left out, the others kept: one without its id
        refused the whole page, and none of the account's generations could be listed.
        A page whose items are all unreadable is still refused."""
        return readable_entries(HistoryItem, value, "history items")
