"""The engine's front door (app/engine/guard.py) as pure functions, and inside the app."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

with warnings.catch_warnings():  # Starlette asks for httpx2; httpx works fine here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from app.engine.app import create_app
from app.engine.guard import (
    MAX_JSON_BYTES,
    Refusal,
    check_json,
    check_request,
    host_name,
    is_loopback_host,
    is_loopback_origin,
)


def scope(headers: dict[str, str], method: str = "POST", path: str = "/v1/models"
          ) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path,
            "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}


@pytest.mark.parametrize(("value", "name"), [
    ("127.0.0.1", "127.0.0.1"), ("127.0.0.1:8765", "127.0.0.1"), ("LocalHost:1", "localhost"),
    ("[::1]", "::1"), ("[::1]:8765", "::1"), ("evil.example", "evil.example"),
    ("[::1]x", None), ("localhost:http", None),
])
def test_host_names(value: str, name: str | None) -> None:
    assert host_name(value) == name


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost:8765", "[::1]:80"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)
    check_request(scope({"host": host}), None)


@pytest.mark.parametrize("host", ["", "evil.example", "127.0.0.2", "localhost.evil.example",
                                  "127.0.0.1,evil.example", "0.0.0.0:8765"])
def test_other_hosts_are_refused(host: str) -> None:
    with pytest.raises(Refusal) as refused:
        check_request(scope({"host": host} if host else {}), None)
    assert refused.value.status_code == 403


def test_origins() -> None:
    assert is_loopback_origin("http://localhost:3000")
    assert is_loopback_origin("http://[::1]:1")
    assert not is_loopback_origin("null")
    assert not is_loopback_origin("https://127.0.0.1.evil.example")
    assert not is_loopback_origin("file://localhost/x")


@pytest.mark.parametrize(("headers", "status"), [
    ({"origin": "https://evil.example"}, 403),
    ({"sec-fetch-site": "cross-site"}, 403),
    ({"sec-fetch-site": "same-site"}, 403),
    ({"content-type": "multipart/form-data; boundary=x"}, 403),
    ({"content-type": "text/plain"}, 403),
    ({"content-type": "application/x-www-form-urlencoded"}, 403),
    ({"content-type": "multipart/form-data; boundary=x", "xi-api-key": "k"}, None),
    ({"origin": "http://127.0.0.1:8765", "sec-fetch-site": "same-origin"}, None),
    ({"content-type": "application/json"}, None),
])
def test_browser_signals_without_a_token(headers: dict[str, str], status: int | None) -> None:
    request = scope({"host": "127.0.0.1:8765", **headers})
    if status is None:
        check_request(request, None)
        return
    with pytest.raises(Refusal) as refused:
        check_request(request, None)
    assert refused.value.status_code == status


def test_with_a_token_only_the_token_opens() -> None:
    host = {"host": "127.0.0.1"}
    check_request(scope({**host, "xi-api-key": "s3cret"}), "s3cret")
    for headers in ({}, {"xi-api-key": "other"}, {"xi-api-key": "s3cret "}):
        with pytest.raises(Refusal) as refused:
            check_request(scope({**host, **headers}), "s3cret")
        assert refused.value.status_code == 401
    # Voice previews are public audio (the app's player fetches them without headers).
    check_request(scope(host, "GET", "/v1/engine/previews/abc.mp3"), "s3cret")


@pytest.mark.parametrize("body", [
    b'{"a": NaN}', b'{"a": [Infinity]}', b'{"a": -Infinity}', b'{"t": "\\ud800"}',
    b'{"\\udfff": 1}', b"[" * 40 + b"]" * 40, b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe{}",
])
def test_json_that_is_not_strict_is_refused(body: bytes) -> None:
    with pytest.raises(Refusal) as refused:
        check_json(body)
    assert refused.value.status_code == 400


@pytest.mark.parametrize("body", [b"", b'{"text": "fine \\ud83d\\ude00"}', b"[" * 30 + b"]" * 30,
                                  b"{not json"])
def test_strict_or_plainly_broken_json_passes_on(body: bytes) -> None:
    check_json(body)  # plain syntax errors are FastAPI's to answer (422)


def test_in_the_app_every_refusal_has_the_api_shape() -> None:
    client = TestClient(create_app(None, token="t0ken"), base_url="http://127.0.0.1")
    key = {"xi-api-key": "t0ken"}
    cases = [
        client.get("/v1/models"),
        client.get("/v1/models", headers={**key, "host": "evil.example"}),
        client.get("/v1/models", headers={**key, "origin": "https://evil.example"}),
        client.post("/v1/text-to-speech/x", headers={**key, "content-type": "application/json"},
                    content=b'{"text": NaN}'),
        client.post("/v1/text-to-speech/x", headers={**key, "content-type": "application/json"},
                    content=b" " * (MAX_JSON_BYTES + 1)),
    ]
    assert [r.status_code for r in cases] == [401, 403, 403, 400, 413]
    for response in cases:
        detail = response.json()["detail"]
        assert set(detail) == {"status", "message"} and detail["message"]
        assert response.headers["request-id"]
    assert client.get("/v1/models", headers=key).status_code == 200
