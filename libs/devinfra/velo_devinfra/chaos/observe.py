"""What the system says after the run: the list, DIDWW, PortSIP, requests, alerts, audit, Kafka.

Every read goes where an operator would look: the gateway for what an admin sees, the sandboxes'
admin endpoints and vendor APIs for what DIDWW bills and PortSIP routes, the audit service's read
API, and the broker itself for every message that was ever published.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from velo_devinfra.chaos.access import DIDWW_KEYS, PBX_DOMAINS, TENANTS, Access
from velo_devinfra.chaos.ledger import Accepted

FINISHED = {"active", "rejected", "failed"}


@dataclass(frozen=True)
class Record:
    """One Kafka record, reduced to what the checks compare."""

    topic: str
    message_id: str
    tenant: str | None
    type: str
    payload: dict[str, Any]
    headers: dict[str, str]

    @property
    def dead_letter(self) -> bool:
        """Tells whether the record sits in a dead-letter topic."""
        return self.topic.endswith(".dlq")

    @property
    def audit_id(self) -> str:
        """The id audit stores this record under."""
        return f"dead-letter:{self.message_id}" if self.dead_letter else self.message_id


@dataclass
class TenantView:
    """What one tenant's list, DIDWW account, PortSIP tenant, alerts and audit log hold."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    didww_live: set[str] = field(default_factory=set)
    routing: dict[str, Any] = field(default_factory=dict)
    alert_ids: set[str] = field(default_factory=set)
    audit_ids: set[str] = field(default_factory=set)


@dataclass
class Snapshot:
    """Everything the checks compare, read at one moment."""

    tenants: dict[str, TenantView]
    requests: dict[str, dict[str, Any]]
    orders_by_reference: dict[str, int]
    records: list[Record]
    not_ready: list[str]


class Observer:
    """Reads snapshots of a running system; remembers requests that can no longer change."""

    def __init__(self, access: Access) -> None:
        self.access = access
        self._finished: dict[str, dict[str, Any]] = {}

    async def snapshot(self, accepted: list[Accepted], users: dict[str, set[str]]) -> Snapshot:
        """Reads everything the checks need."""
        async with self.access.plain() as http:
            tenants = {t: await self._tenant(http, t, users.get(t, set())) for t in TENANTS}
            requests = await self._requests([a for a in accepted if a.kind == "request"])
            counters = await self.access.admin(http, "didww", "GET", "/_admin/counters/orders")
            not_ready = await self._not_ready(http)
        records = await read_everything(self.access.kafka_bootstrap)
        return Snapshot(tenants, requests, counters["by_external_reference_id"], records, not_ready)

    async def _tenant(self, http: httpx.AsyncClient, tenant: str, users: set[str]) -> TenantView:
        view = TenantView()
        async with self.access.gateway(tenant, f"observer@{tenant}") as api:
            for number in await _listed(api):
                view.rows[number] = await _get(api, f"/v1/numbers/{number.removeprefix('+')}")
        for user in users:
            async with self.access.gateway(tenant, user) as api:
                view.alert_ids |= {a["id"] for a in (await _get(api, "/v1/alerts"))["items"]}
        view.didww_live = await self._didww(http, tenant)
        domain = PBX_DOMAINS[tenant]
        view.routing = await self.access.admin(
            http, "portsip", "GET", f"/_admin/tenants/{domain}/routing"
        )
        view.audit_ids = await self._audit(http, tenant)
        return view

    async def _requests(self, accepted: list[Accepted]) -> dict[str, dict[str, Any]]:
        found = dict(self._finished)
        for tenant in TENANTS:
            async with self.access.gateway(tenant, f"observer@{tenant}") as api:
                for request in accepted:
                    if request.tenant != tenant or request.id in self._finished:
                        continue
                    response = await api.get(f"/v1/number-requests/{request.id}")
                    state = response.json() if response.status_code == 200 else {}
                    found[request.id] = state
                    if state.get("status") in FINISHED:
                        self._finished[request.id] = state
        return found

    async def _didww(self, http: httpx.AsyncClient, tenant: str) -> set[str]:
        """The tenant's DIDs DIDWW bills for (not terminated), as E.164."""
        url: str | None = f"{self.access.urls['didww-sandbox']}/v3/dids?page[size]=100"
        headers = {"Api-Key": DIDWW_KEYS[tenant], "Accept": "application/vnd.api+json"}
        live = set()
        while url:
            response = await http.get(url, headers=headers)
            response.raise_for_status()
            doc = response.json()
            live |= {
                "+" + d["attributes"]["number"].lstrip("+")
                for d in doc["data"]
                if not d["attributes"]["terminated"]
            }
            url = (doc.get("links") or {}).get("next")
        return live

    async def _audit(self, http: httpx.AsyncClient, tenant: str) -> set[str]:
        """Every audit entry id of the tenant, from the audit service's own read API."""
        ids: set[str] = set()
        cursor = None
        while True:
            params = {"limit": 500} | ({"cursor": cursor} if cursor else {})
            url = f"{self.access.urls['audit']}/v1/tenants/{tenant}/audit"
            page = await _ok(await http.get(url, params=params))
            ids |= {entry["id"] for entry in page["items"]}
            if not (cursor := page["next_cursor"]):
                return ids

    async def _not_ready(self, http: httpx.AsyncClient) -> list[str]:
        """The services that do not answer /ready with 200 right now."""
        down = []
        for name, url in self.access.urls.items():
            if name.endswith("sandbox"):
                continue
            try:
                ready = (await http.get(f"{url}/ready", timeout=5)).status_code == 200
            except httpx.HTTPError:
                ready = False
            if not ready:
                down.append(name)
        return down


