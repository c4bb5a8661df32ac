"""Sandbox behaviour beyond single calls: shared inventory, expiry, faults, persistence."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from velo_didww import DidOrderItem, DidwwClient, ValidationFailed
from velo_sandbox.didww import ManualClock, SandboxConfig, create_app
from velo_sandbox.didww.runtime import Sandbox


def _item(number: Any) -> DidOrderItem:
    return DidOrderItem(
        sku_id=number.did_group.stock_keeping_units[0].id, available_did_id=number.id
    )


async def _ids(client: DidwwClient) -> set[str]:
    return {n.id for n in await client.list_available_dids({"number_contains": "4930"})}


async def test_an_expired_reservation_frees_the_number(
    acme: DidwwClient, clock: ManualClock, berlin_number: Any
) -> None:
    number = await berlin_number(acme)
    reservation = await acme.create_did_reservation(number.id)
    clock.advance(9 * 60)
    assert number.id not in await _ids(acme)
    clock.advance(61)
    assert number.id in await _ids(acme)
    with pytest.raises(ValidationFailed) as caught:
        await acme.create_order(
            [
                DidOrderItem(
                    sku_id=number.did_group.stock_keeping_units[0].id,
                    did_reservation_id=reservation.id,
                )
            ]
        )
    assert caught.value.pointer == "/data/attributes/items/0/did_reservation_id"


async def test_a_bought_number_leaves_availability_for_everyone(
    acme: DidwwClient, globex: DidwwClient, berlin_number: Any
) -> None:
    number = await berlin_number(acme)
    await acme.create_order([_item(number)])
    assert number.id not in await _ids(globex)
    with pytest.raises(ValidationFailed):
        await globex.create_did_reservation(number.id)


async def test_a_terminated_did_returns_to_availability(
    acme: DidwwClient, sandbox: Sandbox, berlin_number: Any, wait_for: Any
) -> None:
    number = await berlin_number(acme)
    order = await acme.create_order([_item(number)])

    async def delivered() -> bool:
        return bool(await acme.list_dids({"order.id": order.id}))

    await wait_for(delivered)
    [did] = await acme.list_dids({"order.id": order.id})
    await acme.terminate_did(did.id)
    assert number.id in await _ids(acme)


async def test_cancel_next_orders_refunds_and_calls_back(
    acme: DidwwClient, sandbox: Sandbox, http: httpx.AsyncClient, berlin_number: Any, wait_for: Any
) -> None:
    await http.post("/_admin/orders/cancel_next", json={"count": 1})
    order = await acme.create_order([_item(await berlin_number(acme))])

    async def canceled() -> bool:
        return (await acme.get_order(order.id)).status == "canceled"

    await wait_for(canceled)
    assert (await acme.get_balance()).balance == Decimal("500.00")


async def test_out_of_band_delivery_puts_a_did_in_the_account(
    acme: DidwwClient, http: httpx.AsyncClient
) -> None:
    [group] = await acme.list_did_groups({"area_name": "Germany Mobile"})
    response = await http.post(
        "/_admin/accounts/sandbox-acme-key/dids", json={"did_group_id": group.id}
    )
    assert response.status_code == 201
    [did] = await acme.list_dids({"did_group.id": group.id})
    assert did.number == response.json()["number"] and did.order_id is None


async def test_admin_creates_accounts_and_counts_orders_per_reference(
    client_factory: Any, http: httpx.AsyncClient, berlin_number: Any
) -> None:
    created = await http.post("/_admin/accounts", json={"api_key": "tenant-9", "balance": "20"})
    assert created.status_code == 201
    async with client_factory("tenant-9") as tenant:
        await tenant.create_order([_item(await berlin_number(tenant))], external_reference_id="r9")
    counters = (await http.get("/_admin/counters/orders")).json()
    assert counters["by_external_reference_id"] == {"r9": 1}


async def test_collections_link_their_pages(http: httpx.AsyncClient) -> None:
    headers = {"Api-Key": "sandbox-acme-key"}
    doc = (await http.get("/v3/did_groups?page[size]=10&page[number]=2", headers=headers)).json()
    assert set(doc["links"]) == {"first", "last", "next", "prev"}
    assert "page%5Bnumber%5D=3" in doc["links"]["next"]
    assert doc["meta"]["total_records"] > 20 and len(doc["data"]) == 10


async def test_state_survives_a_restart_through_the_state_file(tmp_path: Path) -> None:
    config = SandboxConfig(order_delay=60, rate_limit=None, state_file=tmp_path / "didww.json")
    app = create_app(config)
    async with app.router.lifespan_context(app):
        app.state.sandbox.state.add_account("restart-key", Decimal("7.00"))
    reborn = create_app(config)
    assert reborn.state.sandbox.state.account("restart-key").balance == Decimal("7.00")
