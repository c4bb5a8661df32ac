"""Providers (trunks) and DID pools: the tenant's own trunk or its share of a system trunk.

Pools change by read-modify-write of `did_numbers` (PortSIP has no add/remove call and no ETag):
callers should serialise changes to one trunk's pool, e.g. by handling one tenant at a time.
A tenant admin's pool never loses a number its rules or caller IDs use: the client checks first
and raises `PoolInUse` without sending (`usage.py`). The SystemAdmin cannot read a tenant's rules,
so an assignee's pool is guarded by PortSIP's own refusal only.
"""

from __future__ import annotations

from velo_portsip import pools
from velo_portsip.errors import NotFound, PoolInUse
from velo_portsip.models import Provider, ProviderAssignee, ProviderInput
from velo_portsip.pools import DidPool
from velo_portsip.transport import Transport
from velo_portsip.usage import loses_numbers, numbers_in_use, stranded


class Providers:
    """Reads trunks and edits the DID pools the tenant owns or was assigned."""

    def __init__(self, transport: Transport):
        self._t = transport

    async def list(self) -> list[Provider]:
        """Returns every trunk visible to the logged-in admin."""
        return [Provider.model_validate(item) async for item in self._t.pages("/providers")]

    async def get(self, provider_id: str) -> Provider:
        """Returns one trunk (its `did_numbers` is the pool this tenant sees)."""
        return Provider.model_validate(await self._t.get(f"/providers/{provider_id}"))

    async def create(self, fields: ProviderInput) -> str:
        """Creates a trunk (shared if the SystemAdmin creates it); returns its id. Not retried."""
        body = fields.model_dump(mode="json", exclude_none=True)
        body["did_numbers"] = pools.normalise(fields.did_numbers)
        return str((await self._t.create("/providers", body))["id"])

    async def destroy(self, provider_id: str) -> None:
        """Deletes a trunk the caller owns (PortSIP refuses while rules or caller IDs use it)."""
        await self._t.destroy(f"/providers/{provider_id}/destroy")

    async def find_by_name(self, name: str) -> Provider | None:
        """Returns the trunk called name, if there is one."""
        return next((p for p in await self.list() if p.name == name), None)

    async def set_did_numbers(self, provider_id: str, did_numbers: str) -> None:
        """Replaces the DID pool of a trunk this tenant owns (PoolInUse if that would drop a
        number in use)."""
        current = await self.get(provider_id)
        await self._write_pool(provider_id, current.did_numbers, pools.normalise(did_numbers))

    async def add_did(self, provider_id: str, number: str) -> str:
        """Adds number to an owned trunk's pool, keeping the rest; returns the new pool."""
        current = await self.get(provider_id)
        wanted = pools.add_number(current.did_numbers, number)
        await self._write_pool(provider_id, current.did_numbers, wanted)
        return wanted

    async def remove_did(self, provider_id: str, number: str) -> str:
        """Removes number from an owned trunk's pool, keeping the rest; returns the new pool
        (PoolInUse while a rule or caller ID uses the number)."""
        current = await self.get(provider_id)
        wanted = pools.remove_number(current.did_numbers, number)
        await self._write_pool(provider_id, current.did_numbers, wanted)
        return wanted

    async def _write_pool(self, provider_id: str, current: str, wanted: str) -> None:
        before, after = DidPool.parse(current), DidPool.parse(wanted)
        if str(before) == str(after):
            return
        if loses_numbers(before, after):
            in_use = stranded(await numbers_in_use(self._t, provider_id), before, after)
            if in_use:
                raise PoolInUse(provider_id, in_use)
        await self._t.update(f"/providers/{provider_id}", {"did_numbers": wanted})


class Assignees:
    """Assignments of a shared trunk to tenants, each with its own DID pool (SystemAdmin)."""

    def __init__(self, transport: Transport):
        self._t = transport

    async def list(self, provider_id: str) -> list[ProviderAssignee]:
        """Returns every tenant the trunk is assigned to."""
        data = await self._t.get(f"/providers/{provider_id}/assignees")
        return [ProviderAssignee.model_validate(item) for item in data.get("items") or []]

    async def get(self, provider_id: str, tenant_id: str) -> ProviderAssignee | None:
        """Returns the tenant's assignment of the trunk, or None if it is not assigned."""
        try:
            data = await self._t.get(f"/providers/{provider_id}/assignees/{tenant_id}")
        except NotFound:
            return None
        return ProviderAssignee.model_validate({"tenant_id": tenant_id, **data})

    async def assign(
        self, provider_id: str, tenant_id: str, did_numbers: str, concurrency: int | None = None
    ) -> None:
        """Assigns the trunk to the tenant with did_numbers as its pool (replacing any)."""
        body: dict[str, object] = {"did_numbers": pools.normalise(did_numbers)}
        if concurrency is not None:
            body["concurrency"] = concurrency
        await self._t.update(f"/providers/{provider_id}/assignees/{tenant_id}", body)

    async def unassign(self, provider_id: str, tenant_id: str) -> None:
        """Takes the trunk away from the tenant."""
        await self._t.destroy(f"/providers/{provider_id}/assignees/{tenant_id}/destroy")

    async def add_did(self, provider_id: str, tenant_id: str, number: str) -> str:
        """Adds number to the tenant's pool on the shared trunk; returns the new pool."""
        current = await self._require(provider_id, tenant_id)
        wanted = pools.add_number(current.did_numbers, number)
        await self.assign(provider_id, tenant_id, wanted, current.concurrency)
        return wanted

    async def remove_did(self, provider_id: str, tenant_id: str, number: str) -> str:
        """Removes number from the tenant's pool on the shared trunk; returns the new pool."""
        current = await self._require(provider_id, tenant_id)
        wanted = pools.remove_number(current.did_numbers, number)
        await self.assign(provider_id, tenant_id, wanted, current.concurrency)
        return wanted

    async def _require(self, provider_id: str, tenant_id: str) -> ProviderAssignee:
        current = await self.get(provider_id, tenant_id)
        if current is None:
            raise NotFound(f"provider {provider_id} is not assigned to tenant {tenant_id}")
        return current
