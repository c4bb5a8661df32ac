"""Speed on the whole system as `make run` starts it: every row of the speed table in one run.

Each row compares like with like in the same run, on the same machine and system:

1. Inventory search through the gateway vs the same DIDWW call made directly: SEARCH_CLIENTS
   concurrent clients, the same SEARCHES distinct queries on both sides (so nothing is shared or
   cached on either), DIDWW answering after SEARCH_LATENCY_MS, both held to DIDWW's 20 req/s per
   key by the same shared budget (the direct caller takes its slots from the key's document as
   one more process: same pacing, same fairness among waiters). Alternating rounds; the median
   of the rounds' ratios.
2. One DIDWW key's budget across four callers (as four processes): calls/s against 20/s, 429s;
   per-process budgets for reference.
3. Request → Active minus DIDWW's order delay, one request at a time.
4. The same for 20 concurrent requests, against what 20 req/s allows for the DIDWW calls they
   made (counted by the sandbox) plus the order delay.
5. One Kafka hop through a service (a command to assignment → its event) vs a raw aiokafka
   relay (consume → produce) between the same kind of topics on the same broker.
6. A bulk request through the gateway: numbers/s against the ceiling 20 / (DIDWW calls per number).
7. Audit ingest of a burst from Kafka vs raw insert_many of as many entries, alternating rounds.

Prints target, figure and verdict per row, then the table.

    .venv/bin/python benchmarks/bench_speed.py [--bulk 120] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from benchkit import (
    Row,
    load_row,
    median,
    percentile,
    record_of,
    running_system,
    table,
    token_of,
    url_of,
    verdict,
)
from pymongo import AsyncMongoClient

from velo_audit.entries import to_entry
from velo_audit.settings import AuditSettings
from velo_audit.store import INDEXES as AUDIT_INDEXES
from velo_contracts import (
    Actor,
    AssignNumber,
    Command,
    NumberAssigned,
    NumberType,
    Role,
    UnassignNumber,
)
from velo_contracts.topics import ASSIGNMENT_COMMANDS, ASSIGNMENT_EVENTS, OPS_EVENTS
from velo_devinfra.run import System
from velo_didww import Budget, DidwwClient, DidwwError, LocalBudget, Priority, RetryPolicy
from velo_didww.ratelimit import key_id
from velo_inventory import offers
from velo_offers import MongoScheduleStore, SharedBudgets
from velo_offers.budget import COLLECTION
from velo_offers.budget import DATABASE as BUDGET_DATABASE
from velo_runtime import configure_logging
from velo_runtime.kafka import envelope_headers
from velo_runtime.mongo import ensure_indexes
from velo_sandbox.didww.cli import parse as didww_sandbox_options
from velo_tenants.demo import demo_tenants

Document = dict[str, Any]
DIDWW_RATE = 20.0
"""DIDWW's limit: requests per second per API key."""
ORDER_DELAY = didww_sandbox_options([]).order_delay
"""Seconds DIDWW takes to complete an order (the sandbox's default, as `make run` starts it)."""
ACTOR = Actor(user_id="bench@acme", role=Role.ADMIN)
ROOMY_WRITES = {"VELO_GATEWAY_WRITE_BURST": "1000", "VELO_GATEWAY_WRITES_PER_MINUTE": "1000"}
"""The gateway's per-tenant write limit has its own tests; here it would only pace the bench."""

SEARCH_CLIENTS, SEARCHES, SEARCH_LATENCY_MS, SEARCH_ROUNDS = 50, 200, 50, 3
SEARCH_MEDIAN, SEARCH_P99 = 1.1, 1.25
AREA_SEARCHES = 20
BUDGET_CALLERS, BUDGET_IN_FLIGHT, BUDGET_SECONDS, BUDGET_TARGET = 4, 5, 10.0, 0.9
ONE_AT_A_TIME, ONE_AT_A_TIME_P99 = 10, 1.0
CONCURRENT, CONCURRENT_ALLOWANCE = 20, 1.0
HOPS, HOP_P99_MS, HOP_TIMEOUT_S = 200, 20.0, 30.0
BULK_TARGET = 0.9
BURST, INGEST_ROUNDS, INGEST_RATIO = 10_000, 2, 0.7
AUDIT_BATCH = AuditSettings.model_fields["batch_size"].default
BURST_TOPIC = OPS_EVENTS.name
"""A topic only the audit service reads (on the events topics, other services would act on the
burst; on a DLQ every entry would also raise an alert)."""


