"""More hostile answers, from real servers on 127.0.0.1 (tests/support/raw_server.py and
the cloud test server): a compressed answer cut short or followed by more data, and
informational headers no request could carry. Each is refused in plain words (or read
correctly); none is kept as complete audio, none freezes the app, none reaches the
usage ledger's totals."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QWidget

from app.api import errors
from tests.reliability_ii.test_api_hostile import answering, convert, run, stream_audio
from tests.support.cloud import Cloud
from tests.support.raw_server import RawConnection, serve_raw
from tests.ui.conftest import launch, qt_loop  # noqa: F401 - fixtures for the window tests

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
# Over one 64 KB piece unpacked, so zlib stops mid-input and keeps the rest for later.
AUDIO = b"ID3" + bytes(range(256)) * 400
PACKED = gzip.compress(AUDIO)


# -- a compressed answer that stops before its end -----------------------------------------

async def _close_delimited(conn: RawConnection) -> None:
    await conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Encoding: gzip"
                    b"\r\nConnection: close\r\n\r\n" + PACKED[: len(PACKED) // 2])


async def _with_length(conn: RawConnection) -> None:
    await conn.answer("200 OK", {"Content-Type": "audio/mpeg", "Content-Encoding": "gzip"},
                      PACKED[: len(PACKED) // 2])


async def _chunked(conn: RawConnection) -> None:
    await conn.start_chunked("200 OK", {"Content-Type": "audio/mpeg",
                                        "Content-Encoding": "gzip"})
    await conn.chunk(PACKED[: len(PACKED) // 2])
    await conn.end_chunked()


@pytest.mark.parametrize("framing", [_close_delimited, _with_length, _chunked],
                         ids=["close-delimited", "content-length", "chunked"])
@pytest.mark.parametrize("how", ["whole", "streamed"])
def test_a_gzip_answer_cut_short_is_refused_not_kept_as_audio(framing: Any, how: str) -> None:
    # The HTTP framing looks whole (a proxy passed on what it had): only gzip's own end
    # marker says the audio stopped. Before, the first ~9 KB of 100 KB was the "audio".
    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        await conn.read_body()
        await framing(conn)

    with serve_raw(handler) as server, pytest.raises(errors.ApiProtocolError,
                                                     match="cut off before the end"):
        run(lambda: (convert if how == "whole" else stream_audio)(server.url))


def test_an_empty_answer_labelled_gzip_is_just_empty() -> None:
    handler = answering("200 OK", {"Content-Type": "audio/mpeg", "Content-Encoding": "gzip"},
                        b"")
    with serve_raw(handler) as server:
        assert run(lambda: convert(server.url))[0] == b""


def test_the_speech_tab_keeps_nothing_from_a_gzip_answer_cut_short(
        launch: Any, cloud: Cloud, qtbot: Any) -> None:  # noqa: F811
    studio = launch(cloud_url=cloud.url)
    cloud.control.add_faults({"path_regex": "^/v1/text-to-speech/", "fault": "gzip_cut_off"})
    qtbot.keyClicks(studio.find(QPlainTextEdit, "speech.text"), "Half of this is not audio.")
    button = studio.find(QPushButton, "speech.generate")
    qtbot.waitUntil(button.isEnabled, timeout=20_000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    banner = studio.find(QWidget, "speech.error")
    qtbot.waitUntil(banner.isVisible, timeout=20_000)
    shown = " ".join(label.text() for label in banner.findChildren(QLabel))
    assert "cut off before the end" in shown, shown
    assert studio.ctx.history.list() == []
    audio_files = [p for p in studio.home.rglob("*")
                   if p.is_file() and p.suffix in (".mp3", ".partial", ".wav", ".pcm")]
    assert audio_files == []


# -- more data after a compressed stream's end ---------------------------------------------

# Run in a child process: the bug this guards against was an endless loop on the event
# loop (zlib answers nothing, forever, for data after its end), which no timeout inside
# the process can interrupt. The child is killed after a generous wait instead.
CHILD = textwrap.dedent("""
    import asyncio, json, sys
    from app.api.client import ApiClient, ClientConfig
    from app.api.errors import ApiError
    from app.api.speech import SpeechService
    from app.domain.wire import SpeechRequest

    async def main(url):
        api = ApiClient(ClientConfig(base_url=url, api_key="sk_test_hostile_0123456789",
                                     max_retries=0, read_timeout_s=5.0))
        try:
            result = await SpeechService(api).convert("EXAVITQu4vr4xnSDxMaL",
                                                      SpeechRequest(text="Hello"))
            return {"audio": len(result.audio)}
        except ApiError as exc:
            return {"error": type(exc).__name__, "message": exc.message}
        finally:
            await api.aclose()

    print(json.dumps(asyncio.run(main(sys.argv[1]))))
