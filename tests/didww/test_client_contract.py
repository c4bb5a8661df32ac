"""Every client method against the sandbox: what a caller of DIDWW would notice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from velo_didww import DidOrderItem, DidwwClient, SipConfiguration
from velo_sandbox.didww.runtime import Sandbox


async def test_lists_countries_and_finds_one_by_iso(acme: DidwwClient) -> None:
    countries = await acme.list_countries()
    assert {"DE", "GB", "US", "FR", "NL", "ES", "IT"} <= {c.iso for c in countries}
    [germany] = await acme.list_countries({"iso": "DE"})
    assert (germany.name, germany.prefix) == ("Germany", "49")


async def test_lists_the_six_did_group_types(acme: DidwwClient) -> None:
    names = {t.name for t in await acme.list_did_group_types()}
    assert names == {"Global", "Local", "Mobile", "National", "Shared Cost", "Toll-free"}


async def test_did_groups_carry_prices_type_country_and_kyc(acme: DidwwClient) -> None:
    [germany] = await acme.list_countries({"iso": "DE"})
    groups = await acme.list_did_groups({"country.id": germany.id})
    by_area = {g.area_name: g for g in groups}
    berlin, mobile = by_area["Berlin"], by_area["Germany Mobile"]
    assert (
        berlin.prefix == "4930" and berlin.did_group_type and berlin.did_group_type.name == "Local"
    )
    assert berlin.stock_keeping_units[0].monthly_price == Decimal("1.00")
    assert berlin.country and berlin.country.iso == "DE" and not berlin.needs_registration
    assert mobile.needs_registration and mobile.address_requirement is not None
    assert mobile.address_requirement.personal_proof_qty == 1


async def test_us_has_no_mobile_groups(acme: DidwwClient) -> None:
    [us] = await acme.list_countries({"iso": "US"})
    types = {
        g.did_group_type.name
        for g in await acme.list_did_groups({"country.id": us.id})
        if g.did_group_type
    }
    assert "Mobile" not in types and {"Local", "Toll-free"} <= types


async def test_lists_all_pages_of_did_groups(acme: DidwwClient) -> None:
    everything = [g async for g in acme.paginate("/did_groups", {}, page_size=7)]
    assert len(everything) == len(await acme.list_did_groups()) > 7
    assert len({g["id"] for g in everything}) == len(everything)


async def test_reads_one_did_group(acme: DidwwClient, berlin_number: Any) -> None:
    number = await berlin_number(acme)
    assert number.did_group is not None
    group = await acme.get_did_group(number.did_group.id)
    assert group.area_name == "Berlin" and group.stock_keeping_units


async def test_available_dids_match_number_contains(acme: DidwwClient) -> None:
    numbers = await acme.list_available_dids({"number_contains": "1212"})
    assert numbers and all("1212" in n.number for n in numbers)


async def test_lists_address_requirements_and_balance(acme: DidwwClient) -> None:
    requirements = await acme.list_address_requirements()
    assert any(r.restriction_message for r in requirements)
    assert (await acme.get_balance()).total_balance == Decimal("500.00")


async def test_reservation_hides_the_number_until_deleted(
    acme: DidwwClient, berlin_number: Any
) -> None:
    number = await berlin_number(acme)
    reservation = await acme.create_did_reservation(number.id, "for a test")
    assert reservation.available_did_id == number.id
    assert number.id not in {
        n.id for n in await acme.list_available_dids({"number_contains": "4930"})
    }
    await acme.delete_did_reservation(reservation.id)
    assert number.id in {n.id for n in await acme.list_available_dids({"number_contains": "4930"})}


async def test_finds_its_own_reservations_by_description(
    acme: DidwwClient, globex: DidwwClient, berlin_number: Any
) -> None:
    pick = await berlin_number(acme)
    held = await acme.create_did_reservation(pick.id, "request-7")
    [found] = await acme.list_did_reservations({"description": "request-7"})
    assert (found.id, found.available_did_id) == (held.id, pick.id)
    assert await globex.list_did_reservations({"description": "request-7"}) == []


async def test_order_by_reservation_completes_and_delivers_the_did(
    acme: DidwwClient, berlin_number: Any, wait_for: Any
) -> None:
    number = await berlin_number(acme)
    assert number.did_group is not None
    sku = number.did_group.stock_keeping_units[0]
    reservation = await acme.create_did_reservation(number.id)
    order = await acme.create_order(
        [DidOrderItem(sku_id=sku.id, did_reservation_id=reservation.id)],
        external_reference_id="req-1",
    )
    assert order.status == "pending" and order.amount == sku.setup_price + sku.monthly_price

    async def completed() -> bool:
        return (await acme.get_order(order.id)).status == "completed"

    await wait_for(completed)
    [did] = await acme.list_dids({"order.id": order.id})
    assert did.number == number.number and did.order_id == order.id
    assert [o.id for o in await acme.list_orders({"external_reference_id": "req-1"})] == [order.id]
    assert (await acme.get_balance()).balance == Decimal("500.00") - order.amount


async def test_orders_by_qty_and_by_available_did(acme: DidwwClient, berlin_number: Any) -> None:
    [toll_free] = [g for g in await acme.list_did_groups({"area_name": "Germany Toll-free"})]
    assert not toll_free.available_dids_enabled
    by_qty = DidOrderItem(sku_id=toll_free.stock_keeping_units[0].id, qty=2)
    number = await berlin_number(acme)
    assert number.did_group is not None
    specific = DidOrderItem(
        sku_id=number.did_group.stock_keeping_units[0].id, available_did_id=number.id
    )
    order = await acme.create_order([by_qty, specific])
    assert [item.qty for item in order.items] == [2, 1]


async def test_cancels_a_pending_order_and_refunds_it(
    acme: DidwwClient, sandbox: Sandbox, berlin_number: Any
) -> None:
    sandbox.fulfilment.delay = 60
    number = await berlin_number(acme)
    assert number.did_group is not None
    item = DidOrderItem(
        sku_id=number.did_group.stock_keeping_units[0].id, available_did_id=number.id
    )
    order = await acme.create_order([item])
    await acme.cancel_order(order.id)
    assert (await acme.get_order(order.id)).status == "canceled"
    assert (await acme.get_balance()).balance == Decimal("500.00")


async def test_points_a_did_at_a_trunk_and_terminates_it(
    acme: DidwwClient, sandbox: Sandbox
) -> None:
    delivered = sandbox.state.deliver("sandbox-acme-key", sandbox.state.catalog.numbers[0], None)
    trunk = await acme.create_voice_in_trunk(
        "pbx", SipConfiguration(host="pbx.example", username="x")
    )
    routed = await acme.point_did_at_trunk(delivered.id, trunk.id)
    assert routed.voice_in_trunk_id == trunk.id
    assert (await acme.get_did(delivered.id)).voice_in_trunk_id == trunk.id
    released = await acme.terminate_did(delivered.id)
    assert released.terminated and released.blocked and released.billing_cycles_count == 0


async def test_creates_reads_lists_and_updates_voice_in_trunks(acme: DidwwClient) -> None:
    config = SipConfiguration(
        host="pbx.example", port=5080, username="tenant1", transport_protocol_id=2
    )
    trunk = await acme.create_voice_in_trunk("tenant-1", config, cli_format="e164")
    assert trunk.configuration.attributes["port"] == 5080
    assert (await acme.get_voice_in_trunk(trunk.id)).name == "tenant-1"
    assert [t.id for t in await acme.list_voice_in_trunks({"name": "tenant-1"})] == [trunk.id]
    moved = await acme.update_voice_in_trunk(
        trunk.id, SipConfiguration(host="pbx2.example", username="tenant1"), description="moved"
    )
    assert moved.configuration.attributes["host"] == "pbx2.example" and moved.description == "moved"
