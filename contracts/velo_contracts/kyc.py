"""What an admin files for in-app KYC: the shapes the gateway validates at the edge and ordering
files with DIDWW (identities and their addresses; documents travel as multipart uploads)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class IdentityBody(BaseModel):
    """A person or company numbers are registered to."""

    model_config = ConfigDict(extra="forbid")

    identity_type: Literal["personal", "business"]
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    phone_number: str = Field(pattern=r"^[0-9]{6,15}$", description="Digits only.")
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO code.")
    birth_country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    contact_email: str | None = Field(default=None, max_length=200)
    company_name: str | None = Field(default=None, max_length=200)
    company_reg_number: str | None = Field(default=None, max_length=100)
    vat_id: str | None = Field(default=None, max_length=100)
    id_number: str | None = Field(default=None, max_length=100)
    personal_tax_id: str | None = Field(default=None, max_length=100)
    birth_date: date | None = None

    @field_validator("country", "birth_country", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class AddressBody(BaseModel):
    """A postal address of an identity."""

    model_config = ConfigDict(extra="forbid")

    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO code.")

    @field_validator("country", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    city_name: str = Field(min_length=1, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    address: str = Field(min_length=1, max_length=200, description="Street and number.")
