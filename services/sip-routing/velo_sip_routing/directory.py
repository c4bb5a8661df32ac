"""The tenant's PortSIP directory (agents, queues, ring groups), live or from the last snapshot.

The snapshot lets assignment validate targets while PortSIP is briefly unreachable: the change
is accepted, kept as desired state, and applied once PortSIP answers again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field
from pymongo.asynchronous.database import AsyncDatabase

from velo_portsip import ExtensionKind, PortsipClient
from velo_sip_routing.store import now

TargetKind = Literal["extension", "queue", "ring_group", "other"]
KINDS: dict[ExtensionKind, TargetKind] = {
    ExtensionKind.EXTENSION: "extension",
    ExtensionKind.CALL_QUEUE: "queue",
    ExtensionKind.RING_GROUP: "ring_group",
}


class Entry(BaseModel):
    """One extension number of the tenant's PortSIP."""

    extension: str = Field(description="The extension number.")
    name: str | None = Field(default=None, description="Display name.")
    type: TargetKind = Field(description="User extension (agent), queue, ring group or other.")


class Directory(BaseModel):
    """What an admin can pick as a target, from the tenant's PortSIP."""

    agents: list[Entry] = Field(description="Users (agents) by extension.")
    queues: list[Entry] = Field(description="Call queues.")
    ring_groups: list[Entry] = Field(description="Ring groups.")
    source: Literal["live", "snapshot"] = Field(description="Read now, or the last snapshot.")

    def find(self, extension: str) -> Entry | None:
        """Returns the entry of extension, if the directory has it."""
        entries = [*self.agents, *self.queues, *self.ring_groups]
        return next((e for e in entries if e.extension == extension), None)


async def fetch_directory(client: PortsipClient) -> Directory:
    """Reads the directory from PortSIP."""
    users = await client.users.list()
    queues = await client.directory.call_queues()
    groups = await client.directory.ring_groups()
    return Directory(
        agents=[Entry(extension=u.extension_number, name=u.name, type="extension") for u in users],
        queues=[Entry(extension=q.extension_number, name=q.name, type="queue") for q in queues],
        ring_groups=[
            Entry(extension=g.extension_number, name=g.name, type="ring_group") for g in groups
        ],
        source="live",
    )


async def lookup_live(client: PortsipClient, extension: str) -> Entry | None:
    """Asks PortSIP what owns an extension number."""
    found = await client.directory.extension(extension)
    if found is None:
        return None
    return Entry(extension=extension, name=found.name, type=KINDS.get(found.type, "other"))


class DirectoryCache:
    """Keeps each tenant's last directory snapshot in the service's database."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], max_age_seconds: float):
        self.snapshots = db["directory"]
        self.max_age = timedelta(seconds=max_age_seconds)

    async def save(self, tenant_id: str, directory: Directory) -> None:
        """Stores a freshly read directory."""
        document = directory.model_dump(mode="json") | {"fetched_at": now()}
        await self.snapshots.replace_one({"_id": tenant_id}, document, upsert=True)

    async def get(self, tenant_id: str) -> Directory | None:
        """Returns the tenant's last snapshot, if any."""
        document = await self.snapshots.find_one({"_id": tenant_id})
        if document is None:
            return None
        return Directory.model_validate(document | {"source": "snapshot"})

    async def refresh_if_stale(self, tenant_id: str, client: PortsipClient) -> None:
        """Reads the directory again when the snapshot is missing or old."""
        document = await self.snapshots.find_one({"_id": tenant_id}, {"fetched_at": 1})
        if document is None or now() - document["fetched_at"] > self.max_age:
            await self.save(tenant_id, await fetch_directory(client))