@dataclass
class Bench:
    """The running system, its clients and the report so far."""

    system: System
    gateway: httpx.AsyncClient
    didww: httpx.AsyncClient
    mongo: AsyncMongoClient[Document]
    rows: list[Row] = field(default_factory=list)
    active: list[str] = field(default_factory=list)
    """acme's numbers that reached Active here (the hop works on one)."""

    @property
    def bootstrap(self) -> str:
        """The Kafka bootstrap address."""
        bootstrap: str = self.system.infra.endpoints.kafka_bootstrap
        return bootstrap

    def add(self, what: str, target: str, figure: str, outcome: str) -> None:
        """Adds a row to the report and shows it at once."""
        self.rows.append(Row(what, target, figure, outcome))
        print(f"  {what}: {figure} [{outcome}]", flush=True)


ACME_KEY = next(t.didww_api_key for t in demo_tenants("http://unused") if t.tenant_id == "acme")


async def key_counts(bench: Bench, api_key: str = ACME_KEY) -> tuple[int, int]:
    """Returns (requests served, 429s for going over the limit) of one key at the sandbox."""
    counters = (await bench.didww.get("/_admin/counters/rate_limit")).json()["keys"]
    mine = counters.get(key_id(api_key)[:12], {"served": 0, "refused": 0})
    return int(mine["served"]), int(mine["refused"])


# ---- 1. inventory search: gateway vs direct ------------------------------------------------------


async def concurrently(
    call: Callable[[str], Awaitable[None]], queries: list[str], clients: int
) -> list[float]:
    """Runs call over queries from `clients` concurrent clients; returns each call's seconds."""
    pending, spent = iter(queries), []

    async def client() -> None:
        for query in pending:
            started = time.perf_counter()
            await call(query)
            spent.append(time.perf_counter() - started)

    await asyncio.gather(*(client() for _ in range(clients)))
    return spent


async def inventory_search(bench: Bench) -> None:
    """Compares searches through the gateway with the same DIDWW call made directly."""
    budgets = SharedBudgets(MongoScheduleStore(bench.mongo[BUDGET_DATABASE][COLLECTION]))
    async with DidwwClient(
        ACME_KEY,
        f"{bench.didww.base_url}v3",
        budget=budgets(ACME_KEY),
        priority=Priority.INTERACTIVE,
    ) as direct:
        country = next(c for c in await direct.list_countries() if c.iso == "US")
        groups = offers.of_type(
            await direct.list_did_groups({"country.id": country.id}), NumberType.LOCAL
        )
        listed = sorted(g.id for g in groups if g.available_dids_enabled)

        async def via_gateway(digits: str) -> None:
            params = {"country": "US", "type": "local", "contains": digits}
            (await bench.gateway.get("/v1/inventory", params=params)).raise_for_status()

        async def at_didww(digits: str) -> None:
            filters = {"country.id": country.id, "did_group.id": listed, "number_contains": digits}
            await direct.list_available_dids(filters)

        await via_gateway("000")  # the inventory's coverage (countries, groups) is kept: warm it
        await bench.didww.post("/_admin/faults", json={"latency_ms": SEARCH_LATENCY_MS})
        refused_before = (await key_counts(bench))[1]
        try:
            ratios = [await _search_round(via_gateway, at_didww) for _ in range(SEARCH_ROUNDS)]
        finally:
            await bench.didww.delete("/_admin/faults")
    refused = (await key_counts(bench))[1] - refused_before
    median_ratio = median([r[0] for r in ratios])
    p99_ratio = median([r[1] for r in ratios])
    spread = ", ".join(f"{m:.2f}/{p:.2f}" for m, p in ratios)
    figure = (
        f"median {median_ratio:.2f}x, p99 {p99_ratio:.2f}x of direct "
        f"(rounds median/p99: {spread}; {refused} x 429)"
    )
    target = f"≤ {SEARCH_MEDIAN}x median, ≤ {SEARCH_P99}x p99"
    ok = median_ratio <= SEARCH_MEDIAN and p99_ratio <= SEARCH_P99
    bench.add(f"inventory search, {SEARCH_CLIENTS} clients", target, figure, verdict(ok))


