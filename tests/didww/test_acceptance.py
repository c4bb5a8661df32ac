"""End to end over real sockets: browse, reserve, order, signed callback, route, terminate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from velo_didww import (
    DidOrderItem,
    DidwwClient,
    SipConfiguration,
    verify_callback,
)
from velo_sandbox.didww import ACME_CALLBACK_SECRET, SandboxConfig, create_app
from velo_sandbox.serve import RunningServer, serve_in_thread

ACME = "sandbox-acme-key"


@pytest.fixture
def didww() -> Iterator[RunningServer]:
    with serve_in_thread(create_app(SandboxConfig(order_delay=0.2))) as server:
        yield server


async def _browse(client: DidwwClient) -> dict[str, Any]:
    coverage = {}
    for country in await client.list_countries({"iso": ["DE", "GB", "US"]}):
        groups = await client.list_did_groups({"country.id": country.id})
        coverage[country.iso] = groups
    return coverage


async def test_a_tenant_buys_routes_and_releases_a_number(
    didww: RunningServer, callbacks: Any
) -> None:
    receiver, received = callbacks
    async with DidwwClient(ACME, f"{didww.url}/v3") as client:
        coverage = await _browse(client)
        assert set(coverage) == {"DE", "GB", "US"}
        london = next(g for g in coverage["GB"] if g.area_name == "London")
        assert london.needs_registration and london.address_requirement.address_proof_qty == 1
        [new_york] = [g for g in coverage["US"] if g.area_name == "New York"]
        numbers = await client.list_available_dids({"did_group.id": new_york.id})
        pick = numbers[0]
        sku = pick.did_group.stock_keeping_units[0]
        assert pick.number.startswith("1212") and sku.monthly_price > 0

        reservation = await client.create_did_reservation(pick.id, "tenant 42")
        url = f"{receiver.url}/didww?tenant=42"
        order = await client.create_order(
            [DidOrderItem(sku_id=sku.id, did_reservation_id=reservation.id)],
            external_reference_id="request-42",
            callback_url=url,
        )
        callback_url, payload, signature = received.get(timeout=5)
        assert payload == {"id": order.id, "type": "orders", "status": "completed"}
        assert verify_callback(ACME_CALLBACK_SECRET, callback_url, payload, signature)

        [did] = await client.list_dids({"order.id": order.id})
        assert did.number == pick.number
        trunk = await client.create_voice_in_trunk(
            "tenant-42", SipConfiguration(host="pbx.tenant42.example", username="did")
        )
        assert (await client.point_did_at_trunk(did.id, trunk.id)).voice_in_trunk_id == trunk.id
        released = await client.terminate_did(did.id)
        assert released.terminated and released.billing_cycles_count == 0
