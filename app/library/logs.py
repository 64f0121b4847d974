"""The log file, with secrets taken out before anything is written.

Users attach logs to bug reports, so an API key must never reach one: every registered
secret is replaced by "[redacted]" in the message, its arguments and exception text.
The set of secrets is process-wide because log records come from every module.
"""

from __future__ import annotations

import logging
import os
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app.domain.api_key import secret_forms

LOG_FILE_NAME = "xi-studio.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 8
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Redact `value` from every log record from now on (short values are ignored:
    redacting "abc" everywhere would mangle logs without protecting anything). Its
    escaped forms are redacted too: a key with a stray newline appears as `...\\n...` in
    h11's "Illegal header value b'...'" and in any repr()."""
    if value and len(value.strip()) >= MIN_SECRET_LENGTH:
        forms = {f for f in secret_forms(value) if len(f) >= MIN_SECRET_LENGTH}
        with _secrets_lock:
            _secrets.update(forms)


def redact(text: str) -> str:
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites the record in place so every later handler sees the clean version too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what we can, redacted
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _AppFileHandler(RotatingFileHandler):
    """Marks the handler we installed, so a second configure_logging() finds it."""


def configure_logging(log_dir: Path | str, level: int = logging.INFO) -> Path:
    """Log the `app` tree (and warnings from libraries) to a rotating file; returns its path.

    Calling it again with the same folder changes nothing; with another folder, the
    old file handler is replaced.
    """
    path = Path(log_dir) / LOG_FILE_NAME
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _AppFileHandler):
            if handler.baseFilename == os.path.abspath(path):
                logging.getLogger("app").setLevel(level)
                return path
            root.removeHandler(handler)
            handler.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = _AppFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                              encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter())
    handler.setLevel(logging.DEBUG)
    root.addHandler(handler)
    logging.getLogger("app").setLevel(level)
    return path
