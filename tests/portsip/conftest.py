"""Fixtures: a fresh PortSIP sandbox on a real port per test, and clients of its demo tenants."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from velo_portsip import PortsipClient, RetryPolicy
from velo_sandbox.portsip import SandboxConfig, create_app
from velo_sandbox.portsip.config import SandboxClock
from velo_sandbox.serve import serve_in_thread

ACME = ("acme.pbx.local", "admin", "acme-admin-pass")
GLOBEX = ("globex.pbx.local", "admin", "globex-admin-pass")
SYSTEM = ("", "sysadmin", "system-admin-pass")
NO_WAIT = RetryPolicy(attempts=3, backoff=0.0)
SPEC_PATH = Path(
    os.environ.get(
        "PORTSIP_OPENAPI",
        Path(__file__).resolve().parents[3] / "shared/portsip/openapi-subset.json",
    )
)
"""PortSIP's own OpenAPI subset (read-only beside the project); tests that need it skip without."""


@dataclass
class Sandbox:
    """A running sandbox: its app (state), URL and clock."""

    app: Starlette
    url: str
    clock: SandboxClock

    @property
    def api(self) -> str:
        """Returns the API root the client talks to."""
        return f"{self.url}/api"

    def client(self, tenant: tuple[str, str, str] = ACME, **options: Any) -> PortsipClient:
        """Returns a client logged in (lazily) as the tenant's admin."""
        domain, admin, password = tenant
        options = {"retry": NO_WAIT, "clock": self.clock, "timeout": 5.0, **options}
        return PortsipClient(self.api, admin, password, domain, **options)

    def routing(self, domain: str = ACME[0]) -> dict[str, Any]:
        """Returns the sandbox's routing dump of a tenant."""
        response = self.admin("GET", f"/tenants/{domain}/routing")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Calls an admin endpoint of the sandbox."""
        return self.raw(method, f"/_admin{path}", **kwargs)

    def raw(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Sends one plain request (blocking is fine: the sandbox runs on its own thread)."""
        return httpx.request(method, f"{self.url}{path}", **kwargs)

    async def call(
        self, client: PortsipClient, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        """Sends one request to `/api` with the client's token, past the client's own checks."""
        return self.raw(method, f"/api{path}", headers=await client.tokens.header(), **kwargs)

    def counted(self, endpoint: str) -> int:
        """Returns how many requests the sandbox got for an endpoint, e.g. `GET /api/users/{id}`."""
        counters: dict[str, int] = self.admin("GET", "/counters").json()
        return counters.get(endpoint, 0)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """Serves a fresh sandbox (demo tenants seeded) for one test."""
    clock = SandboxClock()
    app = create_app(SandboxConfig(clock=clock))
    with serve_in_thread(app) as server:
        yield Sandbox(app, server.url, clock)


@pytest.fixture
async def acme(sandbox: Sandbox) -> AsyncIterator[PortsipClient]:
    """A client of the acme tenant's admin."""
    async with sandbox.client(ACME) as client:
        yield client


@pytest.fixture
async def globex(sandbox: Sandbox) -> AsyncIterator[PortsipClient]:
    """A client of the globex tenant's admin."""
    async with sandbox.client(GLOBEX) as client:
        yield client


@pytest.fixture
async def trunk_id(acme: PortsipClient) -> str:
    """The id of acme's own DIDWW trunk."""
    provider = await acme.providers.find_by_name("DIDWW")
    assert provider is not None
    return provider.id
