"""Each tenant's DIDWW client, opened from its sealed API key in the service's tenant directory.

Clients of one key share its rate budget (`budgets`, the one every service and instance shares,
see `velo_offers.budget`; without it, this process's own). A service states the priority of its
calls once (`priority`); a call site that differs asks for its own (`client(tenant, priority)`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import httpx

from velo_contracts.tenants import TenantConfigured
from velo_didww import Budget, DidwwClient, Priority
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
        budgets: Callable[[str], Budget] | None = None,
        priority: Priority = Priority.IN_FLIGHT,
    ) -> None:
        self.directory = directory
        self.box = box
        self.base_url = base_url
        self.transport = transport
        self.budgets = budgets
        self.priority = priority
        self._clients: dict[tuple[str, Priority], DidwwClient] = {}

    async def config(self, tenant_id: str) -> TenantConfigured:
        """Returns the tenant's configuration (raises UnknownTenant)."""
        return await self.directory.get(tenant_id)

    async def client(self, tenant_id: str, priority: Priority | None = None) -> DidwwClient:
        """Returns a client of the tenant's DIDWW account whose calls go at priority (by
        default the service's); raises UnknownTenant."""
        api_key = await self.api_key(tenant_id)
        chosen = self.priority if priority is None else priority  # INTERACTIVE is 0, falsy
        slot = (hashlib.sha256(api_key.encode()).hexdigest(), chosen)
        if slot not in self._clients:
            self._clients[slot] = self._open(api_key, slot[1])
        return self._clients[slot]

    def _open(self, api_key: str, priority: Priority) -> DidwwClient:
        transport = self.transport() if self.transport else None
        budget = self.budgets(api_key) if self.budgets else None
        return DidwwClient(
            api_key, self.base_url, transport=transport, budget=budget, priority=priority
        )

    async def api_key(self, tenant_id: str) -> str:
        """Returns the tenant's DIDWW API key in the clear (never log it)."""
        config = await self.directory.get(tenant_id)
        return self._opened(config.didww.api_key)

    async def callback_secret(self, tenant_id: str) -> str | None:
        """Returns the tenant's DIDWW callback secret in the clear (to verify callbacks; never log
        it), or None when the tenant has none (DIDWW then sends no callbacks)."""
        config = await self.directory.get(tenant_id)
        sealed = config.didww.callback_secret
        return None if sealed is None else self._opened(sealed)

    def _opened(self, sealed: str) -> str:
        if self.box is None:
            raise SealingError("VELO_SECRETS_KEY is not set; tenant secrets cannot be opened")
        return self.box.open(sealed)

    async def aclose(self) -> None:
        """Closes every client."""
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
