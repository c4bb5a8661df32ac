"""Clients of the gateway: a seeded mix of requests, assignments, releases and mistakes.

Each client is one admin of one tenant. It retries what the gateway could not take (no answer,
5xx, 429) the way a careful integrator would — a number request with the same Idempotency-Key —
and writes every operation with its final answer into the ledger.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from velo_devinfra.chaos.access import Access
from velo_devinfra.chaos.ledger import Ledger, Operation

AGENTS = [str(n) for n in range(101, 131)]
QUEUES = ["800", "801", "802"]
AREAS = ["New York", "San Francisco", "Chicago", "Los Angeles", "Miami"]
MIX = {
    "request": 26,
    "request_next": 6,
    "request_kyc": 2,
    "assign": 24,
    "unassign": 5,
    "release": 12,
    "rerequest": 8,
    "contend": 4,
    "mistake": 13,
}
"""Relative weights of the operations a client picks from."""
RETRYABLE = {429, 500, 502, 503, 504}
ATTEMPTS = 6


@dataclass
class Budget:
    """The operations left to all clients together, and the time they may take."""

    left: int
    until: float

    def take(self) -> bool:
        """Takes one operation, if any is left and time remains."""
        if self.left <= 0 or time.monotonic() > self.until:
            return False
        self.left -= 1
        return True


class Client:
    """One admin of one tenant, sending operations until the budget runs out."""

    def __init__(
        self, name: str, tenant: str, access: Access, ledger: Ledger, seed: str, pace: float
    ) -> None:
        self.name, self.tenant, self.ledger, self.pace = name, tenant, ledger, pace
        self.user = f"{name}@{tenant}"
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible mix, not a secret
        self.http = access.gateway(tenant, self.user)

    async def run(self, budget: Budget, rivals: dict[str, list[str]]) -> None:
        """Sends operations until the budget is spent."""
        try:
            while budget.take():
                kind = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
                await self.operate(kind, rivals)
                await asyncio.sleep(self.rng.uniform(0.5, 1.5) * self.pace)
        finally:
            await self.http.aclose()

    async def operate(self, kind: str, rivals: dict[str, list[str]]) -> None:
        """Carries out one operation of the given kind (a request when it has no target)."""
        number = None
        if kind in ("assign", "unassign", "release", "mistake"):
            number = await self._pick("active")
        elif kind == "rerequest":
            number = await self._pick("released")
        elif kind == "contend":
            others = [n for t, ns in rivals.items() if t != self.tenant for n in ns[-10:]]
            number = self.rng.choice(others) if others else None
        if number is None and kind not in ("request", "request_next", "request_kyc", "mistake"):
            kind = "request"
        op = self.ledger.begin(self.name, self.tenant, self.user, kind)
        op.number = number
        await getattr(self, f"_{kind}")(op, rivals)

    async def _request(self, op: Operation, rivals: dict[str, list[str]]) -> None:
        offer = await self._offer()
        if offer is None:
            op.detail = "no offer could be read"
            return
        op.number = offer["number"]
        rivals.setdefault(self.tenant, []).append(offer["number"])
        await self._ask_for(op, {"offer_id": offer["offer_id"]})

    async def _request_next(self, op: Operation, _: dict[str, list[str]]) -> None:
        body = {"country": "US", "type": "local", "next_available": True}
        await self._ask_for(op, body | {"area": self.rng.choice(AREAS)})

    async def _request_kyc(self, op: Operation, _: dict[str, list[str]]) -> None:
        await self._ask_for(op, {"country": "DE", "type": "mobile", "next_available": True})

    async def _rerequest(self, op: Operation, _: dict[str, list[str]]) -> None:
        await self._ask_for(op, {"country": "US", "type": "local", "number": op.number})

    async def _contend(self, op: Operation, _: dict[str, list[str]]) -> None:
        number = str(op.number)
        kind = "toll_free" if number.startswith("+1833") else "local"
        await self._ask_for(op, {"country": "US", "type": kind, "number": number})

    async def _assign(self, op: Operation, _: dict[str, list[str]]) -> None:
        body: dict[str, Any] = {}
        shape = self.rng.random()
        if shape < 0.75:
            body["outbound_agent"] = self.rng.choice(AGENTS)
        if shape > 0.5:
            queue = {"type": "queue", "id": self.rng.choice(QUEUES)}
            agent = {"type": "agent", "id": self.rng.choice(AGENTS)}
            body["inbound_target"] = queue if self.rng.random() < 0.7 else agent
        response = await self._send(op, "PUT", f"{_path(op.number)}/assignment", json=body)
        _note_commands(op, response)

    async def _unassign(self, op: Operation, _: dict[str, list[str]]) -> None:
        response = await self._send(op, "DELETE", f"{_path(op.number)}/assignment")
        _note_commands(op, response)

    async def _release(self, op: Operation, _: dict[str, list[str]]) -> None:
        key = {"Idempotency-Key": f"chaos-{uuid.uuid4()}"}
        response = await self._send(op, "POST", f"{_path(op.number)}/release", headers=key)
        _note_commands(op, response)

    async def _mistake(self, op: Operation, _: dict[str, list[str]]) -> None:
        """Sends something an admin gets wrong; the gateway refuses it (4xx) when it can check."""
        op.mistake = True
        released = await self._pick("released")
        choices = ["invalid_json", "two_picks", "release_unknown"]
        choices += ["unknown_agent", "unknown_queue"] if op.number else []
        choices += ["assign_released"] if released else []
        what = self.rng.choice(choices)
        op.kind = f"mistake:{what}"
        if what == "assign_released":
            op.number = released
        elif what == "release_unknown":
            op.number = "+12125550199"  # 555-01xx: fictional, never on offer nor held
        method, path, kwargs = _mistaken(what, op.number, self.rng.choice(AGENTS))
        response = await self._send(op, method, path, **kwargs)
        if response is not None and response.status_code == 202 and "requests" in path:
            op.request_id = response.json()["id"]
        else:
            _note_commands(op, response)

    async def _ask_for(self, op: Operation, body: dict[str, Any]) -> None:
        """Requests a number; retries keep the Idempotency-Key, so ordering does it once."""
        key = {"Idempotency-Key": f"chaos-{uuid.uuid4()}"}
        response = await self._send(op, "POST", "/v1/number-requests", json=body, headers=key)
        if response is not None and response.status_code == 202:
            op.request_id = response.json()["id"]

    async def _send(
        self, op: Operation, method: str, path: str, **kwargs: Any
    ) -> httpx.Response | None:
        """Sends a write, retrying what the gateway could not take; returns the last answer."""
        response = None
        for attempt in range(ATTEMPTS):
            op.attempts += 1
            try:
                response = await self.http.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                op.status, op.detail, response = None, f"no answer: {type(exc).__name__}", None
            else:
                op.status, op.detail = response.status_code, _detail(response)
                if response.status_code not in RETRYABLE:
                    return response
            await asyncio.sleep(min(2.0**attempt, 8.0))
        return response

    async def _pick(self, status: str) -> str | None:
        """Returns a random number of the tenant's list in that status, if it has any."""
        rows = await self._read("/v1/numbers", {"status": status, "limit": 100})
        numbers = [r["number"] for r in (rows or {}).get("items", [])]
        return self.rng.choice(numbers) if numbers else None

    async def _offer(self) -> dict[str, Any] | None:
        """Returns a random listed number of a random US area (not KYC-flagged)."""
        if self.rng.random() < 0.15:
            params = {"country": "US", "type": "toll_free", "limit": 30}
        else:
            params = {"country": "US", "type": "local", "area": self.rng.choice(AREAS), "limit": 30}
        found = await self._read("/v1/inventory", params)
        offers = [o for o in (found or {}).get("items", []) if not o["kyc_required"]]
        return self.rng.choice(offers) if offers else None

    async def _read(self, path: str, params: dict[str, Any]) -> Any:
        """Reads through the gateway, retrying while it or what is behind it is down."""
        for attempt in range(ATTEMPTS):
            try:
                response = await self.http.get(path, params=params)
                if response.status_code == 200:
                    return response.json()
            except httpx.HTTPError:
                pass
            await asyncio.sleep(min(2.0**attempt, 8.0))
        return None


