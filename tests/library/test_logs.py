from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.library import logs
from app.library.logs import configure_logging, register_secret

KEY = "sk_supersecretvalue_a1b2c3"


@pytest.fixture(autouse=True)
def _isolated_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(logs, "_secrets", set())
    root = logging.getLogger()
    before = list(root.handlers)
    app_level = logging.getLogger("app").level
    yield
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    logging.getLogger("app").setLevel(app_level)


def _flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def test_writes_the_app_tree_and_is_idempotent(tmp_path: Path) -> None:
    path = configure_logging(tmp_path)
    configure_logging(tmp_path)
    ours = [h for h in logging.getLogger().handlers
            if getattr(h, "baseFilename", None) == str(path.absolute())]
    assert len(ours) == 1
    logging.getLogger("app.library.test").info("hello from the app")
    _flush()
    text = (tmp_path / "xi-studio.log").read_text()
    assert text.count("hello from the app") == 1


def test_registered_secret_is_redacted_everywhere(tmp_path: Path) -> None:
    configure_logging(tmp_path)
    register_secret(KEY)
    register_secret("short")  # too short to redact
    log = logging.getLogger("app.api")
    log.info("key in the message " + KEY)
    log.warning("key in args %s and %r", KEY, {"xi-api-key": KEY})
    try:
        raise RuntimeError(f"server echoed {KEY}")
    except RuntimeError:
        log.exception("request failed")
    logging.getLogger("httpx").warning("header xi-api-key: %s", KEY)
    log.warning("a short story")
    _flush()
    text = (tmp_path / "xi-studio.log").read_text()
    assert KEY not in text
    assert text.count("[redacted]") >= 5
    assert "Traceback" in text and "RuntimeError: server echoed [redacted]" in text
    assert "a short story" in text


def test_other_folder_replaces_handler(tmp_path: Path) -> None:
    configure_logging(tmp_path / "a")
    configure_logging(tmp_path / "b")
    logging.getLogger("app").warning("where")
    _flush()
    assert "where" in (tmp_path / "b" / "xi-studio.log").read_text()
    assert not (tmp_path / "a" / "xi-studio.log").exists() or \
        "where" not in (tmp_path / "a" / "xi-studio.log").read_text()
