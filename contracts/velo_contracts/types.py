"""Small value types shared by many messages: numbers, countries, money, targets."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

E164 = Annotated[
    str,
    StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$"),
    Field(description="Phone number in E.164 with the leading `+`, e.g. `+493012345678`."),
]
CountryCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}$"),
    Field(description="ISO 3166-1 alpha-2 country code, upper case, e.g. `DE`."),
]
Money = Annotated[
    Decimal,
    Field(description="Amount as a decimal string in `currency` (DIDWW prices exclude VAT)."),
]
Currency = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    Field(description="ISO 4217 currency code, e.g. `USD`."),
]


class NumberType(StrEnum):
    """Kinds of number an admin can pick."""

    LOCAL = "local"
    MOBILE = "mobile"
    TOLL_FREE = "toll_free"


class TargetType(StrEnum):
    """What an inbound number can ring in PortSIP."""

    AGENT = "agent"
    EXTENSION = "extension"
    QUEUE = "queue"
    RING_GROUP = "ring_group"


class Frozen(BaseModel):
    """Base of the immutable value objects inside messages."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class InboundTarget(Frozen):
    """Where calls to a number ring."""

    type: TargetType = Field(description="Kind of target.")
    id: str = Field(
        min_length=1,
        description="The target's extension number in the tenant's PortSIP (agent, queue, ...).",
    )


class KycRequirement(Frozen):
    """What the regulator requires before DIDWW delivers a number (from its address requirement)."""

    identity_type: Literal["any", "personal", "business"] | None = Field(
        default=None, description="Whose identity must be proven, if any."
    )
    address_area_level: str | None = Field(
        default=None,
        description="How local the address must be (`Country`, `City`, …).",
    )
    personal_proof_qty: int = Field(default=0, description="Personal identity proofs required.")
    business_proof_qty: int = Field(default=0, description="Business identity proofs required.")
    address_proof_qty: int = Field(default=0, description="Proofs of address required.")
    proof_types: list[str] = Field(
        default_factory=list, description="Accepted proof document types, as DIDWW names them."
    )
    restriction_message: str | None = Field(
        default=None, description="The regulator's own words, as DIDWW gives them."
    )
    where_to_file: str = Field(
        default="DIDWW dashboard → Regulatory → Identities and Addresses",
        description="Where the admin files the documents (directly with DIDWW).",
    )
    requirement_id: str | None = Field(
        default=None, description="DIDWW's address requirement id (in-app KYC validates by it)."
    )
    personal_mandatory_fields: list[str] = Field(
        default_factory=list, description="Identity fields a personal identity must fill in."
    )
    business_mandatory_fields: list[str] = Field(
        default_factory=list, description="Identity fields a business identity must fill in."
    )
    service_description_required: bool = Field(
        default=False, description="Whether the registration must say how the number is used."
    )


class KycFiling(Frozen):
    """The tenant's identity and address (DIDWW ids, filed in-app) a regulated number is for."""

    identity_id: str = Field(min_length=1, max_length=64, description="DIDWW identity id.")
    address_id: str = Field(min_length=1, max_length=64, description="DIDWW address id.")
    service_description: str | None = Field(
        default=None, max_length=500, description="How the number will be used, where required."
    )


MAX_BULK = 200
"""Most numbers one bulk request may ask for (a clear 422 above it)."""


class BulkCost(Frozen):
    """What a bulk costs at the live offers it was priced with when the admin asked."""

    currency: Currency = "USD"
    monthly_each: Money = Field(description="Monthly price of one number (the highest, if mixed).")
    setup_each: Money = Field(description="Setup price of one number (the highest, if mixed).")
    monthly_total: Money = Field(description="Monthly price of every number asked for, together.")
    setup_total: Money = Field(description="Setup price of every number asked for, together.")
    exact: bool = Field(
        default=True,
        description="Whether every number costs the same (else the totals are an upper bound).",
    )
    max_monthly_total: Money | None = Field(
        default=None, description="The admin's guard: the bulk is refused above this total."
    )
