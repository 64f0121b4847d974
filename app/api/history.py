"""The account's speech history on the server (not XI Studio's local History).

    GET    /v1/history                      -> a page (`start_after_history_item_id`)
    GET    /v1/history/{id}                 -> one item, with its settings
    GET    /v1/history/{id}/audio           -> its audio
    POST   /v1/history/download             -> several items as a zip (one: the audio)
    DELETE /v1/history/{id}                 -> gone from the account
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.api._parse import parse_model, path_part
from app.api.client import AUDIO_TYPES, ApiClient

if TYPE_CHECKING:
    from app.domain.history_wire import HistoryItem, HistoryPage

MAX_PAGE_SIZE = 1000
DOWNLOAD_TYPES: tuple[str, ...] = ("application/zip", "application/x-zip-compressed",
                                   *AUDIO_TYPES)


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """What to list: filters of `GET /v1/history` (None = any)."""

    voice_id: str | None = None
    model_id: str | None = None
    search: str | None = None
    sort_direction: str | None = None  # "asc" or "desc" (the server's default)
    source: str | None = None

    def params(self) -> dict[str, str]:
        found = {"voice_id": self.voice_id, "model_id": self.model_id,
                 "search": (self.search or "").strip() or None,
                 "sort_direction": self.sort_direction, "source": self.source}
        return {k: v for k, v in found.items() if v}


class HistoryService:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def page(self, query: HistoryQuery | None = None, *, page_size: int = 100,
                   start_after: str | None = None) -> HistoryPage:
        from app.domain.history_wire import HistoryPage

        params = (query or HistoryQuery()).params()
        params["page_size"] = str(max(1, min(page_size, MAX_PAGE_SIZE)))
        if start_after:
            params["start_after_history_item_id"] = start_after
        data, info = await self._client.request_json("GET", "/v1/history", params=params)
        return parse_model(HistoryPage, data, info)

    async def item(self, history_item_id: str) -> HistoryItem:
        from app.domain.history_wire import HistoryItem

        data, info = await self._client.request_json(
            "GET", f"/v1/history/{path_part(history_item_id)}")
        return parse_model(HistoryItem, data, info)

    async def audio(self, history_item_id: str) -> bytes:
        data, _info = await self._client.request_bytes(
            "GET", f"/v1/history/{path_part(history_item_id)}/audio")
        return data

    async def download(self, history_item_ids: Sequence[str]) -> tuple[bytes, str]:
        """The items' audio: a zip for several, the audio itself for one; and its type."""
        if not history_item_ids:
            raise ValueError("Choose at least one item to download.")
        data, info = await self._client.request_bytes(
            "POST", "/v1/history/download", json={"history_item_ids": list(history_item_ids)},
            expect=DOWNLOAD_TYPES)
        return data, info.content_type or ""

    async def delete(self, history_item_id: str) -> None:
        # The answer's body is not needed: an empty 200 or a 204 means deleted too.
        await self._client.request_json("DELETE", f"/v1/history/{path_part(history_item_id)}",
                                        empty_ok=True)


__all__ = ["HistoryQuery", "HistoryService"]
