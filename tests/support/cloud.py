"""The cloud test server as tests hold it: its address, its control channel, and API
clients pointed at it (the `cloud` fixture in tests/conftest.py yields one)."""

from __future__ import annotations

from dataclasses import dataclass

from app.api.client import ApiClient, ClientConfig
from tests.support.cloud_server import CREATOR_KEY, CloudControl, CloudServer

# Retries without the real waits, so fault tests stay fast.
FAST_RETRIES = {"retry_base_delay_s": 0.01, "retry_max_delay_s": 2.0}


@dataclass
class Cloud:
    url: str
    control: CloudControl
    server: CloudServer

    def client(self, key: str | None = CREATOR_KEY, **config: object) -> ApiClient:
        options = {**FAST_RETRIES, **config}
        return ApiClient(ClientConfig(base_url=self.url, api_key=key, **options))  # type: ignore[arg-type]
