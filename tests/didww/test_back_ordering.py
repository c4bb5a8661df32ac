"""Back-ordering: an order beyond the stock is charged and waits (pending) for stock to arrive,
then completes as usual, or is canceled and refunded; without back-ordering it is refused."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from velo_didww import DidGroup, DidOrderItem, DidwwClient, ValidationFailed, verify_callback
from velo_sandbox.didww import ACME_CALLBACK_SECRET, ManualClock, SandboxConfig, create_app
from velo_sandbox.didww.ordering import place_order
from velo_sandbox.didww.runtime import Sandbox

STOCK = 2


@pytest.fixture
def config(clock: ManualClock) -> SandboxConfig:
    return SandboxConfig(order_delay=0.05, rate_limit=None, clock=clock, stock_per_group=STOCK)


async def _berlin(client: DidwwClient) -> DidGroup:
    [group] = await client.list_did_groups({"area_name": "Berlin"})
    return group


def _item(group: DidGroup, qty: int) -> DidOrderItem:
    return DidOrderItem(sku_id=group.stock_keeping_units[0].id, qty=qty)


async def _status(client: DidwwClient, order_id: str) -> str:
    return (await client.get_order(order_id)).status


async def test_an_order_beyond_the_stock_stays_pending_until_stock_arrives_then_completes(
    acme: DidwwClient, http: httpx.AsyncClient, callbacks: Any, wait_for: Any
) -> None:
    receiver, received = callbacks
    berlin = await _berlin(acme)
    order = await acme.create_order(
        [_item(berlin, STOCK + 1)], callback_url=f"{receiver.url}/didww"
    )
    assert order.status == "pending" and order.items[0].qty == STOCK + 1
    assert order.items[0].billed_from is None
    assert (await acme.get_balance()).balance == Decimal("500.00") - order.amount
    assert not (await acme.get_did_group(berlin.id)).is_available

    forced = (await http.post("/_admin/orders/complete")).json()
    assert forced == {"finished": 0, "waiting_for_stock": 1}
    assert await _status(acme, order.id) == "pending" and await acme.list_dids() == []

    stocked = await http.post(f"/_admin/did_groups/{berlin.id}/stock", json={"count": 1})
    assert stocked.json()["back_orders_filled"] == [order.id] and stocked.json()["stock"] == 0

    async def completed() -> bool:
        return await _status(acme, order.id) == "completed"

    await wait_for(completed)
    assert len(await acme.list_dids({"order.id": order.id})) == STOCK + 1
    url, payload, signature = await asyncio.to_thread(received.get, True, 5)
    assert payload == {"id": order.id, "type": "orders", "status": "completed"}
    assert verify_callback(ACME_CALLBACK_SECRET, url, payload, signature)


async def test_without_back_ordering_an_order_beyond_the_stock_is_refused_uncharged(
    acme: DidwwClient,
) -> None:
    berlin = await _berlin(acme)
    with pytest.raises(ValidationFailed) as refused:
        await acme.create_order([_item(berlin, STOCK + 1)], allow_back_ordering=False)
    assert refused.value.pointer == "/data/attributes/items/0/qty"
    assert "exceeds available DIDs count" in str(refused.value)
    assert (await acme.get_balance()).balance == Decimal("500.00")
    assert (await acme.get_did_group(berlin.id)).total_count == STOCK


async def test_a_back_order_the_customer_cancels_is_refunded_and_frees_what_it_held(
    acme: DidwwClient,
) -> None:
    berlin = await _berlin(acme)
    order = await acme.create_order([_item(berlin, STOCK + 3)])
    assert (await acme.get_did_group(berlin.id)).total_count == 0
    await acme.cancel_order(order.id)
    assert await _status(acme, order.id) == "canceled"
    assert (await acme.get_balance()).balance == Decimal("500.00")
    assert (await acme.get_did_group(berlin.id)).total_count == STOCK


async def test_a_back_order_canceled_by_didww_is_refunded_and_called_back(
    acme: DidwwClient, http: httpx.AsyncClient, callbacks: Any
) -> None:
    receiver, received = callbacks
    berlin = await _berlin(acme)
    order = await acme.create_order(
        [_item(berlin, STOCK + 1)], callback_url=f"{receiver.url}/didww"
    )
    canceled = await http.post(f"/_admin/orders/{order.id}/cancel")
    assert canceled.json() == {"id": order.id, "status": "canceled"}
    assert (await acme.get_balance()).balance == Decimal("500.00")
    _, payload, _ = await asyncio.to_thread(received.get, True, 5)
    assert payload["status"] == "canceled"
    assert (await http.post(f"/_admin/orders/{order.id}/cancel")).status_code == 409


async def test_new_stock_goes_to_the_oldest_back_order_first(
    acme: DidwwClient, globex: DidwwClient, http: httpx.AsyncClient, clock: ManualClock
) -> None:
    berlin = await _berlin(acme)
    first = await acme.create_order([_item(berlin, STOCK + 1)])
    clock.advance(1)
    second = await globex.create_order([_item(berlin, 1)])
    sku = berlin.stock_keeping_units[0].id
    stocked = (await http.post(f"/_admin/did_groups/{sku}/stock", json={"count": 1})).json()
    assert stocked["back_orders_filled"] == [first.id]
    assert (await http.post(f"/_admin/did_groups/{sku}/stock", json={"count": 1})).json()[
        "back_orders_filled"
    ] == [second.id]


async def test_new_stock_without_back_orders_is_offered_to_everyone(
    acme: DidwwClient, http: httpx.AsyncClient
) -> None:
    berlin = await _berlin(acme)
    before = {n.id for n in await acme.list_available_dids({"did_group.id": berlin.id})}
    await http.post(f"/_admin/did_groups/{berlin.id}/stock", json={"count": 3})
    after = {n.id for n in await acme.list_available_dids({"did_group.id": berlin.id})}
    assert before < after and len(after) == STOCK + 3
    for bad in ({"count": 0}, {"count": "3"}):
        assert (
            await http.post(f"/_admin/did_groups/{berlin.id}/stock", json=bad)
        ).status_code == 400
    assert (await http.post("/_admin/did_groups/nope/stock", json={})).status_code == 404


async def test_added_stock_and_a_waiting_back_order_survive_a_restart(tmp_path: Path) -> None:
    config = SandboxConfig(
        order_delay=0.05, rate_limit=None, state_file=tmp_path / "didww.json", stock_per_group=1
    )
    app = create_app(config)
    sandbox: Sandbox = app.state.sandbox
    group = next(g for g in sandbox.state.catalog.groups if g.area_name == "Berlin")
    async with app.router.lifespan_context(app):
        sandbox.fulfilment.restock(group, 2)
        added = sandbox.state.catalog.numbers_by_group[group.id][-1]
        item = {"type": "did_order_items", "attributes": {"sku_id": group.skus[0].id, "qty": 4}}
        order = place_order(sandbox.state, "sandbox-acme-key", {"items": [item]})
    reborn: Sandbox = create_app(config).state.sandbox
    assert reborn.state.catalog.by_id[added.id] == added
    assert reborn.state.records.orders[order.id].waiting
