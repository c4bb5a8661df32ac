"""Ordering's HTTP API: request status and on-demand reconciliation (for the gateway), and the
signed DIDWW order callback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from velo_contracts import ErrorCode
from velo_didww import SIGNATURE_HEADER, verify_callback
from velo_offers import TenantAccounts
from velo_ordering.bulk import Tally, outcome_of
from velo_ordering.bulks import BulkStore
from velo_ordering.reconcile import Reconciler
from velo_ordering.store import RequestStore, request_key
from velo_runtime import get_logger, problem
from velo_tenants import SealingError, UnknownTenant

log = get_logger(__name__)
Nudge = Callable[[str], None]


class RequestView(BaseModel):
    """A number request as the admin follows it."""

    id: str = Field(description="The request id.")
    status: str = Field(
        description="requested | ordering | registering | approved | active | rejected | failed"
    )
    reason: str | None = Field(default=None, description="Stable code when rejected or failed.")
    detail: str | None = Field(default=None, description="Human-readable reason.")
    number: str | None = Field(default=None, description="The number (E.164), once known.")
    pick: dict[str, Any] = Field(description="What was asked for: country, type, number or area.")
    routing_error: str | None = Field(
        default=None, description="Why PortSIP has not routed the approved number yet (retrying)."
    )
    registration: dict[str, Any] | None = Field(
        default=None,
        description="A regulated number's registration at DIDWW: status (pending, approved, "
        "rejected), verification id and reference, round, reasons and comment when rejected.",
    )
    created_at: str
    updated_at: str


def view(document: dict[str, Any]) -> RequestView:
    """Returns the gateway's view of a stored request."""
    return RequestView(
        id=document["request_id"],
        status=document["status"],
        reason=document.get("reason"),
        detail=document.get("detail"),
        number=document.get("number"),
        pick=document["command"]["pick"],
        routing_error=document.get("routing_error"),
        registration=document.get("registration"),
        created_at=document["created_at"].isoformat(),
        updated_at=document["updated_at"].isoformat(),
    )


class ChildView(BaseModel):
    """One number of a bulk: its request and how far it got."""

    id: str = Field(description="The child request id (`<bulk id>-<i>`).")
    index: int = Field(description="Its place in the bulk (0-based).")
    status: str = Field(
        description="requested | ordering | registering | approved | active | rejected | failed"
    )
    number: str | None = Field(default=None, description="The number (E.164), once known.")
    reason: str | None = Field(default=None, description="Stable code when rejected or failed.")
    detail: str | None = Field(default=None, description="Human-readable reason.")


class BulkView(BaseModel):
    """A bulk as the admin follows it: counts read from its children, and each one's outcome."""

    id: str = Field(description="The bulk id.")
    kind: str = Field(default="bulk", description="Always `bulk` (a single request has a pick).")
    status: str = Field(description="`in_progress` until every number ended, then `done`.")
    total: int = Field(description="Numbers asked for.")
    done: int = Field(description="Numbers Active.")
    failed: int = Field(description="Numbers rejected or failed (each with its reason).")
    pending: int = Field(description="Numbers on their way: total - done - failed.")
    cost: dict[str, Any] | None = Field(default=None, description="The cost confirmed at 202.")
    picks: list[dict[str, Any]] = Field(description="What was asked for, one pick per number.")
    requests: list[ChildView] = Field(description="Each number's request, in bulk order.")
    created_at: str
    updated_at: str


def bulk_view(document: dict[str, Any], kids: list[dict[str, Any]]) -> BulkView:
    """Returns the gateway's view of a stored bulk, its counts read from its children."""
    tally = Tally.of(document["total"], (outcome_of(kid) for kid in kids))
    latest = max([document["updated_at"], *(kid["updated_at"] for kid in kids)])
    return BulkView(
        id=document["bulk_id"],
        status="done" if tally.pending == 0 else "in_progress",
        total=tally.total,
        done=tally.done,
        failed=tally.failed,
        pending=tally.pending,
        cost=document["command"].get("cost"),
        picks=document["command"]["picks"],
        requests=[
            ChildView(
                id=kid["request_id"],
                index=kid["bulk_index"],
                status=kid["status"],
                number=kid.get("number"),
                reason=kid.get("reason"),
                detail=kid.get("detail"),
            )
            for kid in kids
        ],
        created_at=document["created_at"].isoformat(),
        updated_at=latest.isoformat(),
    )


def read_routes(store: RequestStore, reconciler: Reconciler, bulks: BulkStore) -> APIRouter:
    """Returns the tenant-scoped read API."""
    router = APIRouter(prefix="/v1/tenants/{tenant_id}", tags=["ordering"])

    async def find_bulk(tenant_id: str, bulk_id: str) -> BulkView | None:
        document = await bulks.get(tenant_id, bulk_id)
        if document is None:
            return None
        return bulk_view(document, await store.of_bulk(tenant_id, bulk_id))

    @router.get("/number-requests/bulk/{bulk_id}", response_model=BulkView)
    async def get_bulk(tenant_id: str, bulk_id: str) -> Any:
        """Returns one of the tenant's bulks with its progress (404 for anything else)."""
        found = await find_bulk(tenant_id, bulk_id)
        if found is None:
            return problem(404, ErrorCode.NOT_FOUND, "No such bulk request.", title="Not found")
        return found

    @router.get("/number-requests/{request_id}", response_model=RequestView | BulkView)
    async def get_request(tenant_id: str, request_id: str) -> Any:
        """Returns one of the tenant's requests, or bulks (one id space; 404 for anything else)."""
        document = await store.get(tenant_id, request_id)
        if document is not None:
            return view(document)
        found = await find_bulk(tenant_id, request_id)
        if found is None:
            return problem(404, ErrorCode.NOT_FOUND, "No such number request.", title="Not found")
        return found

    @router.post("/reconciliation")
    async def reconcile_now(tenant_id: str) -> Any:
        """Reconciles the tenant's DIDWW account now; returns what was imported or is gone."""
        try:
            found = await reconciler.reconcile(tenant_id)
        except UnknownTenant:
            return problem(404, ErrorCode.TENANT_UNKNOWN, "No such tenant.", title="Unknown tenant")
        return {"imported": found.imported, "gone_at_didww": found.gone_at_didww}

    return router


def callback_routes(accounts: TenantAccounts, public_base_url: str, nudge: Nudge) -> APIRouter:
    """Returns the DIDWW order callback, verified with the tenant's callback secret (DIDWW signs
    with it, not with the API key); a bad signature is refused and changes nothing."""
    router = APIRouter(tags=["didww"])

    @router.post("/didww/callbacks", status_code=204)
    async def on_order_callback(request: Request) -> Response:
        """Takes DIDWW's signed order callback and resumes the request at once."""
        tenant_id = request.query_params.get("tenant", "")
        request_id = request.query_params.get("request", "")
        payload = dict(parse_qsl((await request.body()).decode()))
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return Response(status_code=401)
        signed_url = f"{public_base_url.rstrip('/')}{request.url.path}?{request.url.query}"
        try:
            secret = await accounts.callback_secret(tenant_id)
        except (UnknownTenant, SealingError):
            return Response(status_code=403)
        if secret is None or not verify_callback(secret, signed_url, payload, signature):
            log.warning("callback_signature_refused", tenant_id=tenant_id)
            return Response(status_code=403)
        nudge(request_key(tenant_id, request_id))
        return Response(status_code=204)

    return router
