"""Storage on the whole system as `make run` starts it (mongo-java-server with the H2 backend).

1. The Phone numbers list and the audit log read through the gateway as acme's admin, with 1k, 10k
   and 100k rows and entries loaded straight into the services' own databases (10% are acme's).
2. Race counts through velo_runtime's revision rule (unguarded read-modify-write for reference).
3. Start time, and the resident memory of the database and Kafka before loading and after.

The races run first, on the fresh system; the reads run last, as the data grows, because at
the largest sizes they leave the engine busy for minutes. Loading stops after LOAD_BUDGET_S, so
the run stays bounded; the rows then name the size reached. Prints one table: what, target,
figure, verdict.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import httpx
from benchkit import Row, load_row, record_of, running_system, table, token_of, verdict
from pymongo import DESCENDING, AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError

from velo_assignment.handlers import handle
from velo_assignment.projection import project
from velo_assignment.settings import AssignmentSettings
from velo_assignment.store import NumberBook, row_id
from velo_assignment.targets import TargetChecker
from velo_assignment.views import list_query
from velo_audit.entries import to_entry
from velo_audit.settings import AuditSettings
from velo_audit.store import AuditQuery
from velo_contracts import (
    Actor,
    AssignNumber,
    Event,
    InboundTarget,
    Message,
    NumberApproved,
    NumberAssigned,
    NumberFacts,
    NumberOrdered,
    NumberRequested,
    NumberType,
    Role,
    RoutingConfigured,
    SpecificNumber,
    TargetType,
)
from velo_contracts.topics import ASSIGNMENT_EVENTS, ORDERING_EVENTS, ROUTING_EVENTS, Topic
from velo_devinfra.process import ManagedProcess
from velo_devinfra.run import System
from velo_runtime import configure_logging
from velo_runtime.claims import Claims
from velo_runtime.documents import Conflict, MongoDocuments, change
from velo_runtime.kafka import Publisher
from velo_runtime.outbox import OutboxRelay

Document = dict[str, Any]
Client = AsyncMongoClient[Document]

SIZES = (1_000, 10_000, 100_000)
CALLS, CLIENTS, PAGE = 200, 20, 50
ALONE = 3
SLOW_QUERY_MS = 1000.0
"""A page query this slow on the engine alone gets one round of CLIENTS calls, not CALLS: the
engine serves a collection's queries one at a time and finishes those the callers gave up on, so
200 would keep it busy for many minutes after the burst."""
ENGINE_WAIT_S = 30.0
DRAIN_LIMIT_S = 90.0
READ_P99_MS = 250.0
READ_BUDGET_S = 60.0
"""Per endpoint and size: calls not answered by then are reported as missing."""
LOAD_BATCH = 1_000
LOAD_BUDGET_S = 270.0
"""For all loading: the engine may not reach 100k in a bounded run; the sizes reached are shown."""
TENANT = "acme"
OTHER_TENANTS = [f"tenant-{n:02d}" for n in range(1, 100)]
PAIRS, INCREMENTS, COUNTERS = 200, 400, 20
ASSIGNMENT_DB = AssignmentSettings.model_fields["mongo_database"].default
AUDIT_DB = AuditSettings.model_fields["mongo_database"].default
ACTOR = Actor(user_id="bench@acme", role=Role.ADMIN)
BASE = datetime(2026, 11, 25, 12, tzinfo=UTC)


@dataclass
class Bench:
    """The running system, its clients and the report so far."""

    system: System
    gateway: str
    token: str
    mongo: Client
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    began: datetime = field(default_factory=lambda: datetime.now(UTC))

    def add(self, what: str, target: str, figure: str, outcome: str) -> None:
        """Adds a row to the report and shows it at once."""
        self.rows.append(Row(what, target, figure, outcome))
        print(f"  {what}: {figure} [{outcome}]", flush=True)


# ---- documents shaped as the stores write them ------------------------------------------------


def tenant_of(n: int) -> str:
    """Returns the tenant of the n-th document: every 10th is acme's, the rest spread over 99."""
    return TENANT if n % 10 == 0 else OTHER_TENANTS[n % 99]


def number_of(n: int) -> str:
    """Returns the n-th document's E.164 number."""
    return f"+1212{n:07d}"


