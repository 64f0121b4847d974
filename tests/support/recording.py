"""Wrap any ASGI app so a test can read back every request it received (method, path,
query and JSON body), e.g. the local engine, to check the app's requests against the spec."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import parse_qs


class RecordingApp:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        entry: dict[str, Any] = {
            "method": scope["method"], "path": scope["path"],
            "query": parse_qs(scope.get("query_string", b"").decode()), "json": None}
        if body and b"json" in dict(scope.get("headers") or []).get(b"content-type", b""):
            with contextlib.suppress(ValueError):
                entry["json"] = json.loads(body)
        self.requests.append(entry)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
