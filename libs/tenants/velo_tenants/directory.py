"""Each service's own copy of the tenants it serves, folded from the compacted tenants topic."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from faststream.kafka import KafkaRouter
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from velo_contracts import ErrorCode
from velo_contracts.tenants import TenantConfigured
from velo_contracts.topics import TENANTS
from velo_runtime import consumes, get_logger, problem

log = get_logger(__name__)
COLLECTION = "tenants"


class UnknownTenant(LookupError):
    """No configuration has arrived for this tenant."""


class TenantDirectory:
    """Keeps the latest configuration of every tenant in this service's database."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]):
        self.collection = db[COLLECTION]

    async def apply(self, event: TenantConfigured) -> bool:
        """Stores event unless a newer revision is already stored; tells whether it was stored."""
        document = event.model_dump(mode="json") | {"_id": event.tenant_id}
        try:
            result = await self.collection.replace_one(
                {"_id": event.tenant_id, "revision": {"$lt": event.revision}}, document, upsert=True
            )
        except DuplicateKeyError:
            return False  # a newer (or the same) revision is stored already
        return bool(result.modified_count or result.upserted_id)

    async def get(self, tenant_id: str) -> TenantConfigured:
        """Returns the tenant's configuration, or raises UnknownTenant."""
        document = await self.collection.find_one({"_id": tenant_id})
        if document is None:
            raise UnknownTenant(tenant_id)
        return TenantConfigured.model_validate(document)

    async def tenant_ids(self) -> list[str]:
        """Returns the ids of every known tenant."""
        return [doc["_id"] async for doc in self.collection.find({}, {"_id": 1})]


def follow_tenants(directory: TenantDirectory, group_id: str) -> KafkaRouter:
    """Returns a router that folds the tenants topic into directory."""
    router = KafkaRouter()

    @consumes(router, TENANTS, group_id=group_id)
    async def on_tenant_configured(event: TenantConfigured) -> None:
        if await directory.apply(event):
            log.info("tenant_configured", tenant_id=event.tenant_id, revision=event.revision)

    return router


def registration_routes(directory: TenantDirectory) -> APIRouter:
    """Returns `GET /v1/tenants/{tenant_id}/registration`: is the tenant registered (404 if not)."""
    router = APIRouter(tags=["tenants"])

    @router.get("/v1/tenants/{tenant_id}/registration")
    async def registration(tenant_id: str) -> Any:
        """Tells whether the tenant is registered, and at which configuration revision."""
        try:
            tenant = await directory.get(tenant_id)
        except UnknownTenant:
            return problem(404, ErrorCode.TENANT_UNKNOWN, "No such tenant.", title="Unknown tenant")
        return {"tenant_id": tenant.tenant_id, "revision": tenant.revision}

    return router
