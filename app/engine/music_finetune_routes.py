"""The local engine's `GET /v1/music/finetunes`: offline there are no finetunes (they
are trained on the service), so the list is empty and the app offers none."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter


def create_router() -> APIRouter:
    router = APIRouter()

    @router.get("/v1/music/finetunes")
    async def finetunes(cursor: str | None = None, page_size: int = 50) -> dict[str, Any]:
        return {"finetunes": [], "next_cursor": None, "has_more": False}

    return router


__all__ = ["create_router"]
