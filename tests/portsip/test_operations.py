"""The operations the sandbox gained: each one changes what the PBX holds, and says so after."""

from __future__ import annotations

import csv
import io

import pytest

from velo_portsip import (
    InboundRuleInput,
    NotFound,
    PortsipClient,
    ProviderInput,
    ValidationFailed,
)

from .conftest import SYSTEM, Sandbox

GB = "442071234567"
SPARE = ProviderInput(name="Spare", hostname="sip.spare.example", concurrency=5)
NEW_USER = {
    "name": "zed.zimmer",
    "display_name": "Zed Zimmer",
    "password": "user-pass-1",
    "email": "zed@acme.pbx.local",
    "role": "StandardUser",
    "extension_number": "150",
    "extension_password": "ext-pass-1",
    "voicemail_pin": "123456",
}


async def test_destroying_a_provider_removes_it(sandbox: Sandbox, acme: PortsipClient) -> None:
    spare = await acme.providers.create(SPARE)
    assert (await acme.providers.get(spare)).name == "Spare"
    await acme.providers.destroy(spare)
    assert spare not in {p.id for p in await acme.providers.list()}
    with pytest.raises(NotFound):
        await acme.providers.get(spare)
    again = await sandbox.call(acme, "POST", f"/providers/{spare}/destroy")
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "VALIDATE_FAILED"
    with pytest.raises(NotFound):  # the client tells the 400 of an absent trunk for what it is
        await acme.providers.destroy(spare)


async def test_a_provider_in_use_stays(acme: PortsipClient, trunk_id: str) -> None:
    await acme.providers.add_did(trunk_id, GB)
    await acme.inbound_rules.create(
        InboundRuleInput.forwarding("101", name="GB", did=GB, provider_id=trunk_id)
    )
    with pytest.raises(ValidationFailed, match="still used by inbound rule 'GB'"):
        await acme.providers.destroy(trunk_id)
    assert (await acme.providers.get(trunk_id)).did_numbers == GB


async def test_a_provider_is_online_while_enabled(
    sandbox: Sandbox, acme: PortsipClient, trunk_id: str
) -> None:
    status = await sandbox.call(acme, "GET", f"/providers/{trunk_id}/status")
    assert status.json() == {"status": "ONLINE"}
    await sandbox.call(acme, "POST", f"/providers/{trunk_id}", json={"enabled": False})
    status = await sandbox.call(acme, "GET", f"/providers/{trunk_id}/status")
    assert status.json() == {"status": "OFFLINE"}


async def test_users_are_created_and_destroyed(sandbox: Sandbox, acme: PortsipClient) -> None:
    created = await sandbox.call(acme, "POST", "/users", json=NEW_USER)
    assert created.status_code == 201
    user = await acme.users.get(created.json()["id"])
    assert (user.extension_number, user.display_name) == ("150", "Zed Zimmer")
    shown = (await sandbox.call(acme, "GET", f"/users/{user.id}")).json()
    assert not {"password", "extension_password", "voicemail_pin"} & set(shown)
    assert (await acme.directory.extension("150")) is not None
    taken = await sandbox.call(acme, "POST", "/users", json={**NEW_USER, "name": "other"})
    assert taken.json()["errors"][0]["detail"] == {"field": "extension_number"}

    gone = await sandbox.call(acme, "POST", f"/users/{user.id}/destroy")
    assert gone.status_code == 204
    assert await acme.directory.extension("150") is None
    with pytest.raises(NotFound):
        await acme.users.get(user.id)


async def test_a_user_in_role_admin_may_sign_in(sandbox: Sandbox, acme: PortsipClient) -> None:
    admin = {**NEW_USER, "role": "Admin"}
    assert (await sandbox.call(acme, "POST", "/users", json=admin)).status_code == 201
    async with sandbox.client(("acme.pbx.local", "zed.zimmer", "user-pass-1")) as zed:
        assert len(await zed.users.list()) == 31


async def test_call_queues_and_ring_groups_keep_their_updates(
    sandbox: Sandbox, acme: PortsipClient
) -> None:
    for kind, number in (("call_queues", "800"), ("ring_groups", "700")):
        [group_id] = [
            g["id"] for g in await _items(sandbox, acme, kind) if g["extension_number"] == number
        ]
        changed = await sandbox.call(acme, "POST", f"/{kind}/{group_id}", json={"ring_time": 45})
        assert changed.status_code == 200
        assert (await sandbox.call(acme, "GET", f"/{kind}/{group_id}")).json()["ring_time"] == 45
        moved = await sandbox.call(
            acme, "POST", f"/{kind}/{group_id}", json={"extension_number": "899"}
        )
        assert moved.json()["errors"][0]["detail"] == {"field": "extension_number"}


