"""What the read API shows of a row of the Phone numbers list."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from velo_contracts import InboundTarget


class NumberView(BaseModel):
    """One entry of the Phone numbers list."""

    id: str = Field(description="Row id (a number's life: from request or import to release).")
    number: str | None = Field(default=None, description="E.164, once known.")
    status: str = Field(description="requested, ordering, provisioning, active, released, …")
    origin: str | None = Field(default=None, description="`ordered` or `imported`.")
    request_id: str | None = None
    country: str | None = None
    number_type: str | None = None
    area: str | None = None
    monthly_price: str | None = None
    setup_price: str | None = None
    currency: str | None = None
    kyc_required: bool | None = None
    outbound_agent: str | None = Field(default=None, description="Agent presenting it.")
    preferred: bool | None = None
    inbound_target: InboundTarget | None = Field(default=None, description="Where calls ring.")
    inbound_destination: str | None = Field(default=None, description="As PortSIP routes it.")
    reason: str | None = Field(default=None, description="Why it was rejected or failed.")
    detail: str | None = None
    routing_error: str | None = None
    created_at: datetime
    updated_at: datetime | None = None


class HistoryEntry(BaseModel):
    """One change of a number: what, when, by whom."""

    at: datetime
    event: str
    actor: dict[str, str]
    message_id: str


class NumberDetail(NumberView):
    """A number with its history."""

    history: list[HistoryEntry] = Field(default_factory=list)


class NumberPage(BaseModel):
    """A page of the list."""

    items: list[NumberView]
    next_cursor: str | None = None


def view_of(row: dict[str, Any], model: type[NumberView] = NumberView) -> Any:
    """Returns the API view of a row."""
    return model.model_validate(row | {"id": row["_id"]})


def list_query(
    tenant_id: str,
    status: str | None,
    country: str | None,
    number_type: str | None,
    agent: str | None,
    q: str | None,
) -> dict[str, Any]:
    """Returns the Mongo query of a filtered list, always scoped to the tenant."""
    query: dict[str, Any] = {"tenant_id": tenant_id}
    wanted = {"status": status, "country": country, "number_type": number_type}
    query |= {field: value for field, value in wanted.items() if value}
    clauses: list[list[dict[str, Any]]] = []
    if agent:
        clauses.append([{"outbound_agent": agent}, {"inbound_target.id": agent}])
    if q:
        pattern = {"$regex": re.escape(q.lstrip("+")), "$options": "i"}
        fields = ("number", "area", "country", "request_id", "outbound_agent")
        clauses.append([{field: pattern} for field in fields])
    if clauses:
        query["$and"] = [{"$or": clause} for clause in clauses]
    return query


def encode_cursor(row: dict[str, Any]) -> str:
    """Returns the cursor that continues after row."""
    data = json.dumps([row["created_at"].isoformat(), row["_id"]])
    return base64.urlsafe_b64encode(data.encode()).decode()


def after_cursor(cursor: str) -> dict[str, Any]:
    """Returns the query part selecting rows after the cursor (newest first)."""
    created_text, row_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    created = datetime.fromisoformat(created_text)
    return {
        "$or": [{"created_at": {"$lt": created}}, {"created_at": created, "_id": {"$lt": row_id}}]
    }
