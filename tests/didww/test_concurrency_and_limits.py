"""Races for one number, and the 20 requests/second limit on both sides."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import Any

import httpx

from velo_didww import DidOrderItem, DidwwClient, RateLimited, RetryPolicy, ValidationFailed
from velo_sandbox.didww.runtime import Sandbox


async def _outcomes(*calls: Any) -> list[Any]:
    return list(await asyncio.gather(*calls, return_exceptions=True))


async def test_two_accounts_racing_to_reserve_one_number_one_wins(
    acme: DidwwClient, globex: DidwwClient, berlin_number: Any
) -> None:
    number = await berlin_number(acme)
    results = await _outcomes(
        acme.create_did_reservation(number.id), globex.create_did_reservation(number.id)
    )
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], ValidationFailed)
    assert failures[0].status == 422


async def test_two_accounts_racing_to_order_one_number_one_is_charged(
    acme: DidwwClient, globex: DidwwClient, berlin_number: Any
) -> None:
    number = await berlin_number(acme)
    item = DidOrderItem(
        sku_id=number.did_group.stock_keeping_units[0].id, available_did_id=number.id
    )
    results = await _outcomes(acme.create_order([item]), globex.create_order([item]))
    assert sorted(type(r).__name__ for r in results) == ["Order", "ValidationFailed"]
    balances = [(await c.get_balance()).balance for c in (acme, globex)]
    assert sorted(balances) == [Decimal("499.00"), Decimal("500.00")]


async def test_the_sandbox_refuses_more_than_20_requests_a_second(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    sandbox.limits.rps = 20
    headers = {"Api-Key": "sandbox-acme-key"}
    responses = await asyncio.gather(*(http.get("/v3/balance", headers=headers) for _ in range(30)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 20 and statuses.count(429) == 10
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["errors"][0]["status"] == "429"
    other = await http.get("/v3/balance", headers={"Api-Key": "sandbox-globex-key"})
    assert other.status_code == 200


async def test_the_client_limiter_keeps_a_key_under_the_limit(
    sandbox: Sandbox, http: httpx.AsyncClient, client_factory: Any
) -> None:
    sandbox.limits.rps = 20
    await http.post("/_admin/accounts", json={"api_key": "limited-key", "balance": "1"})
    started = time.monotonic()
    clients = [
        client_factory("limited-key", rate_limit=20.0, retry=RetryPolicy(attempts=1))
        for _ in range(2)
    ]
    results = await _outcomes(*(clients[i % 2].get_balance() for i in range(30)))
    elapsed = time.monotonic() - started
    for client in clients:
        await client.aclose()
    assert not [r for r in results if isinstance(r, RateLimited | Exception)]
    assert sandbox.limits.refused == 0 and elapsed >= 1.0