async def number_template(bench: Bench) -> Document:
    """Returns an Active, assigned row as the assignment service's own code leaves it.

    Written in a scratch database by the projection (delivered, routed), the command handler
    (assigned, checked against sip-routing's directory), the outbox relay (its event sent, to
    nowhere) and the projection again (PortSIP confirmed).
    """
    book = NumberBook(bench.mongo["bench_template"])
    number = number_of(9_999_999)
    order = {"didww_order_id": "o", "order_reference": "ORD", "amount": Decimal("0.50")}
    approved = NumberApproved(
        tenant_id=TENANT, actor=ACTOR, request_id="r", number=number, didww_did_id="d",
        facts=_facts(), requested_at=BASE - timedelta(minutes=2), **order,
    )  # fmt: skip
    await project(book, approved)
    await project(
        book, RoutingConfigured.caused_by(approved, number=number, inbound_destination="800")
    )
    target = InboundTarget(type=TargetType.QUEUE, id="800")
    assign = AssignNumber(
        tenant_id=TENANT, actor=ACTOR, number=number, outbound_agent="101", inbound_target=target
    )
    sip_routing = next(c for c in bench.system.components if c.name == "sip-routing")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{sip_routing.port}") as http:
        refused = await handle(book, TargetChecker(http), assign)
    relay = OutboxRelay(book.rows, cast(Publisher, Discard()), ASSIGNMENT_EVENTS, book.docs)
    await relay.relay(row_id(TENANT, number))
    await project(
        book, RoutingConfigured.caused_by(assign, number=number, inbound_destination="800")
    )
    template = await book.current(TENANT, number)
    assert not refused and template and template.get("outbound_agent") == "101", template
    await bench.mongo.drop_database("bench_template")
    return dict(template)


class Discard:
    """A publisher that sends nothing (the template's event must not reach the system)."""

    async def publish(self, message: Message, topic: Topic) -> None:
        """Drops the message."""


def _facts() -> NumberFacts:
    return NumberFacts(
        country="US",
        country_prefix="1",
        number_type=NumberType.LOCAL,
        area="New York",
        setup_price=Decimal("0.00"),
        monthly_price=Decimal("0.50"),
    )


def number_rows(template: Document, start: int, stop: int) -> list[Document]:
    """Returns rows start..stop-1: the template with its own id, tenant, number and times."""
    rows = []
    for n in range(start, stop):
        tenant, number = tenant_of(n), number_of(n)
        shift = BASE - timedelta(seconds=n * 3.7) - template["listed_at"]
        row = {k: v + shift if isinstance(v, datetime) else v for k, v in template.items()}
        periods = [
            p | {"from": p["from"] + shift, "request_id": f"req-{n}"} for p in row["periods"]
        ]
        ids = {"_id": row_id(tenant, number), "tenant_id": tenant, "number": number}
        rows.append(
            row | ids | {"request_id": f"req-{n}", "didww_did_id": f"d-{n}", "periods": periods}
        )
    return rows


def lifecycle_event(n: int, tenant: str, at: datetime) -> tuple[Event, Topic]:
    """Returns the n-th audited event: a number's life, one step per n, and its topic."""
    number, request_id = number_of(n), f"req-{n}"
    common: dict[str, Any] = {"tenant_id": tenant, "actor": ACTOR, "occurred_at": at}
    order = {"request_id": request_id, "didww_order_id": f"o-{n}", "order_reference": f"ORD-{n}"}
    match n % 5:
        case 0:
            pick = SpecificNumber(country="US", number_type=NumberType.LOCAL, number=number)
            return NumberRequested(request_id=request_id, pick=pick, **common), ORDERING_EVENTS
        case 1:
            return NumberOrdered(number=number, amount=Decimal("0.5"), **order, **common), (
                ORDERING_EVENTS
            )
        case 2:
            approved = NumberApproved(
                number=number, didww_did_id=f"d-{n}", amount=Decimal("0.5"), facts=_facts(),
                **order, **common,
            )  # fmt: skip
            return approved, ORDERING_EVENTS
        case 3:
            return RoutingConfigured(number=number, inbound_destination="800", **common), (
                ROUTING_EVENTS
            )
    return NumberAssigned(number=number, outbound_agent="101", **common), ASSIGNMENT_EVENTS


def audit_entries(start: int, stop: int) -> list[Document]:
    """Returns audit entries start..stop-1, built by the audit service's own `to_entry`."""
    entries = []
    for n in range(start, stop):
        at = BASE - timedelta(seconds=n * 3.7)
        event, topic = lifecycle_event(n, tenant_of(n), at)
        entries.append(to_entry(record_of(event, topic.name, n), at + timedelta(seconds=1)))
    return entries


