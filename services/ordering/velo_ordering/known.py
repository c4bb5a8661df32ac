"""What ordering keeps between requests because DIDWW seldom changes it: country ids and trunks.

Every DIDWW call a request makes costs a twentieth of the key's second; a bulk of 200 would
otherwise look up the same country and the same trunk 200 times. Kept per process for a while;
a trunk that vanished at DIDWW is looked up again at once (see `deliver`).
"""

from __future__ import annotations

from velo_contracts.tenants import TenantConfigured
from velo_didww import Country, DidwwClient
from velo_ordering.trunks import ensure_trunk
from velo_runtime.coalesce import Coalescer

COUNTRY_SECONDS = 3600.0
TRUNK_SECONDS = 600.0


class Known:
    """Country ids and trunk ids of each tenant's DIDWW account, kept for a while."""

    def __init__(
        self, country_seconds: float = COUNTRY_SECONDS, trunk_seconds: float = TRUNK_SECONDS
    ) -> None:
        self._countries = Coalescer(ttl=country_seconds)
        self._trunks = Coalescer(ttl=trunk_seconds)

    async def country(self, tenant_id: str, didww: DidwwClient, iso: str) -> Country | None:
        """Returns DIDWW's country of an ISO code (None: DIDWW has none)."""
        found: list[Country] = await self._countries.get(
            (tenant_id, iso), lambda: didww.list_countries({"iso": iso})
        )
        return found[0] if found else None

    async def trunk(self, tenant: TenantConfigured, didww: DidwwClient) -> str:
        """Returns the id of the tenant's trunk aimed at its PortSIP (made or re-aimed once)."""
        trunk_id: str = await self._trunks.get(
            _trunk_key(tenant), lambda: ensure_trunk(didww, tenant)
        )
        return trunk_id

    def forget_trunk(self, tenant: TenantConfigured) -> None:
        """Drops the kept trunk id (DIDWW no longer knows it)."""
        self._trunks.forget(_trunk_key(tenant))


def _trunk_key(tenant: TenantConfigured) -> tuple[str, str, str, int]:
    name, portsip = tenant.didww.voice_in_trunk_name, tenant.portsip
    return (tenant.tenant_id, name, portsip.sip_host, portsip.sip_port)
