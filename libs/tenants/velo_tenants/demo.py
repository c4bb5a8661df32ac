"""The two demo tenants `make run` seeds; they match the sandboxes' demo accounts (API keys and
callback secrets of `velo_sandbox.didww.runtime`, PortSIP logins of its seed)."""

from __future__ import annotations

from velo_tenants.registry import TenantSpec

DEMO_TENANTS = {"acme": "Acme Contact Center", "globex": "Globex Support"}
"""The demo tenants' ids and names."""


def demo_tenants(portsip_url: str) -> list[TenantSpec]:
    """Returns acme and globex, wired to the DIDWW and PortSIP sandboxes' seeded accounts."""
    return [
        TenantSpec(
            tenant_id=tenant,
            name=name,
            didww_api_key=f"sandbox-{tenant}-key",
            didww_callback_secret=f"sandbox-{tenant}-callback-secret",
            didww_trunk_name=f"{tenant}-portsip",
            portsip_url=portsip_url,
            portsip_domain=f"{tenant}.pbx.local",
            portsip_admin="admin",
            portsip_password=f"{tenant}-admin-pass",
            portsip_trunk="DIDWW",
            sip_host=f"sip.{tenant}.pbx.local",
            default_destination="800",
            in_app_kyc=tenant == "globex",  # globex files KYC in-app; acme keeps V1's block
        )
        for tenant, name in DEMO_TENANTS.items()
    ]
