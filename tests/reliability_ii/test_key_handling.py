"""The key: checked when typed and when read from ELEVENLABS_API_KEY (one line, printable
ASCII, no inner spaces; the message says exactly what is wrong and where), never shown or
logged in any form (raw, escaped as h11 prints it, repr), and a restricted key
(`401 missing_permissions`) explained as such and still saved by Settings.

The app's new modules are imported inside the tests, so each test fails on its own (and
for its own reason) against code that lacks them."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit, QWidget

from app.api import errors
from app.api.client import ApiClient, ClientConfig
from app.api.voices import VoicesService
from app.library import logs
from app.library.paths import AppPaths
from app.library.secrets import API_KEY_ENV, KeyStore
from app.ui.errors import describe_error
from tests.reliability.conftest import StudioFactory, studios  # noqa: F401 - fixture
from tests.support.cloud import Cloud
from tests.support.memory_keyring import MemoryKeyring
from tests.support.raw_server import RawConnection, serve_raw
from tests.ui.conftest import qt_loop, save_screenshot  # noqa: F401 - fixture for `studios`

pytestmark = pytest.mark.e2e

FIRST = "xi-first-line-4f1d9c2b"
SECOND = "xi-second-line-7a6e58d3"
TWO_LINE_KEY = f"{FIRST}\n{SECOND}"  # ELEVENLABS_API_KEY="$(cat key.txt)" on a 2-line file
ZWSP_KEY = "sk_live_0123\u200b456789abcdef"
RESTRICTED_KEY = "sk_restricted_9f8e7d6c5b4a"
SAMPLES = Path(__file__).resolve().parents[1] / "contract" / "samples"


def key_forms(key: str) -> list[str]:
    """Every way the key could show up: raw, its lines, escaped (str/bytes repr, JSON)."""
    lines = [line for line in key.splitlines() if line]
    return [key, *lines, repr(key)[1:-1], repr(key.encode("utf-8"))[2:-1],
            json.dumps(key)[1:-1]]


def assert_no_key(text: str, key: str, where: str) -> None:
    for form in key_forms(key):
        assert form not in text, f"the key ({form!r}) is in {where}: {text[:300]!r}"


def visible_texts(root: QWidget) -> list[str]:
    texts = [root.windowTitle(), root.toolTip()]
    for widget in root.findChildren(QWidget):
        texts += [widget.toolTip(), widget.accessibleName()]
        if isinstance(widget, QLineEdit) and widget.echoMode() != QLineEdit.EchoMode.Normal:
            continue  # a password field shows dots
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            texts.append(widget.text())
        elif isinstance(widget, QPlainTextEdit):
            texts.append(widget.toPlainText())
    status_bar = getattr(root, "statusBar", None)
    if callable(status_bar):
        texts.append(status_bar().currentMessage())
    return [t for t in texts if t]


# -- validation, with the exact problem -----------------------------------------------------

def test_a_key_is_trimmed_and_its_problems_are_named_exactly() -> None:
    from app.domain.api_key import ApiKeyFormatError, clean_api_key

    assert clean_api_key("  sk_abc123def456\n") == "sk_abc123def456"
    cases = {
        TWO_LINE_KEY: "The key has a line break in it",
        ZWSP_KEY: "The key contains an invisible character (zero-width space) at position 13",
        "sk_abc def456789": "The key has a space in it at position 7",
        "sk_abc\tdef456789": "The key has a space in it at position 7",
        "sk_abcdéf456789": "the character “é” at position 8",
        "": "The key is empty",
    }
    for key, expected in cases.items():
        with pytest.raises(ApiKeyFormatError) as caught:
            clean_api_key(key)
        assert expected in str(caught.value), (key, str(caught.value))
        if key:
            assert_no_key(str(caught.value), key, "the message")
    with pytest.raises(ApiKeyFormatError, match="paste it again"):
        clean_api_key(ZWSP_KEY)


def test_a_two_line_key_from_the_environment_is_refused_plainly(
        monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring) -> None:
    monkeypatch.setenv(API_KEY_ENV, TWO_LINE_KEY + "\n")
    with pytest.raises(ValueError, match="line break") as caught:
        KeyStore().get()
    assert API_KEY_ENV in str(caught.value)
    assert_no_key(str(caught.value), TWO_LINE_KEY, "the message")
    monkeypatch.setenv(API_KEY_ENV, f"  {FIRST}\n")  # surrounding whitespace: just trimmed
    assert KeyStore().get() == FIRST


def test_a_two_line_key_never_leaves_the_client_and_is_not_echoed() -> None:
    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        await conn.answer("200 OK", {"Content-Type": "application/json"}, b"[]")

    async def models(url: str) -> Any:
        api = ApiClient(ClientConfig(base_url=url, api_key=TWO_LINE_KEY, max_retries=0))
        try:
            return await VoicesService(api).list_models()
        finally:
            await api.aclose()

    with serve_raw(handler) as server:
        with pytest.raises(errors.ApiError) as caught:
            asyncio.run(models(server.url))
        assert server.connections == 0, "a request with the broken key was sent"
    assert type(caught.value).__name__ == "ApiKeyError"
    assert "line break" in str(caught.value)
    assert_no_key(str(caught.value), TWO_LINE_KEY, "the error")
    assert_no_key(describe_error(caught.value).as_text(), TWO_LINE_KEY, "the user message")


def test_redaction_covers_the_escaped_and_repr_forms() -> None:
    logs.register_secret(TWO_LINE_KEY)
    escaped = repr(TWO_LINE_KEY.encode())  # b'...\\n...' as h11 prints it
    for text in (f"Illegal header value {escaped}", f"key={TWO_LINE_KEY!r}",
                 json.dumps({"key": TWO_LINE_KEY}), f"first line only: {FIRST}"):
        assert_no_key(logs.redact(text), TWO_LINE_KEY, "a redacted log line")
        assert logs.REDACTED in logs.redact(text)


# -- 401 missing_permissions: a restricted key ------------------------------------------------

def test_missing_permissions_is_a_restricted_key_naming_the_permission(cloud: Cloud) -> None:
    sample = json.loads((SAMPLES / "error_401_missing_permissions.json").read_text())
    error = errors.error_from_response(401, {}, json.dumps(sample).encode())
    assert type(error).__name__ == "MissingPermissionsError"
    assert isinstance(error, errors.AuthError)
    message = describe_error(error)
    assert message.text == ("This key works but is not allowed to use speech_to_text. In your "
                            "ElevenLabs account give it that permission, or use another key.")

    cloud.control.add_faults({"path_regex": "^/v1/models$", "fault": "401",
                              "code": "missing_permissions"})

    async def models() -> Any:
        api = cloud.client(max_retries=0)
        try:
            return await VoicesService(api).list_models()
        finally:
            await api.aclose()

    with pytest.raises(errors.AuthError) as caught:
        asyncio.run(models())
    assert getattr(caught.value, "permission", None) == "models_read"
    assert "not allowed to use models_read" in describe_error(caught.value).text
    assert "wrong or revoked" not in describe_error(caught.value).as_text()


# -- through the window ----------------------------------------------------------------------

def test_a_two_line_key_in_the_environment_is_explained_and_never_shown_or_logged(
        qtbot: Any, studios: StudioFactory, cloud: Cloud,  # noqa: F811
        tmp_path: Path) -> None:
    home = studios.home("two-line-key")
    studio = studios.start(home, cloud_url=cloud.url, key=TWO_LINE_KEY)
    banner = studio.find(QWidget, "speech.error")
    qtbot.waitUntil(banner.isVisible, timeout=20_000)
    shown = " ".join(visible_texts(studio.window))
    assert "line break" in shown and API_KEY_ENV in shown
    save_screenshot(studio.window, "two-line-key-banner", tmp_path)
    dialog = studio.window.open_settings()
    assert "line break" in dialog.key_status.text()
    for text in visible_texts(studio.window) + visible_texts(dialog):
        assert_no_key(text, TWO_LINE_KEY, "the screen")
    dialog.reject()
    logging.getLogger("app.reliability_ii").warning("header was %r", TWO_LINE_KEY.encode())
    studios.stop(studio)
    log_text = (AppPaths.under(home).log_dir / logs.LOG_FILE_NAME).read_text()
    assert "line break" in log_text
    assert_no_key(log_text, TWO_LINE_KEY, "the log file")
    assert not [r for r in cloud.control.requests() if r.get("has_key")]


def test_settings_names_an_invisible_character_and_sends_nothing(
        qtbot: Any, studios: StudioFactory, cloud: Cloud,  # noqa: F811
        memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XI_STUDIO_ENGINE_URL", cloud.url)  # no key yet: "offline" is the server
    studio = studios.start(studios.home("zwsp"), cloud_url=cloud.url, key=None)
    dialog = studio.window.open_settings()
    dialog.api_key.setText(ZWSP_KEY)  # pasted from a web page
    before = len(cloud.control.requests())
    qtbot.mouseClick(dialog.save_key, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "was not saved" in dialog.key_status.text(), timeout=10_000)
    status = dialog.key_status.text()
    assert "invisible character (zero-width space) at position 13" in status, status
    assert "server address" not in status
    assert_no_key(status, ZWSP_KEY, "the key status")
    assert memory_keyring.passwords == {}
    assert [r for r in cloud.control.requests()[before:] if r.get("has_key")] == []
    dialog.reject()


def test_settings_saves_a_restricted_key_and_says_what_it_may_not_do(
        qtbot: Any, studios: StudioFactory, cloud: Cloud,  # noqa: F811
        memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    cloud.control.set_account(RESTRICTED_KEY, "creator")
    monkeypatch.setenv("XI_STUDIO_ENGINE_URL", cloud.url)
    studio = studios.start(studios.home("restricted"), cloud_url=cloud.url, key=None)
    dialog = studio.window.open_settings()
    cloud.control.add_faults({"path_regex": "^/v1/models$", "fault": "401",
                              "code": "missing_permissions"})
    qtbot.keyClicks(dialog.api_key, RESTRICTED_KEY)
    qtbot.mouseClick(dialog.save_key, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: memory_keyring.passwords.get(("xi-studio", "api-key"))
                    == RESTRICTED_KEY, timeout=10_000)
    qtbot.waitUntil(lambda: "not allowed to use models_read" in dialog.key_status.text(),
                    timeout=5000)
    assert "was not saved" not in dialog.key_status.text()
    save_screenshot(dialog, "settings-restricted-key", tmp_path)
    assert_no_key(dialog.key_status.text(), RESTRICTED_KEY, "the key status")
    dialog.reject()
