"""Bulk requests in ordering, on real Kafka, the local database and the DIDWW sandbox: one
command becomes N child requests, each ordered once, with progress read from the children."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from faststream.kafka import KafkaBroker

from velo_contracts import (
    Actor,
    NextAvailable,
    NumberType,
    RequestNumber,
    RequestNumbers,
    RoutingConfigured,
    RoutingRemoved,
    SpecificNumber,
)
from velo_contracts.envelope import new_id
from velo_contracts.topics import ROUTING_EVENTS
from velo_runtime import Publisher
from velo_runtime.topics import ensure_topics
from velotest import eventually
from velotest.numbers import (
    ADMIN,
    DidwwSandbox,
    EventLog,
    RunningOrdering,
    Tenant,
    free_number,
)

pytestmark = pytest.mark.infra
Send = Callable[[Any], Awaitable[None]]
MakeTenant = Callable[..., Awaitable[Tenant]]
Route = Callable[[Tenant, str], Awaitable[None]]


@pytest.fixture
async def route(kafka_bootstrap: str) -> AsyncIterator[Route]:
    """Gives `await route(tenant, number)`: sip-routing's word that PortSIP routes it."""
    await ensure_topics(kafka_bootstrap, [ROUTING_EVENTS])
    broker = KafkaBroker(kafka_bootstrap)
    await broker.connect()
    publisher = Publisher(broker, "sip-routing")

    async def configured(tenant: Tenant, number: str) -> None:
        event = RoutingConfigured(
            tenant_id=tenant.id,
            actor=Actor.system("sip-routing"),
            number=number,
            inbound_destination="800",
        )
        await publisher.publish(event, ROUTING_EVENTS)

    yield configured
    await broker.stop()


def bulk_of(tenant: Tenant, picks: list[Any]) -> RequestNumbers:
    return RequestNumbers(tenant_id=tenant.id, actor=ADMIN, bulk_id=new_id(), picks=picks)


def next_available(area: str, count: int) -> list[NextAvailable]:
    return [NextAvailable(country="US", number_type=NumberType.LOCAL, area=area)] * count


def free_numbers(didww: DidwwSandbox, area: str) -> list[str]:
    state = didww.state.state
    group = next(g for g in state.catalog.groups if g.area_name == area)
    return ["+" + n.number for n in state.free_numbers(group.id)]


def take_out_of_band(didww: DidwwSandbox, numbers: list[str]) -> None:
    """Another DIDWW customer takes numbers (they leave the pool)."""
    state = didww.state.state
    state.add_account("someone-else", 0)
    for number in numbers:
        state.deliver("someone-else", state.catalog.number_by_digits[number.lstrip("+")], None)


async def progress(ordering: RunningOrdering, tenant: Tenant, bulk_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=ordering.url) as http:
        found = await http.get(f"/v1/tenants/{tenant.id}/number-requests/bulk/{bulk_id}")
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    assert body["done"] + body["failed"] + body["pending"] == body["total"]
    return body


async def until_done(ordering: RunningOrdering, tenant: Tenant, bulk_id: str) -> dict[str, Any]:
    async def finished() -> dict[str, Any] | None:
        body = await progress(ordering, tenant, bulk_id)
        return body if body["status"] == "done" else None

    result: dict[str, Any] = await eventually(finished, timeout=60)
    return result


async def route_every_approved(events: EventLog, tenant: Tenant, route: Route, count: int) -> None:
    """Plays sip-routing for each number ordering approved, once count of them are."""

    def approved() -> list[str] | None:
        numbers = {e.number for e in events.of(tenant.id, "NumberApproved")}
        return sorted(numbers) if len(numbers) >= count else None

    for number in await eventually(approved, timeout=60):
        await route(tenant, number)


