"""Inventory on the DIDWW sandbox: live numbers with prices and KYC, offers, and clear errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from velo_inventory.app import create_app
from velo_inventory.settings import InventorySettings
from velo_sandbox.faults import FaultPlan
from velo_tenants import SecretBox
from velotest import eventually
from velotest.numbers import DidwwSandbox, Tenant

pytestmark = pytest.mark.infra


@pytest.fixture
async def inventory(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_db: Any,
    didww: DidwwSandbox,
    box: SecretBox,
    unique: Callable[[str], str],
    make_tenant: Callable[[str], Awaitable[Tenant]],
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    settings = InventorySettings(
        group_prefix=unique("velo.inventory"),
        kafka_bootstrap=kafka_bootstrap,
        mongo_url=mongo_url,
        mongo_database=mongo_db.name,
        didww_base_url=didww.url,
    )
    service = create_app(settings, box)
    tenant = await make_tenant("acme")
    await service.start()
    transport = httpx.ASGITransport(app=service.http)
    try:
        await eventually(lambda: service.db.tenants.find_one({"_id": tenant.id}), timeout=30)
        async with httpx.AsyncClient(transport=transport, base_url="http://inventory") as http:
            yield http, f"/v1/tenants/{tenant.id}"
    finally:
        await service.stop()


async def test_countries_name_the_types_offered_in_each(inventory: Any) -> None:
    http, base = inventory
    countries = {c["iso"]: c for c in (await http.get(f"{base}/countries")).json()["items"]}
    assert countries["DE"]["types"] == ["local", "mobile", "toll_free"]
    assert countries["US"]["types"] == ["local", "toll_free"]
    assert countries["DE"]["prefix"] == "49"


async def test_search_lists_live_numbers_with_prices_kyc_and_pages(
    inventory: Any, didww: DidwwSandbox
) -> None:
    http, base = inventory
    query = {"country": "US", "type": "local", "area": "New York", "limit": 5}
    first = (await http.get(f"{base}/inventory", params=query)).json()
    entry = first["items"][0]
    assert entry["number"].startswith("+1212") and entry["area"] == "New York"
    assert (entry["monthly_price"], entry["setup_price"], entry["currency"]) == (
        "0.50",
        "0.00",
        "USD",
    )
    assert entry["kyc_required"] is False and entry["features"] == {
        "voice": True,
        "sms_inbound": True,
    }
    second = (
        await http.get(f"{base}/inventory", params=query | {"cursor": first["next_cursor"]})
    ).json()
    assert len(first["items"]) == 5 and not {i["number"] for i in second["items"]} & {
        i["number"] for i in first["items"]
    }

    taken = entry["number"].lstrip("+")
    didww.state.state.deliver(
        "sandbox-globex-key", didww.state.state.catalog.number_by_digits[taken], None
    )
    again = (await http.get(f"{base}/inventory", params=query)).json()
    assert entry["number"] not in {i["number"] for i in again["items"]}  # live, not cached


async def test_kyc_numbers_carry_the_requirement(inventory: Any) -> None:
    http, base = inventory
    found = (await http.get(f"{base}/inventory", params={"country": "GB", "type": "local"})).json()
    entry = found["items"][0]
    assert entry["kyc_required"] is True
    assert entry["requirement"]["address_proof_qty"] == 1
    assert "proof of address" in entry["requirement"]["restriction_message"]


async def test_groups_without_a_number_list_are_offered_as_next_available(inventory: Any) -> None:
    http, base = inventory
    found = (
        await http.get(f"{base}/inventory", params={"country": "DE", "type": "toll_free"})
    ).json()
    assert found["items"] == []
    [offer] = found["next_available"]
    assert offer["area"] == "Germany Toll-free" and offer["monthly_price"] == "15.00"
    assert offer["offer_id"] and "number" not in offer


async def test_a_type_not_offered_is_an_empty_result_that_says_so(inventory: Any) -> None:
    http, base = inventory
    found = (await http.get(f"{base}/inventory", params={"country": "US", "type": "mobile"})).json()
    assert found["items"] == [] and found["next_available"] == []
    assert (
        found["code"] == "not_offered" and "no mobile numbers in United States" in found["message"]
    )


async def test_an_unknown_country_is_a_404_naming_it(inventory: Any) -> None:
    http, base = inventory
    answer = await http.get(f"{base}/inventory", params={"country": "ZZ", "type": "local"})
    assert answer.status_code == 404 and "ZZ" in answer.json()["detail"]
    assert answer.headers["content-type"] == "application/problem+json"


async def test_didww_down_is_a_503_with_a_reason_not_an_empty_list(
    inventory: Any, didww: DidwwSandbox
) -> None:
    http, base = inventory
    await http.get(f"{base}/countries")  # coverage kept; stock must still come live
    didww.state.faults.replace_plan(FaultPlan(error_rate=1.0, error_status=503))
    answer = await http.get(f"{base}/inventory", params={"country": "US", "type": "local"})
    assert answer.status_code == 503 and answer.json()["code"] == "vendor_unavailable"
    assert "DIDWW" in answer.json()["detail"]


async def test_identical_concurrent_searches_share_one_didww_call(
    inventory: Any, didww: DidwwSandbox
) -> None:
    http, base = inventory
    query = {"country": "US", "type": "local"}
    await http.get(f"{base}/inventory", params=query)
    didww.state.faults.replace_plan(FaultPlan(latency_ms=300))  # keep the searches overlapping
    counters = didww.state.faults.counters
    before = sum(n for k, n in counters.items() if "available_dids" in k)
    answers = await asyncio.gather(*(http.get(f"{base}/inventory", params=query) for _ in range(8)))
    assert all(a.status_code == 200 for a in answers)
    assert sum(n for k, n in counters.items() if "available_dids" in k) - before == 1


async def test_areas_name_each_city_with_its_stock_prices_and_area_codes(
    inventory: Any, didww: DidwwSandbox
) -> None:
    http, base = inventory
    found = (await http.get(f"{base}/countries/us/areas", params={"type": "local"})).json()
    areas = {a["name"]: a for a in found["items"]}
    assert found["country"] == "US" and set(areas) >= {"New York", "Chicago", "Miami"}
    state = didww.state.state
    group = next(g for g in state.catalog.groups if g.area_name == "New York")
    new_york = areas["New York"]
    assert new_york["prefixes"] == ["212"] and new_york["region"]
    assert new_york["numbers_on_offer"] == state.stock(group.id)
    assert new_york["monthly_price_from"] == "0.50" and not new_york["kyc_required"]
    toll_free = (await http.get(f"{base}/countries/US/areas", params={"type": "toll_free"})).json()
    assert [a["name"] for a in toll_free["items"]] == ["United States Toll-free"]


async def test_a_search_by_area_id_name_or_area_code_lists_only_numbers_of_that_area(
    inventory: Any,
) -> None:
    http, base = inventory
    areas = (await http.get(f"{base}/countries/US/areas", params={"type": "local"})).json()
    chicago = next(a for a in areas["items"] if a["name"] == "Chicago")

    async def numbers(**params: str) -> list[str]:
        query = {"country": "US", "type": "local", "limit": "100", **params}
        return [
            n["number"] for n in (await http.get(f"{base}/inventory", params=query)).json()["items"]
        ]

    by_id, by_name, by_code = (
        await numbers(area=chicago["id"]),
        await numbers(area="chicago"),
        await numbers(prefix="312"),
    )
    assert by_id and all(n.startswith("+1312") for n in by_id)
    assert sorted(by_id) == sorted(by_name) == sorted(by_code)
    assert await numbers(prefix="999") == []
    bad = await http.get(
        f"{base}/inventory", params={"country": "US", "type": "local", "prefix": "2x"}
    )
    assert bad.status_code == 422


async def test_an_offer_just_listed_is_read_back_with_one_didww_call(
    inventory: Any, didww: DidwwSandbox
) -> None:
    http, base = inventory
    found = await http.get(f"{base}/inventory", params={"country": "US", "type": "local"})
    listed = found.json()["items"][0]
    counters = didww.state.faults.counters
    before = sum(counters.values())
    offer = await http.get(f"{base}/offers/{listed['offer_id']}")
    assert offer.status_code == 200 and offer.json()["number"] == listed["number"]
    assert sum(counters.values()) - before == 1  # the number, not first a group of its id
    unknown = await http.get(f"{base}/offers/no-such-offer")
    assert unknown.status_code == 404
