"""Inventory entries and next-available offers, built from DIDWW's groups and numbers. No I/O."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from velo_contracts import KycRequirement, NumberType
from velo_didww import AvailableDid, DidGroup
from velo_offers import e164, features_of, kyc_requirement, number_type_of


class Offer(BaseModel):
    """Something the admin can request: a listed number, or the next number of a group."""

    number: str | None = Field(default=None, description="E.164 with `+`; none for next-available.")
    country: str = Field(description="ISO country code.")
    type: NumberType = Field(description="local, mobile or toll_free.")
    area: str = Field(description="Area or city (DIDWW's area name).")
    features: dict[str, bool] = Field(description="`voice`, `sms_inbound`.")
    monthly_price: str = Field(description="Monthly price, decimal string, VAT excluded.")
    setup_price: str = Field(description="One-off setup price, decimal string.")
    currency: str = "USD"
    kyc_required: bool = Field(description="Whether DIDWW needs documents first.")
    requirement: KycRequirement | None = Field(default=None, description="What is required.")
    offer_id: str = Field(description="Give it to a number request; ordering re-checks it live.")


def group_offer(group: DidGroup, iso: str, number: AvailableDid | None = None) -> Offer:
    """Returns the offer of a listed number of group, or the group's next-available offer."""
    sku = group.stock_keeping_units[0] if group.stock_keeping_units else None
    requirement = kyc_requirement(group)
    return Offer(
        number=e164(number.number) if number else None,
        country=iso,
        type=number_type_of(group) or NumberType.LOCAL,
        area=group.area_name,
        features=features_of(group),
        monthly_price=str(sku.monthly_price) if sku else "0",
        setup_price=str(sku.setup_price) if sku else "0",
        kyc_required=requirement is not None,
        requirement=requirement,
        offer_id=number.id if number else group.id,
    )


def of_type(groups: list[DidGroup], number_type: NumberType) -> list[DidGroup]:
    """Keeps the groups that are of the platform type."""
    return [g for g in groups if number_type_of(g) == number_type]


def in_area(groups: list[DidGroup], area: str | None) -> list[DidGroup]:
    """Keeps the groups whose area name contains area (any case)."""
    if not area:
        return groups
    return [g for g in groups if area.casefold() in g.area_name.casefold()]


def types_offered(groups: list[DidGroup]) -> list[str]:
    """Returns the platform types present among groups, in a stable order."""
    present = {number_type_of(g) for g in groups}
    return [str(t) for t in NumberType if t in present]


def with_sms(offers: list[Offer], sms: bool | None) -> list[Offer]:
    """Keeps offers with inbound SMS when sms is asked for."""
    return [o for o in offers if o.features["sms_inbound"]] if sms else offers


def page(items: list[Any], cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    """Returns one page of items from an offset cursor, and the cursor of the next page."""
    start = int(cursor) if cursor and cursor.isdigit() else 0
    end = start + limit
    return items[start:end], (str(end) if end < len(items) else None)
