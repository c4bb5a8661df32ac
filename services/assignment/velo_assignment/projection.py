"""Folds ordering's and routing's events into the Phone numbers list."""

from __future__ import annotations

from typing import Any

from velo_assignment.domain import advance
from velo_assignment.store import Document, NumberBook
from velo_contracts import (
    Message,
    NumberApproved,
    NumberFacts,
    NumberImported,
    NumberOrdered,
    NumberReleased,
    NumberRequested,
    NumberRequestFailed,
    NumberRequestRejected,
    RoutingConfigured,
    RoutingFailed,
    RoutingRemoved,
)

PROJECTED_TYPES = frozenset(
    {
        "NumberRequested",
        "NumberRequestRejected",
        "NumberRequestFailed",
        "NumberOrdered",
        "NumberApproved",
        "NumberImported",
        "NumberReleased",
        "RoutingConfigured",
        "RoutingFailed",
        "RoutingRemoved",
    }
)
UNASSIGNED = {"outbound_agent": None, "inbound_target": None}


def request_row(tenant_id: str, request_id: str) -> str:
    """Returns the row id of a number requested through VeloConnect."""
    return f"{tenant_id}|request|{request_id}"


def imported_row(tenant_id: str, did_id: str) -> str:
    """Returns the row id of a number found in the tenant's DIDWW account."""
    return f"{tenant_id}|did|{did_id}"


def moving_to(status: str, **fields: Any) -> Any:
    """Returns a change that advances the row's status and sets fields."""

    def change(row: Document | None) -> Document:
        return fields | {"status": advance(row.get("status") if row else None, status)}

    return change


def facts_of(facts: NumberFacts) -> Document:
    """Returns the list columns a number's facts fill."""
    return {
        "country": facts.country,
        "number_type": facts.number_type.value,
        "area": facts.area,
        "monthly_price": str(facts.monthly_price),
        "setup_price": str(facts.setup_price),
        "currency": facts.currency,
        "kyc_required": facts.kyc_required,
    }


async def project(book: NumberBook, event: Message) -> None:
    """Applies one upstream event to the list."""
    tenant = event.tenant_id
    match event:
        case NumberRequested():
            await _on_request(book, event, "requested", _requested_columns(event))
        case NumberRequestRejected() | NumberRequestFailed():
            status = "rejected" if isinstance(event, NumberRequestRejected) else "failed"
            await _on_request(book, event, status, reason=event.reason.value, detail=event.detail)
        case NumberOrdered():
            await _on_request(book, event, "ordering", {"didww_order_id": event.didww_order_id})
        case NumberApproved():
            columns = _delivered(event.number, event.didww_did_id, event.facts, "ordered")
            columns["request_id"] = event.request_id
            await _provisioned(book, request_row(tenant, event.request_id), event, columns)
        case NumberImported():
            columns = _delivered(event.number, event.didww_did_id, event.facts, "imported")
            await _provisioned(book, imported_row(tenant, event.didww_did_id), event, columns)
        case NumberReleased():
            await _on_current(book, event, moving_to("released", **UNASSIGNED))
        case RoutingConfigured():
            await book.set_routed(tenant, event.number, True)
            routed = {"inbound_destination": event.inbound_destination, "routing_error": None}
            await _on_current(book, event, moving_to("active", **routed))
        case RoutingFailed():
            await _on_current(book, event, moving_to("provisioning", routing_error=event.detail))
        case RoutingRemoved():
            await book.set_routed(tenant, event.number, False)
            await _on_current(book, event, moving_to("released"))


def _requested_columns(event: NumberRequested) -> Document:
    pick = event.pick
    number = getattr(pick, "number", None)
    columns: Document = {"origin": "ordered", "request_id": event.request_id}
    columns |= {"country": pick.country, "number_type": pick.number_type.value}
    return columns | ({"number": number} if number else {"area": getattr(pick, "area", None)})


def _delivered(number: str, did_id: str, facts: NumberFacts, origin: str) -> Document:
    return {"number": number, "didww_did_id": did_id, "origin": origin} | facts_of(facts)


async def _on_request(
    book: NumberBook, event: Any, status: str, columns: Document | None = None, **more: Any
) -> None:
    row_id = request_row(event.tenant_id, event.request_id)
    fields = (columns or {}) | more | {"tenant_id": event.tenant_id}
    await book.change(row_id, event, moving_to(status, **fields))


async def _provisioned(book: NumberBook, row_id: str, event: Any, columns: Document) -> None:
    fields = columns | {"tenant_id": event.tenant_id}
    await book.change(row_id, event, moving_to("provisioning", **fields))
    if await book.is_routed(event.tenant_id, event.number):  # routing's event overtook ordering's
        routed = event.model_copy(update={"message_id": event.message_id + ":routed"})
        await book.change(row_id, routed, moving_to("active"))


async def _on_current(book: NumberBook, event: Any, change: Any) -> None:
    row = await book.current(event.tenant_id, event.number)
    if row is not None:
        await book.change(row["_id"], event, change)