async def _search_round(
    via_gateway: Callable[[str], Awaitable[None]], at_didww: Callable[[str], Awaitable[None]]
) -> tuple[float, float]:
    queries = [f"{n:03d}" for n in random.sample(range(1000), SEARCHES)]
    gateway = await concurrently(via_gateway, queries, SEARCH_CLIENTS)
    direct = await concurrently(at_didww, queries, SEARCH_CLIENTS)
    print(
        f"    gateway median {median(gateway) * 1000:.0f} ms p99 "
        f"{percentile(gateway, 0.99) * 1000:.0f} ms | direct median {median(direct) * 1000:.0f}"
        f" ms p99 {percentile(direct, 0.99) * 1000:.0f} ms",
        flush=True,
    )
    return (
        median(gateway) / median(direct),
        percentile(gateway, 0.99) / percentile(direct, 0.99),
    )


async def area_search(bench: Bench) -> None:
    """Times an admin's pick of a place: the country's areas, then the numbers of one area."""
    spent = []
    for n in range(AREA_SEARCHES):
        started = time.perf_counter()
        found = await bench.gateway.get("/v1/countries/DE/areas", params={"type": "local"})
        found.raise_for_status()
        area = found.json()["items"][n % len(found.json()["items"])]
        params = {"country": "DE", "type": "local", "area": area["id"]}
        (await bench.gateway.get("/v1/inventory", params=params)).raise_for_status()
        spent.append((time.perf_counter() - started) * 1000)
    figure = (
        f"p50 {median(spent):.0f} ms, p99 {percentile(spent, 0.99):.0f} ms "
        f"(n={AREA_SEARCHES}, one admin, no DIDWW latency added)"
    )
    bench.add("areas, then one area's numbers (gateway)", "(reported)", figure, "info")


# ---- 2. one budget per key -----------------------------------------------------------------------


async def budget_caller(budget: Budget, base: str, key: str, until: float) -> tuple[int, int]:
    """Calls DIDWW with BUDGET_IN_FLIGHT calls at once until the deadline; (answered, 429s)."""
    answered = refused = 0
    retry = RetryPolicy(attempts=1)  # count a 429, don't hide it behind a retry
    async with DidwwClient(key, f"{base}v3", budget=budget, retry=retry) as client:

        async def loop() -> None:
            nonlocal answered, refused
            while time.time() < until:
                try:
                    await client.get_balance()
                    answered += 1
                except DidwwError as error:
                    refused += error.status == 429

        await asyncio.gather(*(loop() for _ in range(BUDGET_IN_FLIGHT)))
    return answered, refused


async def budget_run(bench: Bench, budgets: list[Budget], key: str) -> tuple[float, int]:
    """Runs one caller per budget on one key; returns (calls/s, 429s)."""
    await bench.didww.post("/_admin/accounts", json={"api_key": key, "balance": "100"})
    started = time.time()
    base = str(bench.didww.base_url)
    outcomes = await asyncio.gather(
        *(budget_caller(b, base, key, started + BUDGET_SECONDS) for b in budgets)
    )
    elapsed = time.time() - started
    return sum(o[0] for o in outcomes) / elapsed, sum(o[1] for o in outcomes)


