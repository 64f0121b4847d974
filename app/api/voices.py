"""Voices and models: `GET /v1/models`, `GET /v2/voices` (paged), one voice, settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from app.api._parse import parse_list, parse_model, path_part
from app.api.client import ApiClient

# The wire models (pydantic) are imported on first use: see app/api/_parse.py.
if TYPE_CHECKING:
    from app.domain.wire import Model, Voice, VoiceSettings, VoicesPage

MAX_PAGE_SIZE = 100
MAX_PAGES = 100


class VoicesService:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def list_models(self) -> list[Model]:
        from app.domain.wire import Model

        data, info = await self._client.request_json("GET", "/v1/models")
        return parse_list(Model, data, info)

    async def search_voices(
        self,
        search: str | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
        next_page_token: str | None = None,
        sort: str | None = None,
        sort_direction: str | None = None,
        voice_type: str | None = None,
        category: str | None = None,
        voice_ids: Sequence[str] | None = None,
        include_total_count: bool = False,
    ) -> VoicesPage:
        """One page of `GET /v2/voices`. `include_total_count` is off: it is costly."""
        from app.domain.wire import VoicesPage

        params: dict[str, str | list[str]] = {
            "page_size": str(max(1, min(MAX_PAGE_SIZE, page_size))),
            "include_total_count": "true" if include_total_count else "false",
        }
        optional = {
            "search": search, "next_page_token": next_page_token, "sort": sort,
            "sort_direction": sort_direction, "voice_type": voice_type, "category": category,
        }
        params.update({k: v for k, v in optional.items() if v})
        if voice_ids:
            params["voice_ids"] = list(voice_ids)
        data, info = await self._client.request_json("GET", "/v2/voices", params=params)
        return parse_model(VoicesPage, data, info)

    async def all_voices(
        self,
        search: str | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
        voice_type: str | None = None,
        category: str | None = None,
        max_pages: int = MAX_PAGES,
    ) -> list[Voice]:
        """Every voice, following `has_more`/`next_page_token`; duplicates dropped. A
        token already followed ends the paging (tokens that go round in a circle)."""
        voices: list[Voice] = []
        seen: set[str] = set()
        followed: set[str] = set()
        token: str | None = None
        for _ in range(max_pages):
            page = await self.search_voices(search, page_size=page_size, next_page_token=token,
                                            voice_type=voice_type, category=category)
            for voice in page.voices:
                if voice.voice_id not in seen:
                    seen.add(voice.voice_id)
                    voices.append(voice)
            if not page.has_more or not page.next_page_token \
                    or page.next_page_token in followed:
                break
            token = page.next_page_token
            followed.add(token)
        return voices

    async def get_voice(self, voice_id: str) -> Voice:
        from app.domain.wire import Voice

        data, info = await self._client.request_json("GET", f"/v1/voices/{path_part(voice_id)}")
        return parse_model(Voice, data, info)

    async def default_settings(self) -> VoiceSettings:
        from app.domain.wire import VoiceSettings

        data, info = await self._client.request_json("GET", "/v1/voices/settings/default")
        return parse_model(VoiceSettings, data, info)

    async def voice_settings(self, voice_id: str) -> VoiceSettings:
        from app.domain.wire import VoiceSettings

        data, info = await self._client.request_json(
            "GET", f"/v1/voices/{path_part(voice_id)}/settings")
        return parse_model(VoiceSettings, data, info)
