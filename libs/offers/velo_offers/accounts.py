"""Each tenant's DIDWW client, opened from its sealed API key in the service's tenant directory."""

from __future__ import annotations

import hashlib

from velo_contracts.tenants import TenantConfigured
from velo_didww import DidwwClient
from velo_tenants import SecretBox, TenantDirectory


class TenantAccounts:
    """Gives the DIDWW client of a tenant's own account (one per API key, kept open)."""

    def __init__(self, directory: TenantDirectory, box: SecretBox, base_url: str) -> None:
        self.directory = directory
        self.box = box
        self.base_url = base_url
        self._clients: dict[str, DidwwClient] = {}

    async def config(self, tenant_id: str) -> TenantConfigured:
        """Returns the tenant's configuration (raises UnknownTenant)."""
        return await self.directory.get(tenant_id)

    async def client(self, tenant_id: str) -> DidwwClient:
        """Returns a client of the tenant's DIDWW account (raises UnknownTenant)."""
        config = await self.directory.get(tenant_id)
        api_key = self.box.open(config.didww.api_key)
        fingerprint = hashlib.sha256(api_key.encode()).hexdigest()
        if fingerprint not in self._clients:
            self._clients[fingerprint] = DidwwClient(api_key, self.base_url)
        return self._clients[fingerprint]

    async def api_key(self, tenant_id: str) -> str:
        """Returns the tenant's DIDWW API key in the clear (to verify callbacks; never log it)."""
        config = await self.directory.get(tenant_id)
        return self.box.open(config.didww.api_key)

    async def aclose(self) -> None:
        """Closes every client."""
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
