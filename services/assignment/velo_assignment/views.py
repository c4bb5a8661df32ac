"""What the read API shows of a row of the Phone numbers list."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import Any

from velo_contracts.reads import NumberView

HELD = ["registering", "provisioning", "active"]
"""What the list shows by default: the numbers the tenant holds now."""


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
