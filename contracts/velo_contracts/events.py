"""Events: facts about numbers, published only by the service that owns them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import Field

from velo_contracts.commands import NumberPick
from velo_contracts.envelope import Command, Event, stable_id
from velo_contracts.errors import ErrorCode
from velo_contracts.types import (
    E164,
    BulkCost,
    CountryCode,
    Currency,
    Frozen,
    InboundTarget,
    KycRequirement,
    Money,
    NumberType,
)


class NumberFacts(Frozen):
    """What is known about a number at DIDWW: where it is, what it costs."""

    country: CountryCode
    country_prefix: str | None = Field(
        default=None,
        pattern=r"^[1-9][0-9]{0,3}$",
        description="The country's calling code without `+` (e.g. `49`), for local presence.",
    )
    number_type: NumberType = Field(description="Local, mobile or toll-free.")
    area: str | None = Field(default=None, description="Area or city name, if DIDWW gives one.")
    setup_price: Money
    monthly_price: Money
    currency: Currency = "USD"
    kyc_required: bool = Field(default=False, description="Whether DIDWW needs registration.")


class NumberRequested(Event):
    """A request was accepted for processing (status `requested`)."""

    type: Literal["NumberRequested"] = "NumberRequested"
    request_id: str = Field(description="The request this is about.")
    pick: NumberPick = Field(description="What the admin picked.")


class BulkRequested(Event):
    """A bulk was accepted: its `total` child requests `<bulk_id>-<i>` follow."""

    type: Literal["BulkRequested"] = "BulkRequested"
    bulk_id: str = Field(description="The bulk this is about.")
    total: int = Field(ge=1, description="How many numbers the bulk asks for.")
    picks: list[NumberPick] = Field(description="One pick per number, child `i` takes `picks[i]`.")
    cost: BulkCost | None = Field(default=None, description="The cost the admin confirmed.")


class BulkOutcome(StrEnum):
    """How one number of a bulk ended."""

    ACTIVE = "active"
    REJECTED = "rejected"
    FAILED = "failed"


class BulkProgressed(Event):
    """One number of a bulk reached its outcome; the bulk's counts right after it.

    Keyed by the bulk, so one bulk's progress arrives in order: `done` never decreases and
    `done + failed + pending == total` in every event.
    """

    type: Literal["BulkProgressed"] = "BulkProgressed"
    bulk_id: str = Field(description="The bulk this is about.")
    request_id: str = Field(description="The child request that ended (`<bulk_id>-<i>`).")
    number: E164 | None = Field(default=None, description="The number it got or asked for.")
    outcome: BulkOutcome = Field(description="`active`, `rejected` or `failed`.")
    reason: ErrorCode | None = Field(default=None, description="Why, when it did not get one.")
    detail: str | None = Field(default=None, description="Human-readable reason, if any.")
    total: int = Field(ge=1, description="Numbers the bulk asks for.")
    done: int = Field(ge=0, description="Numbers of the bulk Active so far.")
    failed: int = Field(ge=0, description="Numbers of the bulk rejected or failed so far.")
    pending: int = Field(ge=0, description="Numbers of the bulk still on their way.")

    def partition_key(self) -> str:
        """Returns the bulk id: one bulk's progress stays in order on one partition."""
        return self.bulk_id


class NumberRequestRejected(Event):
    """A request ended without a number for a reason the admin can act on (status `rejected`)."""

    type: Literal["NumberRequestRejected"] = "NumberRequestRejected"
    request_id: str = Field(description="The request this is about.")
    number: E164 | None = Field(default=None, description="The number asked for, if specific.")
    reason: ErrorCode = Field(description="Why: `kyc_required`, `unavailable`, … (stable code).")
    detail: str = Field(description="Human-readable explanation for the admin.")
    requirement: KycRequirement | None = Field(
        default=None, description="What the regulator requires, when the reason is KYC."
    )