async def test_a_redelivered_bulk_makes_n_children_each_ordered_once_with_progress_in_order(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
    route: Route,
) -> None:
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    bulk = bulk_of(tenant, next_available("Chicago", 6))
    await send(bulk)
    await send(bulk)  # redelivered
    await send(bulk.model_copy(update={"message_id": new_id()}))  # the gateway sent it again

    await route_every_approved(events, tenant, route, 6)
    body = await until_done(ordering, tenant, bulk.bulk_id)
    assert (body["total"], body["done"], body["failed"]) == (6, 6, 0)
    assert [r["id"] for r in body["requests"]] == [f"{bulk.bulk_id}-{i}" for i in range(6)]
    assert len({r["number"] for r in body["requests"]}) == 6
    assert [didww.orders_for(f"{bulk.bulk_id}-{i}") for i in range(7)] == [1] * 6 + [0]
    progressed = await eventually(lambda: _all_progress(events, tenant, 6), timeout=30)
    assert [e.done for e in progressed] == [1, 2, 3, 4, 5, 6]
    assert all(e.done + e.failed + e.pending == 6 for e in progressed)
    requested = {e.message_id for e in events.of(tenant.id, "BulkRequested")}
    assert len(requested) == 1


def _all_progress(events: EventLog, tenant: Tenant, count: int) -> list[Any] | None:
    unique = {e.message_id: e for e in events.of(tenant.id, "BulkProgressed")}
    return list(unique.values()) if len(unique) >= count else None