@dataclass
class Loader:
    """Grows the Phone numbers list and the audit log together, until a deadline."""

    bench: Bench
    template: Document
    deadline: float
    have: int = 0
    docs: int = 0
    seconds: float = 0.0

    async def grow_to(self, size: int) -> int:
        """Inserts rows and entries up to size, LOAD_BATCH of each at a time; returns the size."""
        numbers = self.bench.mongo[ASSIGNMENT_DB]["numbers"]
        events = self.bench.mongo[AUDIT_DB]["events"]
        while self.have < size and time.monotonic() < self.deadline:
            stop = min(size, self.have + LOAD_BATCH)
            rows = number_rows(self.template, self.have, stop)
            entries = audit_entries(self.have, stop)
            started = time.perf_counter()
            await numbers.insert_many(rows, ordered=False)
            await events.insert_many(entries, ordered=False)
            self.seconds += time.perf_counter() - started
            self.docs += len(rows) + len(entries)
            self.have = stop
        print(f"  {self.have} rows and {self.have} entries stored ({self.rate()})", flush=True)
        return self.have

    def rate(self) -> str:
        """Returns the insert rate so far."""
        return f"{self.docs} docs inserted in {self.seconds:.0f}s, {self.docs / self.seconds:.0f}/s"


# ---- 1. reads through the gateway --------------------------------------------------------------


@dataclass
class Calls:
    """What a burst of read calls got."""

    planned: int
    latencies_ms: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def percentile(self, p: int) -> float:
        """Returns the p-th percentile of the answered calls' latency (inf if none answered)."""
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("inf")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]


async def read_burst(bench: Bench, path: str, count: int) -> Calls:
    """Makes count GETs of path from CLIENTS concurrent clients; times the 200s, counts the rest."""
    calls, todo = Calls(count), iter(range(count))
    started = time.monotonic()
    deadline = started + READ_BUDGET_S

    async def client(api: httpx.AsyncClient) -> None:
        for _ in todo:
            if time.monotonic() > deadline:
                return
            await _one_call(api, path, calls)

    async with _api(bench) as api:  # one connection per client
        await asyncio.gather(*(client(api) for _ in range(CLIENTS)))
    calls.seconds = time.monotonic() - started
    return calls


async def _one_call(api: httpx.AsyncClient, path: str, calls: Calls) -> None:
    started = time.perf_counter()
    try:
        response = await api.get(path, params={"limit": PAGE})
        outcome = _outcome(response)
    except httpx.HTTPError as exc:
        outcome = type(exc).__name__
    if outcome == "200":
        calls.latencies_ms.append((time.perf_counter() - started) * 1000)
    else:
        calls.failures[outcome] = calls.failures.get(outcome, 0) + 1


def _outcome(response: httpx.Response) -> str:
    """Returns the status, with what the gateway says went wrong downstream in a 503."""
    if response.status_code != 503:
        return str(response.status_code)
    detail = str(response.json().get("detail", ""))
    if "(" in detail:  # "the audit service did not answer (ReadTimeout)"
        return f"503 {detail[detail.find('(') + 1 : detail.find(')')]}"
    return f"503 {detail}"  # "assignment answered 500"


def _api(bench: Bench) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {bench.token}"}
    limits = httpx.Limits(max_connections=CLIENTS)
    return httpx.AsyncClient(base_url=bench.gateway, headers=headers, timeout=30, limits=limits)


async def second_page(bench: Bench, path: str, key: str, order: str) -> tuple[bool, str]:
    """Reads page 1 and then page 2 by its next_cursor; tells whether page 2 continues page 1."""
    async with _api(bench) as api:
        first = await api.get(path, params={"limit": PAGE})
        cursor = first.json().get("next_cursor") if first.status_code == 200 else None
        if not cursor:
            return False, f"page 1: HTTP {first.status_code}, no next_cursor"
        started = time.perf_counter()
        second = await api.get(path, params={"limit": PAGE, "cursor": cursor})
        took = (time.perf_counter() - started) * 1000
    if second.status_code != 200:
        return False, f"page 2: HTTP {second.status_code} after {took:.0f} ms"
    one, two = first.json()["items"], second.json()["items"]
    fresh = not {i[key] for i in one} & {i[key] for i in two}
    ordered = bool(two) and _at(two[0][order]) <= _at(one[-1][order])
    return fresh and ordered and len(two) == PAGE, f"{len(two)} new items, {took:.0f} ms"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Listing:
    """A list the gateway serves: its path, and the query its owning service sends."""

    name: str
    path: str
    key: str
    order: str
    database: str
    collection: str
    query: Document
    service: str


