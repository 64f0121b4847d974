"""Every error shape the API sends becomes the right exception with the right details."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from app.api import errors
from app.api.errors import FieldError, error_from_response, parse_retry_after

SAMPLES = Path(__file__).resolve().parent.parent / "contract" / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_fastapi_422_becomes_validation_error_with_field_errors() -> None:
    exc = error_from_response(422, {}, sample("error_422.json"))
    assert isinstance(exc, errors.ValidationError)
    assert exc.status_code == 422
    assert exc.field_errors == [
        FieldError(("body", "voice_settings", "stability"),
                   "Input should be less than or equal to 1", "less_than_equal"),
        FieldError(("body", "text"), "Field required", "missing"),
    ]
    assert "voice_settings.stability" in exc.message
    assert exc.body["detail"][0]["input"] == 1.4


def test_object_422_gives_one_field_error_from_param() -> None:
    body = {"detail": {"type": "invalid_request_error", "code": "invalid_value",
                       "message": "Unknown filter preset.", "param": "audio_effects.preset",
                       "status": "invalid_value", "request_id": "r1"}}
    exc = error_from_response(422, {}, json.dumps(body).encode())
    assert isinstance(exc, errors.ValidationError)
    assert exc.field_errors == [FieldError(("audio_effects", "preset"), "Unknown filter preset.",
                                           "invalid_value")]
    assert exc.request_id == "r1"


def test_legacy_object_422_without_param() -> None:
    body = {"detail": {"status": "invalid_text", "message": "Text is empty."}}
    exc = error_from_response(422, {}, json.dumps(body).encode())
    assert isinstance(exc, errors.ValidationError)
    assert exc.field_errors == [FieldError((), "Text is empty.", "invalid_text")]
    assert exc.message == "Text is empty."


@pytest.mark.parametrize("name", ["error_401_invalid_key_legacy.json",
                                  "error_401_invalid_key_new.json"])
def test_invalid_key_is_auth_error(name: str) -> None:
    exc = error_from_response(401, {}, sample(name))
    assert type(exc) is errors.AuthError
    assert exc.message == "Invalid API key"
    assert exc.code in ("invalid_api_key", "unauthorized")


def test_new_shape_keeps_request_id_and_code() -> None:
    exc = error_from_response(401, {}, sample("error_401_invalid_key_new.json"))
    assert exc.request_id == "3f1c9a0e7b6d4c2a8e5f1b0d9c7a6e42"
    assert exc.code == "unauthorized"


def test_request_id_header_used_when_body_has_none() -> None:
    exc = error_from_response(500, {"Request-Id": "hdr-1"}, b"{}")
    assert exc.request_id == "hdr-1"
    assert "hdr-1" in str(exc)


@pytest.mark.parametrize("status", [400, 401, 402])
def test_quota_exceeded_whatever_the_status(status: int) -> None:
    exc = error_from_response(status, {}, sample("error_401_quota_exceeded.json"))
    assert isinstance(exc, errors.QuotaExceededError)
    assert not isinstance(exc, errors.AuthError)
    assert exc.code == "quota_exceeded"
    assert exc.message.startswith("This request exceeds your quota")


def test_text_too_long_is_bad_request() -> None:
    exc = error_from_response(400, {}, sample("error_400_max_character_limit.json"))
    assert type(exc) is errors.BadRequestError
    assert exc.code == "max_character_limit_exceeded"


def test_forbidden_and_payment_required() -> None:
    body = b'{"detail": {"status": "only_for_creator+", "message": "Upgrade."}}'
    assert type(error_from_response(403, {}, body)) is errors.ForbiddenError
    assert type(error_from_response(402, {}, b'{"detail": {"status": "payment_required",'
                                               b' "message": "Pay."}}')) is errors.ForbiddenError


def test_not_found_by_status_and_by_code() -> None:
    assert type(error_from_response(404, {}, sample("error_404_transcript.json"))) is (
        errors.NotFoundError)
    legacy = b'{"detail": {"status": "voice_not_found", "message": "No such voice."}}'
    exc = error_from_response(400, {}, legacy)
    assert type(exc) is errors.NotFoundError
    assert exc.status_code == 400


@pytest.mark.parametrize(
    ("name", "concurrency"),
    [("error_429_too_many_concurrent.json", True), ("error_429_new_format.json", True),
     ("error_429_system_busy.json", False)],
)
def test_rate_limits(name: str, concurrency: bool) -> None:
    exc = error_from_response(429, {"Retry-After": "3"}, sample(name))
    assert isinstance(exc, errors.RateLimitError)
    assert exc.is_concurrency_limit is concurrency
    assert exc.retry_after_s == 3.0


def test_rate_limit_without_retry_after() -> None:
    exc = error_from_response(429, {}, sample("error_429_system_busy.json"))
    assert isinstance(exc, errors.RateLimitError)
    assert exc.retry_after_s is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors(status: int) -> None:
    exc = error_from_response(status, {"content-type": "text/html"},
                              b"<html><body>Bad Gateway</body></html>")
    assert type(exc) is errors.ServerError
    assert exc.status_code == status
    assert exc.message == f"The server answered with HTTP status {status}."


def test_other_status_is_plain_status_error() -> None:
    exc = error_from_response(409, {}, b'{"detail": "conflict"}')
    assert type(exc) is errors.ApiStatusError
    assert exc.message == "conflict"


def test_plain_text_body_becomes_the_message() -> None:
    exc = error_from_response(400, {}, b"  bad   thing \n")
    assert exc.message == "bad thing"
    assert exc.body == "  bad   thing \n"


def test_empty_body() -> None:
    exc = error_from_response(401, {}, b"")
    assert type(exc) is errors.AuthError
    assert exc.body is None
    assert "401" in exc.message


def test_hierarchy() -> None:
    assert issubclass(errors.ApiTimeoutError, errors.ApiConnectionError)
    for cls in (errors.AuthError, errors.QuotaExceededError, errors.ForbiddenError,
                errors.NotFoundError, errors.BadRequestError, errors.ValidationError,
                errors.RateLimitError, errors.ServerError):
        assert issubclass(cls, errors.ApiStatusError)
        assert issubclass(cls, errors.ApiError)
    assert issubclass(errors.ApiProtocolError, errors.ApiError)


def test_retry_after_forms() -> None:
    assert parse_retry_after({"retry-after": "2.5"}) == 2.5
    assert parse_retry_after({"Retry-After-Ms": "1500", "retry-after": "9"}) == 1.5
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({"retry-after": "-1"}) is None
    assert parse_retry_after({}) is None
    now = datetime(2026, 1, 1, tzinfo=UTC)
    date = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=now.timestamp()) == pytest.approx(30)
    past = format_datetime(now - timedelta(seconds=30), usegmt=True)
    assert parse_retry_after({"retry-after": past}, now=now.timestamp()) == 0.0