class NumberRequestFailed(Event):
    """A request could not be completed because something broke (status `failed`)."""

    type: Literal["NumberRequestFailed"] = "NumberRequestFailed"
    request_id: str = Field(description="The request this is about.")
    reason: ErrorCode = Field(description="Stable code of the failure.")
    detail: str = Field(description="Human-readable explanation, for the admin and support.")


class NumberOrdered(Event):
    """DIDWW accepted and charged an order for the request (status `ordering`)."""

    type: Literal["NumberOrdered"] = "NumberOrdered"
    request_id: str = Field(description="The request (the order's external reference).")
    number: E164 | None = Field(default=None, description="The number, when it was specific.")
    didww_order_id: str = Field(description="DIDWW order id.")
    order_reference: str = Field(description="DIDWW's human-readable order reference.")
    amount: Money
    currency: Currency = "USD"


class NumberApproved(Event):
    """DIDWW delivered the number and it points at the tenant's trunk (status `approved`)."""

    type: Literal["NumberApproved"] = "NumberApproved"
    request_id: str = Field(description="The request this is about.")
    number: E164
    didww_did_id: str = Field(description="DIDWW DID id.")
    didww_order_id: str = Field(description="DIDWW order id.")
    order_reference: str = Field(description="DIDWW's human-readable order reference.")
    amount: Money
    facts: NumberFacts = Field(description="Country, type, area and prices of the number.")
    requested_at: datetime | None = Field(
        default=None, description="When the admin asked for the number (request to Active)."
    )


class NumberAwaitingRegistration(Event):
    """DIDWW delivered a regulated number (billed from now) that carries no traffic until DIDWW
    approves its registration; ordering files it next."""

    type: Literal["NumberAwaitingRegistration"] = "NumberAwaitingRegistration"
    request_id: str = Field(description="The request this is about.")
    number: E164
    didww_did_id: str = Field(description="DIDWW DID id.")
    didww_order_id: str = Field(description="DIDWW order id.")
    order_reference: str = Field(description="DIDWW's human-readable order reference.")
    amount: Money
    facts: NumberFacts = Field(description="Country, type, area and prices of the number.")


class RegistrationSubmitted(Event):
    """The number's registration (an address verification) went to DIDWW: pending review."""

    type: Literal["RegistrationSubmitted"] = "RegistrationSubmitted"
    request_id: str = Field(description="The request this is about.")
    number: E164
    verification_id: str = Field(description="DIDWW address verification id.")
    reference: str | None = Field(default=None, description="DIDWW's reference, e.g. `AV-1234`.")
    identity_id: str = Field(description="DIDWW identity registered.")
    address_id: str = Field(description="DIDWW address registered.")


class RegistrationRejected(Event):
    """DIDWW rejected the number's registration; corrected documents can be filed for it."""

    type: Literal["RegistrationRejected"] = "RegistrationRejected"
    request_id: str = Field(description="The request this is about.")
    number: E164
    verification_id: str = Field(description="DIDWW address verification id.")
    reasons: list[str] = Field(default_factory=list, description="DIDWW's reject reasons.")
    comment: str | None = Field(default=None, description="DIDWW's reviewer's comment.")


class FiledDocument(Frozen):
    """A document an admin filed: what it was, never its content."""

    file_name: str = Field(max_length=200, description="The name the admin's file had.")
    content_type: str = Field(description="application/pdf, image/jpeg or image/png.")
    size_bytes: int = Field(ge=0, description="How big the file was.")


class KycRecordFiled(Event):
    """An admin filed an identity, an address or a proof with DIDWW through VeloConnect."""

    type: Literal["KycRecordFiled"] = "KycRecordFiled"
    kind: Literal["identity", "address", "proof"] = Field(description="What was filed.")
    record_id: str = Field(description="DIDWW's id of what was filed.")
    identity_id: str | None = Field(default=None, description="The identity it belongs to.")
    address_id: str | None = Field(default=None, description="The address it belongs to.")
    summary: str = Field(description="What it is, in words (no document content).")
    documents: list[FiledDocument] = Field(default_factory=list, description="Files sent.")