async def test_a_queue_has_users_of_the_tenant_as_agents(
    sandbox: Sandbox, acme: PortsipClient
) -> None:
    [queue] = [q["id"] for q in await _items(sandbox, acme, "call_queues") if q["name"] == "Sales"]
    agents = {"items": [{"extension_number": "101"}, {"extension_number": "102", "skill_level": 5}]}
    assert (
        await sandbox.call(acme, "POST", f"/call_queues/{queue}/agents", json=agents)
    ).is_success
    listed = (await sandbox.call(acme, "GET", f"/call_queues/{queue}/agents")).json()["items"]
    assert [(a["extension_number"], a["skill_level"], a["display_name"]) for a in listed] == [
        ("101", 1, "Alice Johnson"),
        ("102", 5, "Bob Smith"),
    ]
    stranger = {"items": [{"extension_number": "999"}]}
    refused = await sandbox.call(acme, "POST", f"/call_queues/{queue}/agents", json=stranger)
    assert refused.json()["errors"][0]["detail"] == {"field": "items[0].extension_number"}

    alice = await acme.users.find_by_extension("101")
    assert alice is not None
    await sandbox.call(acme, "POST", f"/users/{alice.id}/destroy")
    listed = (await sandbox.call(acme, "GET", f"/call_queues/{queue}/agents")).json()["items"]
    assert [a["extension_number"] for a in listed] == ["102"]


async def test_user_groups_are_applied_to_an_outbound_rule_and_taken_off(
    sandbox: Sandbox, acme: PortsipClient
) -> None:
    rule = await sandbox.call(acme, "POST", "/outbound_rules", json={"name": "Mobiles"})
    base = f"/outbound_rules/{rule.json()['id']}/applied_groups"
    group_id = next(iter(sandbox.app.state.store.tenant_by_domain("acme.pbx.local").user_groups))
    assert (await sandbox.call(acme, "POST", f"{base}/{group_id}")).status_code == 200
    assert (await sandbox.call(acme, "GET", base)).json() == {
        "items": [{"id": group_id, "name": "Sales"}]
    }
    assert (await sandbox.call(acme, "GET", f"{base}/{group_id}")).status_code == 200
    assert (await sandbox.call(acme, "POST", f"{base}/{group_id}/destroy")).status_code == 204
    assert (await sandbox.call(acme, "GET", f"{base}/{group_id}")).status_code == 404
    assert (await sandbox.call(acme, "POST", f"{base}/{group_id}/destroy")).status_code == 400
    assert (await sandbox.call(acme, "GET", base)).json() == {"items": []}


@pytest.mark.parametrize("kind", ["providers", "inbound_rules", "outbound_rules"])
async def test_exports_are_csv_attachments(
    sandbox: Sandbox, acme: PortsipClient, trunk_id: str, kind: str
) -> None:
    await acme.providers.add_did(trunk_id, GB)
    await acme.inbound_rules.create(
        InboundRuleInput.forwarding("800", name="GB", did=GB, provider_id=trunk_id)
    )
    await sandbox.call(acme, "POST", "/outbound_rules", json={"name": "GB", "number_prefix": "44"})
    exported = await sandbox.call(acme, "GET", f"/{kind}/export")
    assert exported.headers["content-type"] == "application/octet-stream"
    assert exported.headers["content-disposition"] == f'attachment; filename="{kind}.csv"'
    header, *rows = list(csv.reader(io.StringIO(exported.text)))
    assert header[:2] == ["id", "name"] and [row[1] for row in rows] in (["DIDWW"], ["GB"])


async def test_the_system_admin_creates_and_changes_tenants(
    sandbox: Sandbox, acme: PortsipClient
) -> None:
    async with sandbox.client(SYSTEM) as system:
        initech = {
            "name": "Initech",
            "domain": "initech.pbx.local",
            "timezone": "Europe/London",
            "currency": "GBP",
            "region": "GB",
        }
        created = await sandbox.call(system, "POST", "/tenants", json=initech)
        path = f"/tenants/{created.json()['id']}"
        changed = await sandbox.call(system, "POST", path, json={"max_extensions": 50})
        assert changed.status_code == 200
        shown = (await sandbox.call(system, "GET", path)).json()
        assert (shown["name"], shown["timezone"], shown["max_extensions"]) == (
            "Initech",
            "Europe/London",
            50,
        )
        taken = await sandbox.call(system, "POST", path, json={"domain": "acme.pbx.local"})
        assert taken.json()["errors"][0]["detail"] == {"field": "domain"}
        listed = (await sandbox.call(system, "GET", "/tenants")).json()
        assert "initech.pbx.local" in {t["domain"] for t in listed["items"]}
    assert (await sandbox.call(acme, "POST", "/tenants", json=initech)).status_code == 403


async def test_a_tenant_admin_changes_its_own_settings(
    sandbox: Sandbox, acme: PortsipClient
) -> None:
    changed = await sandbox.call(acme, "POST", "/tenant", json={"timezone": "Europe/Paris"})
    assert changed.status_code == 200
    shown = (await sandbox.call(acme, "GET", "/tenant")).json()
    assert (shown["domain"], shown["timezone"]) == ("acme.pbx.local", "Europe/Paris")


async def _items(sandbox: Sandbox, client: PortsipClient, kind: str) -> list[dict[str, str]]:
    items: list[dict[str, str]] = (await sandbox.call(client, "GET", f"/{kind}")).json()["items"]
    return items
