"""Ordering on real Kafka, the local database and the DIDWW sandbox: a request becomes a number."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from velo_contracts import NextAvailable, NumberType, ReleaseNumber, RequestNumber, SpecificNumber
from velo_contracts.envelope import new_id
from velo_didww import SIGNATURE_HEADER, sign_callback
from velo_ordering.domain import wanted_number
from velo_sandbox.faults import FaultPlan
from velotest import eventually
from velotest.numbers import ADMIN, DidwwSandbox, EventLog, RunningOrdering, Tenant, free_number

pytestmark = pytest.mark.infra
Send = Callable[[Any], Awaitable[None]]
MakeTenant = Callable[..., Awaitable[Tenant]]


def specific(tenant: Tenant, number: str, country: str = "US") -> RequestNumber:
    pick = SpecificNumber(country=country, number_type=NumberType.LOCAL, number=number)
    return RequestNumber(tenant_id=tenant.id, actor=ADMIN, request_id=new_id(), pick=pick)


def routed_trunk(didww: DidwwSandbox, tenant: Tenant, number: str) -> Any:
    state = didww.state.state
    [did] = [d for d in state.dids(tenant.api_key) if "+" + d.number == number]
    return state.records.trunks[did.trunk_id] if did.trunk_id else None


async def test_a_specific_number_is_approved_and_points_at_the_tenants_trunk(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    number = free_number(didww, "New York")
    command = specific(tenant, number)
    await send(command)

    approved = await events.one(tenant.id, "NumberApproved", request_id=command.request_id)
    assert approved.number == number and approved.facts.country_prefix == "1"
    assert approved.facts.monthly_price > 0 and approved.order_reference
    trunk = routed_trunk(didww, tenant, number)
    assert (
        trunk.name == tenant.trunk_name
        and trunk.configuration["attributes"]["host"] == tenant.sip_host
    )
    assert didww.orders_for(command.request_id) == 1
    mine = [e for e in events.of(tenant.id) if getattr(e, "request_id", "") == command.request_id]
    kinds = list({e.message_id: e.type for e in mine}.values())  # re-publishes keep message_id
    assert kinds == ["NumberRequested", "NumberOrdered", "NumberApproved"]
    async with httpx.AsyncClient(base_url=ordering.url) as http:
        status = (
            await http.get(f"/v1/tenants/{tenant.id}/number-requests/{command.request_id}")
        ).json()
        other = await http.get(f"/v1/tenants/someone-else/number-requests/{command.request_id}")
    assert (status["status"], status["number"]) == ("approved", number)
    assert other.status_code == 404 and other.json()["code"] == "not_found"


async def test_with_a_callback_secret_didww_calls_back_and_the_order_is_read_at_once(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    command = specific(tenant, free_number(didww, "New York"))
    await send(command)
    await events.one(tenant.id, "NumberApproved", request_id=command.request_id)
    sent = [d for d in didww.state.fulfilment.deliveries if command.request_id in d.url]
    assert sent and all(d.http_status == 204 for d in sent)  # signed with the secret: taken


async def test_without_a_callback_secret_no_callback_comes_and_polling_approves_the_number(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant = await make_tenant("acme", callbacks=False)
    await ordering.knows(tenant)
    command = specific(tenant, free_number(didww, "New York"))
    await send(command)
    await events.one(tenant.id, "NumberApproved", request_id=command.request_id)
    order = next(
        o
        for o in didww.state.state.records.orders.values()
        if o.external_reference_id == command.request_id
    )
    assert order.callback_url is None  # none asked for: DIDWW would not send it
    assert not [d for d in didww.state.fulfilment.deliveries if command.request_id in d.url]


async def test_a_trunk_deleted_at_didww_after_it_was_kept_is_made_again_for_the_next_number(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    first = specific(tenant, free_number(didww, "New York"))
    await send(first)
    await events.one(tenant.id, "NumberApproved", request_id=first.request_id)
    kept = routed_trunk(didww, tenant, first.pick.number)  # type: ignore[union-attr]
    state = didww.state.state
    for did in state.dids(tenant.api_key):  # someone deletes the trunk in DIDWW's panel
        did.trunk_id = None if did.trunk_id == kept.id else did.trunk_id
    del state.records.trunks[kept.id]

    second = specific(tenant, free_number(didww, "New York"))
    await send(second)
    approved = await events.one(tenant.id, "NumberApproved", request_id=second.request_id)
    trunk = routed_trunk(didww, tenant, approved.number)
    assert trunk is not None and trunk.id != kept.id and trunk.name == tenant.trunk_name


async def test_next_available_in_an_area_is_ordered_by_quantity_and_approved(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    pick = NextAvailable(country="US", number_type=NumberType.LOCAL, area="Chicago")
    command = RequestNumber(tenant_id=tenant.id, actor=ADMIN, request_id=new_id(), pick=pick)
    await send(command)

    approved = await events.one(tenant.id, "NumberApproved", request_id=command.request_id)
    assert approved.number.startswith("+1312") and approved.facts.area == "Chicago"
    assert routed_trunk(didww, tenant, approved.number).name == tenant.trunk_name
    assert didww.orders_for(command.request_id) == 1


async def test_a_kyc_pick_is_rejected_with_the_requirement_and_alerts_that_admin(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    command = specific(tenant, free_number(didww, "London"), country="GB")
    await send(command)

    rejected = await events.one(tenant.id, "NumberRequestRejected", request_id=command.request_id)
    alert = await events.one(tenant.id, "AdminAlertRaised", request_id=command.request_id)
    assert rejected.reason == "kyc_required" and rejected.requirement.address_proof_qty == 1
    assert alert.recipient == ADMIN.user_id and alert.code == "kyc_required"
    assert "proof" in alert.detail and "DIDWW dashboard" in alert.detail
    records = didww.state.state.records
    assert not [r for r in records.reservations.values() if r.api_key == tenant.api_key]
    assert not [o for o in records.orders.values() if o.api_key == tenant.api_key]


async def test_a_duplicate_request_and_a_restart_mid_order_still_make_one_order(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    didww.state.fulfilment.delay = 60  # the order stays pending while the service restarts
    command = specific(tenant, free_number(didww, "Miami"))
    await send(command)
    await send(command)
    await events.one(tenant.id, "NumberOrdered", request_id=command.request_id)

    await ordering.stop()
    await send(command)
    await ordering.start()
    async with httpx.AsyncClient(base_url=didww.server.url) as http:
        await eventually(lambda: _pending_orders(didww) > 0)
        await http.post("/_admin/orders/complete")

    approved = await events.one(tenant.id, "NumberApproved", request_id=command.request_id)
    assert didww.orders_for(command.request_id) == 1
    approvals = {e.message_id for e in events.of(tenant.id, "NumberApproved")}
    assert approvals == {approved.message_id}


async def test_a_second_pick_under_a_request_id_already_taken_is_not_placed_and_is_said(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    # The gateway compares bodies under one Idempotency-Key once ordering has the first request;
    # before that, both commands travel with the same request id: ordering must decide.
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    first = specific(tenant, free_number(didww, "Miami"))
    other = first.model_copy(
        update={
            "pick": specific(tenant, free_number(didww, "Chicago")).pick,
            "message_id": new_id(),
        }
    )
    await send(first)
    await send(other)
    await send(first)  # a plain repeat says nothing

    approved = await events.one(tenant.id, "NumberApproved", request_id=first.request_id)
    alert = await events.one(tenant.id, "AdminAlertRaised", request_id=first.request_id)
    assert approved.number == wanted_number(first)
    assert alert.code == "idempotency_key_reused" and alert.recipient == ADMIN.user_id
    assert str(wanted_number(other)) in alert.detail and "not placed" in alert.detail
    assert didww.orders_for(first.request_id) == 1
    assert len(events.of(tenant.id, "AdminAlertRaised")) == 1


def _pending_orders(didww: DidwwSandbox) -> int:
    return sum(1 for o in didww.state.state.records.orders.values() if o.status == "pending")


async def test_two_tenants_racing_for_one_number_end_approved_and_unavailable(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    acme, globex = await make_tenant("acme"), await make_tenant("globex")
    await ordering.knows(acme)
    await ordering.knows(globex)
    number = free_number(didww, "San Francisco")
    first, second = specific(acme, number), specific(globex, number)
    await send(first)
    await send(second)

    outcomes = {}
    for tenant, command in ((acme, first), (globex, second)):

        async def ended(t: Tenant = tenant, c: RequestNumber = command) -> Any:
            hits = [
                e
                for e in events.of(t.id)
                if getattr(e, "request_id", None) == c.request_id
                and e.type in ("NumberApproved", "NumberRequestRejected")
            ]
            return hits[0] if hits else None

        outcomes[tenant.id] = await eventually(ended)
    kinds = sorted(e.type for e in outcomes.values())
    assert kinds == ["NumberApproved", "NumberRequestRejected"]
    [loser] = [e for e in outcomes.values() if e.type == "NumberRequestRejected"]
    assert loser.reason == "unavailable"
    assert didww.orders_for(first.request_id) + didww.orders_for(second.request_id) == 1


async def _held_number(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> tuple[Tenant, str]:
    """A new tenant holding one number it requested (approved)."""
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    number = free_number(didww, "Los Angeles")
    await send(specific(tenant, number))
    await events.one(tenant.id, "NumberApproved", number=number)
    return tenant, number


async def test_release_terminates_at_didww_once_and_the_number_can_be_requested_again(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant, number = await _held_number(ordering, didww, make_tenant, events, send)

    release = ReleaseNumber(tenant_id=tenant.id, actor=ADMIN, number=number)
    await send(release)
    await send(release)  # redelivered: the same command, done once and quiet
    await send(ReleaseNumber(tenant_id=tenant.id, actor=ADMIN, number=number))
    released = await events.one(tenant.id, "NumberReleased", number=number)
    [did] = [d for d in didww.state.state.dids(tenant.api_key) if "+" + d.number == number]
    assert did.terminated and did.billing_cycles_count == 0
    assert released.didww_did_id == did.id

    again = specific(tenant, number)
    await send(again)
    await events.one(tenant.id, "NumberApproved", request_id=again.request_id)
    assert len(events.of(tenant.id, "NumberReleased")) == 1
    [repeat] = events.of(tenant.id, "AdminAlertRaised")  # the repeat is said, not dropped
    assert (repeat.code, repeat.severity, repeat.number) == ("already_released", "info", number)


async def test_a_release_didww_refuses_alerts_the_admin_and_the_number_stays_held(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant, number = await _held_number(ordering, didww, make_tenant, events, send)

    didww.state.faults.replace_plan(FaultPlan(error_rate=1.0, error_status=422))
    try:
        await send(ReleaseNumber(tenant_id=tenant.id, actor=ADMIN, number=number))
        alert = await events.one(tenant.id, "AdminAlertRaised", number=number)
    finally:
        didww.state.faults.replace_plan(FaultPlan())
    assert alert.recipient == ADMIN.user_id and alert.code == "release_refused"
    assert "still yours and still billed" in alert.detail
    assert not events.of(tenant.id, "NumberReleased")
    [did] = [d for d in didww.state.state.dids(tenant.api_key) if "+" + d.number == number]
    assert not did.terminated


async def test_another_tenant_cannot_release_a_number_it_does_not_hold(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    owner, intruder = await make_tenant("acme"), await make_tenant("globex")
    await ordering.knows(owner)
    await ordering.knows(intruder)
    number = free_number(didww, "Toronto")
    await send(specific(owner, number, country="CA"))
    await events.one(owner.id, "NumberApproved", number=number)

    await send(ReleaseNumber(tenant_id=intruder.id, actor=ADMIN, number=number))
    await send(ReleaseNumber(tenant_id=owner.id, actor=ADMIN, number=number))  # same key: after

    released = await events.one(owner.id, "NumberReleased", number=number)
    assert released.tenant_id == owner.id and not events.of(intruder.id, "NumberReleased")
    alert = await events.one(intruder.id, "AdminAlertRaised", number=number)
    assert (alert.code, alert.severity) == ("release_refused", "warning")
    assert "holds no such number" in alert.detail  # told at once, not silently ignored


async def test_releasing_a_number_didww_no_longer_holds_records_it_released(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant, number = await _held_number(ordering, didww, make_tenant, events, send)
    [did] = [d for d in didww.state.state.dids(tenant.api_key) if "+" + d.number == number]
    did.terminated = True  # ended at DIDWW outside VeloConnect (expired, or in DIDWW's panel)

    await send(ReleaseNumber(tenant_id=tenant.id, actor=ADMIN, number=number))
    released = await events.one(tenant.id, "NumberReleased", number=number)
    assert released.didww_did_id == did.id
    assert not events.of(tenant.id, "AdminAlertRaised")


async def test_a_did_delivered_out_of_band_is_imported_by_reconciliation(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
) -> None:
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    number = free_number(didww, "London")  # KYC: documents filed with DIDWW directly
    async with httpx.AsyncClient(base_url=didww.server.url) as http:
        delivered = await http.post(
            f"/_admin/accounts/{tenant.api_key}/dids", json={"number": number}
        )
        assert delivered.status_code == 201
    async with httpx.AsyncClient(base_url=ordering.url) as http:
        found = (await http.post(f"/v1/tenants/{tenant.id}/reconciliation")).json()
        again = (await http.post(f"/v1/tenants/{tenant.id}/reconciliation")).json()

    assert found["imported"] == [number] and again["imported"] == []
    imported = await events.one(tenant.id, "NumberImported", number=number)
    assert imported.facts.country == "GB" and imported.facts.kyc_required
    assert imported.didww_did_id == delivered.json()["id"]


async def test_a_callback_is_verified_with_the_callback_secret_not_the_api_key(
    ordering: RunningOrdering,
    make_tenant: MakeTenant,
) -> None:
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    assert tenant.callback_secret
    url = f"/didww/callbacks?tenant={tenant.id}&request=r-1"
    payload = {"id": "order-1", "type": "orders", "status": "completed"}

    def signed(secret: str) -> dict[str, str]:
        return {SIGNATURE_HEADER: sign_callback(secret, ordering.url + url, payload)}

    async with httpx.AsyncClient(base_url=ordering.url) as http:
        unsigned = await http.post(url, data=payload)
        forged = await http.post(url, data=payload, headers=signed("not-the-secret"))
        by_api_key = await http.post(url, data=payload, headers=signed(tenant.api_key))
        accepted = await http.post(url, data=payload, headers=signed(tenant.callback_secret))
    answers = (unsigned, forged, by_api_key, accepted)
    assert [a.status_code for a in answers] == [401, 403, 403, 204]
    assert ordering.service is not None
    assert await ordering.service.db.requests.count_documents({"tenant_id": tenant.id}) == 0


async def test_a_signed_callback_replayed_20_times_runs_one_reread_at_a_time(
    ordering: RunningOrdering,
    didww: DidwwSandbox,
    make_tenant: MakeTenant,
    events: EventLog,
    send: Send,
) -> None:
    tenant = await make_tenant("acme")
    await ordering.knows(tenant)
    didww.state.fulfilment.delay = 60  # the order stays pending
    command = specific(tenant, free_number(didww, "Miami"))
    await send(command)
    ordered = await events.one(tenant.id, "NumberOrdered", request_id=command.request_id)
    didww.state.faults.replace_plan(FaultPlan(latency_ms=1500))  # each re-read takes a while
    url = f"/didww/callbacks?tenant={tenant.id}&request={command.request_id}"
    payload = {"id": ordered.didww_order_id, "type": "orders", "status": "pending"}
    assert tenant.callback_secret
    signed = {SIGNATURE_HEADER: sign_callback(tenant.callback_secret, ordering.url + url, payload)}
    try:
        async with httpx.AsyncClient(base_url=ordering.url) as http:
            answers = await asyncio.gather(
                *(http.post(url, data=payload, headers=signed) for _ in range(20))
            )
            metrics = await eventually(lambda: _resumes(http), timeout=10)
            reread = "GET /v3/orders/{id}"
            await eventually(lambda: didww.state.faults.counters[reread] >= 1, timeout=10)
    finally:
        didww.state.faults.replace_plan(FaultPlan())
    assert [a.status_code for a in answers] == [204] * 20
    assert metrics["coalesced"] >= 1  # a repeat joined the re-read in flight …
    # … and, callbacks and the service's own polling together, one re-read of the order at a time
    assert didww.state.faults.peak_in_flight[reread] == 1


async def _resumes(http: httpx.AsyncClient) -> dict[str, float] | None:
    text = (await http.get("/metrics")).text
    found = {
        outcome: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        for outcome in ("started", "coalesced")
        if line.startswith(f'velo_callback_resumes_total{{outcome="{outcome}"}}')
    }
    return found if sum(found.values()) == 20 else None