class NumberImported(Event):
    """A number found in the tenant's DIDWW account without a request (e.g. KYC, filed directly)."""

    type: Literal["NumberImported"] = "NumberImported"
    number: E164
    didww_did_id: str = Field(description="DIDWW DID id.")
    facts: NumberFacts = Field(description="Country, type, area and prices of the number.")


class NumberReleased(Event):
    """The number was terminated at DIDWW; billing stopped (status `released`)."""

    type: Literal["NumberReleased"] = "NumberReleased"
    number: E164
    didww_did_id: str = Field(description="DIDWW DID id.")
    billing_stopped_at: datetime = Field(description="When DIDWW confirmed the termination.")


class RoutingConfigured(Event):
    """PortSIP routes the number: it is in the trunk's DID pool with an inbound rule (`active`)."""

    type: Literal["RoutingConfigured"] = "RoutingConfigured"
    number: E164
    inbound_destination: str = Field(description="Extension number inbound calls now ring.")


class RoutingFailed(Event):
    """PortSIP could not be brought to the desired state after repeated tries."""

    type: Literal["RoutingFailed"] = "RoutingFailed"
    number: E164
    reason: ErrorCode = Field(description="Stable code of the failure.")
    detail: str = Field(description="What went wrong, for support.")
    attempts: int = Field(ge=1, description="How many times applying was tried so far.")


class RoutingRemoved(Event):
    """PortSIP holds nothing of the number any more (after a release)."""

    type: Literal["RoutingRemoved"] = "RoutingRemoved"
    number: E164


class NumberAssigned(Event):
    """A number now shows as an agent's caller ID and/or rings a target."""

    type: Literal["NumberAssigned"] = "NumberAssigned"
    number: E164
    outbound_agent: str | None = Field(default=None, description="Agent whose calls show it.")
    preferred: bool = Field(default=True, description="Whether it is that agent's default.")
    inbound_target: InboundTarget | None = Field(default=None, description="Where calls ring.")


class NumberReassigned(Event):
    """A number moved from one agent to another."""

    type: Literal["NumberReassigned"] = "NumberReassigned"
    number: E164
    from_agent: str = Field(description="Agent who lost the number.")
    to_agent: str = Field(description="Agent who got the number.")
    inbound_target: InboundTarget | None = Field(default=None, description="Where calls now ring.")


class NumberUnassigned(Event):
    """A number no longer belongs to an agent or target (calls go to the tenant default)."""

    type: Literal["NumberUnassigned"] = "NumberUnassigned"
    number: E164
    previous_agent: str | None = Field(default=None, description="Agent who held it.")
    previous_target: InboundTarget | None = Field(default=None, description="Where it rang.")


class AssignmentRejected(Event):
    """An assignment command was refused; nothing changed."""

    type: Literal["AssignmentRejected"] = "AssignmentRejected"
    command_id: str = Field(description="The refused command.")
    number: E164
    reason: ErrorCode = Field(description="Stable code: `number_not_active`, `target_not_found`, …")
    detail: str = Field(description="Human-readable explanation for the admin.")


