"""Tenant isolation, roles and precise errors, through the gateway of the running system."""

from __future__ import annotations

import pytest

from .conftest import RunningSystem
from .flows import active_number, audit_entries, number

pytestmark = pytest.mark.infra


async def test_another_tenant_can_neither_see_nor_change_a_number(running: RunningSystem) -> None:
    async with running.api() as acme, running.api("globex", "admin@globex") as globex:
        e164 = await active_number(acme)
        assignment = {"outbound_agent": "101"}
        responses = [
            await globex.get(f"/v1/numbers/{e164}"),
            await globex.put(f"/v1/numbers/{e164}/assignment", json=assignment),
            await globex.delete(f"/v1/numbers/{e164}/assignment"),
            await globex.post(f"/v1/numbers/{e164}/release"),
        ]
        assert [r.status_code for r in responses] == [404, 404, 404, 404]
        assert await audit_entries(globex, number=e164) == []
        listed = (await globex.get("/v1/numbers", params={"q": e164.removeprefix("+")})).json()
        assert listed["items"] == []
        alerts = (await globex.get("/v1/alerts")).json()["items"]
        assert all(a["tenant_id"] == "globex" for a in alerts)
        still = await number(acme, e164)
        assert (still["status"], still["outbound_agent"]) == ("active", None)


async def test_an_agent_cannot_provision_but_reads_the_list_and_their_alerts(
    running: RunningSystem,
) -> None:
    async with running.api(role="agent", user="agent@acme") as agent:
        body = {"country": "US", "type": "local", "next_available": True}
        writes = [
            await agent.post("/v1/number-requests", json=body),
            await agent.put("/v1/numbers/+12125550100/assignment", json={"outbound_agent": "101"}),
            await agent.post("/v1/numbers/+12125550100/release"),
            await agent.get("/v1/inventory", params={"country": "US", "type": "local"}),
            await agent.get("/v1/directory"),
        ]
        assert [r.status_code for r in writes] == [403, 403, 403, 403, 403]
        assert (await agent.get("/v1/numbers")).status_code == 200
        assert (await agent.get("/v1/alerts")).status_code == 200


async def test_malformed_input_gets_a_precise_problem(running: RunningSystem) -> None:
    async with running.api() as api:
        bad_number = await api.get("/v1/numbers/12ab")
        unknown_country = await api.get("/v1/inventory", params={"country": "ZZ", "type": "local"})
        bad_type = await api.get("/v1/inventory", params={"country": "DE", "type": "landline"})
        bad_target = await api.put(
            "/v1/numbers/+12125550100/assignment",
            json={"inbound_target": {"type": "voicemail", "id": "1"}},
        )
        bad_cursor = await api.get("/v1/audit", params={"cursor": "not-a-cursor"})
    assert (bad_number.status_code, bad_number.json()["field"]) == (422, "number")
    assert unknown_country.status_code == 404 and "ZZ" in unknown_country.json()["detail"]
    assert (bad_type.status_code, bad_type.json()["field"]) == (422, "type")
    assert "'landline'" in bad_type.json()["detail"]
    assert bad_target.status_code == 422 and "inbound_target" in bad_target.json()["field"]
    assert bad_cursor.status_code == 400
    for response in (bad_number, unknown_country, bad_type, bad_target, bad_cursor):
        assert response.headers["content-type"] == "application/problem+json"


async def test_a_signed_token_for_a_tenant_nobody_registered_gets_nothing(
    running: RunningSystem,
) -> None:
    async with running.api("ghost", "admin@ghost") as ghost:
        body = {"country": "US", "type": "next_available", "next_available": True}
        responses = [
            await ghost.get("/v1/numbers"),
            await ghost.get("/v1/audit"),
            await ghost.get("/v1/alerts"),
            await ghost.post("/v1/number-requests", json=body | {"type": "local"}),
            await ghost.get("/v1/events"),
        ]
    assert [r.status_code for r in responses] == [401] * len(responses)
    assert all(r.json()["detail"] == "tenant 'ghost' is not registered" for r in responses)
