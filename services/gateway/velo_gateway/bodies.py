"""Request bodies of the gateway's write endpoints, validated with precise messages."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from velo_contracts import InboundTarget, NumberType
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
    """`{offer_id}`, `{country, type, number}` or `{country, type, next_available: true}`."""

    model_config = ConfigDict(extra="forbid")

    offer_id: str | None = Field(default=None, description="An offer from the inventory search.")
    country: CountryCode | None = None
    type: NumberType | None = Field(default=None, description="local, mobile or toll_free.")
    number: str | None = Field(default=None, description="The specific number picked.")
    next_available: bool = Field(default=False, description="Any number of the country/type.")
    area: str | None = Field(default=None, description="Area or city, with next_available.")

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

    @model_validator(mode="after")
    def _one_way_to_pick(self) -> NumberRequestBody:
        if self.offer_id:
            return self
        if self.country is None or self.type is None:
            raise ValueError("give offer_id, or country and type with number or next_available")
        if bool(self.number) == self.next_available:
            raise ValueError("give either number or next_available: true, not both or neither")
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
