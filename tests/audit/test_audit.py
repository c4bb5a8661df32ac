"""Audit: every event of every topic stored once, searched and exported per tenant; alerts feed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from velo_audit.entries import to_entry
from velo_contracts import (
    Actor,
    AdminAlertRaised,
    ErrorCode,
    NumberAssigned,
    NumberOrdered,
    NumberRequested,
    Role,
)
from velo_contracts.topics import ASSIGNMENT_EVENTS, ORDERING_COMMANDS, ORDERING_EVENTS, TENANTS
from velo_tenants import SecretBox
from velo_tenants.demo import demo_tenants
from velo_tenants.registry import configured_event
from velotest import eventually

from .conftest import Audit

pytestmark = pytest.mark.infra
NUMBER = "+493012345678"
ALICE = Actor(user_id="alice", role=Role.ADMIN)
BOB = Actor(user_id="bob", role=Role.ADMIN)


def _flow(tenant: str) -> dict[str, Any]:
    pick = {"kind": "specific", "country": "DE", "number_type": "local", "number": NUMBER}
    requested = NumberRequested(tenant_id=tenant, actor=ALICE, request_id="r-1", pick=pick)
    ordered = NumberOrdered.caused_by(
        requested,
        request_id="r-1",
        number=NUMBER,
        didww_order_id="o-1",
        order_reference="ABC-1",
        amount="1.50",
    )
    alert = AdminAlertRaised.caused_by(
        requested,
        alert_id=f"{tenant}-a1",
        recipient="alice",
        code=ErrorCode.KYC_REQUIRED,
        title="Germany mobile needs ID",
        detail="File your ID with DIDWW.",
    )
    assigned = NumberAssigned(tenant_id=tenant, actor=BOB, number=NUMBER, outbound_agent="101")
    return {"requested": requested, "ordered": ordered, "alert": alert, "assigned": assigned}


async def _publish_flow(send: Callable[..., Any], flow: dict[str, Any]) -> None:
    await send(flow["requested"], ORDERING_EVENTS)
    await send(flow["ordered"], ORDERING_EVENTS)
    await send(flow["ordered"], ORDERING_EVENTS)  # redelivered: must be stored once
    await send(flow["alert"], ORDERING_EVENTS)
    await send(flow["assigned"], ASSIGNMENT_EVENTS)


async def test_every_event_is_stored_exactly_once_and_dead_letters_too(
    audit: Audit, send: Callable[..., Any], kafka_bootstrap: str, unique: Callable[[str], str]
) -> None:
    tenant = unique("acme")
    await _publish_flow(send, _flow(tenant))
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    await producer.send_and_wait(
        ORDERING_COMMANDS.dlq,
        b"{not json",
        headers=[("velo-tenant-id", tenant.encode()), ("x-dlq-error", b"bad input")],
    )
    await producer.stop()

    entries = await eventually(lambda: _count(audit, tenant, 5))
    types = sorted(entry["type"] for entry in entries)
    assert types == sorted(
        ["NumberRequested", "NumberOrdered", "AdminAlertRaised", "NumberAssigned", "unparseable"]
    )
    [dead] = [entry for entry in entries if entry["type"] == "unparseable"]
    assert dead["dead_letter"] == {"error": "bad input"}
    assert dead["topic"] == ORDERING_COMMANDS.dlq
    assert dead["id"].startswith("dead-letter:")
    [ordered] = [entry for entry in entries if entry["type"] == "NumberOrdered"]
    assert ordered["cost"] == {"amount": "1.50", "currency": "USD"}
    assert (ordered["actor"]["user_id"], ordered["number"]) == ("alice", NUMBER)


async def test_a_dead_lettered_command_is_its_own_entry_and_alerts_its_admin(
    audit: Audit, send: Callable[..., Any], unique: Callable[[str], str]
) -> None:
    tenant = unique("acme")
    flow = _flow(tenant)
    await send(flow["assigned"], ASSIGNMENT_EVENTS)
    dead_letter = {"x-dlq-error": "PortSIP said no", "x-dlq-attempts": "5"}
    await send(flow["assigned"], ASSIGNMENT_EVENTS.dlq, dead_letter)

    entries = await eventually(lambda: _count(audit, tenant, 2))
    original, dead = sorted(entries, key=lambda e: e["id"].startswith("dead-letter:"))
    assert dead["message_id"] == original["message_id"] == flow["assigned"].message_id
    assert dead["dead_letter"] == {"error": "PortSIP said no", "attempts": "5"}
    alerts = await eventually(lambda: audit.alerts(tenant, "bob"))
    assert [a["code"] for a in alerts] == ["dead_lettered"]
    assert "PortSIP said no" in alerts[0]["detail"] and alerts[0]["recipient"] == "bob"


async def _count(audit: Audit, tenant: str, expected: int) -> list[dict[str, Any]] | None:
    entries = await audit.entries(tenant)
    assert len(entries) <= expected, f"more entries than events: {entries}"
    return entries if len(entries) == expected else None


async def test_search_filters_pages_and_never_crosses_tenants(
    audit: Audit, send: Callable[..., Any], unique: Callable[[str], str]
) -> None:
    acme, globex = unique("acme"), unique("globex")
    await _publish_flow(send, _flow(acme))
    await _publish_flow(send, _flow(globex))
    await eventually(lambda: _count(audit, globex, 4))
    acme_all = await audit.entries(acme)

    assert {entry["tenant_id"] for entry in acme_all} == {acme}
    assert len({entry["message_id"] for entry in acme_all}) == len(acme_all) == 4
    assert [e["type"] for e in await audit.entries(acme, actor="bob")] == ["NumberAssigned"]
    by_number = await audit.entries(acme, number=NUMBER.removeprefix("+"))
    assert sorted(e["type"] for e in by_number) == [
        "NumberAssigned",
        "NumberOrdered",
        "NumberRequested",  # the alert names no number
    ]
    assert [e["type"] for e in await audit.entries(acme, type="NumberOrdered")] == ["NumberOrdered"]
    later = acme_all[0]["occurred_at"]
    assert await audit.entries(acme, **{"from": later, "to": later}) == []
    bad = await audit.http.get(f"/v1/tenants/{acme}/audit", params={"cursor": "not-ours"})
    assert bad.status_code == 400


async def test_the_csv_export_shows_where_a_charge_came_from(
    audit: Audit, send: Callable[..., Any], unique: Callable[[str], str]
) -> None:
    tenant = unique("acme")
    await _publish_flow(send, _flow(tenant))
    await eventually(lambda: _count(audit, tenant, 4))
    response = await audit.http.get(
        f"/v1/tenants/{tenant}/audit.csv", params={"type": "NumberOrdered"}
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert response.headers["content-type"].startswith("text/csv")
    assert [(r["type"], r["actor"], r["number"], r["amount"], r["request_id"]) for r in rows] == [
        ("NumberOrdered", "alice", NUMBER, "1.50", "r-1")
    ]


async def test_an_admin_sees_and_reads_only_their_own_alerts(
    audit: Audit, send: Callable[..., Any], unique: Callable[[str], str]
) -> None:
    tenant = unique("acme")
    flow = _flow(tenant)
    await _publish_flow(send, flow)
    await send(flow["alert"], ORDERING_EVENTS)  # redelivered after being read must stay read
    alerts_url = f"/v1/tenants/{tenant}/alerts"
    feed = await eventually(lambda: _items(audit, alerts_url, {"user": "alice", "unread": "true"}))
    assert [(a["title"], a["read"]) for a in feed] == [("Germany mobile needs ID", False)]
    assert await _items(audit, alerts_url, {"user": "bob"}) == []
    not_bobs = await audit.http.post(f"{alerts_url}/{tenant}-a1/read", params={"user": "bob"})
    assert not_bobs.status_code == 404

    read = await audit.http.post(f"{alerts_url}/{tenant}-a1/read", params={"user": "alice"})
    assert read.status_code == 204
    assert await _items(audit, alerts_url, {"user": "alice", "unread": "true"}) == []
    assert [a["read"] for a in await _items(audit, alerts_url, {"user": "alice"})] == [True]


async def _items(audit: Audit, url: str, params: dict[str, str]) -> list[dict[str, Any]]:
    return list((await audit.http.get(url, params=params)).json()["items"])


def test_a_tenant_configuration_is_audited_without_any_secret_even_sealed() -> None:
    acme = demo_tenants("http://pbx/api")[0]
    box = SecretBox(SecretBox.new_key())
    event = configured_event(acme, box, Actor.system("tenants"))
    record = record_of(event, TENANTS.name)
    entry = to_entry(record, datetime.now(UTC))
    stored = json.dumps(entry["payload"], default=str)
    for sealed in (event.didww.api_key, event.didww.callback_secret, event.portsip.admin_password):
        assert sealed and sealed not in stored
    assert entry["payload"]["didww"]["callback_secret"] == "[sealed secret, not stored]"
    plain = configured_event(replace(acme, didww_callback_secret=None), box, Actor.system("t"))
    assert (
        to_entry(record_of(plain, TENANTS.name), datetime.now(UTC))["payload"]["didww"][
            "callback_secret"
        ]
        is None
    )  # absent is shown as absent, not as a hidden secret


def record_of(event: Any, topic: str) -> ConsumerRecord[bytes, bytes]:
    value = event.model_dump_json().encode()
    return ConsumerRecord(topic, 0, 0, 0, 0, None, value, None, 0, len(value), [])