async def _listed(api: httpx.AsyncClient) -> list[str]:
    numbers, cursor = [], None
    while True:
        params = {"status": "all", "limit": 100} | ({"cursor": cursor} if cursor else {})
        page = await _get(api, "/v1/numbers", params)
        numbers += [row["number"] for row in page["items"]]
        if not (cursor := page["next_cursor"]):
            return numbers


async def _get(api: httpx.AsyncClient, path: str, params: dict[str, Any] | None = None) -> Any:
    return await _ok(await api.get(path, params=params))


async def _ok(response: httpx.Response) -> Any:
    if response.status_code != 200:
        raise ObserveFailed(f"{response.request.url} answered {response.status_code}")
    return response.json()


class ObserveFailed(RuntimeError):
    """A read the checks need did not answer (the system is not settled yet)."""


async def read_everything(bootstrap: str) -> list[Record]:
    """Reads every record of every `velo.` topic (DLQs included) up to its current end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        # The consumer's own cluster view only holds topics it was told about: ask for all.
        cluster = await consumer._client.fetch_all_metadata()
        topics = sorted(t for t in cluster.topics() if t.startswith("velo."))
        partitions = [
            TopicPartition(t, p) for t in topics for p in cluster.partitions_for_topic(t) or ()
        ]
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[Record] = []
        while [p for p, end in ends.items() if await consumer.position(p) < end]:
            batch = await asyncio.wait_for(consumer.getmany(timeout_ms=500), timeout=30)
            records += [_record(r) for part in batch.values() for r in part]
        return records
    finally:
        await consumer.stop()


def _record(record: ConsumerRecord[Any, Any]) -> Record:
    """Reduces a record the way audit reads it (payload first, then headers, then position)."""
    try:
        payload = json.loads(record.value or b"")
    except (ValueError, UnicodeDecodeError):
        payload = {}
    payload = payload if isinstance(payload, dict) else {}
    headers = {name: value.decode(errors="replace") for name, value in record.headers or ()}
    position = f"{record.topic}/{record.partition}/{record.offset}"
    return Record(
        topic=record.topic,
        message_id=payload.get("message_id") or headers.get("velo-message-id") or position,
        tenant=payload.get("tenant_id") or headers.get("velo-tenant-id"),
        type=payload.get("type") or headers.get("velo-type") or "unparseable",
        payload=payload,
        headers=headers,
    )
