"""What the read API shows of a row of the Phone numbers list."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from velo_contracts import InboundTarget

HELD = ["provisioning", "active"]
"""What the list shows by default: the numbers the tenant holds now."""


class Period(BaseModel):
    """A stretch of time the tenant held the number (billed from `from` until `until`)."""

    model_config = ConfigDict(populate_by_name=True)

    held_from: datetime = Field(alias="from", description="When DIDWW delivered it.")
    until: datetime | None = Field(default=None, description="When billing stopped, if released.")
    origin: str = Field(description="`ordered` (requested here) or `imported` (found at DIDWW).")
    request_id: str | None = Field(default=None, description="The request that ordered it.")
    agents: list[str] = Field(default_factory=list, description="Who presented it last.")


class Change(BaseModel):
    """An assignment change the admin asked for, and how it ended."""

    command_id: str
    kind: str = Field(description="assign, reassign or unassign.")
    at: datetime
    by: str = Field(description="The admin who asked.")
    outcome: str = Field(description="applied, refused or unchanged.")
    reason: str | None = Field(default=None, description="Why it was refused.")
    routing: str | None = Field(
        default=None, description="PortSIP: pending, configured, or failed: why (retrying)."
    )


class NumberView(BaseModel):
    """One entry of the Phone numbers list: a number the tenant holds or held."""

    id: str = Field(description="Row id.")
    number: str = Field(description="E.164.")
    status: str = Field(description="provisioning, active or released.")
    origin: str | None = Field(default=None, description="`ordered` or `imported`.")
    request_id: str | None = Field(default=None, description="The request of the current period.")
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
    released_at: datetime | None = Field(default=None, description="When billing stopped.")
    held_before: bool = Field(
        default=False, description="The tenant held this number in an earlier period too."
    )
    pending_change: Change | None = Field(
        default=None, description="The last change PortSIP has not confirmed yet, if any."
    )
    created_at: datetime = Field(description="When the tenant first held the number.")
    listed_at: datetime | None = Field(default=None, description="Start of the current period.")
    updated_at: datetime | None = None


class HistoryEntry(BaseModel):
    """One change of a number: what, when, by whom."""

    at: datetime
    event: str
    actor: dict[str, str]
    message_id: str
    causation_id: str | None = Field(default=None, description="The command that caused it.")


class NumberDetail(NumberView):
    """A number with its ownership periods, recent changes and history."""

    periods: list[Period] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list)
    history: list[HistoryEntry] = Field(default_factory=list)


class NumberPage(BaseModel):
    """A page of the list."""

    items: list[NumberView]
    next_cursor: str | None = None


def view_of(row: dict[str, Any], model: type[NumberView] = NumberView) -> Any:
    """Returns the API view of a row."""
    pending = [c for c in row.get("changes", []) if c.get("routing") not in (None, "configured")]
    derived = {
        "id": row["_id"],
        "held_before": len(row.get("periods", [])) > 1,
        "pending_change": pending[-1] if pending else None,
    }
    return model.model_validate(row | derived)


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
    if status != "all":
        query["status"] = status or {"$in": HELD}
    wanted = {"country": country, "number_type": number_type}
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
    data = json.dumps([row["listed_at"].isoformat(), row["_id"]])
    return base64.urlsafe_b64encode(data.encode()).decode()


def after_cursor(cursor: str) -> dict[str, Any]:
    """Returns the query part selecting rows after the cursor (newest first)."""
    listed_text, row_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    listed = datetime.fromisoformat(listed_text)
    return {"$or": [{"listed_at": {"$lt": listed}}, {"listed_at": listed, "_id": {"$lt": row_id}}]}
