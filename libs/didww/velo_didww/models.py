"""Typed results of the DIDWW client: JSON:API resources flattened into friendly models."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DidwwModel(BaseModel):
    """Base of every result: immutable, tolerant of attributes added by newer API versions."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Country(DidwwModel):
    """A country DIDWW has coverage in."""

    id: str
    name: str
    iso: str = Field(description="ISO 3166-1 alpha-2 code.")
    prefix: str | None = Field(description="Dialling code without '+'.")


class Region(DidwwModel):
    """A region (state, province) of a country."""

    id: str
    name: str
    iso: str | None = Field(default=None, description="ISO 3166-2 code without the country part.")
    country_id: str | None = None
    country: Country | None = None


class Area(DidwwModel):
    """A regulatory numbering area of a country (KYC may want an address inside it)."""

    id: str
    name: str
    country_id: str | None = None
    country: Country | None = None


class City(DidwwModel):
    """A city with local numbers, in one region and one area."""

    id: str
    name: str
    country_id: str | None = None
    region_id: str | None = None
    area_id: str | None = None
    country: Country | None = None
    region: Region | None = None
    area: Area | None = None


class NanpaPrefix(DidwwModel):
    """A NANPA NPA-NXX prefix: area code and central office code."""

    id: str
    npa: str
    nxx: str
    country_id: str | None = None
    region_id: str | None = None
    country: Country | None = None
    region: Region | None = None


class DidGroupType(DidwwModel):
    """A kind of number: Local, Mobile, Toll-free, National, Global, Shared Cost."""

    id: str
    name: str


class StockKeepingUnit(DidwwModel):
    """A priced offer of a DID group (USD, VAT excluded)."""

    id: str
    setup_price: Decimal
    monthly_price: Decimal
    channels_included_count: int


class ProofType(DidwwModel):
    """A kind of document DIDWW accepts as a proof, and what it proves."""

    id: str
    name: str
    entity_type: Literal["Address", "Business", "Personal", "Porting"]


class SupportingDocumentTemplate(DidwwModel):
    """A blank form a requirement asks for: kept on file (`permanent`) or sent per verification."""

    id: str
    name: str
    permanent: bool
    url: str = Field(description="Where to download the blank form.")


class AddressRequirement(DidwwModel):
    """What a regulator demands before numbers of a country and type can be used (KYC).

    The proof types and templates are filled when read with `get_address_requirement` (included).
    """

    id: str
    identity_type: Literal["any", "personal", "business"]
    personal_area_level: str | None = None
    business_area_level: str | None = None
    address_area_level: str
    personal_proof_qty: int
    business_proof_qty: int
    address_proof_qty: int
    personal_mandatory_fields: list[str] | None = None
    business_mandatory_fields: list[str] | None = None
    service_description_required: bool
    restriction_message: str
    country_id: str | None = None
    did_group_type_id: str | None = None
    personal_proof_types: list[ProofType] = []
    business_proof_types: list[ProofType] = []
    address_proof_types: list[ProofType] = []
    personal_permanent_document: SupportingDocumentTemplate | None = None
    business_permanent_document: SupportingDocumentTemplate | None = None
    personal_onetime_document: SupportingDocumentTemplate | None = None
    business_onetime_document: SupportingDocumentTemplate | None = None


class DidGroup(DidwwModel):
    """A block of numbers sharing country, area, type and prefix, with prices and KYC needs."""

    id: str
    prefix: str
    area_name: str
    features: list[str]
    is_metered: bool
    allow_additional_channels: bool
    service_restrictions: str | None = None
    available_dids_enabled: bool
    needs_registration: bool = False
    is_available: bool = True
    total_count: int | None = None
    country_id: str | None = None
    city_id: str | None = None
    region_id: str | None = None
    did_group_type_id: str | None = None
    address_requirement_id: str | None = None
    country: Country | None = None
    city: City | None = None
    region: Region | None = None
    did_group_type: DidGroupType | None = None
    stock_keeping_units: list[StockKeepingUnit] = []
    address_requirement: AddressRequirement | None = None

    @model_validator(mode="before")
    @classmethod
    def _lift_meta(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {**(data.get("meta") or {}), **data}
        return data


class AvailableDid(DidwwModel):
    """A specific number in stock that can be reserved or ordered."""

    id: str
    number: str = Field(description="E.164 without '+'.")
    did_group_id: str | None = None
    did_group: DidGroup | None = None
    nanpa_prefix_id: str | None = None
    nanpa_prefix: NanpaPrefix | None = None


class DidReservation(DidwwModel):
    """A 10-minute hold on an available number."""

    id: str
    description: str | None = None
    created_at: datetime
    expires_at: datetime
    available_did_id: str | None = None
    available_did: AvailableDid | None = None


class OrderItem(DidwwModel):
    """One line of an order; amounts are VAT included."""

    type: str
    qty: int
    nrc: Decimal
    mrc: Decimal
    prorated_mrc: bool = False
    billed_from: date | None = None
    billed_to: date | None = None
    did_group_id: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _lift_attributes(cls, data: Any) -> Any:
        if isinstance(data, dict) and "attributes" in data:
            return {"type": data.get("type"), **data["attributes"]}
        return data


OrderStatus = Literal["pending", "completed", "canceled"]


class Order(DidwwModel):
    """An order: charged when placed, `pending` until DIDWW fulfils or cancels it."""

    id: str
    reference: str
    description: str | None = None
    amount: Decimal
    status: OrderStatus
    created_at: datetime
    callback_url: str | None = None
    callback_method: str | None = None
    external_reference_id: str | None = None
    items: list[OrderItem] = []


class Did(DidwwModel):
    """A number owned by the account."""

    id: str
    number: str
    description: str | None = None
    blocked: bool
    awaiting_registration: bool
    terminated: bool
    capacity_limit: int | None = None
    channels_included_count: int = 0
    dedicated_channels_count: int = 0
    billing_cycles_count: int | None = None
    created_at: datetime
    expires_at: datetime | None = None
    did_group_id: str | None = None
    order_id: str | None = None
    voice_in_trunk_id: str | None = None
    voice_in_trunk_group_id: str | None = None
    address_verification_id: str | None = Field(
        default=None, description="The latest address verification submitted for it."
    )


class TrunkConfiguration(DidwwModel):
    """A trunk's transport configuration as DIDWW returns it (`sip_configurations`, ...)."""

    type: str
    attributes: dict[str, Any]


class VoiceInTrunk(DidwwModel):
    """An inbound voice trunk that DIDs can be pointed at."""

    id: str
    name: str
    description: str | None = None
    external_reference_id: str | None = None
    priority: int
    weight: int
    capacity_limit: int | None = None
    cli_format: str | None = None
    cli_prefix: str | None = None
    ringing_timeout: int | None = None
    created_at: datetime
    configuration: TrunkConfiguration


class Balance(DidwwModel):
    """The account's money: prepaid balance, credit and their spendable total."""

    balance: Decimal
    credit: Decimal
    total_balance: Decimal
