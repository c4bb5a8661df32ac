"""Steps the end-to-end tests share, taken through the gateway like the admin UI would."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx

from velotest import eventually, read_all

if TYPE_CHECKING:
    from .conftest import RunningSystem

SLOW = 60.0  # DIDWW's sandbox completes orders after a few seconds
EVENT_TOPICS = ("velo.ordering.events.v1", "velo.routing.events.v1", "velo.assignment.events.v1")


async def first_offer(api: httpx.AsyncClient, country: str, number_type: str) -> dict[str, Any]:
    """Returns the first listed number of the live inventory."""
    response = await api.get("/v1/inventory", params={"country": country, "type": number_type})
    assert response.status_code == 200, response.text
    offer: dict[str, Any] = response.json()["items"][0]
    return offer


async def request_number(api: httpx.AsyncClient, body: dict[str, Any], **headers: str) -> str:
    """Requests a number; returns the request id."""
    response = await api.post("/v1/number-requests", json=body, headers=headers)
    assert response.status_code == 202, response.text
    request_id: str = response.json()["id"]
    return request_id


async def request_state(api: httpx.AsyncClient, request_id: str) -> dict[str, Any]:
    """Returns where a request stands."""
    state: dict[str, Any] = (await api.get(f"/v1/number-requests/{request_id}")).json()
    return state


async def _request_reached(api: httpx.AsyncClient, request_id: str, status: str) -> bool:
    return (await request_state(api, request_id))["status"] == status


async def number(api: httpx.AsyncClient, e164: str) -> dict[str, Any]:
    """Returns one number of the Phone numbers list (404 body if unknown)."""
    found: dict[str, Any] = (await api.get(f"/v1/numbers/{e164}")).json()
    return found


async def until_status(
    api: httpx.AsyncClient, e164: str, status: str, timeout: float = SLOW
) -> dict[str, Any]:
    """Waits until the number shows status in the Phone numbers list."""

    async def reached() -> dict[str, Any] | None:
        found = await number(api, e164)
        return found if found.get("status") == status else None

    result: dict[str, Any] = await eventually(reached, timeout=timeout)
    return result


async def until_assigned(api: httpx.AsyncClient, e164: str, agent: str) -> None:
    """Waits until the number's caller ID belongs to agent in the Phone numbers list."""

    async def holds() -> bool:
        return bool((await number(api, e164))["outbound_agent"] == agent)

    await eventually(holds, timeout=SLOW)


async def active_number(api: httpx.AsyncClient, country: str = "US") -> str:
    """Requests a listed number and waits until it is Active; returns it."""
    offer = await first_offer(api, country, "local")
    await request_number(api, {"offer_id": offer["offer_id"]})
    await until_status(api, offer["number"], "active")
    e164: str = offer["number"]
    return e164


