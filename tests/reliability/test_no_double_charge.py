"""No double charge: a request that spends credits is repeated only when the server
cannot have done the work (the connection was refused, 429, 503 with Retry-After), never
once a body started, never after a dropped connection or a timeout on a POST. The cloud
test server counts the work it did (`stats.generations`) per user action."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QPushButton, QWidget

from app.api.client import ApiClient, ClientConfig
from app.api.errors import ApiConnectionError, ApiError, ApiProtocolError, RateLimitError
from app.api.music import MusicService
from app.api.speech import SpeechService
from app.api.transcripts import TranscriptsService
from app.domain.music_request import compose_body
from app.domain.stt_options import TranscriptionOptions
from app.domain.wire import SpeechOptions, SpeechRequest
from tests.reliability.conftest import StudioFactory, dead_url
from tests.support.cloud import Cloud
from tests.support.cloud_server import CREATOR_KEY

pytestmark = pytest.mark.e2e

VOICE = "JBFqnCBsd6RMkjVDRZzb"
TTS = r"^/v1/text-to-speech/"
REQUEST = SpeechRequest(text="Counting what the server did.", model_id="eleven_multilingual_v2")


def client_for(cloud: Cloud, **config: Any) -> ApiClient:
    options: dict[str, Any] = {"retry_base_delay_s": 0.02, "read_timeout_s": 0.5, **config}
    return ApiClient(ClientConfig(base_url=cloud.url, api_key=CREATOR_KEY, **options))


def work_done(cloud: Cloud) -> int:
    return sum(cloud.control.stats()["generations"].values())


def sent(cloud: Cloud, pattern: str = TTS) -> int:
    return sum(1 for r in cloud.control.requests() if re.search(pattern, r["path"]))


async def convert(client: ApiClient) -> Any:
    return await SpeechService(client).convert(VOICE, REQUEST, SpeechOptions())


async def stream(client: ApiClient) -> int:
    received = 0
    async with SpeechService(client).stream(VOICE, REQUEST, SpeechOptions()) as s:
        async for chunk in s.chunks():
            received += len(chunk)
    return received


def run(cloud: Cloud, call: Callable[[ApiClient], Awaitable[Any]], **config: Any
        ) -> tuple[Any, BaseException | None, list[str]]:
    retries: list[str] = []

    async def scenario() -> tuple[Any, BaseException | None]:
        client = client_for(cloud, **config)
        client.on_retry = lambda _s, reason: retries.append(reason)
        try:
            return await call(client), None
        except ApiError as exc:
            return None, exc
        finally:
            await client.aclose()

    result, error = asyncio.run(scenario())
    return result, error, retries


CASES: list[tuple[dict[str, Any], Callable[[ApiClient], Awaitable[Any]], int, int, bool]] = [
    # (fault, the call, sent, work done, succeeded)
    ({"fault": "429", "count": 2}, convert, 3, 1, True),
    ({"fault": "429", "code": "too_many_concurrent_requests", "retry_after": 0.05, "count": 2},
     stream, 3, 1, True),
    ({"fault": "503", "retry_after": 0.05}, convert, 2, 1, True),
    ({"fault": "503"}, convert, 1, 0, False),  # no Retry-After: it may come back later
    ({"fault": "500"}, stream, 1, 0, False),
    ({"fault": "502"}, convert, 1, 0, False),
    ({"fault": "close_connection"}, convert, 1, 0, False),  # the POST may have arrived
    ({"fault": "stall_before_headers", "seconds": 10}, convert, 1, 0, False),
    ({"fault": "truncated_body"}, convert, 1, 1, False),
    ({"fault": "truncated_body"}, stream, 1, 1, False),
    ({"fault": "stall_mid_body", "seconds": 10}, stream, 1, 1, False),
    ({"fault": "stall_mid_body", "seconds": 10}, convert, 1, 1, False),
]


@pytest.mark.parametrize(("fault", "call", "requests", "done", "ok"), CASES,
                         ids=[f"{c[1].__name__}-{c[0]['fault']}-{c[0].get('count', 1)}"
                              + ("-retry-after" if "retry_after" in c[0] else "")
                              for c in CASES])
def test_paid_work_is_repeated_only_when_it_cannot_have_been_done(
        cloud: Cloud, fault: dict[str, Any], call: Any, requests: int, done: int,
        ok: bool) -> None:
    cloud.control.add_faults({"path_regex": TTS, **fault})
    _, error, retries = run(cloud, call)
    assert (error is None) is ok, error
    assert sent(cloud) == requests, f"sent {sent(cloud)} times"
    assert work_done(cloud) == done, f"the server did the work {work_done(cloud)} times"
    assert len(retries) == requests - 1


def test_refused_connections_are_retried_and_charge_nothing(cloud: Cloud) -> None:
    async def call(client: ApiClient) -> Any:
        client.reconfigure(base_url=dead_url())
        return await convert(client)

    _, error, retries = run(cloud, call)
    assert isinstance(error, ApiConnectionError)
    assert retries == ["could not connect to the server"] * 2
    assert work_done(cloud) == 0


def test_the_concurrency_limit_queues_without_paying_twice(cloud: Cloud) -> None:
    """Two generations on a plan that allows one at a time: the second is refused with
    429 too_many_concurrent_requests while the first streams, retried with backoff, and
    done once; each action is paid exactly once."""
    cloud.control.set_account("xi-one-at-a-time", "creator", concurrency_limit=1)
    cloud.control.configure(chunk_delay_s=0.02, chunk_bytes=256)

    async def scenario() -> list[Any]:
        client = ApiClient(ClientConfig(base_url=cloud.url, api_key="xi-one-at-a-time",
                                        retry_base_delay_s=0.3, max_retries=4))
        try:
            first = asyncio.ensure_future(stream(client))
            await asyncio.sleep(0.1)
            second = asyncio.ensure_future(stream(client))
            return list(await asyncio.gather(first, second))
        finally:
            await client.aclose()

    sizes = asyncio.run(scenario())
    assert all(size > 0 for size in sizes)
    stats = cloud.control.stats()
    assert sum(stats["generations"].values()) == 2
    assert stats["max_in_flight"] == 1
    assert sent(cloud) >= 3  # the second was refused at least once, then done


def test_a_refused_concurrent_request_says_so(cloud: Cloud) -> None:
    cloud.control.set_account("xi-one-at-a-time", "creator", concurrency_limit=1)
    cloud.control.configure(chunk_delay_s=0.05, chunk_bytes=256)

    async def scenario() -> BaseException | None:
        client = ApiClient(ClientConfig(base_url=cloud.url, api_key="xi-one-at-a-time",
                                        max_retries=0))
        try:
            first = asyncio.ensure_future(stream(client))
            await asyncio.sleep(0.1)
            try:
                await stream(client)
            except ApiError as exc:
                return exc
            finally:
                await first
        finally:
            await client.aclose()
        return None

    error = asyncio.run(scenario())
    assert isinstance(error, RateLimitError) and error.is_concurrency_limit
    assert work_done(cloud) == 1


# -- through the UI: one Generate, stitched parts, nothing repeated ------------------------

def test_a_part_cut_off_is_not_generated_again(qtbot: Any, studios: StudioFactory,
                                               cloud: Cloud) -> None:
    """A long text goes in two parts; the second is cut off mid-body. Nothing is saved,
    neither part is repeated behind the user's back, and Try again pays for both once."""
    cloud.control.configure(chunk_delay_s=0.03, chunk_bytes=1024)
    studio = studios.start(studios.home(), cloud_url=cloud.url)
    model = studio.find(QComboBox, "speech.model")
    model.setCurrentIndex(model.findData("eleven_v3"))  # 5,000 characters per request
    text = ("This sentence is one of many in a long script about paying only once. " * 90
            ).strip()
    studio.find(QPlainTextEdit, "speech.text").setPlainText(text)
    qtbot.mouseClick(studio.find(QPushButton, "speech.generate"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sent(cloud) == 1, timeout=10_000)
    cloud.control.add_faults({"path_regex": TTS, "fault": "truncated_body"})  # part two
    banner = studio.find(QWidget, "speech.error")
    qtbot.waitUntil(banner.isVisible, timeout=30_000)
    assert "cut off" in banner.text()
    assert sent(cloud) == 2 and work_done(cloud) == 2
    assert studio.ctx.history.list() == []
    assert list(studio.ctx.paths.audio_dir.iterdir()) == []
    cloud.control.reset()
    qtbot.mouseClick(studio.find(QPushButton, "speech.error.retry"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(studio.ctx.history.list()) == 1, timeout=30_000)
    assert sent(cloud) == 2 and work_done(cloud) == 2


# -- speech to text and music --------------------------------------------------------------

@pytest.mark.parametrize(("fault", "requests", "done"), [
    ({"fault": "429", "count": 1}, 2, 1),
    ({"fault": "truncated_body"}, 1, 1),
    ({"fault": "close_connection"}, 1, 0),
])
def test_an_upload_is_paid_once(cloud: Cloud, tmp_path: Path, fault: dict[str, Any],
                                requests: int, done: int) -> None:
    audio = tmp_path / "a.wav"
    sf.write(audio, np.zeros(16_000, np.float32), 16_000)
    cloud.control.add_faults({"path_regex": "^/v1/speech-to-text$", **fault})
    run(cloud, lambda c: TranscriptsService(c).create(audio, TranscriptionOptions()))
    assert sent(cloud, "^/v1/speech-to-text$") == requests
    assert work_done(cloud) == done


@pytest.mark.parametrize(("fault", "requests", "done"), [
    ({"fault": "429", "count": 1}, 2, 1),
    ({"fault": "503", "retry_after": 0.05}, 2, 1),
    ({"fault": "truncated_body"}, 1, 1),
    ({"fault": "stall_mid_body", "seconds": 10}, 1, 1),
])
def test_a_song_is_paid_once(cloud: Cloud, fault: dict[str, Any], requests: int,
                             done: int) -> None:
    cloud.control.add_faults({"path_regex": "^/v1/music/stream$", **fault})

    async def call(client: ApiClient) -> int:
        total = 0
        async with MusicService(client).stream(compose_body(
                prompt="a calm tune", music_length_ms=10_000, endpoint="stream")) as s:
            async for chunk in s.chunks():
                total += len(chunk)
        return total

    run(cloud, call)
    assert sent(cloud, "^/v1/music/stream$") == requests
    assert work_done(cloud) == done


def test_protocol_errors_are_not_retried(cloud: Cloud) -> None:
    for fault in ("invalid_json", "wrong_content_type", "redirect_to_other_host"):
        cloud.control.reset()
        cloud.control.add_faults({"path_regex": TTS, "fault": fault})
        _, error, retries = run(cloud, convert)
        assert isinstance(error, ApiProtocolError) and retries == [] and sent(cloud) == 1
