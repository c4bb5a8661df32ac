"""Regions, cities, areas and NANPA prefixes: the client lists them, and they match the numbers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from velo_didww import DidOrderItem, DidwwClient, ValidationFailed
from velo_sandbox.didww.runtime import Sandbox

HEADERS = {"Api-Key": "sandbox-acme-key"}


async def _country_id(client: DidwwClient, iso: str) -> str:
    [country] = await client.list_countries({"iso": iso})
    return country.id


async def test_every_local_group_sits_in_a_listed_city_region_and_area(acme: DidwwClient) -> None:
    regions = {r.id for r in await acme.list_regions()}
    areas = {a.id for a in await acme.list_areas()}
    local = [g for g in await acme.list_did_groups() if g.did_group_type.name == "Local"]
    assert len(local) > 30
    for group in local:
        cities = {c.id: c for c in await acme.list_cities({"country.id": group.country_id})}
        assert group.city is not None and group.city_id in cities, group.area_name
        city = cities[group.city_id]
        assert group.region_id == city.region_id in regions and city.area_id in areas
        assert group.city.name == group.area_name


async def test_lists_the_regions_of_a_country(acme: DidwwClient) -> None:
    us = await _country_id(acme, "US")
    regions = await acme.list_regions({"country.id": us})
    assert {r.iso for r in regions} == {"NY", "CA", "IL", "FL"}
    assert all(r.country is not None and r.country.iso == "US" for r in regions)


async def test_a_region_filter_returns_only_numbers_of_that_region(acme: DidwwClient) -> None:
    [california] = await acme.list_regions(
        {"country.id": await _country_id(acme, "US"), "iso": "CA"}
    )
    numbers = await acme.list_available_dids({"region.id": california.id})
    assert numbers
    assert {n.did_group.area_name for n in numbers} == {"San Francisco", "Los Angeles"}
    groups = await acme.list_did_groups({"region.id": california.id})
    assert {g.area_name for g in groups} == {"San Francisco", "Los Angeles"}


async def test_an_area_filter_finds_its_cities_and_only_their_numbers(acme: DidwwClient) -> None:
    france = await _country_id(acme, "FR")
    [south_east] = [a for a in await acme.list_areas({"country.id": france}) if "04" in a.name]
    cities = await acme.list_cities({"area.id": south_east.id})
    assert {c.name for c in cities} == {"Lyon", "Marseille"}
    assert all(c.area_id == south_east.id and c.region is not None for c in cities)
    numbers = await acme.list_available_dids({"city.id": [c.id for c in cities]})
    assert numbers and {n.did_group.city_id for n in numbers} <= {c.id for c in cities}
    assert {n.did_group.area_name for n in numbers} == {"Lyon", "Marseille"}


async def test_a_city_filter_returns_only_that_citys_numbers(acme: DidwwClient) -> None:
    [berlin] = await acme.list_cities({"name": "Berlin"})
    numbers = await acme.list_available_dids({"city.id": berlin.id})
    assert numbers and all(n.number.startswith("4930") for n in numbers)


async def test_nanpa_numbers_carry_their_prefix_and_filter_by_it(acme: DidwwClient) -> None:
    prefixes = await acme.list_nanpa_prefixes({"npa": "212"})
    assert prefixes and all(p.region is not None and p.region.iso == "NY" for p in prefixes)
    chosen = prefixes[0]
    numbers = await acme.list_available_dids({"nanpa_prefix.id": chosen.id})
    assert numbers and all(n.number.startswith("1212" + chosen.nxx) for n in numbers)
    assert all(n.nanpa_prefix_id == chosen.id for n in numbers)
    [npanxx] = await acme.list_nanpa_prefixes({"npanxx": chosen.npa + chosen.nxx})
    assert npanxx.id == chosen.id
    assert [g.area_name for g in await acme.list_did_groups({"nanpa_prefix.id": chosen.id})] == [
        "New York"
    ]


async def test_an_order_item_limited_to_a_nanpa_prefix_gets_numbers_from_it(
    acme: DidwwClient, wait_for: Any
) -> None:
    [new_york] = await acme.list_did_groups({"area_name": "New York"})
    chosen = (await acme.list_nanpa_prefixes({"npa": "212"}))[1]
    sku = new_york.stock_keeping_units[0].id
    item = DidOrderItem(sku_id=sku, qty=2).model_dump(exclude_none=True)
    body = {"type": "did_order_items", "attributes": {**item, "nanpa_prefix_id": chosen.id}}
    order = await acme._send(
        "POST", "/orders", {"data": {"type": "orders", "attributes": {"items": [body]}}}
    )

    async def delivered() -> bool:
        return len(await acme.list_dids({"order.id": order["data"]["id"]})) == 2

    await wait_for(delivered)
    dids = await acme.list_dids({"order.id": order["data"]["id"]})
    assert all(d.number.startswith("1212" + chosen.nxx) for d in dids)
    other = (await acme.list_nanpa_prefixes({"npa": "415"}))[0]
    body["attributes"]["nanpa_prefix_id"] = other.id
    with pytest.raises(ValidationFailed) as refused:
        await acme._send(
            "POST", "/orders", {"data": {"type": "orders", "attributes": {"items": [body]}}}
        )
    assert refused.value.pointer == "/data/attributes/items/0/nanpa_prefix_id"


@pytest.mark.parametrize(
    ("path", "include", "related"),
    [
        ("regions", "country", {"country"}),
        ("cities", "country,region,area", {"country", "region", "area"}),
        ("areas", "country", {"country"}),
        ("nanpa_prefixes", "country,region", {"country", "region"}),
    ],
)
async def test_each_place_reads_singly_with_its_includes_and_404s_when_unknown(
    http: httpx.AsyncClient, path: str, include: str, related: set[str]
) -> None:
    listed = (await http.get(f"/v3/{path}", headers=HEADERS)).json()
    first = listed["data"][0]
    one = (await http.get(f"/v3/{path}/{first['id']}?include={include}", headers=HEADERS)).json()
    assert one["data"]["id"] == first["id"] and set(one["data"]["relationships"]) == related
    assert {r["type"] for r in one["included"]} == {
        {"country": "countries", "region": "regions", "area": "areas"}[name] for name in related
    }
    missing = await http.get(f"/v3/{path}/00000000-0000-4000-8000-000000000000", headers=HEADERS)
    assert missing.status_code == 404
    bad = await http.get(f"/v3/{path}?filter[bogus]=1", headers=HEADERS)
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "102"


async def test_regions_are_not_paginated_but_cities_are(http: httpx.AsyncClient) -> None:
    regions = (await http.get("/v3/regions", headers=HEADERS)).json()
    assert "links" not in regions and "total_records" not in regions["meta"]
    cities = (await http.get("/v3/cities?page[size]=5", headers=HEADERS)).json()
    assert len(cities["data"]) == 5 and "next" in cities["links"]


async def test_a_sold_out_city_is_not_available(acme: DidwwClient, sandbox: Sandbox) -> None:
    [graz] = await acme.list_cities({"name": "Graz"})
    group = next(g for g in sandbox.state.catalog.groups if g.area_name == "Graz")
    for number in sandbox.state.free_numbers(group.id):
        sandbox.state.deliver("sandbox-globex-key", number, None)
    available = await acme.list_cities({"is_available": True})
    assert graz.id not in {c.id for c in available} and available
