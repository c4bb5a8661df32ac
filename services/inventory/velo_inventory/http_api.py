"""Inventory's HTTP read API for the gateway (tenant from the path; the gateway authenticates)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from velo_contracts import ErrorCode, NumberType
from velo_didww import DidwwError, RateLimited, Unavailable
from velo_inventory.search import Inventory, UnknownCountry, UnknownOffer
from velo_inventory.search import Query as Search
from velo_runtime import problem
from velo_tenants import SealingError, UnknownTenant


def failure(error: Exception) -> JSONResponse:
    """Translates what went wrong into the problem the gateway passes on."""
    if isinstance(error, UnknownCountry):
        detail = f"DIDWW has no coverage in {error.args[0]}."
        return problem(404, ErrorCode.NOT_FOUND, detail, title="Unknown country", field="country")
    if isinstance(error, UnknownOffer):
        detail = f"Offer {error.args[0]} is not available at DIDWW (any more)."
        return problem(404, ErrorCode.UNAVAILABLE, detail, title="Unknown offer", field="offer_id")
    if isinstance(error, UnknownTenant | SealingError):
        return problem(404, ErrorCode.TENANT_UNKNOWN, "No such tenant.", title="Unknown tenant")
    if isinstance(error, Unavailable | RateLimited):
        detail = f"DIDWW did not answer, so no live inventory can be shown: {error}"
        return problem(503, ErrorCode.VENDOR_UNAVAILABLE, detail, title="DIDWW unavailable")
    detail = f"DIDWW refused the inventory query: {error}"
    return problem(502, ErrorCode.VENDOR_REJECTED, detail, title="DIDWW refused")


EXPECTED = (UnknownCountry, UnknownOffer, UnknownTenant, SealingError, DidwwError)


def routes(inventory: Inventory) -> APIRouter:
    """Returns the tenant-scoped inventory routes."""
    router = APIRouter(prefix="/v1/tenants/{tenant_id}", tags=["inventory"])

    @router.get("/countries")
    async def countries(tenant_id: str) -> Any:
        """Lists countries with the number types (local, mobile, toll_free) offered in each."""
        try:
            return {"items": await inventory.countries(tenant_id)}
        except EXPECTED as error:
            return failure(error)

    @router.get("/inventory")
    async def search(
        tenant_id: str,
        country: Annotated[str, Query(min_length=2, max_length=2, description="ISO, e.g. DE")],
        type: Annotated[NumberType, Query(description="local, mobile or toll_free.")],
        area: Annotated[
            str | None,
            Query(
                description="An area id (from .../areas), or a city, area or region name (part)."
            ),
        ] = None,
        prefix: Annotated[
            str | None,
            Query(
                pattern=r"^[0-9]{1,6}$",
                description="Area code: NANPA NPA (212), or national prefix (30).",
            ),
        ] = None,
        contains: Annotated[str | None, Query(pattern=r"^[0-9]{3,}$")] = None,
        sms: Annotated[bool | None, Query(description="Only numbers receiving SMS.")] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
        cursor: str | None = None,
    ) -> Any:
        """Searches live numbers and next-available offers of a country and type."""
        query = Search(country, type, area, contains, sms, limit, cursor, prefix)
        try:
            return await inventory.search(tenant_id, query)
        except EXPECTED as error:
            return failure(error)

    @router.get("/countries/{iso}/areas")
    async def areas(
        tenant_id: str,
        iso: Annotated[str, Path(pattern=r"^[A-Za-z]{2}$", description="ISO, e.g. DE")],
        type: Annotated[NumberType, Query(description="local, mobile or toll_free.")],
    ) -> Any:
        """Lists the areas (cities) of a country where numbers of a type are on offer."""
        try:
            return await inventory.areas(tenant_id, iso.upper(), type)
        except EXPECTED as error:
            return failure(error)

    @router.get("/offers/{offer_id}")
    async def offer(tenant_id: str, offer_id: str) -> Any:
        """Returns what an offer id stands for, checked live (for requests by offer alone)."""
        try:
            return await inventory.offer(tenant_id, offer_id)
        except EXPECTED as error:
            return failure(error)

    return router
