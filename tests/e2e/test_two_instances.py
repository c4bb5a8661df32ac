"""Two instances of every service on one Kafka and one database: the same outcome as one.

Each service runs twice in one consumer group, so partitions (and the timers: recovery, drift
repair, outbox relays, reconciliation) are shared. The walkthrough and 20 concurrent requests and
assignments must end exactly as they would on one instance: one DIDWW order per request, one
PortSIP rule and caller ID per number, every assignment applied, every event audited once.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from velo_devinfra.run import System
from velo_devinfra.stack import free_port
from velotest import eventually, free_offset, read_all

from .conftest import RunningSystem, started
from .flows import audit_entries, number, request_number, until_status, walkthrough

pytestmark = pytest.mark.infra
CONCURRENT = 20
BATCH = 240.0
SERVICES = ("ordering", "sip-routing", "assignment", "audit")


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """The whole system with two instances of each service."""
    data = tmp_path_factory.mktemp("twice")
    system = System(data, free_port(), free_port(), free_offset(), instances=2)
    # 20 requests then 20 assignments from one tenant within a minute: more than the default
    # write limit (its own test is in tests/gateway), now that ordering works on them at once.
    roomy = {"VELO_GATEWAY_WRITE_BURST": "500", "VELO_GATEWAY_WRITES_PER_MINUTE": "600"}
    with started(system, **roomy) as running:
        yield running


def test_every_service_runs_twice(twice: RunningSystem) -> None:
    names = Counter(c.name.removesuffix("-2") for c in twice.system.components)
    assert all(names[service] == 2 for service in (*SERVICES, "inventory"))


async def test_the_walkthrough_ends_as_on_one_instance(twice: RunningSystem) -> None:
    await walkthrough(twice)


async def test_concurrent_requests_and_assignments_are_each_done_once(
    twice: RunningSystem,
) -> None:
    async with twice.api("globex", "admin@globex") as api:  # acme's write budget went on the walk
        offers = await _offers(api, CONCURRENT)
        request_ids = await asyncio.gather(
            *(request_number(api, {"offer_id": o["offer_id"]}) for o in offers)
        )
        numbers = [o["number"] for o in offers]
        await asyncio.gather(*(until_status(api, n, "active", timeout=BATCH) for n in numbers))
        agents = {n: str(101 + i) for i, n in enumerate(numbers)}
        puts = await asyncio.gather(*(_assign(api, n, agents[n]) for n in numbers))
        assert {p.status_code for p in puts} == {202}
        await eventually(lambda: _all_assigned(api, agents), timeout=BATCH)
        await eventually(lambda: _routed_once_each(twice, agents), timeout=BATCH)
        entries = await audit_entries(api)

    assert [twice.orders_for(r) for r in request_ids] == [1] * CONCURRENT
    per_event = Counter(e["message_id"] for e in entries)
    assert max(per_event.values()) == 1  # audit stored every event once
    facts = await _published(twice, set(numbers))
    assert all(facts[n]["NumberApproved"] == 1 and facts[n]["NumberAssigned"] == 1 for n in numbers)
    assert _both_instances_worked(twice)


async def _offers(api: httpx.AsyncClient, count: int) -> list[dict[str, Any]]:
    params = {"country": "US", "type": "local", "limit": 50}
    found = await api.get("/v1/inventory", params=params)
    assert found.status_code == 200, found.text
    free = [o for o in found.json()["items"] if not o["kyc_required"]]
    assert len(free) >= count + 3, "the sandbox lists too few US numbers"
    return free[3 : 3 + count]  # the walkthrough (acme, same sandbox) takes the first


async def _assign(api: httpx.AsyncClient, e164: str, agent: str) -> httpx.Response:
    body = {"outbound_agent": agent, "inbound_target": {"type": "queue", "id": "800"}}
    return await api.put(f"/v1/numbers/{e164}/assignment", json=body)


async def _all_assigned(api: httpx.AsyncClient, agents: dict[str, str]) -> bool:
    rows = await asyncio.gather(*(number(api, n) for n in agents))
    return all(
        row["outbound_agent"] == agents[row["number"]] and row["inbound_target"]["id"] == "800"
        for row in rows
    )


def _routed_once_each(running: RunningSystem, agents: dict[str, str]) -> bool:
    routing = running.routing("globex")
    dials = {n.removeprefix("+"): agent for n, agent in agents.items()}
    pool = Counter(routing["pools"]["DIDWW"]["did_numbers"].split(";"))
    rules = Counter(r["did_numbers"] for r in routing["inbound_rules"] if r["did_numbers"] in dials)
    holders = {
        c["caller_id"]: ext
        for ext, ids in routing["caller_ids"].items()
        for c in ids
        if c["caller_id"] in dials
    }
    return (
        all(pool[d] == 1 and rules[d] == 1 for d in dials)
        and holders == dials
        and all(
            r["destination"] == "800" for r in routing["inbound_rules"] if r["did_numbers"] in dials
        )
    )


async def _published(running: RunningSystem, numbers: set[str]) -> dict[str, Counter[str]]:
    """Counts, per number, the distinct events of each type that reached Kafka."""
    bootstrap = running.system.infra.endpoints.kafka_bootstrap
    seen: dict[str, set[tuple[str, str]]] = {n: set() for n in numbers}
    for topic in ("velo.ordering.events.v1", "velo.assignment.events.v1"):
        for record in await read_all(bootstrap, topic):
            headers = dict(record.headers)
            about = headers.get("velo-number", b"").decode()
            if about in seen:
                kind, message_id = headers["velo-type"], headers["velo-message-id"]
                seen[about].add((kind.decode(), message_id.decode()))
    return {n: Counter(kind for kind, _ in events) for n, events in seen.items()}


def _both_instances_worked(running: RunningSystem) -> bool:
    """Tells whether each instance of ordering and assignment consumed some command."""
    for service in ("ordering", "assignment"):
        for name in (service, f"{service}-2"):
            port = next(c.port for c in running.system.components if c.name == name)
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            handled = rf"^faststream_received_messages_total\{{[^}}]*velo\.{service}\.commands\.v1"
            if not re.search(handled + r"[^}]*\} [1-9]", metrics, re.MULTILINE):
                return False
    return True