async def shared_budget(bench: Bench) -> None:
    """One key, four callers: each with its own budget (before), then sharing one (after)."""
    local: list[Budget] = [LocalBudget() for _ in range(BUDGET_CALLERS)]
    rate, refused = await budget_run(bench, local, f"bench-local-{uuid.uuid4().hex[:6]}")
    figure = f"{rate:.1f} calls/s, {refused} x 429"
    bench.add(f"DIDWW key, {BUDGET_CALLERS} per-process budgets", "(reference)", figure, "info")
    clients = [AsyncMongoClient[Document](bench.system.infra.endpoints.mongo_url)]
    clients += [AsyncMongoClient(bench.system.infra.endpoints.mongo_url) for _ in range(3)]
    database = f"bench_budget_{uuid.uuid4().hex[:6]}"
    try:
        shared: list[Budget] = [
            SharedBudgets(MongoScheduleStore(c[database][COLLECTION]))("bench-shared")
            for c in clients
        ]
        rate, refused = await budget_run(bench, shared, "bench-shared")
    finally:
        await clients[0].drop_database(database)
        for client in clients:
            await client.close()
    ratio = rate / DIDWW_RATE
    figure = f"{rate:.1f} calls/s = {ratio:.2f}x of {DIDWW_RATE:g}/s, {refused} x 429"
    ok = ratio >= BUDGET_TARGET and refused == 0
    target = f"≥ {BUDGET_TARGET}x, 0 x 429"
    bench.add(
        f"DIDWW key, {BUDGET_CALLERS} callers sharing its budget", target, figure, verdict(ok)
    )


# ---- 3./4. request → Active ----------------------------------------------------------------------


async def listed_numbers(bench: Bench, count: int) -> list[dict[str, Any]]:
    """Returns `count` offers of listed US local numbers nobody has asked for in this run."""
    params: dict[str, Any] = {"country": "US", "type": "local", "limit": 100}
    found = (await bench.gateway.get("/v1/inventory", params=params)).json()["items"]
    fresh = [o for o in found if o["number"] not in bench.active]
    return fresh[:count]


async def until_active(bench: Bench, number: str) -> None:
    """Waits until the gateway lists the number as active."""
    while True:
        response = await bench.gateway.get(f"/v1/numbers/{number}")
        if response.status_code == 200 and response.json().get("status") == "active":
            return
        await asyncio.sleep(0.02)  # polling is what the measurement is


async def request_to_active(bench: Bench, offer: dict[str, Any]) -> float:
    """Requests one offer through the gateway; returns the seconds until it is Active."""
    started = time.perf_counter()
    body = {"offer_id": offer["offer_id"]}
    (await bench.gateway.post("/v1/number-requests", json=body)).raise_for_status()
    await until_active(bench, offer["number"])
    bench.active.append(offer["number"])
    return time.perf_counter() - started


async def one_at_a_time(bench: Bench) -> None:
    """Requests numbers one after another; the time each took beyond DIDWW's order delay."""
    spent = [await request_to_active(bench, o) for o in await listed_numbers(bench, ONE_AT_A_TIME)]
    beyond = [s - ORDER_DELAY for s in spent]
    p99 = percentile(beyond, 0.99)
    figure = (
        f"median {median(beyond):.2f} s, p99 {p99:.2f} s beyond the {ORDER_DELAY:g} s order "
        f"delay (n={len(beyond)}, max {max(beyond):.2f} s)"
    )
    target = f"p99 ≤ {ONE_AT_A_TIME_P99:g} s"
    bench.add("request → Active, one at a time", target, figure, verdict(p99 <= ONE_AT_A_TIME_P99))


async def concurrent_requests(bench: Bench) -> None:
    """Requests CONCURRENT numbers at once; all Active within what 20 req/s allows."""
    chosen = await listed_numbers(bench, CONCURRENT)
    served, refused = await key_counts(bench)
    started = time.perf_counter()
    await asyncio.gather(*(request_to_active(bench, o) for o in chosen))
    elapsed = time.perf_counter() - started
    served_after, refused_after = await key_counts(bench)
    calls = served_after - served
    allowed = calls / DIDWW_RATE + ORDER_DELAY + CONCURRENT_ALLOWANCE
    figure = (
        f"{elapsed:.1f} s for {len(chosen)} ({calls} DIDWW calls = {calls / DIDWW_RATE:.1f} s "
        f"at {DIDWW_RATE:g}/s, {refused_after - refused} x 429)"
    )
    target = f"≤ calls/20 + {ORDER_DELAY:g} s delay + {CONCURRENT_ALLOWANCE:g} s = {allowed:.1f} s"
    ok = elapsed <= allowed and len(chosen) == CONCURRENT
    bench.add(f"request → Active, {CONCURRENT} at once", target, figure, verdict(ok))


# ---- 5. one Kafka hop ----------------------------------------------------------------------------


