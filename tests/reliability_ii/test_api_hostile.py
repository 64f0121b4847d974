"""Hostile or odd answers, from real servers on 127.0.0.1 (tests/support/raw_server.py
plays what no framework would send), driving the real ApiClient and services: every
failure is the app's own error in plain words, memory and time stay bounded, and nothing
that is not audio is kept as audio."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QWidget

from app.api import errors
from app.api.client import ApiClient, ClientConfig
from app.api.speech import SpeechService
from app.api.transcripts import TranscriptsService
from app.api.voices import VoicesService
from app.domain.stt_options import TranscriptionOptions
from app.domain.wire import SpeechRequest
from app.ui.errors import describe_error
from tests.support.cloud import Cloud
from tests.support.raw_server import RawConnection, serve_raw
from tests.ui.conftest import launch, qt_loop  # noqa: F401 - fixtures for the window tests

pytestmark = pytest.mark.e2e

T = TypeVar("T")
MAX_RETRY_AFTER_S = 3600.0  # the longest wait the app takes from a server (one hour)
VOICE = "EXAVITQu4vr4xnSDxMaL"
NESTED = b"[" * 2000 + b"]" * 2000
ERROR_JSON = {"detail": {"status": "quota_exceeded",
                         "message": "This request exceeds your quota of 10000 characters."}}


def run(make: Callable[[], Awaitable[T]], timeout_s: float = 30.0) -> T:
    """Run one client scenario on a fresh loop, failing (not hanging) past `timeout_s`."""
    async def bounded() -> T:
        return await asyncio.wait_for(make(), timeout_s)
    return asyncio.run(bounded())


def client_for(url: str, **config: Any) -> ApiClient:
    options: dict[str, Any] = {"base_url": url, "api_key": "sk_test_hostile_0123456789",
                               "max_retries": 0, "read_timeout_s": 5.0}
    options.update(config)
    return ApiClient(ClientConfig(**options))


async def convert(url: str, **config: Any) -> tuple[bytes, Any]:
    api = client_for(url, **config)
    try:
        result = await SpeechService(api).convert(VOICE, SpeechRequest(text="Hello"))
        return result.audio, result.info
    finally:
        await api.aclose()


async def stream_audio(url: str, **config: Any) -> bytes:
    api = client_for(url, **config)
    received = bytearray()
    try:
        async with SpeechService(api).stream(VOICE, SpeechRequest(text="Hello")) as stream:
            async for chunk in stream.chunks():
                received += chunk
        return bytes(received)
    finally:
        await api.aclose()


def answering(status: str, headers: dict[str, str], body: bytes,
              ) -> Callable[[RawConnection], Awaitable[None]]:
    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        await conn.read_body()
        await conn.answer(status, headers, body)
    return handler


# -- parse errors: the app's own class, recursion included ------------------------------

def test_deeply_nested_json_answer_is_a_protocol_error() -> None:
    handler = answering("200 OK", {"Content-Type": "application/json"}, NESTED)
    with serve_raw(handler) as server:
        async def models() -> Any:
            api = client_for(server.url)
            try:
                return await VoicesService(api).list_models()
            finally:
                await api.aclose()

        with pytest.raises(errors.ApiProtocolError, match="nested too deeply"):
            run(models)


def test_deeply_nested_error_body_gives_the_status_in_plain_words() -> None:
    handler = answering("500 Internal Server Error", {"Content-Type": "application/json"},
                        b'{"detail":' * 2000 + b'"x"' + b"}" * 2000)
    with serve_raw(handler) as server, pytest.raises(errors.ServerError) as caught:
        run(lambda: convert(server.url))
    assert caught.value.message == "The server answered with HTTP status 500."


def test_one_deeply_nested_timestamp_line_is_a_protocol_error() -> None:
    good = json.dumps({"audio_base64": "", "alignment": None}).encode()

    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        await conn.read_body()
        await conn.answer("200 OK", {"Content-Type": "application/x-ndjson"},
                          good + b"\n" + NESTED + b"\n" + good + b"\n")

    async def timestamps(url: str) -> int:
        api = client_for(url)
        count = 0
        try:
            async with SpeechService(api).stream_with_timestamps(
                    VOICE, SpeechRequest(text="Hi")) as stream:
                async for _item in stream.chunks():
                    count += 1
            return count
        finally:
            await api.aclose()

    with serve_raw(handler) as server, pytest.raises(errors.ApiProtocolError,
                                                     match="nested too deeply"):
        run(lambda: timestamps(server.url))


# -- informational headers never fail a delivered, paid generation ----------------------

@pytest.mark.parametrize("cost", ["inf", "-inf", "NaN", "-5", "1e400", "12abc"])
def test_an_absurd_character_cost_is_ignored(cost: str) -> None:
    handler = answering("200 OK", {"Content-Type": "audio/mpeg", "character-cost": cost,
                                   "current-concurrent-requests": "inf"}, b"ID3audio" * 100)
    with serve_raw(handler) as server:
        audio, info = run(lambda: convert(server.url))
    assert audio == b"ID3audio" * 100
    assert info.character_cost is None
    assert info.current_concurrent_requests is None


# -- caps on the wire and unpacked, with bounded memory ----------------------------------

def gzip_bomb(unpacked: int) -> bytes:
    """gzip of `unpacked` zero bytes (~1 MB per GB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1024 * 1024)
    parts = [packer.compress(block) for _ in range(unpacked // len(block))]
    parts.append(packer.flush())
    return b"".join(parts)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = gzip_bomb(1024 * 1024 * 1024)
    assert len(data) < 1_100_000  # a ~1 MB answer that unpacks to 1 GB
    return data


@pytest.mark.parametrize("how", ["whole", "streamed"])
def test_a_gzip_bomb_is_stopped_at_the_cap_with_bounded_memory(bomb: bytes, how: str) -> None:
    handler = answering("200 OK", {"Content-Type": "audio/mpeg",
                                   "Content-Encoding": "gzip"}, bomb)
    cap = 8 * 1024 * 1024
    with serve_raw(handler) as server:
        reader = convert if how == "whole" else stream_audio
        tracemalloc.start()
        try:
            started = time.monotonic()
            with pytest.raises(errors.ApiProtocolError, match="too large"):
                run(lambda: reader(server.url, max_body_bytes=cap), timeout_s=60)
            elapsed = time.monotonic() - started
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # Stopped early (not after unpacking 1 GB) and never holding much more than the cap.
    assert peak < cap + 8 * 1024 * 1024, f"peak memory {peak / 1e6:.0f} MB"
    assert elapsed < 20


def test_the_wire_cap_holds_and_a_compressed_answer_within_the_caps_is_unpacked() -> None:
    handler = answering("200 OK", {"Content-Type": "audio/mpeg"}, bytes(3 * 1024 * 1024))
    with serve_raw(handler) as server, pytest.raises(errors.ApiProtocolError,
                                                     match="too large"):
        run(lambda: stream_audio(server.url, max_body_bytes=1024 * 1024))
    # Unpacking here (not in httpx) still gives the same audio when all is well.
    audio = b"ID3" + bytes(range(256)) * 400
    handler = answering("200 OK", {"Content-Type": "audio/mpeg", "Content-Encoding": "gzip"},
                        gzip.compress(audio))
    with serve_raw(handler) as server:
        assert run(lambda: convert(server.url))[0] == audio
        assert run(lambda: stream_audio(server.url)) == audio


# -- an error inside an audio answer is the server's message, never audio ----------------

@pytest.mark.parametrize("how", ["whole", "streamed"])
@pytest.mark.parametrize("audio_first", [False, True])
def test_a_json_error_inside_an_audio_stream_is_the_servers_message(how: str,
                                                                    audio_first: bool) -> None:
    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        await conn.read_body()
        await conn.start_chunked("200 OK", {"Content-Type": "audio/mpeg"})
        if audio_first:
            await conn.chunk(b"\xff\xfb\x90\x00" + bytes(4000))
        body = json.dumps(ERROR_JSON).encode()
        await conn.chunk(body[:5])  # the marker split across two pieces
        await conn.chunk(body[5:])
        await conn.end_chunked()

    with serve_raw(handler) as server, pytest.raises(errors.ServerReportedError) as caught:
        run(lambda: (convert if how == "whole" else stream_audio)(server.url))
    assert caught.value.message == ERROR_JSON["detail"]["message"]
    assert caught.value.code == "quota_exceeded"


@pytest.mark.parametrize("content_type", ["application/json", "text/plain; charset=utf-8"])
def test_a_json_error_typed_as_json_on_a_200_audio_answer(content_type: str) -> None:
    handler = answering("200 OK", {"Content-Type": content_type},
                        json.dumps(ERROR_JSON).encode())
    with serve_raw(handler) as server:
        for reader in (convert, stream_audio):
            with pytest.raises(errors.ServerReportedError) as caught:
                run(lambda reader=reader: reader(server.url))  # type: ignore[misc]
            assert caught.value.message == ERROR_JSON["detail"]["message"]


def test_the_speech_tab_saves_nothing_from_an_audio_stream_that_turns_into_an_error(
        launch: Any, cloud: Cloud, qtbot: Any) -> None:  # noqa: F811
    studio = launch(cloud_url=cloud.url)
    cloud.control.add_faults({"path_regex": "^/v1/text-to-speech/", "fault": "error_in_audio"})
    qtbot.keyClicks(studio.find(QPlainTextEdit, "speech.text"), "Nothing of this is kept.")
    button = studio.find(QPushButton, "speech.generate")
    qtbot.waitUntil(button.isEnabled, timeout=20_000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    banner = studio.find(QWidget, "speech.error")
    qtbot.waitUntil(banner.isVisible, timeout=20_000)
    shown = " ".join(label.text() for label in banner.findChildren(QLabel))
    assert "Audio stopped: this request exceeds your quota." in shown
    assert studio.ctx.history.list() == []
    audio_files = [p for p in studio.home.rglob("*")
                   if p.is_file() and p.suffix in (".mp3", ".partial", ".wav", ".pcm")]
    assert audio_files == []


# -- an overall deadline beside the read timeout ------------------------------------------

def test_a_body_that_drips_a_byte_at_a_time_ends_at_the_deadline() -> None:
    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        await conn.read_body()
        await conn.start_chunked("200 OK", {"Content-Type": "audio/mpeg"})
        while True:
            await conn.chunk(b"\x00")
            await asyncio.sleep(0.2)

    with serve_raw(handler) as server:
        started = time.monotonic()
        with pytest.raises(errors.ApiTimeoutError, match="longer than allowed"):
            run(lambda: stream_audio(server.url, read_timeout_s=5.0, request_deadline_s=2.0))
        assert time.monotonic() - started < 6


def test_endless_100_continue_lines_end_at_the_deadline() -> None:
    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        while True:
            await conn.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            await asyncio.sleep(0.1)

    with serve_raw(handler) as server:
        # The final status must come within the read timeout of the request being sent,
        # however many 1xx lines arrive meanwhile (each resets httpx's read timeout) ...
        started = time.monotonic()
        with pytest.raises(errors.ApiTimeoutError, match="did not answer within"):
            run(lambda: convert(server.url, read_timeout_s=1.5))
        assert time.monotonic() - started < 5
        # ... and within the request's overall deadline, whichever comes first.
        started = time.monotonic()
        with pytest.raises(errors.ApiTimeoutError, match="longer than allowed"):
            run(lambda: convert(server.url, read_timeout_s=5.0, request_deadline_s=1.5))
        assert time.monotonic() - started < 5


def test_one_100_mb_ndjson_line_is_refused_quickly() -> None:
    piece = b"a" * (1024 * 1024)

    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        await conn.read_body()
        await conn.start_chunked("200 OK", {"Content-Type": "application/x-ndjson"})
        for _ in range(100):
            await conn.chunk(piece)
        await conn.chunk(b"\n")
        await conn.end_chunked()

    async def timestamps(url: str) -> None:
        api = client_for(url)
        try:
            async with SpeechService(api).stream_with_timestamps(
                    VOICE, SpeechRequest(text="Hi")) as stream:
                async for _item in stream.chunks():
                    pass
        finally:
            await api.aclose()

    with serve_raw(handler) as server:
        started = time.monotonic()
        with pytest.raises(errors.ApiProtocolError, match="line longer than"):
            run(lambda: timestamps(server.url), timeout_s=30)
        assert time.monotonic() - started < 15


def test_an_upload_the_server_stops_reading_fails_on_the_write_timeout(tmp_path: Path) -> None:
    recording = tmp_path / "long.wav"
    with recording.open("wb") as out:
        for _ in range(64):
            out.write(bytes(1024 * 1024))

    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        await asyncio.sleep(3600)  # never reads the body

    async def transcribe(url: str) -> Any:
        api = client_for(url, write_timeout_s=1.0)
        try:
            return await TranscriptsService(api).create(recording, TranscriptionOptions())
        finally:
            await api.aclose()

    with serve_raw(handler) as server:
        started = time.monotonic()
        with pytest.raises(errors.ApiTimeoutError, match="stopped accepting"):
            run(lambda: transcribe(server.url), timeout_s=30)
        assert time.monotonic() - started < 10


# -- error bodies in their charset, or summarised -----------------------------------------

@pytest.mark.parametrize(("content_type", "body", "expected"), [
    ("text/plain; charset=iso-8859-1", "Dienst für Übersetzung nicht verfügbar".encode(
        "latin-1"), "Dienst für Übersetzung nicht verfügbar"),
    ("text/plain", "Dienst für Übersetzung nicht verfügbar".encode("latin-1"),
     "Dienst für Übersetzung nicht verfügbar"),
    ("text/plain", "Service indisponible — réessayez".encode("utf-16"),
     "Service indisponible — réessayez"),
    ("application/json; charset=utf-16", json.dumps(
        {"detail": {"message": "Zu viele Anfragen"}}).encode("utf-16"), "Zu viele Anfragen"),
    ("application/octet-stream", bytes(range(256)) * 8,
     "The server sent an unreadable error (2048 bytes, HTTP status 503)."),
])
def test_error_bodies_are_read_in_their_charset_or_summarised(
        content_type: str, body: bytes, expected: str) -> None:
    handler = answering("503 Service Unavailable", {"Content-Type": content_type}, body)
    with serve_raw(handler) as server, pytest.raises(errors.ServerError) as caught:
        run(lambda: convert(server.url))
    assert caught.value.message == expected


# -- absurd Retry-After values -------------------------------------------------------------

RETRY_AFTER_CASES = [
    ("1e9", MAX_RETRY_AFTER_S), ("inf", MAX_RETRY_AFTER_S), ("-30", None), ("NaN", None),
    ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER_S), ("soon", None), ("12", 12.0),
]


def test_absurd_retry_after_values_are_capped_and_worded_sensibly() -> None:
    for value, expected in RETRY_AFTER_CASES:
        assert errors.parse_retry_after({"Retry-After": value}) == expected, value
        handler = answering("429 Too Many Requests",
                            {"Content-Type": "application/json", "Retry-After": value},
                            json.dumps({"detail": {"status": "system_busy",
                                                   "message": "Busy."}}).encode())
        with serve_raw(handler) as server, pytest.raises(errors.RateLimitError) as caught:
            run(lambda url=server.url: convert(url))  # type: ignore[misc]
        assert caught.value.retry_after_s == expected, value
        words = describe_error(caught.value).next_step
        assert "1000000000" not in words and "inf" not in words and "-" not in words, words
        if expected == MAX_RETRY_AFTER_S:
            assert "about an hour" in words, words
