"""Callbacks are signed with the account's callback secret, and sent only while one is enabled."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest

from velo_didww import DidOrderItem, DidwwClient, verify_callback
from velo_sandbox.didww import ACME_API_KEY, ACME_CALLBACK_SECRET, DEMO_CALLBACK_SECRETS
from velo_sandbox.didww.cli import config_from, parse
from velo_sandbox.didww.runtime import Sandbox


async def _next_callback(received: Any) -> tuple[str, dict[str, str], str]:
    """Waits (without blocking the loop the in-process sandbox runs on) for the next callback."""
    return await asyncio.to_thread(received.get, True, 5)


async def _order_with_callback(client: DidwwClient, number: Any, url: str) -> str:
    assert number.did_group is not None
    sku = number.did_group.stock_keeping_units[0]
    item = DidOrderItem(sku_id=sku.id, available_did_id=number.id)
    return (await client.create_order([item], callback_url=url)).id


async def test_a_callback_verifies_with_the_callback_secret_and_not_with_the_api_key(
    acme: DidwwClient, berlin_number: Any, callbacks: Any
) -> None:
    receiver, received = callbacks
    order_id = await _order_with_callback(acme, await berlin_number(acme), f"{receiver.url}/didww")
    url, payload, signature = await _next_callback(received)
    assert payload == {"id": order_id, "type": "orders", "status": "completed"}
    assert verify_callback(ACME_CALLBACK_SECRET, url, payload, signature)
    assert not verify_callback(ACME_API_KEY, url, payload, signature)


async def test_no_callback_is_sent_to_an_account_without_a_callback_secret(
    client_factory: Any,
    http: httpx.AsyncClient,
    sandbox: Sandbox,
    berlin_number: Any,
    callbacks: Any,
    wait_for: Any,
) -> None:
    receiver, received = callbacks
    await http.post("/_admin/accounts", json={"api_key": "no-secret", "balance": "20"})
    async with client_factory("no-secret") as tenant:
        number = await berlin_number(tenant)
        order_id = await _order_with_callback(tenant, number, f"{receiver.url}/didww")

        async def completed() -> bool:
            return (await tenant.get_order(order_id)).status == "completed"

        await wait_for(completed)

    async def withheld() -> bool:
        return order_id in sandbox.fulfilment.withheld

    await wait_for(withheld)
    counters = (await http.get("/_admin/counters/orders")).json()
    assert counters["callbacks_withheld"] == [order_id] and counters["callbacks"] == []
    assert received.empty()


async def test_admin_replaces_and_clears_the_callback_secret(
    acme: DidwwClient,
    http: httpx.AsyncClient,
    sandbox: Sandbox,
    berlin_number: Any,
    callbacks: Any,
    wait_for: Any,
) -> None:
    receiver, received = callbacks
    path = f"/_admin/accounts/{ACME_API_KEY}/callback_secret"
    enabled = await http.put(path, json={"secret": "rotated-secret"})
    assert enabled.json()["callback_secret_enabled"] is True
    assert "rotated-secret" not in enabled.text
    await _order_with_callback(acme, await berlin_number(acme), f"{receiver.url}/didww")
    url, payload, signature = await _next_callback(received)
    assert verify_callback("rotated-secret", url, payload, signature)

    cleared = await http.delete(path)
    assert cleared.json()["callback_secret_enabled"] is False
    order_id = await _order_with_callback(acme, await berlin_number(acme), f"{receiver.url}/didww")

    async def withheld() -> bool:
        return order_id in sandbox.fulfilment.withheld

    await wait_for(withheld)
    assert received.empty()


def test_the_command_line_takes_an_optional_callback_secret_per_account() -> None:
    config = config_from(
        parse(
            [
                "--account",
                "plain:10",
                "--account",
                "signed:2.5:s3cr:et",
                "--account",
                f"{ACME_API_KEY}:1",
            ]
        )
    )
    assert config.accounts["plain"] == Decimal("10") and "plain" not in config.callback_secrets
    assert (config.accounts["signed"], config.callback_secrets["signed"]) == (
        Decimal("2.5"),
        "s3cr:et",
    )
    assert ACME_API_KEY not in config.callback_secrets
    assert config.callback_secrets.keys() == {*DEMO_CALLBACK_SECRETS} - {ACME_API_KEY} | {"signed"}


@pytest.mark.parametrize("bad", ["nobalance", "key:abc", ":10", "key:10:"])
def test_the_command_line_refuses_a_malformed_account(bad: str) -> None:
    with pytest.raises(SystemExit):
        parse(["--account", bad])
