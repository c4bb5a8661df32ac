"""PortSIP as sip-routing sees it: one client per tenant, reading state and carrying out changes."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from velo_contracts.tenants import TenantConfigured
from velo_portsip import PortsipClient, RetryPolicy, User, ValidationFailed
from velo_sip_routing import domain as d
from velo_sip_routing.domain import Action, Pbx, Route

ClientFactory = Callable[[TenantConfigured, str], PortsipClient]


class TrunkMissing(ValidationFailed):
    """The tenant's trunk is not in PortSIP."""


class PbxClients:
    """Keeps one logged-in PortSIP client per tenant, rebuilt when its configuration changes."""

    def __init__(self, open_secret: Callable[[str], str], factory: ClientFactory | None = None):
        self._open = open_secret
        self._factory = factory or portsip_client
        self._clients: dict[str, tuple[int, PortsipClient]] = {}

    async def get(self, tenant: TenantConfigured) -> PortsipClient:
        """Returns the tenant's client (its password is opened only to log in)."""
        known = self._clients.get(tenant.tenant_id)
        if known and known[0] == tenant.revision:
            return known[1]
        if known:
            await known[1].aclose()
        client = self._factory(tenant, self._open(tenant.portsip.admin_password))
        self._clients[tenant.tenant_id] = (tenant.revision, client)
        return client

    async def close(self) -> None:
        """Closes every client."""
        for _, client in self._clients.values():
            await client.aclose()
        self._clients.clear()


def portsip_client(
    tenant: TenantConfigured, password: str, transport: httpx.AsyncBaseTransport | None = None
) -> PortsipClient:
    """Returns a client of the tenant's PortSIP as its admin."""
    pbx = tenant.portsip
    return PortsipClient(
        pbx.base_url,
        pbx.admin_username,
        password,
        pbx.domain,
        timeout=5.0,
        retry=RetryPolicy(attempts=2, backoff=0.2),
        transport=transport,
    )


async def read_pbx(
    client: PortsipClient, trunk_name: str, routes: list[Route], agents: set[str]
) -> Pbx:
    """Reads the trunk's pool, the rules of the routes' numbers and the agents' caller IDs."""
    trunk = await client.providers.find_by_name(trunk_name)
    if trunk is None:
        raise TrunkMissing(f"trunk {trunk_name!r} not found", code="TRUNK_MISSING")
    dids = {route.did for route in routes}
    inbound = tuple(r for r in await client.inbound_rules.list() if r.did_numbers in dids)
    outbound = tuple(
        [
            await client.outbound_rules.get(r.id)
            for r in await client.outbound_rules.list()
            if r.name.startswith(d.PRESENCE_PREFIX)
        ]
    )
    return Pbx(trunk.id, trunk.did_numbers, inbound, await _users(client, agents), outbound)


async def _users(client: PortsipClient, agents: set[str]) -> dict[str, User]:
    if not agents:
        return {}
    summaries = [u for u in await client.users.list() if u.extension_number in agents]
    return {u.extension_number: await client.users.get(u.id) for u in summaries}


async def carry_out(client: PortsipClient, provider_id: str, action: Action) -> None:
    """Makes one change in PortSIP."""
    match action:
        case d.SetPool(did_numbers):
            await client.providers.set_did_numbers(provider_id, did_numbers)
        case d.CreateInbound(rule):
            await client.inbound_rules.create(rule)
        case d.UpdateInbound(rule_id, rule):
            await client.inbound_rules.update(rule_id, rule)
        case d.DeleteInbound(rule_id):
            await client.inbound_rules.destroy(rule_id)
        case d.AddCallerId(user_id, caller_id):
            await client.users.add_caller_id(user_id, caller_id)
        case d.RemoveCallerId(user_id, caller_id_text):
            await client.users.remove_caller_id(user_id, caller_id_text)
        case d.CreateOutbound(outbound):
            await client.outbound_rules.create(outbound)
        case d.UpdateOutbound(rule_id, outbound):
            await client.outbound_rules.update(rule_id, outbound)
        case d.DeleteOutbound(rule_id):
            await client.outbound_rules.destroy(rule_id)
