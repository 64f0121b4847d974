"""The client's settings, and when a failed request is repeated (and after how long)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from app.api.errors import (
    ApiConnectionError,
    ApiKeyError,
    ApiStatusError,
    RateLimitError,
    ServerError,
    parse_retry_after,
)
from app.api.responses import is_insecure_base_url
from app.domain.api_key import ApiKeyFormatError, clean_api_key

DEFAULT_BASE_URL = "https://api.elevenlabs.io"


@dataclass(frozen=True, slots=True)
class ClientConfig:
    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = None
    max_retries: int = 2
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    max_json_bytes: int = 32 * 1024 * 1024
    max_body_bytes: int = 1024 * 1024 * 1024
    max_public_bytes: int = 64 * 1024 * 1024
    # Sending a request body: separate from the (possibly very long) wait for the answer.
    write_timeout_s: float = 60.0
    # The longest one request may take, answer included, however the bytes trickle in
    # (a song of several minutes is composed well within it; transcription has its own).
    request_deadline_s: float = 1800.0
    retry_base_delay_s: float = 0.5
    retry_max_delay_s: float = 10.0
    user_agent: str = "xi-studio"


def backoff_s(config: ClientConfig, attempt: int) -> float:
    delay = min(config.retry_max_delay_s, config.retry_base_delay_s * (2 ** attempt))
    return delay * (1 - 0.25 * random.random())

def retry_delay(config: ClientConfig, error: ApiStatusError,
                 attempt: int) -> float | None:
    """Seconds to wait before repeating after this error, or None to give up."""
    if attempt >= config.max_retries:
        return None
    retry_after = parse_retry_after(error.headers)
    if isinstance(error, RateLimitError):
        if retry_after is None:
            return backoff_s(config, attempt)
    elif not (isinstance(error, ServerError) and error.status_code == 503
              and retry_after is not None):
        return None
    assert retry_after is not None
    if retry_after > config.retry_max_delay_s:
        return None  # too long to wait silently: the caller says when to try again
    return retry_after


def request_headers(config: ClientConfig, accept: str) -> dict[str, str]:
    headers = {"accept": accept}
    if config.api_key:
        if is_insecure_base_url(config.base_url):
            raise ApiConnectionError(
                "Refused to send the API key over an unencrypted connection "
                f"({config.base_url}). Use an https:// address.")
        try:
            headers["xi-api-key"] = clean_api_key(config.api_key)
        except ApiKeyFormatError as exc:  # never reaches h11, which would echo it
            raise ApiKeyError(str(exc)) from None
    return headers


__all__ = ["DEFAULT_BASE_URL", "ClientConfig", "backoff_s", "request_headers", "retry_delay"]
