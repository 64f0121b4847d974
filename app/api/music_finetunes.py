"""`GET /v1/music/finetunes`: the account's music finetunes, every page."""

from __future__ import annotations

from app.api.client import ApiClient
from app.domain.music_finetunes import Finetune, finetunes_from_page

FINETUNES_PATH = "/v1/music/finetunes"
MAX_PAGES = 10


class MusicFinetuneService:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def list(self) -> list[Finetune]:
        found: list[Finetune] = []
        cursor: str | None = None
        for _page in range(MAX_PAGES):
            params = {"page_size": "100", **({"cursor": cursor} if cursor else {})}
            data, _info = await self._client.request_json("GET", FINETUNES_PATH,
                                                          params=params)
            page, cursor = finetunes_from_page(data)
            found += page
            if cursor is None:
                break
        return found


__all__ = ["MusicFinetuneService"]
