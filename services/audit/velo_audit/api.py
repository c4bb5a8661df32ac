"""The audit service's read API: tenant-scoped search, CSV export and each admin's alerts."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from fastapi.responses import StreamingResponse

from velo_audit.store import AuditQuery, AuditStore, BadCursor

CSV_COLUMNS = (
    "occurred_at",
    "type",
    "actor",
    "role",
    "number",
    "request_id",
    "amount",
    "currency",
    "setup_price",
    "monthly_price",
    "correlation_id",
    "message_id",
)


def audit_query(
    tenant_id: str,
    number: str | None = None,
    actor: str | None = None,
    type: str | None = None,
    since: Annotated[datetime | None, Query(alias="from")] = None,
    until: Annotated[datetime | None, Query(alias="to")] = None,
) -> AuditQuery:
    """Builds the search from the path's tenant and the query string."""
    if number and not number.startswith("+"):
        number = f"+{number}"
    return AuditQuery(tenant_id, number, actor, type, since, until)


Search = Annotated[AuditQuery, Depends(audit_query)]


def audit_api(store: AuditStore) -> APIRouter:
    """Returns the routes of the audit read API."""
    api = APIRouter(prefix="/v1/tenants/{tenant_id}", tags=["audit"])

    @api.get("/audit")
    async def search(
        query: Search, limit: Annotated[int, Query(ge=1, le=500)] = 50, cursor: str | None = None
    ) -> dict[str, Any]:
        """Returns one page of the tenant's audit log, newest first."""
        try:
            items, next_cursor = await store.page(query, limit, cursor)
        except BadCursor as exc:
            raise HTTPException(400, detail=str(exc)) from None
        return {"items": [_public(item) for item in items], "next_cursor": next_cursor}

    @api.get("/audit.csv")
    async def export(query: Search) -> StreamingResponse:
        """Streams the matching entries as CSV (finance: where did this charge come from?)."""
        filename = f"audit-{query.tenant_id}.csv"
        return StreamingResponse(
            _csv(store, query),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @api.get("/alerts")
    async def alerts(tenant_id: str, user: str, unread: bool = False) -> dict[str, Any]:
        """Returns the alerts of one user (theirs and the tenant-wide ones), newest first."""
        found = await store.alerts_of(tenant_id, user, unread)
        return {"items": [_alert(alert, user) for alert in found]}

    @api.post("/alerts/{alert_id}/read", status_code=204)
    async def mark_read(tenant_id: str, alert_id: str, user: str) -> Response:
        """Marks one of the user's alerts read."""
        if not await store.mark_read(tenant_id, user, alert_id):
            raise HTTPException(404, detail=f"no alert {alert_id} for this user")
        return Response(status_code=204)

    return api


def _public(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry as the API shows it: `id` (a dead letter's is `dead-letter:<message id>`)."""
    entry = dict(entry)
    entry["id"] = entry.pop("_id")
    entry.setdefault("message_id", entry["id"])
    return entry


def _alert(alert: dict[str, Any], user: str) -> dict[str, Any]:
    alert = dict(alert)
    alert["id"] = alert.pop("_id")
    alert["read"] = user in alert.pop("read_by", [])
    return alert


async def _csv(store: AuditStore, query: AuditQuery) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    async for entry in store.scan(query):
        writer.writerow(_row(entry))
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _row(entry: dict[str, Any]) -> list[str]:
    cost = entry.get("cost") or {}
    actor = entry.get("actor") or {}
    values = [
        entry["occurred_at"].isoformat(),
        entry["type"],
        actor.get("user_id"),
        actor.get("role"),
        entry.get("number"),
        entry.get("request_id"),
        cost.get("amount"),
        cost.get("currency"),
        cost.get("setup_price"),
        cost.get("monthly_price"),
        entry.get("correlation_id"),
        entry.get("message_id") or entry["_id"],
    ]
    return ["" if value is None else str(value) for value in values]
