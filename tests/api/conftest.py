"""Fixtures for the service layer: the cloud test server and clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from app.api.client import ApiClient, ClientConfig
from tests.support.cloud_server import CREATOR_KEY, CloudControl, CloudServer
from tests.support.servers import run_server

FAST = {"retry_base_delay_s": 0.01, "retry_max_delay_s": 2.0}


@dataclass
class Cloud:
    url: str
    control: CloudControl
    app: CloudServer

    def client(self, key: str | None = CREATOR_KEY, **config: object) -> ApiClient:
        options = {**FAST, **config}
        return ApiClient(ClientConfig(base_url=self.url, api_key=key, **options))  # type: ignore[arg-type]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def _cloud_server() -> Iterator[Cloud]:
    app = CloudServer()
    with run_server(app) as url:
        control = CloudControl(url)
        yield Cloud(url, control, app)
        control.close()


@pytest.fixture
def cloud(_cloud_server: Cloud) -> Cloud:
    """The cloud test server, freshly reset (no faults, no recorded requests)."""
    _cloud_server.control.reset()
    return _cloud_server


@pytest.fixture
async def client(cloud: Cloud) -> AsyncIterator[ApiClient]:
    api = cloud.client()
    try:
        yield api
    finally:
        await api.aclose()