LISTINGS = (
    Listing(
        "numbers list", "/v1/numbers", "id", "listed_at", ASSIGNMENT_DB, "numbers",
        list_query(TENANT, None, None, None, None, None), "assignment",
    ),
    Listing(
        "audit log", "/v1/audit", "message_id", "occurred_at", AUDIT_DB, "events",
        AuditQuery(TENANT).filter(), "audit",
    ),
)  # fmt: skip


async def engine_alone_ms(bench: Bench, listing: Listing) -> float | None:
    """Times the service's page query sent straight to the engine (median of ALONE in a row).

    None if the engine does not answer within ENGINE_WAIT_S.
    """
    collection = bench.mongo[listing.database][listing.collection]
    sort = [(listing.order, DESCENDING), ("_id", DESCENDING)]
    took = []
    for _ in range(ALONE):
        started = time.perf_counter()
        query = collection.find(listing.query).sort(sort).limit(PAGE + 1).to_list()
        try:
            await asyncio.wait_for(query, ENGINE_WAIT_S)
        except (TimeoutError, PyMongoError):
            return None
        took.append((time.perf_counter() - started) * 1000)
    return statistics.median(took)


async def drained(bench: Bench, listing: Listing) -> str:
    """Waits until the engine answers listing's page query in under a second; says how long."""
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_LIMIT_S:
        alone = await engine_alone_ms(bench, listing)
        if alone is not None and alone < 1000:
            return f"answers again after {time.monotonic() - started:.0f}s"
    return f"still busy after {DRAIN_LIMIT_S:.0f}s"


def cpu_seconds(pid: int | None) -> float:
    """Returns the CPU time (user + system) a process has used so far, from /proc."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_used(bench: Bench, service: str) -> dict[str, float]:
    """Returns the CPU seconds used so far by the gateway, the service, engine and this client."""
    system = bench.system
    pids = {c.name: p.pid for c, p in zip(system.components, system.processes, strict=True)}
    engine = system.infra.mongo.process
    return {
        "gateway": cpu_seconds(pids["gateway"]),
        service: cpu_seconds(pids[service]),
        "engine": cpu_seconds(engine.pid if engine else None),
        "bench client": time.process_time(),
    }


def cpu_per_call(before: dict[str, float], after: dict[str, float], calls: Calls) -> str:
    """Returns each process's CPU milliseconds per call made in a burst."""
    made = max(1, len(calls.latencies_ms) + sum(calls.failures.values()))
    used = {name: (after[name] - before[name]) * 1000 / made for name in before}
    return ", ".join(f"{name} {ms:.1f} ms" for name, ms in used.items())


def burst_figure(calls: Calls) -> str:
    """Returns p50, p99, answered and failed calls, and the rate."""
    answered = len(calls.latencies_ms)
    failed = ", ".join(f"{n}x {what}" for what, n in sorted(calls.failures.items()))
    figure = f"p50 {calls.percentile(50):.0f} ms, p99 {calls.percentile(99):.0f} ms, "
    figure = figure if answered else "no call answered, "
    figure += f"{answered}/{calls.planned} 200s" + (f" ({failed})" if failed else "")
    if unsent := calls.planned - answered - sum(calls.failures.values()):
        figure += f", {unsent} not sent within {READ_BUDGET_S:.0f}s"
    return figure + f", {(answered + sum(calls.failures.values())) / calls.seconds:.0f} calls/s"


