"""Keeping the key out of errors: a server that echoes the key (raw, or escaped as a
repr or h11 would print it) must not get it shown or logged."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.api.errors import ApiStatusError, ValidationError
from app.domain.api_key import secret_forms

KEY_PLACEHOLDER = "[your API key]"


def _scrub_text(text: str, forms: list[str]) -> str:
    for form in forms:
        text = text.replace(form, KEY_PLACEHOLDER)
    return text


def _scrub(value: Any, forms: list[str]) -> Any:
    if isinstance(value, str):
        return _scrub_text(value, forms)
    if isinstance(value, list):
        return [_scrub(item, forms) for item in value]
    if isinstance(value, dict):
        return {k: _scrub(v, forms) for k, v in value.items()}
    return value


def without_key(error: ApiStatusError, key: str | None) -> ApiStatusError:
    """A server that echoes the key in its error (raw or escaped) must not get it shown
    or logged."""
    if not key:
        return error
    forms = sorted(secret_forms(key) | {key}, key=len, reverse=True)
    try:
        seen = f"{error.message}{error.body}"
    except RecursionError:  # a body nested too deep to print: drop it
        error.body, seen = None, error.message
    if any(form in seen for form in forms):
        error.message = _scrub_text(error.message, forms)
        error.args = (error.message,)
        try:
            error.body = _scrub(error.body, forms)
        except RecursionError:
            error.body = None
        if isinstance(error, ValidationError):
            error.field_errors = [
                replace(f, loc=tuple(_scrub(list(f.loc), forms)),
                        message=_scrub_text(f.message, forms))
                for f in error.field_errors]
    return error


__all__ = ["KEY_PLACEHOLDER", "without_key"]