@dataclass
class Hop:
    """Times messages from a send until their consequence arrives on an output topic."""

    bootstrap: str
    output: str
    partitions: int = ASSIGNMENT_EVENTS.partitions
    producer: AIOKafkaProducer | None = None
    consumer: AIOKafkaConsumer | None = None

    async def __aenter__(self) -> Hop:
        self.producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        await self.producer.start()
        self.consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await self.consumer.start()
        parts = [TopicPartition(self.output, p) for p in range(self.partitions)]
        self.consumer.assign(parts)
        await self.consumer.seek_to_end(*parts)
        for part in parts:  # settle the positions before the clock starts
            await self.consumer.position(part)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self.producer and self.consumer
        await self.producer.stop()
        await self.consumer.stop()

    async def time(
        self, topic: str, value: bytes, key: bytes, headers: list[tuple[str, bytes]], match: bytes
    ) -> float:
        """Sends one message; returns seconds until a record carrying `match` arrives."""
        assert self.producer and self.consumer
        started = time.perf_counter()
        await self.producer.send(topic, value, key=key, headers=headers)
        async with asyncio.timeout(HOP_TIMEOUT_S):
            while True:
                record = await self.consumer.getone()
                if match in (record.value or b""):
                    return time.perf_counter() - started


async def relay(bootstrap: str, source: str, sink: str, ready: asyncio.Event) -> None:
    """A service that does nothing: consumes source and produces each record to sink at once."""
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=bootstrap,
        group_id=f"relay-{source}",
        auto_offset_reset="earliest",
    )  # a fresh topic: from its start, or a record sent while the group settles would be skipped
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await consumer.start()
    await producer.start()
    try:
        while not consumer.assignment():  # noqa: ASYNC110 - aiokafka tells no event
            await asyncio.sleep(0.05)
        ready.set()
        async for record in consumer:
            await producer.send_and_wait(sink, record.value, key=record.key)
            await consumer.commit()
    finally:
        await consumer.stop()
        await producer.stop()


async def kafka_hop(bench: Bench) -> None:
    """One hop through assignment vs through a relay that does nothing, on the same broker."""
    raw = await _raw_hops(bench)
    through = await _service_hops(bench)
    figure = (
        f"assignment p50 {median(through):.1f} ms, p99 {percentile(through, 0.99):.1f} ms | "
        f"raw relay p50 {median(raw):.1f} ms, p99 {percentile(raw, 0.99):.1f} ms (n={HOPS})"
    )
    ok = percentile(through, 0.99) < HOP_P99_MS
    bench.add("one hop: command → event", f"p99 < {HOP_P99_MS:g} ms", figure, verdict(ok))


async def _raw_hops(bench: Bench) -> list[float]:
    names = [f"bench-hop-in-{uuid.uuid4().hex[:6]}", f"bench-hop-out-{uuid.uuid4().hex[:6]}"]
    admin = AIOKafkaAdminClient(bootstrap_servers=bench.bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, ASSIGNMENT_EVENTS.partitions, 1) for n in names])
    finally:
        await admin.close()
    ready = asyncio.Event()
    relaying = asyncio.create_task(relay(bench.bootstrap, names[0], names[1], ready))
    await asyncio.wait_for(ready.wait(), 60)
    try:
        async with Hop(bench.bootstrap, names[1]) as hop:
            spent = []
            for n in range(HOPS):
                mark = f"hop-{n}-{uuid.uuid4().hex}".encode()
                spent.append(await hop.time(names[0], mark, mark[:8], [], mark) * 1000)
            return spent
    finally:
        relaying.cancel()


async def _service_hops(bench: Bench) -> list[float]:
    number = bench.active[0]
    async with Hop(bench.bootstrap, ASSIGNMENT_EVENTS.name) as hop:
        spent = []
        for n in range(HOPS):
            command: Command = (
                AssignNumber(tenant_id="acme", actor=ACTOR, number=number, outbound_agent="101")
                if n % 2 == 0
                else UnassignNumber(tenant_id="acme", actor=ACTOR, number=number)
            )
            headers = [(k, v.encode()) for k, v in envelope_headers(command).items()]
            value, key = command.model_dump_json().encode(), number.encode()
            match = command.message_id.encode()  # the event's causation_id
            spent.append(
                await hop.time(ASSIGNMENT_COMMANDS.name, value, key, headers, match) * 1000
            )
        return spent