async def test_a_bulk_bigger_than_the_stock_fails_the_rest_visibly_instead_of_retrying(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    take_out_of_band(didww, free_numbers(didww, "Miami")[2:])  # two left in Miami
    bulk = bulk_of(tenant, next_available("Miami", 4))
    await send(bulk)

    body = await eventually(lambda: _settled(ordering, tenant, bulk.bulk_id), timeout=60)
    statuses = sorted(r["status"] for r in body["requests"])
    assert statuses == ["approved", "approved", "rejected", "rejected"]
    assert {r["reason"] for r in body["requests"] if r["status"] == "rejected"} == {"unavailable"}
    assert (body["failed"], body["pending"]) == (2, 2)  # approved waits for PortSIP
    orders = sum(didww.orders_for(f"{bulk.bulk_id}-{i}") for i in range(4))
    assert orders == 2
    alerts = {e.alert_id for e in events.of(tenant.id, "AdminAlertRaised")}
    assert len(alerts) == 1  # one alert for the bulk's reason, not one per number


async def _settled(ordering: RunningOrdering, tenant: Tenant, bulk_id: str) -> Any:
    body = await progress(ordering, tenant, bulk_id)
    ended = [r for r in body["requests"] if r["status"] in ("approved", "rejected", "failed")]
    return body if len(ended) == body["total"] else None


async def test_a_picked_number_another_tenant_took_fails_visibly_and_the_others_are_ordered(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
    route: Route,
) -> None:
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    picked = free_numbers(didww, "Los Angeles")[:4]
    take_out_of_band(didww, picked[1:2])
    picks = [SpecificNumber(country="US", number_type=NumberType.LOCAL, number=n) for n in picked]
    bulk = bulk_of(tenant, picks)
    await send(bulk)

    await route_every_approved(events, tenant, route, 3)
    body = await until_done(ordering, tenant, bulk.bulk_id)
    assert (body["done"], body["failed"], body["pending"]) == (3, 1, 0)
    [taken] = [r for r in body["requests"] if r["status"] != "active"]
    assert (taken["number"], taken["status"], taken["reason"]) == (
        picked[1],
        "rejected",
        "unavailable",
    )
    assert {r["number"] for r in body["requests"] if r["status"] == "active"} == set(picked) - {
        picked[1]
    }
    async with httpx.AsyncClient(base_url=ordering.url) as http:
        same = await http.get(f"/v1/tenants/{tenant.id}/number-requests/{bulk.bulk_id}")
        other = await http.get(f"/v1/tenants/someone/number-requests/bulk/{bulk.bulk_id}")
    assert same.json()["kind"] == "bulk" and other.status_code == 404


async def test_a_request_whose_number_is_released_before_it_was_routed_ends(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
    kafka_bootstrap: str,
) -> None:
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    command = RequestNumber(
        tenant_id=tenant.id,
        actor=ADMIN,
        request_id=new_id(),
        pick=SpecificNumber(
            country="US", number_type=NumberType.LOCAL, number=free_number(didww, "Miami")
        ),
    )
    await send(command)
    approved = await events.one(tenant.id, "NumberApproved", request_id=command.request_id)
    broker = KafkaBroker(kafka_bootstrap)
    await broker.connect()
    try:
        removed = RoutingRemoved(
            tenant_id=tenant.id, actor=Actor.system("sip-routing"), number=approved.number
        )
        await Publisher(broker, "sip-routing").publish(removed, ROUTING_EVENTS)
    finally:
        await broker.stop()

    async def done() -> bool:
        async with httpx.AsyncClient(base_url=ordering.url) as http:
            path = f"/v1/tenants/{tenant.id}/number-requests/{command.request_id}"
            return bool((await http.get(path)).json()["status"] == "active")

    await eventually(done, timeout=30)


async def test_a_back_order_the_tenant_allows_waits_for_stock_then_the_number_is_approved(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant = await make_tenant("acme", back_ordering=True)
    await ordering.knows(tenant)
    take_out_of_band(didww, free_numbers(didww, "Miami"))  # none left in Miami
    command = one_request(tenant, "Miami")
    await send(command)
    ordered = await events.one(tenant.id, "NumberOrdered", request_id=command.request_id)
    assert didww.state.state.records.orders[ordered.didww_order_id].status == "pending"
    async with httpx.AsyncClient(base_url=didww.server.url) as admin:
        group = _group_id(didww, "Miami")
        added = await admin.post(f"/_admin/did_groups/{group}/stock", json={"count": 1})
    assert added.json()["back_orders_filled"] == [ordered.didww_order_id]
    approved = await events.one(tenant.id, "NumberApproved", request_id=command.request_id)
    assert approved.didww_order_id == ordered.didww_order_id
    assert didww.orders_for(command.request_id) == 1


async def test_a_back_order_didww_cancels_is_refunded_and_the_admin_is_told(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant = await make_tenant("acme", back_ordering=True)
    await ordering.knows(tenant)
    take_out_of_band(didww, free_numbers(didww, "Miami"))
    balance = didww.state.state.account(tenant.api_key).balance  # type: ignore[union-attr]
    command = one_request(tenant, "Miami")
    await send(command)
    ordered = await events.one(tenant.id, "NumberOrdered", request_id=command.request_id)
    async with httpx.AsyncClient(base_url=didww.server.url) as admin:
        await admin.post(f"/_admin/orders/{ordered.didww_order_id}/cancel")
    refused = await events.one(tenant.id, "NumberRequestRejected", request_id=command.request_id)
    assert refused.reason == "order_canceled"
    alert = await events.one(tenant.id, "AdminAlertRaised", request_id=command.request_id)
    assert "refunded" in alert.detail
    assert didww.state.state.account(tenant.api_key).balance == balance  # type: ignore[union-attr]


async def test_a_tenant_without_back_ordering_is_told_unavailable_and_pays_nothing(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant = await make_tenant("acme")  # back-ordering off: the default
    await ordering.knows(tenant)
    take_out_of_band(didww, free_numbers(didww, "Miami"))
    command = one_request(tenant, "Miami")
    await send(command)
    refused = await events.one(tenant.id, "NumberRequestRejected", request_id=command.request_id)
    assert refused.reason == "unavailable" and didww.orders_for(command.request_id) == 0


def one_request(tenant: Tenant, area: str) -> RequestNumber:
    pick = next_available(area, 1)[0]
    return RequestNumber(tenant_id=tenant.id, actor=ADMIN, request_id=new_id(), pick=pick)


def _group_id(didww: DidwwSandbox, area: str) -> str:
    return next(g.id for g in didww.state.state.catalog.groups if g.area_name == area)
