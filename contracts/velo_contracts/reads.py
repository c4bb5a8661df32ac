"""What the read APIs answer: the shapes the gateway documents and the admin UI reads.

The Phone numbers list's views are the assignment service's answers (it validates them); the
others describe what inventory, ordering, sip-routing and audit answer, checked against the
running system by the end-to-end tests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from velo_contracts.types import InboundTarget, KycRequirement


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
    status: str = Field(description="registering, provisioning, active or released.")
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
    registration: dict[str, Any] | None = Field(
        default=None,
        description="A regulated number's registration at DIDWW (in-app KYC): status (awaiting, "
        "pending, rejected, approved), verification id and reference, reasons and comment.",
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


class _Read(BaseModel):
    model_config = ConfigDict(extra="allow")


class Problem(_Read):
    """An error (RFC 9457 Problem Details, `application/problem+json`)."""

    type: str = Field(description="A URI naming the kind of problem.")
    title: str = Field(description="Short summary.")
    status: int = Field(description="The HTTP status.")
    detail: str = Field(description="What is wrong, in words an admin understands.")
    code: str = Field(description="Stable error code (velo_contracts.ErrorCode).")
    field: str | None = Field(default=None, description="The offending field, if one.")


class Country(_Read):
    """A country DIDWW covers and the number types offered in it."""

    iso: str = Field(description="ISO 3166 code, e.g. `DE`.")
    name: str
    prefix: str = Field(description="Dialling code without `+`.")
    types: list[str] = Field(description="local, mobile, toll_free.")


class Offer(_Read):
    """A number on offer at DIDWW right now."""

    number: str = Field(description="E.164.")
    country: str
    type: str
    area: str | None = None
    features: dict[str, bool] = Field(description="`voice`, `sms_inbound`.")
    monthly_price: str = Field(description="Billed monthly from delivery (decimal).")
    setup_price: str = Field(description="Billed once on delivery (decimal).")
    currency: str
    kyc_required: bool = Field(description="DIDWW delivers it only after documents are filed.")
    requirement: KycRequirement | None = None
    offer_id: str = Field(description="Give it to `POST /v1/number-requests`.")


class NextAvailableOffer(_Read):
    """A group DIDWW picks the number from (no specific number chosen)."""

    area: str | None = None
    offer_id: str
    monthly_price: str
    setup_price: str
    currency: str
    kyc_required: bool
    requirement: KycRequirement | None = None


class InventoryPage(_Read):
    """A page of live inventory."""

    items: list[Offer]
    next_available: list[NextAvailableOffer] = Field(default_factory=list)
    next_cursor: str | None = None


class Accepted(_Read):
    """A command the broker has taken (202): follow it with `Location` or the event stream."""

    id: str
    status: str


class RequestState(_Read):
    """Where a number request stands."""

    id: str
    status: str = Field(
        description="requested, ordering, registering, approved, active, rejected or failed."
    )
    registration: dict[str, Any] | None = Field(
        default=None, description="A regulated number's registration at DIDWW, once filed."
    )
    reason: str | None = Field(default=None, description="Error code of a rejection or failure.")
    detail: str | None = None
    number: str | None = None
    pick: dict[str, Any] | None = Field(default=None, description="What was asked for.")
    created_at: datetime
    updated_at: datetime


class DirectoryEntry(_Read):
    """An agent, extension, queue or ring group of the tenant's PBX."""

    extension: str
    name: str | None = None
    type: str | None = None


class Directory(_Read):
    """The assignment targets of the tenant's PBX."""

    agents: list[DirectoryEntry]
    queues: list[DirectoryEntry] = Field(default_factory=list)
    ring_groups: list[DirectoryEntry] = Field(default_factory=list)


class AuditEntry(_Read):
    """One event of the tenant's audit log."""

    id: str
    type: str
    actor: dict[str, str]
    number: str | None = None
    occurred_at: datetime
    correlation_id: str | None = None
    cost: dict[str, Any] | None = Field(default=None, description="What it billed, if anything.")
    payload: dict[str, Any]


class AuditPage(_Read):
    """A page of the audit log, newest first."""

    items: list[AuditEntry]
    next_cursor: str | None = None


class Alert(_Read):
    """An in-app alert."""

    id: str
    severity: str
    code: str
    title: str
    detail: str
    number: str | None = None
    request_id: str | None = None
    requirement: KycRequirement | None = None
    created_at: datetime
    read: bool


class Alerts(_Read):
    """The caller's alerts, newest first."""

    items: list[Alert]
