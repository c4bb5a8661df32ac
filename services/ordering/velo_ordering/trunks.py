"""The tenant's DIDWW voice_in_trunk, created on first need, aimed at its PortSIP SIP host."""

from __future__ import annotations

from velo_contracts.tenants import TenantConfigured
from velo_didww import DidwwClient, SipConfiguration, ValidationFailed

DID_PLACEHOLDER = "{DID}"
"""DIDWW puts the dialled number into the request URI's user part."""


def sip_configuration(tenant: TenantConfigured) -> SipConfiguration:
    """Returns where the tenant's calls go: its PortSIP SIP host and port."""
    return SipConfiguration(
        host=tenant.portsip.sip_host, port=tenant.portsip.sip_port, username=DID_PLACEHOLDER
    )


async def ensure_trunk(didww: DidwwClient, tenant: TenantConfigured) -> str:
    """Returns the id of the tenant's trunk, creating or re-aiming it as needed."""
    name = tenant.didww.voice_in_trunk_name
    wanted = sip_configuration(tenant)
    found = await didww.list_voice_in_trunks({"name": name})
    if not found:
        try:
            return (await didww.create_voice_in_trunk(name, wanted)).id
        except ValidationFailed:  # created concurrently by another request of the tenant
            found = await didww.list_voice_in_trunks({"name": name})
            if not found:
                raise
    trunk = found[0]
    attributes = trunk.configuration.attributes
    if (attributes.get("host"), attributes.get("port")) != (wanted.host, wanted.port):
        await didww.update_voice_in_trunk(trunk.id, wanted)
    return trunk.id
