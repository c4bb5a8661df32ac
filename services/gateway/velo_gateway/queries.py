"""Query-string models of the read endpoints, passed on to the owning service as they are."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from velo_contracts import NumberType
from velo_contracts.types import CountryCode
from velo_gateway.bodies import e164


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def params(self) -> dict[str, Any]:
        """Returns the parameters to forward, as the API names them."""
        return self.model_dump(by_alias=True, exclude_none=True)


class Page(_Query):
    """Cursor pagination."""

    limit: int = Field(default=50, ge=1, le=200, description="Items per page.")
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page.")


class InventoryQuery(Page):
    """Live inventory search."""

    country: CountryCode = Field(description="ISO country code, e.g. `DE`.")
    type: NumberType = Field(description="local, mobile or toll_free.")

    @field_validator("country", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) and len(value) == 2 else value

    area: str | None = Field(
        default=None, description="An area id from `/v1/countries/{iso}/areas`, or a city name."
    )
    prefix: str | None = Field(
        default=None,
        pattern=r"^[0-9]{1,6}$",
        description="Area code: the NANPA NPA in the US and Canada (`212`), else the national "
        "prefix (`30` for Berlin).",
    )
    contains: str | None = Field(default=None, description="Digits the number contains.")
    sms: bool | None = Field(default=None, description="Only numbers that receive SMS.")


class AreasQuery(_Query):
    """Where numbers of a type are on offer in a country."""

    type: NumberType = Field(description="local, mobile or toll_free.")


class NumbersQuery(Page):
    """Phone numbers list filters."""

    status: str | None = None
    country: str | None = None
    type: str | None = None
    agent: str | None = Field(default=None, description="Extension of the agent holding it.")
    q: str | None = Field(default=None, description="Free text (number, area, agent).")


class AuditFilter(_Query):
    """Audit search filters."""

    number: str | None = None
    actor: str | None = Field(default=None, description="User id of the admin.")
    type: str | None = Field(default=None, description="Event type, e.g. `NumberApproved`.")
    since: str | None = Field(default=None, alias="from", description="ISO-8601, inclusive.")
    until: str | None = Field(default=None, alias="to", description="ISO-8601, exclusive.")

    @field_validator("number")
    @classmethod
    def _e164(cls, number: str | None) -> str | None:
        return e164(number) if number else None


class AuditQuery(AuditFilter, Page):
    """Audit search with pagination."""
