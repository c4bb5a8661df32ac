"""Folds ordering's and routing's events into the Phone numbers list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from velo_assignment.domain import advance
from velo_assignment.store import Document, NumberBook, noting, row_id
from velo_contracts import (
    AdminAlertRaised,
    ErrorCode,
    Message,
    NumberApproved,
    NumberAwaitingRegistration,
    NumberFacts,
    NumberImported,
    NumberReleased,
    RegistrationRejected,
    RegistrationSubmitted,
    RoutingConfigured,
    RoutingFailed,
    RoutingRemoved,
)

PROJECTED_TYPES = frozenset(
    {
        "AdminAlertRaised",
        "NumberApproved",
        "NumberAwaitingRegistration",
        "RegistrationSubmitted",
        "RegistrationRejected",
        "NumberImported",
        "NumberReleased",
        "RoutingConfigured",
        "RoutingFailed",
        "RoutingRemoved",
    }
)
"""What the list folds. Requests are ordering's resource: a request that is rejected or fails never
touches a number's row; a row appears once DIDWW delivered the number."""
UNASSIGNED = {"outbound_agent": None, "inbound_target": None}


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
        case NumberAwaitingRegistration():
            columns = _delivered(event.didww_did_id, event.facts, "ordered", event.request_id)
            columns["registration"] = {"status": "awaiting"}
            await _provisioned(book, event, columns, "registering")
        case RegistrationSubmitted():
            filed: Document = {"verification_id": event.verification_id}
            filed["reference"] = event.reference
            await _change(book, event, registration("pending", **filed))
        case RegistrationRejected():
            why: Document = {"reasons": event.reasons, "comment": event.comment}
            await _change(book, event, registration("rejected", **why))
        case NumberApproved():
            columns = _delivered(event.didww_did_id, event.facts, "ordered", event.request_id)
            columns |= {"requested_at": event.requested_at}
            approved = registration("approved", only_if_known=True)
            await _provisioned(book, event, columns, then=approved)
        case NumberImported():
            await _provisioned(book, event, _delivered(event.didww_did_id, event.facts, "imported"))
        case NumberReleased():
            await _change(book, event, released(event.occurred_at, event.billing_stopped_at))
        case RoutingConfigured():
            await book.set_routed(tenant, event.number, True)
            routed = {"inbound_destination": event.inbound_destination, "routing_error": None}
            await _change(book, event, routing_outcome("configured", moving_to("active", **routed)))
        case RoutingFailed():
            failed = moving_to("provisioning", routing_error=event.detail)
            await _change(book, event, routing_outcome(f"failed: {event.detail}", failed))
        case RoutingRemoved():
            await book.set_routed(tenant, event.number, False)
            await _change(book, event, moving_to("released"))
        case AdminAlertRaised(code=ErrorCode.RELEASE_REFUSED, number=str()):
            await _change(book, event, release_noted(event, "refused"))
        case AdminAlertRaised(code=ErrorCode.ALREADY_RELEASED, number=str()):
            await _change(book, event, release_noted(event, "unchanged"))


def _delivered(did_id: str, facts: NumberFacts, origin: str, request_id: str | None = None) -> Any:
    return {"didww_did_id": did_id, "origin": origin, "request_id": request_id} | facts_of(facts)


def registration(status: str, *, only_if_known: bool = False, **fields: Any) -> Any:
    """Returns a change that notes where the number's registration at DIDWW stands."""

    def change(row: Document | None) -> Document:
        known = (row or {}).get("registration")
        if only_if_known and not known:
            return {}
        return {"registration": (known or {}) | fields | {"status": status}}

    return change


def held_from(at: datetime, columns: Document, status: str = "provisioning") -> Any:
    """Returns a change that starts an ownership period (a new one if the number was released)."""

    def change(row: Document | None) -> Document:
        periods = list((row or {}).get("periods") or [])
        if not periods or periods[-1].get("until"):
            periods.append({"from": at, "until": None, "origin": columns["origin"]})
            fresh = UNASSIGNED | {"status": status, "routing_error": None, "listed_at": at}
        else:
            fresh = {"status": advance((row or {}).get("status"), status)}
        periods[-1] |= {"request_id": columns.get("request_id")}
        return columns | fresh | {"periods": periods, "released_at": None}

    return change


def routing_outcome(outcome: str, then: Any) -> Any:
    """Returns a change that records PortSIP's answer on the changes waiting for it, then `then`."""

    def change(row: Document | None) -> Document:
        changes = [
            c | {"routing": outcome} if c.get("routing", "configured") != "configured" else c
            for c in (row or {}).get("changes", [])
        ]
        return dict(then(row)) | {"changes": changes}

    return change


def release_noted(alert: AdminAlertRaised, outcome: str) -> Any:
    """Returns a change that notes, among the row's changes, a release that was not carried
    out: refused (by DIDWW, or nothing to release) or unchanged (released before)."""
    noted = {
        "command_id": alert.causation_id,
        "kind": "release",
        "at": alert.occurred_at,
        "by": alert.recipient or alert.actor.user_id,
        "outcome": outcome,
        "reason": alert.detail,
    }
    return lambda row: {"changes": noting(row, noted)}


def released(at: datetime, billing_stopped_at: datetime) -> Any:
    """Returns a change that ends the current ownership period: billing stopped."""

    def change(row: Document | None) -> Document:
        periods = list((row or {}).get("periods") or [])
        if periods and not periods[-1].get("until"):
            agents = [a for a in [(row or {}).get("outbound_agent")] if a]
            periods[-1] = periods[-1] | {"until": billing_stopped_at, "agents": agents}
        return UNASSIGNED | {"status": "released", "periods": periods, "released_at": at}

    return change


async def _provisioned(
    book: NumberBook,
    event: Any,
    columns: Document,
    status: str = "provisioning",
    then: Any = None,
) -> None:
    fields = columns | {"tenant_id": event.tenant_id, "number": event.number}
    held = held_from(event.occurred_at, fields, status)
    change = held if then is None else (lambda row: held(row) | then(row))
    await book.change(_row(event), event, change)
    if await book.is_routed(event.tenant_id, event.number):  # routing's event overtook ordering's
        routed = event.model_copy(update={"message_id": event.message_id + ":routed"})
        await book.change(_row(event), routed, moving_to("active"))


async def _change(book: NumberBook, event: Any, change: Any) -> None:
    if await book.exists(_row(event)):
        await book.change(_row(event), event, change)


def _row(event: Any) -> str:
    return row_id(event.tenant_id, event.number)
