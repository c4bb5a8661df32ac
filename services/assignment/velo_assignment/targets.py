"""Asks sip-routing's read API whether an extension exists in the tenant's PortSIP."""

from __future__ import annotations

import httpx


class DirectoryUnavailable(RuntimeError):
    """sip-routing could not answer; the command is retried later."""


class TargetChecker:
    """Looks extensions up through sip-routing (`GET /v1/tenants/{t}/extensions/{n}`)."""

    def __init__(self, http: httpx.AsyncClient):
        self.http = http

    async def kind_of(self, tenant_id: str, extension: str) -> str | None:
        """Returns `extension`, `queue`, `ring_group` or `other`, or None when it doesn't exist."""
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
