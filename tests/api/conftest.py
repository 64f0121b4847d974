"""Fixtures for the service layer: an API client pointed at the cloud test server
(the `cloud` fixture itself is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.api.client import ApiClient
from tests.support.cloud import Cloud


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(cloud: Cloud) -> AsyncIterator[ApiClient]:
    api = cloud.client()
    try:
        yield api
    finally:
        await api.aclose()
