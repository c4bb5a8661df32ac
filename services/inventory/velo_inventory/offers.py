"""Inventory entries and next-available offers, built from DIDWW's groups and numbers. No I/O."""

from __future__ import annotations

from decimal import Decimal
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


class Area(BaseModel):
    """Where numbers of one type come from in a country: a city (or DIDWW's area) on offer."""

    id: str = Field(description="DIDWW's city id (or its area name); give it as `area` to search.")
    name: str = Field(description="City or area name.")
    region: str | None = Field(default=None, description="Region (state, province) it lies in.")
    prefixes: list[str] = Field(description="Area codes (NANPA NPA in the US and Canada).")
    numbers_on_offer: int = Field(description="Numbers DIDWW has in stock there now.")
    monthly_price_from: str = Field(description="Lowest monthly price there, decimal string.")
    monthly_price_to: str = Field(description="Highest monthly price there, decimal string.")
    setup_price_from: str = Field(description="Lowest one-off setup price there.")
    currency: str = "USD"
    kyc_required: bool = Field(description="Whether DIDWW needs documents for numbers there.")


def areas(groups: list[DidGroup], country_prefix: str) -> list[Area]:
    """Returns the areas of groups (one type of one country), by city, most numbers first."""
    by_place: dict[str, list[DidGroup]] = {}
    for group in groups:
        by_place.setdefault(_place_id(group), []).append(group)
    found = [_area(place, members, country_prefix) for place, members in by_place.items()]
    return sorted(found, key=lambda a: (-a.numbers_on_offer, a.name))


def _place_id(group: DidGroup) -> str:
    return group.city.id if group.city else (group.city_id or group.area_name)


def area_code(group: DidGroup, country_prefix: str) -> str:
    """Returns the group's area code: its dialling prefix without the country code."""
    return group.prefix.removeprefix(country_prefix)


def _area(place: str, groups: list[DidGroup], country_prefix: str) -> Area:
    skus = [sku for g in groups for sku in g.stock_keeping_units]
    monthly = sorted(sku.monthly_price for sku in skus) or [Decimal(0)]
    setup = sorted(sku.setup_price for sku in skus) or [Decimal(0)]
    first = groups[0]
    return Area(
        id=place,
        name=first.city.name if first.city else first.area_name,
        region=first.region.name if first.region else None,
        prefixes=sorted({area_code(g, country_prefix) for g in groups}),
        numbers_on_offer=sum(g.total_count or 0 for g in groups if g.is_available),
        monthly_price_from=str(monthly[0]),
        monthly_price_to=str(monthly[-1]),
        setup_price_from=str(setup[0]),
        kyc_required=any(kyc_requirement(g) is not None for g in groups),
    )


def of_type(groups: list[DidGroup], number_type: NumberType) -> list[DidGroup]:
    """Keeps the groups that are of the platform type."""
    return [g for g in groups if number_type_of(g) == number_type]


def in_area(groups: list[DidGroup], area: str | None) -> list[DidGroup]:
    """Keeps the groups of an area: its id (from `areas`) exactly, else the groups whose area,
    city or region name contains it (any case)."""
    if not area:
        return groups
    exact = [g for g in groups if _place_id(g) == area]
    if exact:
        return exact
    wanted = area.casefold()
    return [g for g in groups if any(wanted in name.casefold() for name in _names(g))]


def _names(group: DidGroup) -> list[str]:
    names = [group.area_name]
    names += [group.city.name] if group.city else []
    names += [group.region.name] if group.region else []
    return names


def with_prefix(groups: list[DidGroup], prefix: str | None, country_prefix: str) -> list[DidGroup]:
    """Keeps the groups whose area code (NANPA NPA, national prefix) starts with prefix."""
    if not prefix:
        return groups
    return [g for g in groups if area_code(g, country_prefix).startswith(prefix)]


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