async def audit_entries(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    """Returns every audit entry matching params, following the cursors."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 50} | ({"cursor": cursor} if cursor else {})
        page = (await api.get("/v1/audit", params=query)).json()
        items += page["items"]
        if not (cursor := page["next_cursor"]):
            return items


def _pstn(e164: str) -> str:
    return e164.removeprefix("+")


async def walkthrough(running: RunningSystem) -> None:
    """Requests, assigns, reassigns and releases a number; checks PortSIP and the audit log."""
    async with running.api() as api:
        countries = (await api.get("/v1/countries")).json()
        assert "local" in next(c for c in countries if c["iso"] == "US")["types"]
        offer = await first_offer(api, "US", "local")
        assert not offer["kyc_required"] and offer["monthly_price"]
        body = {"country": "US", "type": "local", "number": offer["number"]}
        request_id = await request_number(api, body, **{"Idempotency-Key": "walkthrough-1"})
        assert await request_number(api, body, **{"Idempotency-Key": "walkthrough-1"}) == request_id

        await until_status(api, offer["number"], "active")
        await eventually(lambda: _request_reached(api, request_id, "active"), timeout=SLOW)
        assert running.orders_for(request_id) == 1
        dial = _pstn(offer["number"])
        assert dial in running.routing()["pools"]["DIDWW"]["did_numbers"]

        directory = (await api.get("/v1/directory")).json()
        assert {"101", "102"} <= {a["extension"] for a in directory["agents"]}
        assignment = {"outbound_agent": "101", "inbound_target": {"type": "queue", "id": "800"}}
        put = await api.put(f"/v1/numbers/{offer['number']}/assignment", json=assignment)
        assert put.status_code == 202
        await eventually(lambda: _routed(running, dial, agent="101", rings="800"), timeout=SLOW)

        moved = await api.put(f"/v1/numbers/{dial}/assignment", json={"outbound_agent": "102"})
        assert moved.status_code == 202
        await eventually(lambda: _routed(running, dial, agent="102", rings="800"), timeout=SLOW)
        assert (await number(api, offer["number"]))["outbound_agent"] == "102"

        assert (await api.post(f"/v1/numbers/{dial}/release")).status_code == 202
        await until_status(api, offer["number"], "released")
        await eventually(lambda: _gone_from_portsip(running, dial), timeout=SLOW)

        entries = await eventually(lambda: _audited(api, running, offer["number"]), timeout=SLOW)
    reassigned = next(e for e in entries if e["type"] == "NumberReassigned")
    assert (reassigned["payload"]["from_agent"], reassigned["payload"]["to_agent"]) == (
        "101",
        "102",
    )
    by_admin = [e for e in entries if e["type"] != "RoutingConfigured"]
    assert {e["actor"]["user_id"] for e in by_admin} == {"admin@acme"}
    assert all(e["occurred_at"] for e in entries)
    ordered = next(e for e in entries if e["type"] == "NumberOrdered")
    assert ordered["cost"]["amount"] == ordered["payload"]["amount"]
    assert Decimal(ordered["cost"]["amount"]) == Decimal(offer["monthly_price"]) + Decimal(
        offer["setup_price"]
    )


def _routed(running: RunningSystem, dial: str, agent: str, rings: str) -> bool:
    routing = running.routing()
    rules = [(r["did_numbers"], r["destination"]) for r in routing["inbound_rules"]]
    holders = [
        ext
        for ext, ids in routing["caller_ids"].items()
        if any(c["caller_id"] == dial for c in ids)
    ]
    return (dial, rings) in rules and holders == [agent]


def _gone_from_portsip(running: RunningSystem, dial: str) -> bool:
    routing = running.routing()
    return (
        dial not in routing["pools"]["DIDWW"]["did_numbers"]
        and all(r["did_numbers"] != dial for r in routing["inbound_rules"])
        and all(c["caller_id"] != dial for ids in routing["caller_ids"].values() for c in ids)
    )


async def _audited(api: Any, running: RunningSystem, e164: str) -> list[dict[str, Any]] | None:
    """The audit entries of the number once they match its events one to one."""
    events = []
    for topic in EVENT_TOPICS:
        for record in await read_all(running.system.infra.endpoints.kafka_bootstrap, topic):
            headers = dict(record.headers)
            mine = headers.get("velo-tenant-id") == b"acme"
            about = headers.get("velo-number") == e164.encode()
            if mine and about and headers["velo-type"].decode() in _EVENT_TYPES:
                events.append(headers["velo-message-id"].decode())
    entries = [e for e in await audit_entries(api, number=e164) if e["type"] in _EVENT_TYPES]
    if sorted(e["message_id"] for e in entries) != sorted(set(events)):
        return None
    assert len(entries) == len({e["message_id"] for e in entries})  # exactly one entry each
    return entries


_EVENT_TYPES = {
    "NumberOrdered",
    "NumberApproved",
    "NumberReleased",
    "RoutingConfigured",
    "RoutingRemoved",
    "NumberAssigned",
    "NumberReassigned",
    "NumberUnassigned",
}
