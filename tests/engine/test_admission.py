"""The engine's bounded work queue (app/engine/admission.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from app.engine.admission import HEAVY_PATHS, AdmissionMiddleware, WorkLimiter


def test_heavy_paths() -> None:
    for path in ("/v1/text-to-speech/abc", "/v1/text-to-speech/abc/stream",
                 "/v1/text-to-speech/abc/with-timestamps",
                 "/v1/text-to-speech/abc/stream/with-timestamps", "/v1/speech-to-text",
                 "/v1/music", "/v1/music/stream", "/v1/music/detailed",
                 "/v1/music/detailed/stream", "/v1/music/stem-separation"):
        assert HEAVY_PATHS.match(path), path
    for path in ("/v1/models", "/v2/voices", "/v1/music/plan",
                 "/v1/speech-to-text/transcripts/x"):
        assert not HEAVY_PATHS.match(path), path


def test_slots_then_waiting_then_429() -> None:
    async def scenario() -> tuple[list[int], int, int]:
        limiter = WorkLimiter(slots=2, max_waiting=3)
        release = asyncio.Event()
        peak = {"running": 0}

        async def app(scope: Any, receive: Any, send: Any) -> None:
            peak["running"] = max(peak["running"], limiter.running)
            await release.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"", "more_body": False})

        middleware = AdmissionMiddleware(app, limiter)
        statuses: list[int] = []

        async def request() -> None:
            sent: list[dict[str, Any]] = []

            async def send(message: dict[str, Any]) -> None:
                sent.append(message)

            await middleware({"type": "http", "method": "POST", "path": "/v1/music"},
                             None, send)
            statuses.append(sent[0]["status"])
            if sent[0]["status"] == 429:
                headers = dict(sent[0]["headers"])
                assert int(headers[b"retry-after"]) > 0
                detail = json.loads(sent[1]["body"])["detail"]
                assert detail["status"] == "too_many_concurrent_requests"

        tasks = [asyncio.create_task(request()) for _ in range(8)]
        while len(statuses) < 3:  # 2 running + 3 waiting; the other 3 are refused at once
            await asyncio.sleep(0.01)
        waiting = limiter.waiting
        release.set()
        await asyncio.gather(*tasks)
        return statuses, peak["running"], waiting

    statuses, peak_running, waiting = asyncio.run(scenario())
    assert sorted(statuses) == [200] * 5 + [429] * 3
    assert peak_running == 2 and waiting == 3


def test_light_requests_are_never_queued() -> None:
    async def scenario() -> int:
        limiter = WorkLimiter(slots=1, max_waiting=0)
        limiter.running = 1  # busy

        async def app(scope: Any, receive: Any, send: Any) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": []})

        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await AdmissionMiddleware(app, limiter)(
            {"type": "http", "method": "GET", "path": "/v2/voices"}, None, send)
        return int(sent[0]["status"])

    assert asyncio.run(scenario()) == 200
