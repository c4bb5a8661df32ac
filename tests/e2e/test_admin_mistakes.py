"""An admin's ordinary mistakes, through the gateway of the whole system.

Each mistake is answered at once with a precise problem, and nothing that should not change does:
DIDWW's orders and the account's DIDs, PortSIP's routing, the Phone numbers list, the audit log,
and the command topics (no command was sent at all). Item 8 of the issue (Kafka's cluster id) is
proven in tests/infra/test_kafka_cluster_id.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import httpx
import pytest

from velotest import eventually, read_all

from .conftest import RunningSystem
from .flows import SLOW, audit_entries, first_offer, request_state, until_status

pytestmark = pytest.mark.infra
TENANT, ADMIN = "globex", "admin@globex"
COMMAND_TOPICS = ("velo.ordering.commands.v1", "velo.assignment.commands.v1")


async def _world(running: RunningSystem, api: httpx.AsyncClient) -> dict[str, Any]:
    """Everything a mistake must leave as it was."""
    bootstrap = running.system.infra.endpoints.kafka_bootstrap
    commands = 0
    for topic in COMMAND_TOPICS:
        records = await read_all(bootstrap, topic)
        commands += sum(1 for r in records if dict(r.headers).get("velo-tenant-id") == b"globex")
    listed = (await api.get("/v1/numbers", params={"status": "all", "limit": 200})).json()
    return {
        "didww": running.sandbox("didww", "GET", "/_admin/accounts/sandbox-globex-key"),
        "orders": running.sandbox("didww", "GET", "/_admin/counters/orders")[
            "by_external_reference_id"
        ],
        "portsip": running.routing(TENANT),
        "list": [(n["number"], n["status"], n["outbound_agent"]) for n in listed["items"]],
        "audit": len(await audit_entries(api)),
        "commands": commands,
    }


async def _refused(
    running: RunningSystem, api: httpx.AsyncClient, mistake: Awaitable[httpx.Response]
) -> dict[str, Any]:
    """Makes the mistake once the system is quiet; returns its problem after checking that
    nothing changed."""
    before = await _quiet(running, api)
    response = await mistake
    assert response.headers["content-type"] == "application/problem+json", response.text
    assert await _world(running, api) == before
    problem: dict[str, Any] = response.json() | {"status": response.status_code}
    return problem


async def _quiet(running: RunningSystem, api: httpx.AsyncClient) -> dict[str, Any]:
    """Waits until earlier work has settled (two reads in a row agree); returns the world."""
    seen: list[dict[str, Any]] = []

    async def settled() -> dict[str, Any] | None:
        seen.append(await _world(running, api))
        return seen[-1] if len(seen) > 1 and seen[-1] == seen[-2] else None

    return await eventually(settled, timeout=SLOW, interval=0.5)


async def _active(api: httpx.AsyncClient, offer: dict[str, Any]) -> str:
    accepted = await api.post("/v1/number-requests", json={"offer_id": offer["offer_id"]})
    assert accepted.status_code == 202, accepted.text
    await until_status(api, offer["number"], "active")
    return str(offer["number"])


@pytest.fixture(scope="module")
def held(running: RunningSystem) -> dict[str, str]:
    """Numbers globex holds for the mistakes, filled in by the first test that needs them."""
    return {}


async def _held_number(running: RunningSystem, held: dict[str, str]) -> str:
    if "active" not in held:
        async with running.api(TENANT, ADMIN) as api:
            held["active"] = await _active(api, await _offer(api, 7))
    return held["active"]


async def _offer(api: httpx.AsyncClient, index: int, country: str = "US") -> dict[str, Any]:
    params = {"country": country, "type": "local", "limit": 50}
    found = (await api.get("/v1/inventory", params=params)).json()["items"]
    return dict([o for o in found if not o["kyc_required"]][index])


async def test_1_requesting_a_number_already_held_is_409_and_the_number_stays_usable(
    running: RunningSystem, held: dict[str, str]
) -> None:
    e164 = await _held_number(running, held)
    async with running.api(TENANT, ADMIN) as api:
        body = {"country": "US", "type": "local", "number": e164}
        problem = await _refused(running, api, api.post("/v1/number-requests", json=body))
        assert (problem["status"], problem["code"]) == (409, "already_owned")
        assert e164 in problem["detail"] and problem["number"] == e164
        shown = (await api.get(f"/v1/numbers/{e164}")).json()
        assert shown["status"] == "active"
        put = await api.put(f"/v1/numbers/{e164}/assignment", json={"outbound_agent": "104"})
        assert put.status_code == 202


async def test_2_a_request_follows_its_number_to_active_and_says_where_to_look(
    running: RunningSystem,
) -> None:
    async with running.api(TENANT, ADMIN) as api:
        offer = await _offer(api, 8)
        accepted = await api.post("/v1/number-requests", json={"offer_id": offer["offer_id"]})
        assert accepted.status_code == 202
        location = accepted.headers["location"]
        assert location == f"/v1/number-requests/{accepted.json()['id']}"

        async def active() -> dict[str, Any] | None:
            state = (await api.get(location)).json()
            return state if state["status"] == "active" else None

        state = await eventually(active, timeout=SLOW)
        assert state["number"] == offer["number"]


async def test_3_assigning_to_an_agent_or_queue_the_pbx_lacks_is_422_naming_it(
    running: RunningSystem, held: dict[str, str]
) -> None:
    e164 = await _held_number(running, held)
    async with running.api(TENANT, ADMIN) as api:
        path = f"/v1/numbers/{e164}/assignment"
        agent = await _refused(running, api, api.put(path, json={"outbound_agent": "999"}))
        queue = {"inbound_target": {"type": "queue", "id": "999"}}
        target = await _refused(running, api, api.put(path, json=queue))
    assert (agent["status"], agent["code"]) == (422, "target_not_found")
    assert agent["field"] == "outbound_agent" and "999 is not an agent" in agent["detail"]
    assert (target["status"], target["field"]) == (422, "inbound_target.id")
    assert "999 is not a queue" in target["detail"]


async def test_4_release_twice_and_assign_after_release_are_409_a_replay_gets_the_first_answer(
    running: RunningSystem,
) -> None:
    async with running.api(TENANT, ADMIN) as api:
        e164 = await _active(api, await _offer(api, 9))
        key = {"Idempotency-Key": "release-once"}
        first = await api.post(f"/v1/numbers/{e164}/release", headers=key)
        assert first.status_code == 202
        await until_status(api, e164, "released")
        replay = await api.post(f"/v1/numbers/{e164}/release", headers=key)
        assert (replay.status_code, replay.json()["id"]) == (202, first.json()["id"])
        again = await _refused(running, api, api.post(f"/v1/numbers/{e164}/release"))
        assign = api.put(f"/v1/numbers/{e164}/assignment", json={"outbound_agent": "101"})
        assigned = await _refused(running, api, assign)
    assert (again["status"], again["code"]) == (409, "already_released")
    assert (assigned["status"], assigned["code"]) == (409, "already_released")


async def test_4b_a_double_click_on_release_releases_once_and_says_so_for_the_other(
    running: RunningSystem,
) -> None:
    async with running.api(TENANT, ADMIN) as api:
        e164 = await _active(api, await _offer(api, 15))
        path = f"/v1/numbers/{e164}/release"
        clicks = await asyncio.gather(api.post(path), api.post(path))
        assert [c.status_code for c in clicks] == [202, 202]  # both seen while it was active
        ids = {c.json()["id"] for c in clicks}

        async def both_told() -> dict[str, str] | None:
            row = (await api.get(f"/v1/numbers/{e164}")).json()
            released = {
                h.get("causation_id") for h in row["history"] if h["event"] == "NumberReleased"
            }
            noted = {
                c["command_id"]: c["outcome"] for c in row["changes"] if c["kind"] == "release"
            }
            told = {i: "applied" for i in ids & released} | {i: noted[i] for i in ids & set(noted)}
            return told if set(told) == ids else None

        told = await eventually(both_told, timeout=SLOW)
    assert sorted(told.values()) == ["applied", "unchanged"]


async def test_5_the_list_has_one_row_per_number_with_its_periods(running: RunningSystem) -> None:
    async with running.api(TENANT, ADMIN) as api:
        offer = await _offer(api, 10)
        e164 = await _active(api, offer)
        assert (await api.post(f"/v1/numbers/{e164}/release")).status_code == 202
        await until_status(api, e164, "released")
        held = (await api.get("/v1/numbers")).json()["items"]
        assert e164 not in [n["number"] for n in held]  # by default: what the tenant holds

        body = {"country": "US", "type": "local", "number": e164}
        again = await api.post("/v1/number-requests", json=body)
        assert again.status_code == 202, again.text
        assert [p["until"] is not None for p in again.json()["held_before"]] == [True]
        await until_status(api, e164, "active")
        everything = (await api.get("/v1/numbers", params={"status": "all", "limit": 200})).json()
        rows = [n for n in everything["items"] if n["number"] == e164]
        shown = (await api.get(f"/v1/numbers/{e164}")).json()
    assert len(rows) == 1 and rows[0]["held_before"]
    assert len(shown["periods"]) == 2 and shown["periods"][0]["until"] is not None
    assert shown["periods"][1]["until"] is None and shown["status"] == "active"


async def test_6_wrong_words_are_answered_in_the_admins_words(running: RunningSystem) -> None:
    async with running.api(TENANT, ADMIN) as api:
        german = (await first_offer(api, "DE", "local"))["number"]
        wrong_country = {"country": "US", "type": "local", "number": german}
        never_listed = {"country": "US", "type": "local", "number": "+12125550199"}
        posts = [
            api.post("/v1/number-requests", json=wrong_country),
            api.post("/v1/number-requests", json=never_listed),
            api.post(
                "/v1/number-requests",
                content=b'{"country": "US",',
                headers={"Content-Type": "application/json"},
            ),
            api.get("/v1/inventory", params={"country": "Germany", "type": "local"}),
        ]
        problems = [await _refused(running, api, post) for post in posts]
        spelled = await _offer(api, 11)
        digits = spelled["number"].removeprefix("+1")
        dashed = f"001-{digits[:3]}-{digits[3:6]}-{digits[6:]}"
        accepted = await api.post(
            "/v1/number-requests", json={"country": "US", "type": "local", "number": dashed}
        )
        assert accepted.status_code == 202, accepted.text
        state = await request_state(api, accepted.json()["id"])
    wrong, unlisted, not_json, germany = problems
    assert (wrong["status"], wrong["code"]) == (422, "wrong_country")
    assert "not a United States number" in wrong["detail"] or "+1" in wrong["detail"]
    assert (unlisted["status"], unlisted["code"]) == (422, "not_offered")
    assert "no longer available" not in unlisted["detail"]
    assert not_json["status"] == 400 and "not valid JSON" in not_json["detail"]
    assert germany["status"] == 422 and germany["field"] == "country"
    assert "'Germany' is not a two-letter ISO country code" in germany["detail"]
    assert state["pick"]["number"] == spelled["number"]


async def test_7_the_same_idempotency_key_with_another_body_is_422(running: RunningSystem) -> None:
    async with running.api(TENANT, ADMIN) as api:
        first, second = await _offer(api, 12), await _offer(api, 13)
        key = {"Idempotency-Key": "form-7"}
        accepted = await api.post(
            "/v1/number-requests", json={"offer_id": first["offer_id"]}, headers=key
        )
        assert accepted.status_code == 202
        await eventually(lambda: _known(api, accepted.json()["id"]), timeout=SLOW)
        other = api.post("/v1/number-requests", json={"offer_id": second["offer_id"]}, headers=key)
        problem = await _refused(running, api, other)
        same = await api.post(
            "/v1/number-requests", json={"offer_id": first["offer_id"]}, headers=key
        )
    assert (problem["status"], problem["code"]) == (422, "idempotency_key_reused")
    assert same.status_code == 202 and same.json()["id"] == accepted.json()["id"]


async def _known(api: httpx.AsyncClient, request_id: str) -> bool:
    return (await api.get(f"/v1/number-requests/{request_id}")).status_code == 200


async def test_a_release_didww_refuses_after_the_202_shows_on_the_number_and_alerts(
    running: RunningSystem,
) -> None:
    async with running.api(TENANT, ADMIN) as api:
        e164 = await _active(api, await _offer(api, 14))
        running.sandbox("didww", "POST", "/_admin/faults", json=REFUSING)
        try:
            accepted = await api.post(f"/v1/numbers/{e164}/release")
            assert accepted.status_code == 202
            command_id = accepted.json()["id"]

            async def refused() -> dict[str, Any] | None:
                row = (await api.get(f"/v1/numbers/{e164}")).json()
                mine = [c for c in row["changes"] if c["command_id"] == command_id]
                return mine[0] if mine else None

            change = await eventually(refused, timeout=SLOW)
        finally:
            running.sandbox("didww", "POST", "/_admin/faults", json={})

        async def alerted() -> bool:
            alerts = (await api.get("/v1/alerts")).json()["items"]
            return any(a["code"] == "release_refused" and a["number"] == e164 for a in alerts)

        await eventually(alerted, timeout=SLOW)  # audit keeps the alerts feed: its own pace
        row = (await api.get(f"/v1/numbers/{e164}")).json()
    assert (change["kind"], change["outcome"]) == ("release", "refused")
    assert "still yours and still billed" in change["reason"] and row["status"] == "active"


REFUSING = {"error_rate": 1.0, "error_status": 422}
"""DIDWW's sandbox answering every call with 422 (a refusal no retry changes)."""
