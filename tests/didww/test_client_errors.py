"""Every mapped error, the retry rules, and that API keys never leak into errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from velo_didww import (
    BadRequest,
    DidOrderItem,
    DidwwClient,
    InsufficientFunds,
    NotFound,
    RateLimited,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)
from velo_sandbox.didww.runtime import Sandbox
from velo_sandbox.faults import FaultPlan
from velo_sandbox.serve import serve_in_thread

MISSING = "00000000-0000-4000-8000-000000000000"


async def test_an_unknown_key_is_unauthorized_and_never_shown(client_factory: Any) -> None:
    async with client_factory("secret-key-123") as client:
        with pytest.raises(Unauthorized) as caught:
            await client.get_balance()
    assert "secret-key-123" not in str(caught.value) + repr(caught.value) + repr(client)


async def test_a_missing_order_is_not_found(acme: DidwwClient) -> None:
    with pytest.raises(NotFound):
        await acme.get_order(MISSING)


async def test_an_unknown_filter_is_a_bad_request(acme: DidwwClient) -> None:
    with pytest.raises(BadRequest) as caught:
        await acme.list_dids({"bogus": "1"})
    assert caught.value.errors[0].code == "102"


async def test_an_invalid_sku_fails_validation_with_a_pointer(acme: DidwwClient) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await acme.create_order([DidOrderItem(sku_id=MISSING, qty=1)])
    assert caught.value.pointer == "/data/attributes/items/0/sku_id"
    assert caught.value.detail == "items/0/sku_id - is invalid"


async def test_ordering_beyond_the_balance_is_insufficient_funds(
    acme: DidwwClient, sandbox: Sandbox
) -> None:
    sandbox.state.records.accounts["sandbox-acme-key"].balance = (
        sandbox.state.records.accounts["sandbox-acme-key"].balance * 0
    )
    [group] = await acme.list_did_groups({"area_name": "Germany Toll-free"})
    with pytest.raises(InsufficientFunds) as caught:
        await acme.create_order([DidOrderItem(sku_id=group.stock_keeping_units[0].id, qty=1)])
    assert caught.value.status == 400


async def test_a_429_burst_longer_than_the_retries_is_rate_limited(
    acme: DidwwClient, sandbox: Sandbox
) -> None:
    sandbox.limits.burst_429, sandbox.limits.retry_after = 5, 0
    with pytest.raises(RateLimited) as caught:
        await acme.get_balance()
    assert caught.value.retry_after == 0


async def test_a_short_429_burst_is_retried_even_for_an_order(
    acme: DidwwClient, sandbox: Sandbox, berlin_number: Any
) -> None:
    number = await berlin_number(acme)
    sandbox.limits.burst_429, sandbox.limits.retry_after = 2, 0
    item = DidOrderItem(
        sku_id=number.did_group.stock_keeping_units[0].id, available_did_id=number.id
    )
    order = await acme.create_order([item], external_reference_id="after-429")
    assert order.status == "pending"
    assert sandbox.state.orders_by_reference["after-429"] == 1


async def test_idempotent_reads_are_retried_through_a_5xx_burst(
    acme: DidwwClient, sandbox: Sandbox
) -> None:
    sandbox.faults.replace_plan(FaultPlan(burst_count=2, burst_status=503))
    assert (await acme.get_balance()).balance > 0
    assert sandbox.faults.counters["GET /v3/balance"] == 3


async def test_an_order_is_never_repeated_after_a_5xx(acme: DidwwClient, sandbox: Sandbox) -> None:
    sandbox.faults.replace_plan(FaultPlan(burst_count=1, burst_status=502))
    with pytest.raises(Unavailable) as caught:
        await acme.create_order([DidOrderItem(sku_id=MISSING, qty=1)], external_reference_id="x")
    assert caught.value.maybe_processed
    assert sandbox.faults.counters["POST /v3/orders"] == 1


async def test_a_hanging_api_times_out_as_unavailable(app: Any, sandbox: Sandbox) -> None:
    sandbox.faults.replace_plan(FaultPlan(hang_count=1))
    with serve_in_thread(app) as server:
        async with DidwwClient(
            "sandbox-acme-key", f"{server.url}/v3", timeout=httpx.Timeout(0.3), rate_limit=None
        ) as client:
            with pytest.raises(Unavailable) as caught:
                await client.create_order([DidOrderItem(sku_id=MISSING, qty=1)])
    assert caught.value.maybe_processed
    assert sandbox.faults.counters["POST /v3/orders"] == 1


async def test_an_unreachable_api_is_unavailable() -> None:
    async with DidwwClient("k", "http://127.0.0.1:9/v3", rate_limit=None) as client:
        with pytest.raises(Unavailable) as caught:
            await client.get_balance()
    assert not caught.value.maybe_processed
