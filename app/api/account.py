"""The account: `GET /v1/user/subscription` (plan, characters used and left)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.api._parse import parse_model
from app.api.client import ApiClient

if TYPE_CHECKING:
    from app.domain.wire import Subscription


class AccountService:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def subscription(self) -> Subscription:
        from app.domain.wire import Subscription  # pydantic, on first use

        data, info = await self._client.request_json("GET", "/v1/user/subscription")
        return parse_model(Subscription, data, info)
