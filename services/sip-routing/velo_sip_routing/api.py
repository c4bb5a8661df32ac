"""Read API: a tenant's directory, what an extension number is, and a number's routing state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from velo_contracts import ErrorCode
from velo_portsip import PortsipClient, Unavailable
from velo_runtime import e164, problem
from velo_sip_routing.directory import (
    Directory,
    DirectoryCache,
    Entry,
    fetch_directory,
    lookup_live,
)
from velo_sip_routing.pbx import PbxClients
from velo_sip_routing.store import RouteStore
from velo_tenants import TenantDirectory, UnknownTenant


class RoutingState(BaseModel):
    """Where a number stands in PortSIP: desired, applied, failing."""

    number: str = Field(description="The number (E.164).")
    status: str = Field(description="`pending`, `configured`, `failing` or `removed`.")
    present: bool = Field(description="Whether the number should be in PortSIP.")
    inbound_destination: str | None = Field(description="Extension it rings (none: default).")
    outbound_agent: str | None = Field(description="Agent presenting it as caller ID.")
    attempts: int = Field(description="Failed attempts since the last success.")
    last_error: str | None = Field(description="Why the last attempt failed.")
    applied_at: datetime | None = Field(description="When PortSIP last matched it.")


def routing_state(doc: dict[str, Any]) -> RoutingState:
    """Describes a desired-state document."""
    if doc.get("dirty"):
        status = "failing" if doc.get("attempts") else "pending"
    else:
        status = "configured" if doc.get("present") else "removed"
    return RoutingState(
        number=doc["number"],
        status=status,
        present=bool(doc.get("present")),
        inbound_destination=doc.get("destination"),
        outbound_agent=doc.get("outbound_agent"),
        attempts=int(doc.get("attempts") or 0),
        last_error=doc.get("last_error"),
        applied_at=doc.get("applied_at"),
    )


def read_api(
    store: RouteStore, tenants: TenantDirectory, clients: PbxClients, cache: DirectoryCache
) -> APIRouter:
    """Returns the routes of the read API, every one scoped to the tenant in its path."""
    api = APIRouter(prefix="/v1/tenants/{tenant_id}", tags=["routing"])

    async def client_of(tenant_id: str) -> PortsipClient | None:
        try:
            return await clients.get(await tenants.get(tenant_id))
        except UnknownTenant:
            return None

    @api.get("/directory", response_model=Directory)
    async def get_directory(tenant_id: str) -> Directory | JSONResponse:
        """Lists the tenant's agents, queues and ring groups (a snapshot while PortSIP is down)."""
        client = await client_of(tenant_id)
        if client is None:
            return problem(404, ErrorCode.TENANT_UNKNOWN, f"tenant {tenant_id} is not configured")
        try:
            directory = await fetch_directory(client)
        except Unavailable:
            return await cache.get(tenant_id) or _unavailable()
        await cache.save(tenant_id, directory)
        return directory

    @api.get("/extensions/{extension}", response_model=Entry)
    async def get_extension(tenant_id: str, extension: str) -> Entry | JSONResponse:
        """Tells what owns an extension number in the tenant's PortSIP, or 404."""
        client = await client_of(tenant_id)
        if client is None:
            return problem(404, ErrorCode.TENANT_UNKNOWN, f"tenant {tenant_id} is not configured")
        try:
            entry = await lookup_live(client, extension)
        except Unavailable:
            snapshot = await cache.get(tenant_id)
            if snapshot is None:
                return _unavailable()
            entry = snapshot.find(extension)
        if entry is None:
            return problem(404, ErrorCode.TARGET_NOT_FOUND, f"no extension {extension}")
        return entry

    @api.get("/numbers/{number}", response_model=RoutingState)
    async def get_number(tenant_id: str, number: str) -> RoutingState | JSONResponse:
        """Returns a number's routing state."""
        doc = await store.get(tenant_id, e164(number))
        if doc is None:
            return problem(404, ErrorCode.NUMBER_NOT_FOUND, f"no number {e164(number)}")
        return routing_state(doc)

    return api


def _unavailable() -> JSONResponse:
    return problem(503, ErrorCode.VENDOR_UNAVAILABLE, "PortSIP is unavailable; try again later")
