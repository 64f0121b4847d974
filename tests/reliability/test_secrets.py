"""Secrets: the API key lives only in the keychain (or ELEVENLABS_API_KEY); it never
appears in settings, history, drafts, logs, exported files or anything on screen, and it
is never sent anywhere but the configured server, redirects included. Plain http:// to
another computer is refused, plainly."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from app.api.client import ApiClient, ClientConfig, is_insecure_base_url
from app.api.errors import ApiConnectionError, ApiProtocolError, ApiStatusError
from app.api.voices import VoicesService
from app.library import logs
from app.library.paths import AppPaths
from app.ui.errors import describe_error
from tests.reliability.conftest import OtherHost, Studio, StudioFactory
from tests.support.cloud import Cloud
from tests.support.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.e2e

KEY = "xi-secret-4f1d9c2b7a6e58d3"
TEXT = "A sentence that is perfectly ordinary."


def all_files(*folders: Path) -> Iterator[Path]:
    for folder in folders:
        if folder.is_file():
            yield folder
        elif folder.exists():
            yield from (p for p in folder.rglob("*") if p.is_file())


def assert_key_in_no_file(*folders: Path) -> list[Path]:
    scanned = list(all_files(*folders))
    for path in scanned:
        assert KEY.encode() not in path.read_bytes(), f"the key is in {path}"
    return scanned


def visible_texts(root: QWidget) -> list[str]:
    """Every text a user can see or hover over, in the window and its dialogs."""
    texts = [root.windowTitle(), root.toolTip()]
    for widget in root.findChildren(QWidget):
        texts += [widget.toolTip(), widget.windowTitle(), widget.accessibleName()]
        shown = not isinstance(widget, QLineEdit) or (
            widget.echoMode() == QLineEdit.EchoMode.Normal)
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit) and shown:
            texts.append(widget.text())
        elif isinstance(widget, QPlainTextEdit):
            texts.append(widget.toPlainText())
    status_bar = getattr(root, "statusBar", None)
    if callable(status_bar):
        texts.append(status_bar().currentMessage())
    return texts


def generate(qtbot: Any, studio: Studio) -> None:
    button = studio.find(QPushButton, "speech.generate")
    qtbot.waitUntil(button.isEnabled, timeout=20_000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# -- files, logs, history, screens ---------------------------------------------------------

def test_the_key_is_in_no_file_log_or_screen(qtbot: Any, studios: StudioFactory,
                                             cloud: Cloud, tmp_path: Path) -> None:
    cloud.control.set_account(KEY, "creator")
    home = studios.home("secret")
    studio = studios.start(home, cloud_url=cloud.url, key=KEY)
    qtbot.keyClicks(studio.find(QPlainTextEdit, "speech.text"), TEXT)
    generate(qtbot, studio)
    qtbot.waitUntil(lambda: len(studio.ctx.history.list()) == 1, timeout=20_000)
    exported = tmp_path / "exported.mp3"
    studio.ctx.history.export(studio.ctx.history.list()[0].id, exported)

    # An error banner, a failing task whose message holds the key, a careless log line.
    cloud.control.add_faults({"path_regex": "^/v1/text-to-speech/", "fault": "401"})
    generate(qtbot, studio)
    banner = studio.find(QWidget, "speech.error")
    qtbot.waitUntil(banner.isVisible, timeout=20_000)

    async def leaky() -> None:
        raise RuntimeError(f"something failed while using {KEY}")

    studio.window.runner.start("reliability.leaky", leaky)
    qtbot.waitUntil(lambda: not studio.window.runner.is_running("reliability.leaky"),
                    timeout=5000)
    logging.getLogger("app.reliability").error("the key is %s (or %r)", KEY, {"key": KEY})
    try:
        raise ValueError(KEY)
    except ValueError:
        logging.getLogger("app.reliability").exception("with a traceback")

    dialog = studio.window.open_settings()
    for text in visible_texts(studio.window) + visible_texts(dialog):
        assert KEY not in (text or ""), f"the key is on screen: {text!r}"
    dialog.reject()

    # Every request carried the key to the configured server only.
    requests = cloud.control.requests()
    assert requests and all(r["key_sha256"] == hashlib.sha256(KEY.encode()).hexdigest()
                            for r in requests if r["path"].startswith("/v1/"))
    studios.stop(studio)  # settings, drafts and window state are written on close

    paths = AppPaths.under(home)
    scanned = assert_key_in_no_file(home, exported)
    names = {p.name for p in scanned}
    assert {"settings.json", "speech.json", "history.sqlite3", logs.LOG_FILE_NAME} <= names
    log_text = (paths.log_dir / logs.LOG_FILE_NAME).read_text()
    assert logs.REDACTED in log_text and "something failed while using" in log_text


def test_the_key_is_kept_in_the_keychain_only(qtbot: Any, studios: StudioFactory,
                                              cloud: Cloud,
                                              memory_keyring: MemoryKeyring,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    cloud.control.set_account(KEY, "creator")
    # No key yet: "offline" points at the test server (no engine needed for this test).
    monkeypatch.setenv("XI_STUDIO_ENGINE_URL", cloud.url)
    home = studios.home("keychain")
    studio = studios.start(home, cloud_url=cloud.url, key=None)
    dialog = studio.window.open_settings()
    qtbot.keyClicks(dialog.api_key, "xi-wrong-key-0000000")
    qtbot.mouseClick(dialog.save_key, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "was not saved" in dialog.key_status.text(), timeout=10_000)
    assert "xi-wrong-key-0000000" not in dialog.key_status.text()
    dialog.api_key.clear()
    qtbot.keyClicks(dialog.api_key, KEY)
    qtbot.mouseClick(dialog.save_key, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: memory_keyring.passwords.get(("xi-studio", "api-key")) == KEY,
                    timeout=10_000)
    qtbot.waitUntil(lambda: dialog.api_key.text() == "", timeout=5000)
    assert KEY not in dialog.key_status.text() and "…58d3" in dialog.key_status.text()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: studio.window.backend_badge.text() == "ElevenLabs cloud",
                    timeout=10_000)
    studios.stop(studio)
    assert_key_in_no_file(home)


# -- where the key may travel ---------------------------------------------------------------

def test_the_key_never_travels_to_another_host(cloud: Cloud,
                                               other_host: OtherHost) -> None:
    cloud.control.set_account(KEY, "creator")
    other_host.recorder.clear()

    async def scenario() -> None:
        client = ApiClient(ClientConfig(base_url=cloud.url, api_key=KEY, max_retries=0))
        try:
            for status in (301, 302, 303, 307, 308):
                for method, path in (("GET", "/v1/models"),
                                     ("POST", "/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb")):
                    cloud.control.add_faults({"path_regex": "^" + path + "$", "method": method,
                                              "fault": "redirect_to_other_host",
                                              "status": status,
                                              "location": f"{other_host.url}/stolen"})
                    with pytest.raises(ApiProtocolError, match="not followed"):
                        await client.request_json(method, path, json={"text": "hi"}
                                                  if method == "POST" else None)
            # A voice preview is public: fetched without the key, redirects followed.
            await client.fetch_public(f"{other_host.url}/preview.mp3")
            cloud.control.add_faults({"path_regex": "^/previews/", "fault":
                                      "redirect_to_other_host",
                                      "location": f"{other_host.url}/moved.mp3"})
            await client.fetch_public(f"{cloud.url}/previews/voice.mp3")
        finally:
            await client.aclose()

    asyncio.run(scenario())
    seen = other_host.recorder.seen()
    assert [r["path"] for r in seen] == ["/preview.mp3", "/moved.mp3"]
    assert other_host.keys_seen() == [], "the key reached another host"
    # The configured server got it on every API request, and only the hash is recorded.
    api = [r for r in cloud.control.requests() if r["path"].startswith("/v1/")]
    assert api and all(r["has_key"] for r in api)
    preview = [r for r in cloud.control.requests() if r["path"].startswith("/previews/")]
    assert preview and not any(r["has_key"] for r in preview)


@pytest.mark.parametrize(("url", "insecure"), [
    ("http://api.example.com", True), ("HTTP://Example.COM:80/", True),
    ("http://10.0.0.7:8080", True), ("http://192.168.1.20", True),
    ("http://127.0.0.1:8765", False), ("http://localhost:1234", False),
    ("http://[::1]:9000", False), ("https://api.elevenlabs.io", False),
    ("https://api.eu.residency.elevenlabs.io", False),
])
def test_plain_http_to_another_computer_is_refused(url: str, insecure: bool) -> None:
    assert is_insecure_base_url(url) is insecure
    if not insecure:
        return
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=[])

    async def scenario() -> None:
        client = ApiClient(ClientConfig(base_url=url, api_key=KEY),
                           transport=httpx.MockTransport(handler))
        try:
            with pytest.raises(ApiConnectionError, match="unencrypted") as caught:
                await VoicesService(client).list_models()
            message = describe_error(caught.value)
            assert "https://" in message.as_text() and KEY not in message.as_text()
        finally:
            await client.aclose()

    asyncio.run(scenario())
    assert sent == [], "a request left with the key over plain http"


def test_plain_http_is_refused_plainly_in_the_app(qtbot: Any, studios: StudioFactory,
                                                  cloud: Cloud) -> None:
    studio = studios.start(studios.home("http"), cloud_url="http://no-such-host.invalid")
    banner = studio.find(QWidget, "speech.error")
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert "unencrypted" in banner.text() and "https://" in banner.text()
    dialog = studio.window.open_settings()
    dialog.base_url.setText("http://api.example.com")
    assert "not encrypted" in dialog.base_url_note.text()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()
    dialog.base_url.setText(cloud.url)  # loopback: allowed
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()
    dialog.reject()


def test_a_server_echoing_the_key_does_not_put_it_on_screen() -> None:
    bodies = [
        (401, {"detail": {"status": "invalid_api_key", "message": f"Invalid API key {KEY}"}}),
        (422, {"detail": [{"loc": ["header", "xi-api-key"], "msg": f"bad value {KEY}",
                           "type": "value_error", "input": KEY}]}),
        (400, {"detail": {"type": "invalid_request_error", "code": "bad",
                          "message": f"key={KEY}", "param": "xi-api-key"}}),
        (500, f"upstream said: {KEY}"),
    ]

    async def scenario() -> None:
        for status, body in bodies:
            def handler(request: httpx.Request, status: int = status,
                        body: Any = body) -> httpx.Response:
                if isinstance(body, str):
                    return httpx.Response(status, text=body)
                return httpx.Response(status, json=body)

            client = ApiClient(ClientConfig(base_url="https://api.elevenlabs.io", api_key=KEY,
                                            max_retries=0),
                               transport=httpx.MockTransport(handler))
            try:
                with pytest.raises(ApiStatusError) as caught:
                    await VoicesService(client).list_models()
            finally:
                await client.aclose()
            error = caught.value
            shown = describe_error(error).as_text()
            assert KEY not in str(error) and KEY not in repr(error.body) and KEY not in shown

    asyncio.run(scenario())


# -- the log file ---------------------------------------------------------------------------

def test_the_log_rotates_in_the_log_folder_with_the_key_redacted(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path / "home")
    root = logging.getLogger()
    before = list(root.handlers)
    path = logs.configure_logging(paths.log_dir)
    try:
        assert path.parent == paths.log_dir
        handler = next(h for h in root.handlers if isinstance(h, RotatingFileHandler)
                       and h.baseFilename == str(path))
        assert handler.maxBytes > 0 and handler.backupCount > 0
        logs.register_secret(KEY)
        log = logging.getLogger("app.reliability.rotation")
        line = "x" * 200
        for index in range(logs.MAX_BYTES // 200 + 500):
            log.warning("%d %s %s", index, line, KEY if index % 7 == 0 else "")
        try:
            raise RuntimeError(f"failed with {KEY}")
        except RuntimeError:
            log.exception("and a traceback")
        handler.flush()
    finally:
        for added in list(root.handlers):
            if added not in before:
                root.removeHandler(added)
                added.close()
    files = sorted(paths.log_dir.glob(logs.LOG_FILE_NAME + "*"))
    assert len(files) >= 2, "the log did not rotate"
    assert all(f.stat().st_size <= logs.MAX_BYTES + 4096 for f in files)
    assert_key_in_no_file(paths.log_dir)
    assert logs.REDACTED in path.read_text() and "failed with" in path.read_text()
