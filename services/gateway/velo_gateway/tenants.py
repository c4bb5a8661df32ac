"""Which tenants are registered: a token naming any other tenant is refused (401).

The gateway keeps no tenant store; it asks ordering (which folds the tenants topic) and remembers
the answer for a while. When ordering cannot answer, the signed token is trusted for now (the
services behind refuse what they don't know) rather than locking every tenant out.
"""

from __future__ import annotations

import time

from velo_gateway.downstream import Downstream
from velo_gateway.problems import Problem
from velo_runtime import get_logger

log = get_logger(__name__)


class RegisteredTenants:
    """Answers whether a tenant is registered, from ordering, remembered for `ttl` seconds."""

    def __init__(self, downstream: Downstream, ttl: float = 60.0, unknown_ttl: float = 5.0):
        self.downstream = downstream
        self.ttl, self.unknown_ttl = ttl, unknown_ttl
        self._known: dict[str, tuple[bool, float]] = {}

    async def check(self, tenant_id: str) -> None:
        """Raises 401 unless the tenant is registered (or cannot be checked right now)."""
        known, until = self._known.get(tenant_id, (False, 0.0))
        if time.monotonic() >= until:
            known = await self._ask(tenant_id)
        if not known:
            raise Problem(401, "Unauthorized", f"tenant {tenant_id!r} is not registered")

    async def _ask(self, tenant_id: str) -> bool:
        try:
            await self.downstream.get("ordering", f"/v1/tenants/{tenant_id}/registration")
        except Problem as problem:
            if problem.status == 404:
                self._known[tenant_id] = (False, time.monotonic() + self.unknown_ttl)
                return False
            log.warning("tenant_check_unavailable", tenant_id=tenant_id, status=problem.status)
            return True
        self._known[tenant_id] = (True, time.monotonic() + self.ttl)
        return True