""")


@pytest.mark.parametrize("after, expected", [
    (PACKED, {"audio": 2 * len(AUDIO)}),  # two gzip members: one body (RFC 1952)
    (b"\x00garbage after the end" * 10, {"error": "ApiProtocolError",
                                         "message": "The server's audio could not be "
                                                    "decompressed."}),
], ids=["second-member", "garbage"])
def test_data_after_a_gzip_stream_is_read_or_refused_never_spun_on(after: bytes,
                                                                    expected: dict[str, Any],
                                                                    ) -> None:
    handler = answering("200 OK", {"Content-Type": "audio/mpeg", "Content-Encoding": "gzip"},
                        PACKED + after)
    with serve_raw(handler) as server:
        try:
            child = subprocess.run([sys.executable, "-c", CHILD, server.url], cwd=REPO,
                                   capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            pytest.fail("reading the answer never ended (an endless loop on the event loop)")
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout.strip().splitlines()[-1]) == expected


# -- a character-cost no request could have ------------------------------------------------

@pytest.mark.parametrize("cost, expected", [
    ("9000000000000000000", None), ("1e15", None), ("100000001", None),
    ("250000", 250_000), ("0", 0),
])
def test_an_impossible_character_cost_is_not_taken_as_the_servers(cost: str,
                                                                 expected: int | None) -> None:
    # Under 2**63, so it was taken as the server's figure, and the usage ledger sums
    # that figure into "this session" and "today".
    handler = answering("200 OK", {"Content-Type": "audio/mpeg", "character-cost": cost},
                        b"ID3audio" * 100)
    with serve_raw(handler) as server:
        _audio, info = run(lambda: convert(server.url))
    assert info.character_cost == expected


# -- headers too large to read ------------------------------------------------------------

def test_a_megabyte_header_is_said_as_such_and_not_asked_again() -> None:
    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        await conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Big: "
                        + b"a" * 1_000_000 + b"\r\nContent-Length: 2\r\n\r\n[]")

    async def models(url: str) -> Any:
        from app.api.voices import VoicesService
        from tests.reliability_ii.test_api_hostile import client_for

        api = client_for(url, max_retries=2, retry_base_delay_s=0.01)
        try:
            return await VoicesService(api).list_models()
        finally:
            await api.aclose()

    with serve_raw(handler) as server:
        # Before: "The server closed the connection without answering.", asked 3 times.
        with pytest.raises(errors.ApiProtocolError, match="headers too large to read"):
            run(lambda: models(server.url))
        assert server.connections == 1


# -- a model's cost rate no model has ------------------------------------------------------

TTS_MODELS = ("eleven_multilingual_v2", "eleven_flash_v2_5", "eleven_v3", "eleven_turbo_v2_5")


@pytest.mark.parametrize("factor", [b"NaN", b"Infinity", b"1e400", b"-2", b"1e300"])
def test_a_models_cost_rate_that_is_not_a_rate_is_not_used(factor: bytes) -> None:
    # Python's JSON reader takes NaN, Infinity and 1e400 (as inf) without complaint.
    body = (b'[{"model_id": "m1", "name": "One", "token_cost_factor": ' + factor + b'},'
            b' {"model_id": "m2", "name": "Two", "model_rates": {"character_cost_multiplier": '
            + factor + b', "cost_discount_multiplier": 1}}]')
    handler = answering("200 OK", {"Content-Type": "application/json"}, body)

    async def models(url: str) -> Any:
        from app.api.voices import VoicesService
        from tests.reliability_ii.test_api_hostile import client_for

        api = client_for(url)
        try:
            return await VoicesService(api).list_models()
        finally:
            await api.aclose()

    with serve_raw(handler) as server:
        listed = run(lambda: models(server.url))
    assert [model.cost_multiplier for model in listed] == [1.0, 1.0]


def test_the_speech_tab_estimate_stays_sane_with_an_absurd_cost_rate(
        launch: Any, cloud: Cloud, qtbot: Any) -> None:  # noqa: F811
    models = [{"model_id": model, "name": model, "token_cost_factor": 1e300}
              for model in TTS_MODELS]
    cloud.control.add_faults({"path_regex": "^/v1/models", "fault": "json_body",
                              "body": models, "count": 100})
    studio = launch(cloud_url=cloud.url)
    text = "Nineteen characters"
    qtbot.keyClicks(studio.find(QPlainTextEdit, "speech.text"), text)

    shown = studio.find(QLabel, "speech.estimate")
    qtbot.waitUntil(lambda: "credits" in shown.text(), timeout=20_000)
    # Before: "About 19,000,000,000,000,000,402,783,… credits" (300 digits).
    assert shown.text().startswith(f"About {len(text)} credits"), shown.text()
