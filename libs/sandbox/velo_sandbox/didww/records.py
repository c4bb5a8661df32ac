"""Mutable records of the sandbox: accounts and what they hold. Serializable for persistence."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from velo_sandbox.didww.regulation_records import RegulationRecords


class Account(BaseModel):
    """One DIDWW customer account, reached with one API key."""

    api_key: str
    balance: Decimal
    credit: Decimal = Decimal("0.00")
    callback_secret: str | None = Field(
        default=None, description="The enabled callback secret; DIDWW calls back only with one."
    )


class Reservation(BaseModel):
    """A 10-minute hold of a number by one account."""

    id: str
    api_key: str
    number_id: str
    description: str | None
    created_at: datetime
    expires_at: datetime


class OrderLine(BaseModel):
    """One item of an order and the numbers set aside for it."""

    sku_id: str
    group_id: str
    qty: int
    nrc: Decimal
    mrc: Decimal
    number_ids: list[str] = Field(description="Numbers set aside so far; fewer than qty: waiting.")
    nanpa_prefix_id: str | None = None
    billing_cycles_count: int | None = None
    billed_from: datetime | None = None
    billed_to: datetime | None = None

    @property
    def waiting(self) -> int:
        """Counts the numbers this back-ordered line still waits for."""
        return self.qty - len(self.number_ids)


class Order(BaseModel):
    """An order; charged when placed, fulfilled or canceled later."""

    id: str
    api_key: str
    reference: str
    status: str = "pending"
    amount: Decimal
    created_at: datetime
    callback_url: str | None = None
    callback_method: str | None = None
    external_reference_id: str | None = None
    lines: list[OrderLine]
    doomed: bool = Field(default=False, description="Canceled instead of completed (fault).")

    @property
    def waiting(self) -> bool:
        """Tells whether a back-ordered line still waits for stock."""
        return any(line.waiting for line in self.lines)


class Did(BaseModel):
    """A number owned by an account."""

    id: str
    api_key: str
    number_id: str
    number: str
    group_id: str
    order_id: str | None
    created_at: datetime
    expires_at: datetime | None
    awaiting_registration: bool = False
    blocked: bool = False
    terminated: bool = False
    billing_cycles_count: int | None = None
    description: str | None = None
    capacity_limit: int | None = None
    trunk_id: str | None = None
    address_verification_id: str | None = Field(
        default=None, description="The latest address verification submitted for it."
    )


class Trunk(BaseModel):
    """A voice_in_trunk of an account."""

    id: str
    api_key: str
    name: str
    created_at: datetime
    attributes: dict[str, Any]
    configuration: dict[str, Any]


class Records(BaseModel):
    """All mutable state; numbers not in `holds` are available."""

    accounts: dict[str, Account] = {}
    holds: dict[str, str] = Field(default={}, description="number id -> holder id")
    reservations: dict[str, Reservation] = {}
    orders: dict[str, Order] = {}
    dids: dict[str, Did] = {}
    trunks: dict[str, Trunk] = {}
    restocked: dict[str, int] = Field(default={}, description="DID group id -> numbers added")
    regulation: RegulationRecords = Field(default_factory=RegulationRecords)
