"""Paging through `GET /v2/voices` against the cloud test server on loopback: a server
whose page tokens go round in a circle is not asked a hundred times."""

from __future__ import annotations

import pytest

from app.api.client import ApiClient
from app.api.voices import VoicesService
from tests.support.cloud import Cloud

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


def _page(token: str, voice_id: str) -> dict[str, object]:
    return {"path_regex": "^/v2/voices$", "fault": "json_body", "body": {
        "voices": [{"voice_id": voice_id, "name": voice_id, "category": "premade",
                    "labels": {}, "available_for_tiers": [],
                    "high_quality_base_model_ids": []}],
        "has_more": True, "total_count": 2, "next_page_token": token}}


async def test_page_tokens_that_go_round_in_a_circle_stop_the_paging(
        cloud: Cloud, client: ApiClient) -> None:
    # Tokens A, B, A, B, …: each differs from the one just sent, so only "the same
    # token again" stopped the paging, after 100 requests (on a real network, minutes).
    cloud.control.add_faults(*[_page("A" if n % 2 == 0 else "B", f"voice{n % 2}")
                               for n in range(100)])
    voices = await VoicesService(client).all_voices()
    assert [v.voice_id for v in voices] == ["voice0", "voice1"]
    sent = [r for r in cloud.control.requests() if r["path"] == "/v2/voices"]
    assert len(sent) == 3  # none, A, B; B's answer names A again: stop
