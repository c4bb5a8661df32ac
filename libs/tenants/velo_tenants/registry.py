"""Registers a tenant: seals its secrets and publishes its configuration on the tenants topic."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from faststream.kafka import KafkaBroker

from velo_contracts import Actor
from velo_contracts.tenants import TENANT_ID_PATTERN, DidwwAccount, PortsipTenant, TenantConfigured
from velo_contracts.topics import TENANTS
from velo_runtime import Publisher
from velo_runtime.topics import ensure_topics
from velo_tenants.sealing import SecretBox

SERVICE = "tenants"


@dataclass(frozen=True)
class TenantSpec:
    """A tenant's settings in the clear, as an operator gives them."""

    tenant_id: str
    name: str
    didww_api_key: str
    didww_trunk_name: str
    portsip_url: str
    portsip_domain: str
    portsip_admin: str
    portsip_password: str
    portsip_trunk: str
    sip_host: str
    default_destination: str
    sip_port: int = 5060
    didww_callback_secret: str | None = None
    allow_back_ordering: bool = False
    in_app_kyc: bool = False

    def __post_init__(self) -> None:
        if not re.fullmatch(TENANT_ID_PATTERN, self.tenant_id):
            raise ValueError(
                f"tenant id {self.tenant_id!r}: use lowercase letters, digits, '-' or '_' "
                "(up to 63, starting with a letter or digit)"
            )

    def __repr__(self) -> str:
        return f"TenantSpec(tenant_id={self.tenant_id!r}, secrets hidden)"


def configured_event(spec: TenantSpec, box: SecretBox, actor: Actor) -> TenantConfigured:
    """Returns the tenant's configuration event, secrets sealed."""
    return TenantConfigured(
        tenant_id=spec.tenant_id,
        actor=actor,
        name=spec.name,
        revision=time.time_ns() // 1000,
        didww=DidwwAccount(
            api_key=box.seal(spec.didww_api_key),
            voice_in_trunk_name=spec.didww_trunk_name,
            callback_secret=(
                box.seal(spec.didww_callback_secret) if spec.didww_callback_secret else None
            ),
            allow_back_ordering=spec.allow_back_ordering,
            in_app_kyc=spec.in_app_kyc,
        ),
        portsip=PortsipTenant(
            base_url=spec.portsip_url,
            domain=spec.portsip_domain,
            admin_username=spec.portsip_admin,
            admin_password=box.seal(spec.portsip_password),
            trunk_name=spec.portsip_trunk,
            sip_host=spec.sip_host,
            sip_port=spec.sip_port,
            default_destination=spec.default_destination,
        ),
    )


async def register(bootstrap: str, events: list[TenantConfigured]) -> None:
    """Publishes tenant configurations on the tenants topic."""
    await ensure_topics(bootstrap, [TENANTS])
    broker = KafkaBroker(bootstrap, acks="all", enable_idempotence=True)
    await broker.connect()
    try:
        publisher = Publisher(broker, SERVICE)
        for event in events:
            await publisher.publish(event, TENANTS)
    finally:
        await broker.stop()
