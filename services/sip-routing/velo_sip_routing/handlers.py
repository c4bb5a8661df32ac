"""What each upstream event changes in a number's desired routing (once per message)."""

from __future__ import annotations

from typing import Any

from velo_contracts import (
    Message,
    NumberApproved,
    NumberAssigned,
    NumberImported,
    NumberReassigned,
    NumberReleased,
    NumberUnassigned,
)
from velo_sip_routing.store import RouteStore

HANDLED_TYPES = frozenset(
    {
        "NumberApproved",
        "NumberImported",
        "NumberReleased",
        "NumberAssigned",
        "NumberReassigned",
        "NumberUnassigned",
    }
)
UNASSIGNED: dict[str, Any] = {"destination": None, "outbound_agent": None}


async def record(store: RouteStore, event: Message) -> bool:
    """Records the desired change event asks for; tells whether anything new was recorded."""
    match event:
        case NumberApproved() | NumberImported():
            facts = {"country": event.facts.country, "country_prefix": event.facts.country_prefix}
            routed = facts | UNASSIGNED | {"present": True, "preferred": True}
            return await store.record(event, event.number, routed, create=True)
        case NumberAssigned():
            target = event.inbound_target.id if event.inbound_target else None
            assigned: dict[str, Any] = {
                "destination": target,
                "outbound_agent": event.outbound_agent,
                "preferred": event.preferred,
                "assigned_at": event.occurred_at,
            }
            former = await _agent_of(store, event.tenant_id, event.number)
            return await store.record(event, event.number, assigned, former_agent=former)
        case NumberReassigned():
            target = event.inbound_target.id if event.inbound_target else None
            moved: dict[str, Any] = {
                "destination": target,
                "outbound_agent": event.to_agent,
                "assigned_at": event.occurred_at,
            }
            return await store.record(event, event.number, moved, former_agent=event.from_agent)
        case NumberUnassigned():
            former = await _agent_of(store, event.tenant_id, event.number)
            return await store.record(event, event.number, UNASSIGNED, former_agent=former)
        case NumberReleased():
            former = await _agent_of(store, event.tenant_id, event.number)
            gone = UNASSIGNED | {"present": False}
            return await store.record(event, event.number, gone, former_agent=former)
    return False


async def _agent_of(store: RouteStore, tenant_id: str, number: str) -> str | None:
    doc = await store.get(tenant_id, number)
    return doc.get("outbound_agent") if doc else None
