"""Each tenant's DIDWW client, opened from its sealed API key in the service's tenant directory."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import httpx

from velo_contracts.tenants import TenantConfigured
from velo_didww import DidwwClient
from velo_runtime import get_logger
from velo_tenants import SealingError, SecretBox, TenantDirectory

log = get_logger(__name__)


def box_from_env() -> SecretBox | None:
    """Returns the platform's secret box, or None (logged) when VELO_SECRETS_KEY is missing."""
    try:
        return SecretBox.from_env()
    except SealingError as exc:
        log.error("tenant_secrets_unreadable", reason=str(exc))
        return None


class TenantAccounts:
    """Gives the DIDWW client of a tenant's own account (one per API key, kept open)."""

    def __init__(
        self,
        directory: TenantDirectory,
        box: SecretBox | None,
        base_url: str,
        transport: Callable[[], httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        self.directory = directory
        self.box = box
        self.base_url = base_url
        self.transport = transport
        self._clients: dict[str, DidwwClient] = {}

    async def config(self, tenant_id: str) -> TenantConfigured:
        """Returns the tenant's configuration (raises UnknownTenant)."""
        return await self.directory.get(tenant_id)

    async def client(self, tenant_id: str) -> DidwwClient:
        """Returns a client of the tenant's DIDWW account (raises UnknownTenant)."""
        api_key = await self.api_key(tenant_id)
        fingerprint = hashlib.sha256(api_key.encode()).hexdigest()
        if fingerprint not in self._clients:
            transport = self.transport() if self.transport else None
            self._clients[fingerprint] = DidwwClient(api_key, self.base_url, transport=transport)
        return self._clients[fingerprint]

    async def api_key(self, tenant_id: str) -> str:
        """Returns the tenant's DIDWW API key in the clear (to verify callbacks; never log it)."""
        config = await self.directory.get(tenant_id)
        if self.box is None:
            raise SealingError("VELO_SECRETS_KEY is not set; tenant secrets cannot be opened")
        return self.box.open(config.didww.api_key)

    async def aclose(self) -> None:
        """Closes every client."""
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
