"""Read endpoints: each forwards to the owning service's read API, scoped to the caller's tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import StreamingResponse

from velo_contracts import reads as shapes
from velo_gateway import problems
from velo_gateway.auth import Admin, AnyUser
from velo_gateway.bodies import e164, safe_id
from velo_gateway.context import Deps
from velo_gateway.queries import AreasQuery, AuditFilter, AuditQuery, InventoryQuery, NumbersQuery

router = APIRouter(
    prefix="/v1", tags=["queries"], responses=problems.documented(400, 401, 403, 404, 422, 503)
)


@router.get("/countries", responses=problems.answers(list[shapes.Country]))
async def countries(caller: Admin, gw: Deps) -> Any:
    """Countries DIDWW covers, with the number types offered in each."""
    found = await gw.downstream.get("inventory", f"/v1/tenants/{caller.tenant_id}/countries")
    return found["items"]


@router.get("/countries/{country}/areas")
async def areas(
    country: Annotated[str, Path(pattern=r"^[A-Za-z]{2}$", description="ISO code, e.g. `DE`.")],
    caller: Admin,
    gw: Deps,
    query: Annotated[AreasQuery, Query()],
) -> Any:
    """Cities and areas of a country where numbers of a type are on offer: how many, prices,
    area codes, whether documents are needed. Give an area's `id` to `/v1/inventory?area=`."""
    path = f"/v1/tenants/{caller.tenant_id}/countries/{country.upper()}/areas"
    return await gw.downstream.get("inventory", path, query.params())


@router.get("/inventory", responses=problems.answers(shapes.InventoryPage))
async def inventory(caller: Admin, gw: Deps, query: Annotated[InventoryQuery, Query()]) -> Any:
    """Live numbers of a country and type, with prices and KYC flags."""
    path = f"/v1/tenants/{caller.tenant_id}/inventory"
    return await gw.downstream.get("inventory", path, query.params())


@router.get("/number-requests/{request_id}", responses=problems.answers(shapes.RequestState))
async def request_status(request_id: str, caller: Admin, gw: Deps) -> Any:
    """Where a number request stands (a bulk's id answers the bulk, as below)."""
    path = f"/v1/tenants/{caller.tenant_id}/number-requests/{safe_id(request_id, 'request')}"
    return await gw.downstream.get("ordering", path)


@router.get("/number-requests/bulk/{bulk_id}")
async def bulk_status(bulk_id: str, caller: Admin, gw: Deps) -> Any:
    """Where a bulk stands: total, done, failed, pending, and each number's request."""
    path = f"/v1/tenants/{caller.tenant_id}/number-requests/bulk/{safe_id(bulk_id, 'bulk')}"
    return await gw.downstream.get("ordering", path)


@router.get("/numbers", responses=problems.answers(shapes.NumberPage))
async def numbers(caller: AnyUser, gw: Deps, query: Annotated[NumbersQuery, Query()]) -> Any:
    """The Phone numbers list (agents read it too; only admins act on it)."""
    path = f"/v1/tenants/{caller.tenant_id}/numbers"
    return await gw.downstream.get("assignment", path, query.params())


@router.get("/numbers/{number}", responses=problems.answers(shapes.NumberDetail))
async def number(number: str, caller: AnyUser, gw: Deps) -> Any:
    """One number: status, costs, assignment, ownership periods and history."""
    path = f"/v1/tenants/{caller.tenant_id}/numbers/{e164(number)}"
    return await gw.downstream.get("assignment", path)


@router.get("/directory", responses=problems.answers(shapes.Directory))
async def directory(caller: Admin, gw: Deps) -> Any:
    """The tenant's agents, extensions, queues and ring groups (assignment targets)."""
    return await gw.downstream.get("sip-routing", f"/v1/tenants/{caller.tenant_id}/directory")


@router.get("/audit", responses=problems.answers(shapes.AuditPage))
async def audit(caller: Admin, gw: Deps, query: Annotated[AuditQuery, Query()]) -> Any:
    """The tenant's audit log, newest first."""
    path = f"/v1/tenants/{caller.tenant_id}/audit"
    return await gw.downstream.get("audit", path, query.params())


@router.get("/audit.csv")
async def audit_csv(
    caller: Admin, gw: Deps, query: Annotated[AuditFilter, Query()]
) -> StreamingResponse:
    """The tenant's audit log as CSV."""
    body = gw.downstream.stream(
        "audit", f"/v1/tenants/{caller.tenant_id}/audit.csv", query.params()
    )
    first = await anext(body)  # a downstream error becomes a problem before streaming starts
    return StreamingResponse(
        _prepend(first, body),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-{caller.tenant_id}.csv"'},
    )


async def _prepend(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for chunk in rest:
        yield chunk


@router.get("/alerts", responses=problems.answers(shapes.Alerts))
async def alerts(caller: AnyUser, gw: Deps, unread: bool = False) -> Any:
    """The caller's own alerts (and the tenant-wide ones)."""
    params = {"user": caller.user_id, "unread": unread}
    return await gw.downstream.get("audit", f"/v1/tenants/{caller.tenant_id}/alerts", params)


@router.post("/alerts/{alert_id}/read", status_code=204)
async def read_alert(alert_id: str, caller: AnyUser, gw: Deps) -> Response:
    """Marks one of the caller's alerts read."""
    path = f"/v1/tenants/{caller.tenant_id}/alerts/{safe_id(alert_id, 'alert')}/read"
    await gw.downstream.post("audit", path, {"user": caller.user_id})
    return Response(status_code=204)