class AlertSeverity(StrEnum):
    """How urgent an alert is."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class AdminAlertRaised(Event):
    """An in-app alert for one admin (or all admins of the tenant when `recipient` is empty)."""

    type: Literal["AdminAlertRaised"] = "AdminAlertRaised"
    alert_id: str = Field(description="Id of the alert (for read/unread).")
    recipient: str | None = Field(
        default=None, description="User id of the admin to alert; none means every tenant admin."
    )
    severity: AlertSeverity = Field(default=AlertSeverity.WARNING, description="Urgency.")
    code: ErrorCode = Field(description="Stable code of what happened.")
    title: str = Field(description="One-line summary shown in the alert list.")
    detail: str = Field(description="What happened and what to do next.")
    number: E164 | None = Field(default=None, description="The number concerned, if any.")
    request_id: str | None = Field(default=None, description="The request concerned, if any.")
    requirement: KycRequirement | None = Field(
        default=None, description="What the regulator requires, for KYC alerts."
    )

    @staticmethod
    def id_for(tenant_id: str, about: str, code: ErrorCode) -> str:
        """Returns the id of the tenant's alert of code about a command, request or bulk."""
        return stable_id(tenant_id, about, code)

    @classmethod
    def to_sender(
        cls,
        command: Command,
        code: ErrorCode,
        *,
        title: str,
        detail: str,
        severity: AlertSeverity = AlertSeverity.WARNING,
        about: str | None = None,
        **fields: Any,
    ) -> Self:
        """Returns the alert, for the user who sent command, that it was not (all) carried out.

        One alert per `about` (default: the command's idempotency key) and code, so a
        redelivered command raises the same alert again, which is then kept once.
        """
        return cls.caused_by(
            command,
            alert_id=cls.id_for(command.tenant_id, about or command.command_id, code),
            recipient=command.actor.user_id,
            severity=severity,
            code=code,
            title=title,
            detail=detail,
            **fields,
        )


class DeadLetterReplayed(Event):
    """An operator replayed a dead letter to its original topic (`velo-dlq replay`), once."""

    type: Literal["DeadLetterReplayed"] = "DeadLetterReplayed"
    dead_letter: str = Field(
        description="The dead letter's coordinate in its DLQ: `<dlq topic>/<partition>/<offset>`."
    )
    original_topic: str = Field(description="Topic the message failed on and was replayed to.")
    original_message_id: str | None = Field(
        default=None, description="`message_id` of the dead-lettered message, if it had one."
    )
    original_type: str | None = Field(
        default=None, description="Type of the dead-lettered message, if it could be read."
    )
    number: str | None = Field(
        default=None, description="The number the dead-lettered message was about, if any."
    )
    reason: str | None = Field(default=None, description="Why the operator replayed it.")


class DeadLetterDiscarded(Event):
    """An operator discarded a dead letter (`velo-dlq discard`): it will not be processed."""

    type: Literal["DeadLetterDiscarded"] = "DeadLetterDiscarded"
    dead_letter: str = Field(
        description="The dead letter's coordinate in its DLQ: `<dlq topic>/<partition>/<offset>`."
    )
    original_topic: str = Field(description="Topic the message failed on.")
    original_message_id: str | None = Field(
        default=None, description="`message_id` of the dead-lettered message, if it had one."
    )
    original_type: str | None = Field(
        default=None, description="Type of the dead-lettered message, if it could be read."
    )
    number: str | None = Field(
        default=None, description="The number the dead-lettered message was about, if any."
    )
    reason: str = Field(min_length=1, description="Why the operator discarded it.")


OrderingEvent = Annotated[
    NumberRequested
    | BulkRequested
    | BulkProgressed
    | NumberRequestRejected
    | NumberRequestFailed
    | NumberOrdered
    | NumberApproved
    | NumberImported
    | NumberReleased
    | NumberAwaitingRegistration
    | RegistrationSubmitted
    | RegistrationRejected
    | KycRecordFiled
    | AdminAlertRaised,
    Field(discriminator="type"),
]
RoutingEvent = Annotated[
    RoutingConfigured | RoutingFailed | RoutingRemoved | AdminAlertRaised,
    Field(discriminator="type"),
]
AssignmentEvent = Annotated[
    NumberAssigned | NumberReassigned | NumberUnassigned | AssignmentRejected | AdminAlertRaised,
    Field(discriminator="type"),
]
OpsEvent = Annotated[DeadLetterReplayed | DeadLetterDiscarded, Field(discriminator="type")]
