"""Live inventory of a tenant's DIDWW account: coverage briefly kept, availability always live."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from velo_contracts import NumberType
from velo_didww import AvailableDid, Country, DidGroup, DidwwClient, NotFound
from velo_inventory import offers
from velo_offers import TenantAccounts
from velo_runtime.coalesce import Coalescer

LISTED_KEPT = 20_000
"""Most offer ids of listed numbers remembered (the oldest are forgotten first)."""


class UnknownCountry(LookupError):
    """DIDWW has no coverage in the country asked for."""


class UnknownOffer(LookupError):
    """The offer is not (or no longer) at DIDWW."""


@dataclass(frozen=True)
class Query:
    """A search of the inventory."""

    country: str
    number_type: NumberType
    area: str | None = None
    contains: str | None = None
    sms: bool | None = None
    limit: int = 50
    cursor: str | None = None
    prefix: str | None = None


class Inventory:
    """Answers inventory reads for tenants from their own DIDWW accounts."""

    def __init__(self, accounts: TenantAccounts, coverage_ttl: float) -> None:
        self.accounts = accounts
        self.coverage = Coalescer(ttl=coverage_ttl)
        self.live = Coalescer(ttl=0)
        self._listed: OrderedDict[str, None] = OrderedDict()
        """Offer ids of numbers recently listed: a request for one asks DIDWW for the number
        first, not for a group of that id (one call fewer per pick)."""

    async def countries(self, tenant_id: str) -> list[dict[str, Any]]:
        """Lists DIDWW's countries with the platform types offered in each."""
        didww = await self.accounts.client(tenant_id)
        result: list[dict[str, Any]] = []
        for country in await self._countries(tenant_id, didww):
            groups = await self._groups(tenant_id, didww, country.id)
            types = offers.types_offered(groups)
            if types:
                entry = {"iso": country.iso, "name": country.name, "prefix": country.prefix}
                result.append({**entry, "types": types})
        return result

    async def search(self, tenant_id: str, query: Query) -> dict[str, Any]:
        """Returns listed numbers and next-available offers matching query, live."""
        didww = await self.accounts.client(tenant_id)
        country = await self._country(tenant_id, didww, query.country)
        groups = offers.of_type(await self._groups(tenant_id, didww, country.id), query.number_type)
        if not groups:
            message = f"DIDWW offers no {query.number_type} numbers in {country.name}."
            return _result([], [], None, message)
        in_area = offers.in_area(groups, query.area)
        groups = offers.with_prefix(in_area, query.prefix, country.prefix or "")
        numbers = await self._available(tenant_id, didww, country, groups, query.contains)
        items = offers.with_sms(numbers, query.sms)
        listed, next_cursor = offers.page(items, query.cursor, query.limit)
        unlisted = [g for g in groups if not g.available_dids_enabled and g.is_available]
        later = [offers.group_offer(g, country.iso) for g in unlisted]
        return _result(listed, offers.with_sms(later, query.sms), next_cursor, None)

    async def areas(self, tenant_id: str, iso: str, number_type: NumberType) -> dict[str, Any]:
        """Lists where numbers of a type are on offer in a country: cities or areas, with how
        many numbers, prices and whether documents are needed (from DIDWW's groups, kept for
        the coverage time)."""
        didww = await self.accounts.client(tenant_id)
        country = await self._country(tenant_id, didww, iso)
        groups = offers.of_type(await self._groups(tenant_id, didww, country.id), number_type)
        found = offers.areas(groups, country.prefix or "")
        return {
            "country": country.iso,
            "type": str(number_type),
            "items": [a.model_dump(mode="json") for a in found],
        }

    async def offer(self, tenant_id: str, offer_id: str) -> dict[str, Any]:
        """Returns the offer an id stands for, live: a number in stock or a group's next one."""
        didww = await self.accounts.client(tenant_id)
        number: AvailableDid | None = None
        group: DidGroup | None = None
        if offer_id not in self._listed:
            try:
                group = await didww.get_did_group(offer_id)
            except NotFound:
                group = None
        if group is None:
            try:
                number = await didww.get_available_did(offer_id)
            except NotFound:
                if offer_id not in self._listed:
                    raise UnknownOffer(offer_id) from None
                self._listed.pop(offer_id)  # taken since it was listed; maybe it is a group
                return await self.offer(tenant_id, offer_id)
            if number.did_group is None:
                raise UnknownOffer(offer_id) from None
            group = number.did_group
        iso = group.country.iso if group.country else ""
        return offers.group_offer(group, iso, number).model_dump(mode="json")

    async def _country(self, tenant_id: str, didww: DidwwClient, iso: str) -> Country:
        for country in await self._countries(tenant_id, didww):
            if country.iso == iso.upper():
                return country
        raise UnknownCountry(iso)

    async def _countries(self, tenant_id: str, didww: DidwwClient) -> list[Country]:
        result: list[Country] = await self.coverage.get(
            (tenant_id, "countries"), didww.list_countries
        )
        return result

    async def _groups(self, tenant_id: str, didww: DidwwClient, country_id: str) -> list[DidGroup]:
        result: list[DidGroup] = await self.coverage.get(
            (tenant_id, "groups", country_id),
            lambda: didww.list_did_groups({"country.id": country_id}),
        )
        return result

    async def _available(
        self,
        tenant_id: str,
        didww: DidwwClient,
        country: Country,
        groups: list[DidGroup],
        contains: str | None,
    ) -> list[offers.Offer]:
        listed = {g.id: g for g in groups if g.available_dids_enabled}
        if not listed:
            return []
        filters: dict[str, Any] = {"country.id": country.id, "did_group.id": sorted(listed)}
        if contains:
            filters["number_contains"] = contains
        key = (tenant_id, "available", country.id, tuple(sorted(listed)), contains)
        found: list[AvailableDid] = await self.live.get(
            key, lambda: didww.list_available_dids(filters)
        )
        self._remember(n.id for n in found)
        return [
            offers.group_offer(n.did_group or listed[n.did_group_id or ""], country.iso, n)
            for n in found
            if n.did_group_id in listed or n.did_group
        ]

    def _remember(self, offer_ids: Iterable[str]) -> None:
        for offer_id in offer_ids:
            self._listed[offer_id] = None
            self._listed.move_to_end(offer_id)
        while len(self._listed) > LISTED_KEPT:
            self._listed.popitem(last=False)


def _result(
    items: list[offers.Offer], later: list[offers.Offer], cursor: str | None, message: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "items": [o.model_dump(mode="json") for o in items],
        "next_available": [o.model_dump(mode="json", exclude={"number"}) for o in later],
        "next_cursor": cursor,
    }
    if message:
        body |= {"message": message, "code": "not_offered"}
    return body
