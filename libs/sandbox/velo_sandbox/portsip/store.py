"""The sandbox PBX's state: tenants with their directories and rules, and trunks with pools."""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from typing import Any

from velo_sandbox.portsip import pools

Doc = dict[str, Any]


@dataclass
class Tenant:
    """One PortSIP tenant (keyed by SIP domain) and everything it owns."""

    id: str
    domain: str
    name: str
    admin: str
    password: str = field(repr=False)
    users: dict[str, Doc] = field(default_factory=dict)
    call_queues: dict[str, Doc] = field(default_factory=dict)
    ring_groups: dict[str, Doc] = field(default_factory=dict)
    inbound_rules: dict[str, Doc] = field(default_factory=dict)
    outbound_rules: dict[str, Doc] = field(default_factory=dict)
    user_groups: dict[str, Doc] = field(default_factory=dict)
    settings: Doc = field(default_factory=dict)
    """Everything else PortSIP keeps of a tenant (time zone, limits, office hours, ...)."""

    def view(self) -> Doc:
        """Returns the tenant's detailed representation."""
        return {"id": self.id, "name": self.name, "domain": self.domain, **self.settings}

    def extension(self, number: str) -> tuple[str, Doc] | None:
        """Returns (type, object) owning extension number, if any."""
        for kind, objects in (
            ("EXTENSION", self.users),
            ("CALL_QUEUE", self.call_queues),
            ("RING_GROUP", self.ring_groups),
        ):
            for obj in objects.values():
                if obj["extension_number"] == number:
                    return kind, obj
        return None


@dataclass
class Provider:
    """A trunk: owned by one tenant, or by the system and shared through assignments."""

    doc: Doc
    owner: str | None
    assignees: dict[str, Doc] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """Returns the trunk's id."""
        return str(self.doc["id"])

    def visible_to(self, tenant_id: str) -> bool:
        """Tells whether the tenant may use this trunk."""
        return self.owner == tenant_id or tenant_id in self.assignees

    def pool_of(self, tenant_id: str) -> str:
        """Returns the DID pool this trunk gives the tenant."""
        if self.owner == tenant_id:
            return str(self.doc.get("did_numbers") or "")
        return str(self.assignees.get(tenant_id, {}).get("did_numbers") or "")


class Store:
    """All sandbox state; ids look like PortSIP's (opaque base64 strings)."""

    def __init__(self) -> None:
        self.tenants: dict[str, Tenant] = {}
        self.providers: dict[str, Provider] = {}
        self._ids = itertools.count(700551909773148160)

    def new_id(self) -> str:
        """Returns a fresh opaque id."""
        return base64.b64encode(str(next(self._ids)).encode()).decode()

    def tenant_by_domain(self, domain: str) -> Tenant | None:
        """Returns the tenant with SIP domain, if any."""
        return next((t for t in self.tenants.values() if t.domain == domain), None)

    def add_tenant(self, domain: str, admin: str, password: str, name: str = "") -> Tenant:
        """Creates an empty tenant."""
        tenant = Tenant(self.new_id(), domain, name or domain, admin, password)
        tenant.settings = {"enabled": True}
        self.tenants[tenant.id] = tenant
        return tenant

    def add_provider(self, doc: Doc, owner: str | None) -> Provider:
        """Stores a trunk with a new id."""
        provider = Provider({**doc, "id": self.new_id(), "shared": owner is None}, owner)
        self.providers[provider.id] = provider
        return provider

    def visible_provider(self, provider_id: str, tenant_id: str) -> Provider | None:
        """Returns the trunk if the tenant may use it."""
        provider = self.providers.get(provider_id)
        return provider if provider and provider.visible_to(tenant_id) else None

    def pool_clash(self, pool: str, tenant_id: str) -> str | None:
        """Returns the domain of another tenant whose pool overlaps pool, if any."""
        wanted = pools.spans(pool)
        for provider in self.providers.values():
            for other in self._holders(provider):
                theirs = pools.spans(provider.pool_of(other))
                if other != tenant_id and pools.overlap(wanted, theirs):
                    return self.tenants[other].domain
        return None

    def holders(self, provider: Provider) -> list[Tenant]:
        """Returns the tenants that use the trunk: its owner, or those it is assigned to."""
        return [self.tenants[t] for t in self._holders(provider)]

    @staticmethod
    def _holders(provider: Provider) -> list[str]:
        return [provider.owner] if provider.owner else list(provider.assignees)