async def reads_at(bench: Bench, size: int) -> None:
    """Measures both lists at this size: their query on the engine, the burst, the second page."""
    at = f"@{size / 1000:g}k"
    for listing, following in zip(LISTINGS, [*LISTINGS[1:], None], strict=True):
        alone = await engine_alone_ms(bench, listing)
        shown = f"{alone:.0f} ms" if alone is not None else f"no answer in {ENGINE_WAIT_S:.0f}s"
        figure = f"{shown} (median of {ALONE}, one at a time, before the burst)"
        bench.add(f"{listing.name} {at} query, engine alone", "-", figure, "info")
        slow = alone is None or alone >= SLOW_QUERY_MS
        before = cpu_used(bench, listing.service)
        calls = await read_burst(bench, listing.path, CLIENTS if slow else CALLS)
        figure = cpu_per_call(before, cpu_used(bench, listing.service), calls)
        bench.add(f"{listing.name} {at} CPU per call", "-", figure, "info")
        ok = len(calls.latencies_ms) == CALLS and calls.percentile(99) <= READ_P99_MS
        target = f"p99 ≤ {READ_P99_MS:.0f} ms"
        figure = burst_figure(calls) + ("; one round only: slow query" if slow else "")
        bench.add(f"{listing.name} {at}", target, figure, verdict(ok))
        works, how = await second_page(bench, listing.path, listing.key, listing.order)
        bench.add(f"{listing.name} {at} page 2", "keyset page 2 works", how, verdict(works))
        if following and (slow or calls.failures):  # the next burst should find it idle
            figure = await drained(bench, following)
            bench.add(f"engine after the {listing.name} burst", "-", figure, "info")


# ---- 2. races ----------------------------------------------------------------------------------


@dataclass
class Race:
    """Two writers (two clients, as two service instances) on one scratch collection."""

    one: AsyncCollection[Document]
    two: AsyncCollection[Document]
    conflicts: int = 0

    def writer(self, n: int) -> AsyncCollection[Document]:
        """Returns the collection as the n-th writer sees it (alternating clients)."""
        return self.one if n % 2 == 0 else self.two

    async def fresh(self, count: int, **fields: Any) -> list[str]:
        """Empties the collection and inserts count documents at revision 1."""
        await self.one.delete_many({})
        ids = [f"doc-{n}" for n in range(count)]
        await self.one.insert_many([{"_id": i, "rev": 1, **fields} for i in ids])
        return ids

    async def guarded(self, n: int, doc_id: str, decide: Callable[[Document], Document]) -> bool:
        """Changes a document through velo_runtime.documents.change; tells whether it wrote."""
        try:
            written = await change(MongoDocuments(self.writer(n)), doc_id, _or_none(decide))
        except Conflict:
            self.conflicts += 1
            return False
        return bool(written.changed)

    async def unguarded(self, n: int, doc_id: str, decide: Callable[[Document], Document]) -> bool:
        """Reads, decides and replaces by _id alone; tells whether the replace found it."""
        collection = self.writer(n)
        stored = await collection.find_one({"_id": doc_id})
        assert stored is not None
        result = await collection.replace_one({"_id": doc_id}, decide(stored))
        return result.matched_count == 1  # acknowledged: the writer believes it wrote


def setting(name: str, value: Any) -> Callable[[Document], Document]:
    """Returns a decision that sets one field."""
    return lambda stored: stored | {name: value}


def increment(stored: Document) -> Document:
    """Returns the document with its counter one higher."""
    return stored | {"n": stored["n"] + 1}


def _or_none(decide: Callable[[Document], Document]) -> Callable[[Document | None], Document]:
    def decided(stored: Document | None) -> Document:
        assert stored is not None
        return decide(stored)

    return decided


async def lost_fields(race: Race, guard: bool) -> int:
    """Two writers set different fields of one document, PAIRS times; returns the lost updates."""
    ids = await race.fresh(PAIRS)
    write = race.guarded if guard else race.unguarded
    await asyncio.gather(*(write(n, i, setting(f, True)) for i in ids for n, f in enumerate("ab")))
    docs = await race.one.find({}).to_list()
    return sum(2 - ("a" in d) - ("b" in d) for d in docs)


async def double_wins(race: Race, guard: bool) -> int:
    """Two writers replace a document at the same revision, PAIRS times; returns both-won pairs."""
    ids = await race.fresh(PAIRS)

    async def pair(doc_id: str) -> bool:
        if guard:
            wins = await asyncio.gather(
                *(
                    MongoDocuments(race.writer(n)).replace({"_id": doc_id, "by": n}, 1)
                    for n in (0, 1)
                )
            )
        else:
            wins = await asyncio.gather(
                *(race.unguarded(n, doc_id, setting("by", n)) for n in (0, 1))
            )
        return all(wins)

    return sum(await asyncio.gather(*(pair(i) for i in ids)))


