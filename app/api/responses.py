"""What a response's headers say: its content type, request id and informational
numbers (read defensively: a garbage or non-finite header is absent, never an error
that fails a delivered answer), and which addresses are this computer."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from app.api.reading import header_number

JSON_TYPES: tuple[str, ...] = ("application/json", "application/*+json")
JSON_LINES_TYPES: tuple[str, ...] = (
    "application/json", "application/*+json", "application/x-ndjson", "application/jsonl",
    "application/json-seq", "text/event-stream",
)
AUDIO_TYPES: tuple[str, ...] = (
    "audio/*", "application/octet-stream", "application/ogg", "video/ogg", "binary/octet-stream",
)


_int_or_none = header_number  # informational headers: garbage, inf or NaN read as absent

# No one request costs more: the largest plans hold tens of millions of credits a month.
# A larger `character-cost` is a broken or hostile server's, and summed into the usage
# ledger it would swamp every total ("today: 9,000,000,000,000,000,000 credits").
MAX_PLAUSIBLE_COST = 100_000_000


def _cost(value: str | None) -> int | None:
    cost = header_number(value)
    return cost if cost is not None and cost <= MAX_PLAUSIBLE_COST else None


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """What the response headers tell about a request (all optional)."""

    status_code: int = 200
    request_id: str | None = None
    character_cost: int | None = None
    current_concurrent_requests: int | None = None
    maximum_concurrent_requests: int | None = None
    model_id: str | None = None
    history_item_id: str | None = None
    song_id: str | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict, hash=False)

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], status_code: int = 200) -> ResponseInfo:
        h = {k.lower(): v for k, v in headers.items()}
        cost = _cost(h.get("character-cost"))
        if cost is None:
            cost = _cost(h.get("x-character-count"))
        return cls(
            status_code=status_code,
            request_id=h.get("request-id") or h.get("x-request-id") or None,
            character_cost=cost,
            current_concurrent_requests=_int_or_none(h.get("current-concurrent-requests")),
            maximum_concurrent_requests=_int_or_none(h.get("maximum-concurrent-requests")),
            model_id=h.get("model-id") or h.get("x-model-id") or None,
            history_item_id=h.get("history-item-id") or None,
            song_id=h.get("song-id") or None,
            content_type=h.get("content-type") or None,
            headers=h,
        )


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_insecure_base_url(url: str) -> bool:
    """True for plain http:// to a host other than this computer (the key would be readable)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    if parts.scheme.lower() != "http":
        return False
    return not _is_loopback(parts.hostname or "")


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def type_matches(content_type: str | None, accepted: tuple[str, ...]) -> bool:
    media = _media_type(content_type)
    if not media:
        return False
    for pattern in accepted:
        if pattern == media:
            return True
        major, _, minor = pattern.partition("/")
        m_major, _, m_minor = media.partition("/")
        if minor == "*" and major == m_major:
            return True
        if minor.startswith("*+") and major == m_major and m_minor.endswith(minor[1:]):
            return True
    return False


__all__ = ["AUDIO_TYPES", "JSON_LINES_TYPES", "JSON_TYPES", "ResponseInfo",
           "is_insecure_base_url", "type_matches"]
