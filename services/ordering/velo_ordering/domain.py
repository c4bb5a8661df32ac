"""A number request's states and steps, the refusals that end it, and the events each outcome emits.

Free of I/O: the steps that talk to DIDWW live in `steps.py`; this module only decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from velo_contracts import (
    AdminAlertRaised,
    AlertSeverity,
    ErrorCode,
    Event,
    KycRequirement,
    NumberRequested,
    NumberRequestFailed,
    NumberRequestRejected,
    RequestNumber,
    SpecificNumber,
    SubmitRegistration,
)
from velo_contracts.errors import REJECTION_REASONS


class Status(StrEnum):
    """What the admin sees of a request."""

    REQUESTED = "requested"
    ORDERING = "ordering"
    APPROVED = "approved"
    ACTIVE = "active"
    REJECTED = "rejected"
    FAILED = "failed"
    REGISTERING = "registering"
    """Delivered (and billed), waiting for DIDWW to approve its registration (in-app KYC)."""


TERMINAL = frozenset({Status.APPROVED, Status.ACTIVE, Status.REJECTED, Status.FAILED})
"""Nothing more for ordering to do at DIDWW (approved waits only for PortSIP's routing)."""


class Step(StrEnum):
    """The next thing to do for a request; each is safe to repeat after a crash."""

    CHECK = "check"
    RESERVE = "reserve"
    ORDER = "order"
    AWAIT = "await"
    DELIVER = "deliver"
    REGISTER = "register"
    AWAIT_REGISTRATION = "await_registration"
    CORRECTION = "correction"
    """Parked: DIDWW rejected the registration; the admin files corrected documents."""
    DONE = "done"


class Refusal(Exception):
    """Ends a request without a number: `rejected` (the admin can act) or `failed`."""

    def __init__(
        self, reason: ErrorCode, detail: str, requirement: KycRequirement | None = None
    ) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.requirement = requirement

    @property
    def status(self) -> Status:
        """Returns `rejected` for reasons the admin can act on, else `failed`."""
        return Status.REJECTED if self.reason in REJECTION_REASONS else Status.FAILED


@dataclass(frozen=True)
class Progress:
    """What a step achieved: fields to store, events to publish, where to go next."""

    step: Step
    fields: dict[str, Any] = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    status: Status | None = None
    wait_seconds: float | None = None


def wanted_number(command: RequestNumber) -> str | None:
    """Returns the number the admin picked, if the pick was specific."""
    return command.pick.number if isinstance(command.pick, SpecificNumber) else None


def first_step(command: RequestNumber) -> Step:
    """Every request starts by re-checking its pick live."""
    return Step.CHECK


def step_after_check(command: RequestNumber) -> Step:
    """A specific number is reserved before ordering; next-available is ordered by quantity."""
    return Step.RESERVE if isinstance(command.pick, SpecificNumber) else Step.ORDER


def requested(command: RequestNumber) -> NumberRequested:
    """Returns the event that the request was accepted."""
    return NumberRequested.caused_by(command, request_id=command.request_id, pick=command.pick)


def refused(command: RequestNumber, refusal: Refusal) -> tuple[Event, ...]:
    """Returns the outcome event of a refusal and the alert to the admin who asked."""
    outcome: Event
    if refusal.status is Status.REJECTED:
        outcome = NumberRequestRejected.caused_by(
            command,
            request_id=command.request_id,
            number=wanted_number(command),
            reason=refusal.reason,
            detail=refusal.detail,
            requirement=refusal.requirement,
        )
    else:
        outcome = NumberRequestFailed.caused_by(
            command, request_id=command.request_id, reason=refusal.reason, detail=refusal.detail
        )
    return outcome, alert(command, refusal.reason, _TITLES.get(refusal.reason), refusal)


_TITLES = {
    ErrorCode.KYC_REQUIRED: "Documents required before this number can be ordered",
    ErrorCode.KYC_INCOMPLETE: "The identity or address does not meet the requirement yet",
    ErrorCode.UNAVAILABLE: "The number is no longer available",
    ErrorCode.INSUFFICIENT_FUNDS: "DIDWW balance too low to order the number",
    ErrorCode.ORDER_CANCELED: "DIDWW canceled the order",
    ErrorCode.INVALID: "The number request is invalid",
    ErrorCode.NOT_OFFERED: "This kind of number is not offered there",
}


def alert(
    command: RequestNumber,
    code: ErrorCode,
    title: str | None,
    refusal: Refusal | None = None,
    detail: str | None = None,
    severity: AlertSeverity = AlertSeverity.WARNING,
) -> AdminAlertRaised:
    """Returns an in-app alert about the request for the admin who made it.

    The numbers of one bulk share one alert per reason (the alert id is the bulk's), so a bulk
    of 200 that runs out of stock raises one alert, not 200; its progress lists every number.
    """
    text = detail or (refusal.detail if refusal else "")
    if command.bulk_id:
        text += f" (bulk {command.bulk_id}: see /v1/number-requests/bulk/{command.bulk_id})"
    return AdminAlertRaised.to_sender(
        command,
        code,
        title=title or "The number request could not be completed",
        detail=text,
        severity=severity,
        about=command.bulk_id or command.request_id,
        number=wanted_number(command),
        request_id=command.request_id,
        requirement=refusal.requirement if refusal else None,
    )


def second_body(stored: dict[str, Any], command: RequestNumber) -> AdminAlertRaised | None:
    """Returns an alert when command reuses a stored request's id (its Idempotency-Key) for
    another pick: the first request goes on and this one is not placed — said, not dropped."""
    first = RequestNumber.model_validate(stored["command"])
    if first.pick == command.pick:
        return None  # a plain repeat
    return AdminAlertRaised.to_sender(
        command,
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        about=command.message_id,  # the key is the first request's: each second body its own
        title="A second request with the same Idempotency-Key was not placed",
        detail=(
            f"Request {command.request_id} already asks for {describe(first)}; the same "
            f"Idempotency-Key then asked for {describe(command)}, which was not placed. "
            "Use a new key for a new request."
        ),
        number=wanted_number(command),
        request_id=command.request_id,
    )


def nothing_to_correct(command: SubmitRegistration) -> AdminAlertRaised:
    """Returns the alert for corrected documents no rejected registration waits for."""
    return AdminAlertRaised.to_sender(
        command,
        ErrorCode.CONFLICT,
        about=command.message_id,
        title="No rejected registration to correct",
        detail=(
            f"{command.number} has no registration DIDWW rejected (it is pending review, "
            "approved, or not a regulated number of yours); the documents were not submitted."
        ),
        number=command.number,
    )


def describe(command: RequestNumber) -> str:
    """The pick in an admin's words."""
    pick = command.pick
    number = getattr(pick, "number", None)
    kind = f"{pick.country} {pick.number_type}"
    return str(number) if number else f"the next available {kind} number"


def kyc_detail(requirement: KycRequirement, in_app: bool = False) -> str:
    """Explains what DIDWW will ask for and where to file it (in VeloConnect, when in_app)."""
    proofs = [
        f"{qty} {kind} proof(s)"
        for kind, qty in (
            ("personal identity", requirement.personal_proof_qty),
            ("business identity", requirement.business_proof_qty),
            ("address", requirement.address_proof_qty),
        )
        if qty
    ]
    wanted = ", ".join(proofs) or "registration"
    identity = requirement.identity_type or "any"
    message = requirement.restriction_message or "The regulator requires registration."
    asks = (
        f"{message} DIDWW asks for {wanted} (identity: {identity}, address level: "
        f"{requirement.address_area_level or 'none'})."
    )
    if in_app:
        return (
            f"{asks} File an identity and an address with their proofs in VeloConnect "
            "(/v1/kyc), then request the number with them."
        )
    return (
        f"{asks} File them at {requirement.where_to_file}; the number appears in your Phone "
        "numbers list once DIDWW delivers it."
    )


def retry_delay(attempt: int, base: float, cap: float) -> float:
    """Returns the wait before retry number attempt (1-based): base, 2·base, … up to cap."""
    return float(min(cap, base * 2 ** max(0, attempt - 1)))


def should_alert_stuck(attempts: int, threshold: int, alerted: bool) -> bool:
    """Tells whether a request failing for attempts tries now warrants its one stuck alert."""
    return attempts >= threshold and not alerted