async def lost_increments(race: Race, guard: bool) -> int:
    """INCREMENTS concurrent increments over COUNTERS documents; returns those that vanished."""
    ids = await race.fresh(COUNTERS, n=0)
    write = race.guarded if guard else race.unguarded
    wrote = await asyncio.gather(
        *(write(k, ids[k % COUNTERS], increment) for k in range(INCREMENTS))
    )
    total: int = sum(d["n"] for d in await race.one.find({}).to_list())
    return sum(wrote) - total


async def double_claims(race: Race) -> tuple[int, int]:
    """Two owners take a claim on one document, PAIRS times; returns (both got it, none got it)."""
    ids = await race.fresh(PAIRS)
    owners = [Claims(MongoDocuments(race.writer(n)), f"owner-{n}", 60) for n in (0, 1)]
    both = none = 0
    results = await asyncio.gather(
        *(asyncio.gather(*(o.take(i) for o in owners), return_exceptions=True) for i in ids)
    )
    for got in results:
        taken = [g for g in got if isinstance(g, dict)]
        both += len(taken) == 2
        none += not taken
    return both, none


async def races(bench: Bench) -> None:
    """Counts lost updates and double wins through the store code, and unguarded for reference."""
    url = bench.system.infra.endpoints.mongo_url
    second: Client = AsyncMongoClient(url, tz_aware=True)
    try:
        race = Race(bench.mongo["bench_races"]["docs"], second["bench_races"]["docs"])
        await _guarded_races(bench, race)
        await _unguarded_races(bench, race)
        await bench.mongo.drop_database("bench_races")
    finally:
        await second.close()


async def _guarded_races(bench: Bench, race: Race) -> None:
    lost = await lost_fields(race, guard=True)
    bench.add(
        f"(a) change x2, other fields, {PAIRS} pairs", "0 lost", f"{lost} lost", verdict(not lost)
    )
    both = await double_wins(race, guard=True)
    bench.add(
        f"(b) replace at one rev, {PAIRS} pairs",
        "0 both won",
        f"{both} both won",
        verdict(not both),
    )
    gone = await lost_increments(race, guard=True)
    what = f"(c) {INCREMENTS} change increments / {COUNTERS} docs"
    bench.add(what, "0 lost", f"{gone} lost", verdict(not gone))
    two, none = await double_claims(race)
    figure = f"{two} both got it ({none} pairs: neither)"
    bench.add(f"(d) Claims.take x2 owners, {PAIRS} ids", "0 both got it", figure, verdict(not two))
    if race.conflicts:
        bench.add("guarded writes given up (Conflict)", "-", str(race.conflicts), "info")
        race.conflicts = 0


async def _unguarded_races(bench: Bench, race: Race) -> None:
    ref, label = "unguarded, for reference", "ref"
    lost = await lost_fields(race, guard=False)
    bench.add(f"(a) raw read-modify-write x2, {PAIRS} pairs", ref, f"{lost} lost", label)
    both = await double_wins(race, guard=False)
    bench.add(f"(b) raw replace by _id x2, {PAIRS} pairs", ref, f"{both} both won", label)
    gone = await lost_increments(race, guard=False)
    what = f"(c) {INCREMENTS} raw increments / {COUNTERS} docs"
    bench.add(what, ref, f"{gone} lost", label)


# ---- 4. start time and memory ------------------------------------------------------------------


