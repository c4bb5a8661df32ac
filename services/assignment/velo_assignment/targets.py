"""Asks sip-routing's read API whether an extension exists in the tenant's PortSIP.

Answers are kept a few seconds: an admin giving several numbers to one agent asks PortSIP once,
and a command's hop does not wait on two PortSIP reads each time. An extension deleted within
that time is still refused by PortSIP when the routing is applied (RoutingFailed, on the number).
"""

from __future__ import annotations

import httpx

from velo_runtime.coalesce import Coalescer

KEPT_SECONDS = 10.0


class DirectoryUnavailable(RuntimeError):
    """sip-routing could not answer; the command is retried later."""


class TargetChecker:
    """Looks extensions up through sip-routing (`GET /v1/tenants/{t}/extensions/{n}`)."""

    def __init__(self, http: httpx.AsyncClient, kept_seconds: float = KEPT_SECONDS):
        self.http = http
        self._answers = Coalescer(ttl=kept_seconds)

    async def kind_of(self, tenant_id: str, extension: str) -> str | None:
        """Returns `extension`, `queue`, `ring_group` or `other`, or None when it doesn't exist."""
        kind: str | None = await self._answers.get(
            (tenant_id, extension), lambda: self._ask(tenant_id, extension)
        )
        return kind

    async def _ask(self, tenant_id: str, extension: str) -> str | None:
        path = f"/v1/tenants/{tenant_id}/extensions/{extension}"
        try:
            response = await self.http.get(path)
        except httpx.HTTPError as exc:
            raise DirectoryUnavailable(f"sip-routing: {type(exc).__name__}") from None
        if response.status_code == 404 and response.json().get("code") == "target_not_found":
            return None
        if response.status_code != 200:
            raise DirectoryUnavailable(f"sip-routing answered {response.status_code}")
        return str(response.json()["type"])

    async def aclose(self) -> None:
        """Closes the HTTP connections."""
        await self.http.aclose()
