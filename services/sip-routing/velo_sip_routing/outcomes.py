"""The events that tell what happened to a number's routing (no I/O)."""

from __future__ import annotations

from typing import Any

from velo_contracts import (
    Actor,
    AdminAlertRaised,
    AlertSeverity,
    ErrorCode,
    Event,
    RoutingConfigured,
    RoutingFailed,
    RoutingRemoved,
)
from velo_contracts.envelope import new_id

SERVICE = "sip-routing"


def _envelope(doc: dict[str, Any], *, system: bool = False) -> dict[str, Any]:
    cause = doc["cause"]
    actor = Actor.system(SERVICE) if system else Actor.model_validate(cause["actor"])
    return {
        "tenant_id": doc["tenant_id"],
        "actor": actor,
        "correlation_id": cause["correlation_id"],
        "causation_id": cause["message_id"],
    }


def applied_event(doc: dict[str, Any], default_destination: str) -> Event:
    """Returns the event telling that PortSIP now holds the document's desired state."""
    if not doc.get("present"):
        return RoutingRemoved(**_envelope(doc), number=doc["number"])
    destination = doc.get("destination") or default_destination
    return RoutingConfigured(
        **_envelope(doc), number=doc["number"], inbound_destination=destination
    )


def failure_events(doc: dict[str, Any], *, refused: bool = False) -> list[Event]:
    """Returns the failure event and the admins' alert for a number PortSIP cannot be brought
    to: unreachable after several attempts, or (refused) turning this number's change down."""
    attempts, error = int(doc.get("attempts", 1)), doc.get("last_error")
    if refused and not doc.get("present"):  # given up, yet used by something made by hand
        detail = f"PortSIP still uses this number, so it stays on the trunk: {error}"
        after = (
            ". The other numbers are not held up; remove or change what uses it in PortSIP "
            "(VeloConnect did not make it) and it is taken off the trunk"
        )
    elif refused:
        detail = f"PortSIP refused the change of this number: {error}"
        after = (
            ". The other numbers are not held up; change the assignment "
            "(or add the target in PortSIP)"
        )
    else:
        detail = f"PortSIP could not be updated after {attempts} attempts: {error}"
        after = ". Changes are kept and applied as soon as PortSIP answers"
    failed = RoutingFailed(
        **_envelope(doc, system=True),
        number=doc["number"],
        reason=ErrorCode.ROUTING_FAILED,
        detail=detail,
        attempts=attempts,
    )
    alert = AdminAlertRaised(
        **_envelope(doc, system=True),
        alert_id=new_id(),
        severity=AlertSeverity.WARNING,
        code=ErrorCode.ROUTING_FAILED,
        title=f"Routing of {doc['number']} is {'refused' if refused else 'delayed'}",
        detail=detail + after + ".",
        number=doc["number"],
    )
    return [failed, alert]