def rss_mb(process: ManagedProcess | None) -> str:
    """Returns a process's resident set size in MB, as ps reports it."""
    if process is None or process.pid is None:
        return "?"
    found = subprocess.run(  # noqa: S603 - fixed argv, our own child's pid
        ["ps", "-o", "rss=", "-p", str(process.pid)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return f"{int(found.stdout.strip()) / 1024:.0f} MB" if found.stdout.strip() else "?"


def memory(bench: Bench, when: str) -> None:
    """Adds the RSS of the database and of Kafka to the report."""
    infra = bench.system.infra
    figure = f"mongo {rss_mb(infra.mongo.process)}, kafka {rss_mb(infra.kafka.process)}"
    bench.add(f"RSS {when}", "-", figure, "info")


def logged_errors(bench: Bench) -> None:
    """Adds the errors the engine and the services logged during the run to the report."""
    process = bench.system.infra.mongo.process
    engine = process.log_path.read_text(errors="replace") if process else ""
    found = Counter(
        re.sub(r"\d+", "#", _exception(line))
        for line in engine.splitlines()
        if re.match(r"^[\w.$]+(Exception|Error): ", line)
    )
    figure = f"{found.total()} ({_top(found, 1)})" if found else "none"
    bench.add("engine errors (mongo.log)", "-", figure, "info")
    services: Counter[str] = Counter()
    for log in sorted(bench.system.logs.glob("*.log")):
        for line in log.read_text(errors="replace").splitlines():
            logged = json.loads(line) if '"level": "error"' in line else {}
            if logged and datetime.fromisoformat(logged["timestamp"]) >= bench.began:
                services[f"{log.stem}: {_what(logged)}"] += 1
    by_service: Counter[str] = Counter()
    for what, n in services.items():
        by_service[what.split(":")[0]] += n
    figure = f"{services.total()} ({_top(by_service, 4)})" if services else "none"
    bench.add("service errors logged while measuring", "-", figure, "info")
    bench.notes += [f"engine: {n}x {what}" for what, n in found.most_common(3)]
    bench.notes += [f"{what}: {n}x" for what, n in services.most_common(6)]


def _what(logged: dict[str, Any]) -> str:
    """Returns a logged error's event, with the exception's class when there is one."""
    event = str(logged.get("event", "?")).strip()[:50]
    trace = str(logged.get("exception") or "").strip().splitlines()
    return f"{event} ({trace[-1].split(':')[0].rsplit('.', 1)[-1]})" if trace else event


def _exception(line: str) -> str:
    name, _, message = line.partition(": ")
    return f"{name.rsplit('.', 1)[-1]}: {message}"


def _top(found: Counter[str], count: int) -> str:
    return ", ".join(f"{n}x {what}" for what, n in found.most_common(count))


# ---- the run -----------------------------------------------------------------------------------


async def measure(bench: Bench) -> None:
    """Runs the races on the fresh system, then the reads as the data grows.

    The reads go last: at the largest sizes they leave the engine busy for minutes.
    """
    memory(bench, "after start (before loading)")
    for name, part in (
        ("races", races),
        ("reads through the gateway", reads_by_size),
    ):
        print(f"== {name}", flush=True)
        try:
            await part(bench)
        except Exception as exc:  # the table still shows what the other parts got
            bench.add(f"{name}: stopped", "-", f"{type(exc).__name__}: {exc}"[:120], "FAIL")
    logged_errors(bench)


async def reads_by_size(bench: Bench) -> None:
    """Grows the data through SIZES (within LOAD_BUDGET_S) and measures the reads at each."""
    template = await number_template(bench)
    loader = Loader(bench, template, time.monotonic() + LOAD_BUDGET_S)
    for size in SIZES:
        print(f"== growing to {size} rows and {size} entries", flush=True)
        reached = await loader.grow_to(size)
        await reads_at(bench, reached)
        if reached < size:
            figure = f"stopped at {reached} after {LOAD_BUDGET_S:.0f}s budget ({loader.rate()})"
            bench.add(f"load to {size // 1000}k of each", "within budget", figure, "FAIL")
            break
    bench.add("load rate (insert_many)", "-", loader.rate(), "info")
    memory(bench, f"after {reached / 1000:g}k")


async def run(system: System, rows: list[Row], notes: list[str]) -> None:
    """Connects to the system's database and gateway and measures."""
    gateway = next(c for c in system.components if c.name == "gateway")
    mongo: Client = AsyncMongoClient(system.infra.endpoints.mongo_url, tz_aware=True)
    url = f"http://127.0.0.1:{gateway.port}"
    bench = Bench(system, url, token_of(system), mongo, rows, notes)
    try:
        await measure(bench)
    finally:
        await mongo.close()


def main() -> None:
    """Starts the system, measures, stops it, prints the table."""
    configure_logging("bench", "WARNING", json=True)  # the template's relay logs at debug
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    rows: list[Row] = []
    notes: list[str] = []
    began, load = time.monotonic(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as data:
        started = time.monotonic()
        with running_system(Path(data)) as system:
            up = time.monotonic() - started
            rows.append(Row("system start (System.start())", "-", f"{up:.1f} s", "info"))
            print(f"system up in {up:.1f}s", flush=True)
            asyncio.run(run(system, rows, notes))
    rows.append(load_row(load))
    print(f"\nbench_storage: {time.monotonic() - began:.0f}s in all\n{table(rows)}")
    if notes:
        print("\nerrors logged, most frequent first:\n" + "\n".join(f"  {n}" for n in notes))


if __name__ == "__main__":
    main()
