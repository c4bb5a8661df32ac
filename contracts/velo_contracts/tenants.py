"""A tenant's connection settings, as registered once and folded by every service that needs them.

Secrets travel sealed: `Sealed` values are Fernet tokens made with the platform key
(VELO_SECRETS_KEY); only a service holding the key can open them, and none ever returns them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from velo_contracts.envelope import Event
from velo_contracts.types import Frozen

Sealed = Annotated[
    str,
    Field(min_length=1, description="A secret sealed with the platform key (a Fernet token)."),
]

SEALED_FIELDS = (
    ("didww", "api_key"),
    ("didww", "callback_secret"),
    ("portsip", "admin_password"),
)
"""Where TenantConfigured carries sealed secrets (section, field): never shown, even sealed."""


def without_secrets(payload: dict[str, Any], mask: str) -> dict[str, Any]:
    """Returns a message payload with every sealed secret it carries replaced by mask (an
    absent secret stays absent: None is shown as None, not as a hidden secret)."""
    cleaned = dict(payload)
    for section, field in SEALED_FIELDS:
        if isinstance(cleaned.get(section), dict) and cleaned[section].get(field) is not None:
            cleaned[section] = {**cleaned[section], field: mask}
    return cleaned


TENANT_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
"""What a tenant id looks like: a short lowercase slug (it goes into URL paths downstream)."""


class DidwwAccount(Frozen):
    """The tenant's own DIDWW account."""

    api_key: Sealed
    voice_in_trunk_name: str = Field(
        description="Name of the tenant's DIDWW voice-in trunk that numbers point at."
    )
    callback_secret: Sealed | None = Field(
        default=None,
        description="The callback secret enabled in DIDWW's User Panel (APIs → DIDWW API 3 → "
        "Callback Secrets), sealed. DIDWW signs order callbacks with it and sends none without "
        "one: then ordering polls.",
    )
    allow_back_ordering: bool = Field(
        default=False,
        description="Whether a next-available request may become a DIDWW back-order: charged at "
        "once, delivered when stock arrives. A picked number is never back-ordered.",
    )
    in_app_kyc: bool = Field(
        default=False,
        description="Whether admins file KYC documents in VeloConnect (identities, addresses and "
        "proofs go to DIDWW encrypted) and request regulated numbers with them. Off: a KYC pick "
        "is refused with what to file at DIDWW directly.",
    )


class PortsipTenant(Frozen):
    """The tenant's PortSIP PBX tenant and how numbers are routed in it."""

    base_url: str = Field(description="PortSIP REST API base URL, e.g. `https://pbx:8887/api`.")
    domain: str = Field(description="The tenant's SIP domain (its PortSIP login domain).")
    admin_username: str = Field(description="Tenant admin user the platform logs in as.")
    admin_password: Sealed
    trunk_name: str = Field(description="PortSIP provider (trunk) that receives DIDWW calls.")
    sip_host: str = Field(description="SIP host DIDWW sends the tenant's calls to.")
    sip_port: int = Field(default=5060, description="SIP port DIDWW sends the tenant's calls to.")
    default_destination: str = Field(
        description="Extension a new number rings until assigned (e.g. a main queue)."
    )


class TenantConfigured(Event):
    """The whole current configuration of one tenant (keyed by tenant; the topic is compacted)."""

    type: Literal["TenantConfigured"] = "TenantConfigured"
    name: str = Field(description="Display name of the tenant.")
    revision: int = Field(ge=1, description="Increases with every change; older ones are ignored.")
    didww: DidwwAccount = Field(description="The tenant's DIDWW account.")
    portsip: PortsipTenant = Field(description="The tenant's PortSIP tenant.")

    def partition_key(self) -> str:
        """Returns the tenant id: compaction keeps the latest configuration per tenant."""
        return self.tenant_id
