"""Where the running system answers, and clients for it: gateway users, sandboxes, audit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from velo_contracts import tokens
from velo_devinfra.run import System

TENANTS = ("acme", "globex")
DIDWW_KEYS = {tenant: f"sandbox-{tenant}-key" for tenant in TENANTS}
PBX_DOMAINS = {tenant: f"{tenant}.pbx.local" for tenant in TENANTS}


@dataclass(frozen=True)
class Access:
    """The addresses of one running system and the secret its gateway checks tokens with."""

    urls: dict[str, str]
    jwt_secret: str
    kafka_bootstrap: str

    @classmethod
    def of(cls, system: System) -> Access:
        """Reads the addresses off a started System."""
        urls = {c.name: f"http://127.0.0.1:{c.port}" for c in system.components}
        return cls(
            urls,
            system.secrets["VELO_GATEWAY_JWT_SECRET"],
            system.infra.endpoints.kafka_bootstrap,
        )

    def gateway(self, tenant: str, user: str, timeout: float = 30.0) -> httpx.AsyncClient:
        """A gateway client authenticated as an admin of tenant."""
        headers = {"Authorization": f"Bearer {tokens.mint(self.jwt_secret, tenant, user, hours=6)}"}
        return httpx.AsyncClient(base_url=self.urls["gateway"], headers=headers, timeout=timeout)

    def plain(self, timeout: float = 20.0) -> httpx.AsyncClient:
        """A client for the sandboxes' admin endpoints and the services' own read APIs."""
        return httpx.AsyncClient(timeout=timeout)

    async def admin(
        self, http: httpx.AsyncClient, sandbox: str, method: str, path: str, **kwargs: Any
    ) -> Any:
        """Calls an admin endpoint of the `didww` or `portsip` sandbox; returns its JSON."""
        response = await http.request(method, f"{self.urls[f'{sandbox}-sandbox']}{path}", **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None