def _mistaken(what: str, number: str | None, agent: str) -> tuple[str, str, dict[str, Any]]:
    """Returns the call (method, path, arguments) of one kind of mistake."""
    requests = "/v1/number-requests"
    calls: dict[str, tuple[str, str, dict[str, Any]]] = {
        "invalid_json": (
            "POST",
            requests,
            {"content": b'{"offer_id": ', "headers": {"Content-Type": "application/json"}},
        ),
        "two_picks": (
            "POST",
            requests,
            {
                "json": {
                    "offer_id": "x1",
                    "country": "US",
                    "type": "local",
                    "number": "+12125550100",
                }
            },
        ),
        "release_unknown": ("POST", f"{_path(number)}/release", {}),
        "assign_released": (
            "PUT",
            f"{_path(number)}/assignment",
            {"json": {"outbound_agent": agent}},
        ),
        "unknown_agent": (
            "PUT",
            f"{_path(number)}/assignment",
            {"json": {"outbound_agent": "999"}},
        ),
        "unknown_queue": (
            "PUT",
            f"{_path(number)}/assignment",
            {"json": {"inbound_target": {"type": "queue", "id": "899"}}},
        ),
    }
    return calls[what]


def _path(number: str | None) -> str:
    return f"/v1/numbers/{str(number).removeprefix('+')}"


def _note_commands(op: Operation, response: httpx.Response | None) -> None:
    if response is not None and response.status_code == 202:
        answer = response.json()
        op.command_ids = list(answer.get("commands") or [answer["id"]])


def _detail(response: httpx.Response) -> str:
    if response.status_code < 400:
        return ""
    try:
        return str(response.json().get("detail", ""))[:200]
    except ValueError:
        return response.text[:200]


def clients(access: Access, ledger: Ledger, count: int, seed: int, pace: float) -> list[Client]:
    """Returns count clients, alternating between the two demo tenants."""
    tenants = ("acme", "globex")
    return [
        Client(f"admin{i // 2 + 1}", tenants[i % 2], access, ledger, f"{seed}:{i}", pace)
        for i in range(count)
    ]