# ---- 6. bulk -------------------------------------------------------------------------------------


async def bulk(bench: Bench, count: int) -> None:
    """Requests `count` numbers in one bulk; numbers/s against what 20 req/s allows."""
    await bench.didww.delete("/_admin/counters")
    served, refused = await key_counts(bench)
    started = time.perf_counter()
    body = {"country": "US", "type": "local", "quantity": count}
    accepted = await bench.gateway.post("/v1/number-requests", json=body)
    accepted.raise_for_status()
    state = await _until_done(bench, accepted.headers["Location"])
    elapsed = time.perf_counter() - started
    served_after, refused_after = await key_counts(bench)
    calls = served_after - served
    endpoints = (await bench.didww.get("/_admin/counters")).json()
    print(
        "    DIDWW calls by endpoint: "
        + ", ".join(
            f"{endpoint} {n}" for endpoint, n in sorted(endpoints.items(), key=lambda kv: -kv[1])
        ),
        flush=True,
    )
    per_number = calls / count
    ceiling = DIDWW_RATE / per_number
    rate = state["done"] / elapsed
    figure = (
        f"{rate:.2f} numbers/s = {rate / ceiling:.2f}x of {ceiling:.2f}/s ({state['done']} "
        f"active, {state['failed']} failed in {elapsed:.0f} s; {per_number:.1f} calls/number, "
        f"{refused_after - refused} x 429)"
    )
    target = f"≥ {BULK_TARGET}x (20 req/s ÷ calls per number)"
    ok = rate >= BULK_TARGET * ceiling and state["done"] == count
    bench.add(f"bulk of {count}", target, figure, verdict(ok))


async def _until_done(bench: Bench, location: str) -> dict[str, Any]:
    state: dict[str, Any] = {}
    while state.get("status") != "done":
        response = await bench.gateway.get(location)
        if response.status_code == 200:  # else ordering has not stored it yet
            state = response.json()
        await asyncio.sleep(0.25)  # polling is what the measurement is
    return state


# ---- 7. audit ingest vs raw insert_many ----------------------------------------------------------


async def stored_counter(bench: Bench) -> float:
    """Returns the audit service's count of stored entries (its Prometheus counter)."""
    text = (await bench.didww.get(f"{url_of(bench.system, 'audit')}/metrics")).text
    return sum(
        float(line.split()[-1])
        for line in text.splitlines()
        if line.startswith("velo_audit_events_stored_total")
    )


def burst_events(tenant: str) -> list[NumberAssigned]:
    """Returns BURST assignment events of one tenant."""
    return [
        NumberAssigned(tenant_id=tenant, actor=ACTOR, number=f"+4930{n:08d}", outbound_agent="101")
        for n in range(BURST)
    ]


async def audit_ingest(bench: Bench) -> float:
    """Times a burst from first publish until the audit service stored it all; returns events/s."""
    tenant = f"bench-{uuid.uuid4().hex[:8]}"
    before = await stored_counter(bench)
    producer = AIOKafkaProducer(bootstrap_servers=bench.bootstrap, linger_ms=5, acks="all")
    await producer.start()
    started = time.perf_counter()
    try:
        sends = []
        for event in burst_events(tenant):
            headers = [(k, v.encode()) for k, v in envelope_headers(event).items()]
            value, key = event.model_dump_json().encode(), event.number.encode()
            sends.append(await producer.send(BURST_TOPIC, value, key=key, headers=headers))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()
    while await stored_counter(bench) - before < BURST:  # noqa: ASYNC110
        await asyncio.sleep(0.1)  # each look renders the audit service's /metrics
    took = time.perf_counter() - started
    audit_db = AuditSettings.model_fields["mongo_database"].default
    await bench.mongo[audit_db]["events"].delete_many({"tenant_id": tenant})
    return BURST / took


