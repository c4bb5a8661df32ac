"""Where the running system answers, and clients for it: gateway users, sandboxes, audit."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from velo_devinfra.run import System

TENANTS = ("acme", "globex")
DIDWW_KEYS = {tenant: f"sandbox-{tenant}-key" for tenant in TENANTS}
PBX_DOMAINS = {tenant: f"{tenant}.pbx.local" for tenant in TENANTS}


def token(secret: str, tenant: str, user: str, role: str = "admin", hours: int = 6) -> str:
    """Mints a gateway token (HS256 JWT) like `velo dev token`."""
    claims = {
        "sub": user,
        "tenant_id": tenant,
        "role": role,
        "exp": int(time.time()) + 3600 * hours,
    }
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


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
        headers = {"Authorization": f"Bearer {token(self.jwt_secret, tenant, user)}"}
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
