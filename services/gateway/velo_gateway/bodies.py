"""Request bodies of the gateway's write endpoints, validated with precise messages."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from velo_contracts import MAX_BULK, InboundTarget, KycFiling, NumberType
from velo_contracts.types import CountryCode
from velo_gateway.problems import Problem

_NUMBER = re.compile(r"^\+?[1-9][0-9]{6,14}$")
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:~-]{0,127}$")
_SEPARATORS = re.compile(r"[\s\-.()/]")


def safe_id(value: str, what: str) -> str:
    """Returns an id from a path once it has an id's shape (else 404: no such thing)."""
    if not _SAFE_ID.fullmatch(value) or ".." in value:
        raise Problem(404, "Not found", f"no {what} {value!r}", field=what.replace(" ", "_"))
    return value


def e164(number: str, field: str = "number") -> str:
    """Returns number in E.164 with `+`: with or without `+` or `00`, spaces, dashes, dots."""
    compact = _SEPARATORS.sub("", number)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not _NUMBER.fullmatch(compact):
        raise Problem(
            422,
            "Invalid request",
            f"{field}: {number!r} is not an international number like +49 30 1234567 "
            "(country code first, with + or 00)",
            field=field,
        )
    return compact if compact.startswith("+") else f"+{compact}"


class NumberRequestBody(BaseModel):
    """`{offer_id}`, `{country, type, number}` or `{country, type, next_available: true}`; a bulk:
    `{country, type, quantity[, area]}`, `{offer_id, quantity}` or `{country, type, numbers}`,
    each with an optional `max_monthly_total`."""

    model_config = ConfigDict(extra="forbid")

    offer_id: str | None = Field(default=None, description="An offer from the inventory search.")
    country: CountryCode | None = None
    type: NumberType | None = Field(default=None, description="local, mobile or toll_free.")
    number: str | None = Field(default=None, description="The specific number picked.")
    next_available: bool = Field(default=False, description="Any number of the country/type.")
    area: str | None = Field(default=None, description="Area or city, with next_available.")
    quantity: int | None = Field(
        default=None,
        ge=1,
        description=f"A bulk of this many next-available numbers (≤ {MAX_BULK}).",
    )
    numbers: list[str] | None = Field(
        default=None, min_length=1, description=f"A bulk of these picked numbers (≤ {MAX_BULK})."
    )
    max_monthly_total: Decimal | None = Field(
        default=None, ge=0, description="Refuse the bulk if its monthly total is above this."
    )
    identity_id: str | None = Field(
        default=None,
        max_length=64,
        description="In-app KYC: the identity (from /v1/kyc/identities) a regulated number is "
        "registered to; DIDWW's dry run checks it with address_id before anything is bought.",
    )
    address_id: str | None = Field(
        default=None, max_length=64, description="In-app KYC: that identity's address."
    )
    service_description: str | None = Field(
        default=None, max_length=500, description="How the number is used, where required."
    )

    @property
    def is_bulk(self) -> bool:
        """Tells whether the body asks for a bulk (quantity or a list of numbers)."""
        return self.quantity is not None or self.numbers is not None

    @field_validator("country", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) and len(value) == 2 else value

    @field_validator("offer_id")
    @classmethod
    def _offer_shape(cls, value: str | None) -> str | None:
        if value is not None and (not _SAFE_ID.fullmatch(value) or ".." in value):
            raise ValueError("is not an offer id from the inventory search")
        return value

    @field_validator("quantity", "numbers")
    @classmethod
    def _at_most_a_bulk(cls, value: Any) -> Any:
        size = len(value) if isinstance(value, list) else value
        if size is not None and size > MAX_BULK:
            raise ValueError(
                f"at most {MAX_BULK} numbers per bulk request ({size} asked); split it into several"
            )
        return value

    @property
    def kyc(self) -> KycFiling | None:
        """The identity and address the number is to be registered with, if given."""
        if self.identity_id is None or self.address_id is None:
            return None
        return KycFiling(
            identity_id=self.identity_id,
            address_id=self.address_id,
            service_description=self.service_description,
        )

    @model_validator(mode="after")
    def _one_way_to_pick(self) -> NumberRequestBody:
        if (self.identity_id is None) != (self.address_id is None):
            raise ValueError("give identity_id and address_id together (in-app KYC)")
        if self.is_bulk and self.identity_id:
            raise ValueError("identity_id: a regulated number is requested one at a time")
        if self.is_bulk:
            return self._one_way_to_bulk()
        if self.max_monthly_total is not None:
            raise ValueError("max_monthly_total guards a bulk: give it with quantity or numbers")
        if self.offer_id:
            return self
        if self.country is None or self.type is None:
            raise ValueError(
                "give offer_id, or country and type with number or next_available "
                "(a bulk: quantity or numbers)"
            )
        if bool(self.number) == self.next_available:
            raise ValueError("give either number or next_available: true, not both or neither")
        return self

    def _one_way_to_bulk(self) -> NumberRequestBody:
        if self.quantity is not None and self.numbers is not None:
            raise ValueError("give quantity (next available) or numbers (picked), not both")
        if self.number:
            raise ValueError("a bulk takes numbers: [...], not number")
        if self.numbers is not None and (self.offer_id or self.area or self.next_available):
            raise ValueError("give numbers with country and type only")
        if not self.offer_id and (self.country is None or self.type is None):
            raise ValueError("a bulk needs country and type (or, with quantity, an offer_id)")
        return self


class AssignmentBody(BaseModel):
    """What a number should do: show as an agent's caller ID and/or ring a target."""

    model_config = ConfigDict(extra="forbid")

    outbound_agent: str | None = Field(default=None, description="Extension of the agent.")
    preferred: bool = Field(default=True, description="Make it the agent's default caller ID.")
    inbound_target: InboundTarget | None = Field(default=None, description="Where calls ring.")

    @model_validator(mode="after")
    def _names_something(self) -> AssignmentBody:
        if self.outbound_agent is None and self.inbound_target is None:
            raise ValueError("give outbound_agent, inbound_target or both")
        return self