async def raw_insert(bench: Bench) -> float:
    """Times insert_many of BURST audit entries in the audit service's batches; entries/s."""
    now = datetime.now(UTC)
    entries = [
        to_entry(record_of(e, BURST_TOPIC, n), now) for n, e in enumerate(burst_events("raw"))
    ]
    database = bench.mongo[f"bench_raw_{uuid.uuid4().hex[:6]}"]
    await ensure_indexes(database, AUDIT_INDEXES)  # as the audit service's
    started = time.perf_counter()
    for i in range(0, BURST, AUDIT_BATCH):
        await database["events"].insert_many(entries[i : i + AUDIT_BATCH], ordered=False)
    took = time.perf_counter() - started
    await bench.mongo.drop_database(database.name)
    return BURST / took


async def ingest_vs_raw(bench: Bench) -> None:
    """Alternates raw insert_many and audit ingest rounds; compares their medians."""
    raws, ingests = [], []
    for _ in range(INGEST_ROUNDS):
        raws.append(await raw_insert(bench))
        ingests.append(await audit_ingest(bench))
        print(f"    raw {raws[-1]:.0f}/s, ingest {ingests[-1]:.0f}/s", flush=True)
    ratio = median(ingests) / median(raws)
    figure = (
        f"ingest {median(ingests):.0f} ev/s, raw {median(raws):.0f} ev/s = {ratio:.2f}x "
        f"(rounds {', '.join(f'{i / r:.2f}' for i, r in zip(ingests, raws, strict=True))})"
    )
    bench.add(
        f"audit ingest, {BURST} burst",
        f"≥ {INGEST_RATIO}x raw",
        figure,
        verdict(ratio >= INGEST_RATIO),
    )


# ---- the run -------------------------------------------------------------------------------------


async def measure(system: System, bulk_count: int, only: set[str]) -> list[Row]:
    """Runs every part on the running system; a part that breaks is a FAIL row, not the end."""
    headers = {"Authorization": f"Bearer {token_of(system)}"}
    gateway = httpx.AsyncClient(
        base_url=url_of(system, "gateway"),
        headers=headers,
        timeout=60,
        limits=httpx.Limits(
            max_connections=SEARCH_CLIENTS, max_keepalive_connections=SEARCH_CLIENTS
        ),
    )
    didww = httpx.AsyncClient(base_url=f"{url_of(system, 'didww-sandbox')}/", timeout=30)
    mongo = AsyncMongoClient[Document](system.infra.endpoints.mongo_url, tz_aware=True)
    bench = Bench(system, gateway, didww, mongo)
    parts: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("search", lambda: inventory_search(bench)),
        ("areas", lambda: area_search(bench)),
        ("budget", lambda: shared_budget(bench)),
        ("one", lambda: one_at_a_time(bench)),
        ("concurrent", lambda: concurrent_requests(bench)),
        ("hop", lambda: kafka_hop(bench)),
        ("bulk", lambda: bulk(bench, bulk_count)),
        ("audit", lambda: ingest_vs_raw(bench)),
    ]
    if only:
        parts = [(name, part) for name, part in parts if name in only]
    try:
        for name, part in parts:
            print(f"== {name}", flush=True)
            try:
                await part()
            except Exception as exc:  # the table still shows what the other parts got
                bench.add(f"{name}: stopped", "-", f"{type(exc).__name__}: {exc}"[:160], "FAIL")
    finally:
        await gateway.aclose()
        await didww.aclose()
        await mongo.close()
    return bench.rows


def main() -> None:
    """Starts the system, measures every row, stops it, prints the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--bulk", type=int, default=100, help="numbers in the bulk (the US stock is 150)"
    )
    parser.add_argument("--keep", type=Path, help="keep the system's data and logs here")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated parts to run (search,areas,budget,one,concurrent,hop,bulk,audit); "
        "hop needs one or concurrent first",
    )
    args = parser.parse_args()
    configure_logging("bench", "WARNING", json=True)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    began, load = time.monotonic(), os.getloadavg()[0]
    with (
        tempfile.TemporaryDirectory() as temporary,
        running_system(args.keep or Path(temporary), ROOMY_WRITES) as system,
    ):
        rows = asyncio.run(measure(system, args.bulk, set(filter(None, args.only.split(",")))))
    rows.append(load_row(load))
    print(f"\nbench_speed: {time.monotonic() - began:.0f} s in all\n{table(rows)}")


if __name__ == "__main__":
    main()
