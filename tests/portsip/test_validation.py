"""The sandbox checks what it is sent as PortSIP's schema says, and refuses in PortSIP's words."""

from __future__ import annotations

from typing import Any

import pytest

from velo_portsip import PortsipClient

from .conftest import Sandbox

TRUNK = {
    "name": "Carrier",
    "transport": "UDP",
    "hostname": "sip.carrier.example",
    "port": 5060,
    "outbound_server": "",
    "outbound_server_port": 5060,
    "concurrency": 10,
}
BAD_BODIES = [
    ("POST", "/providers", {**TRUNK, "port": "abc"}, "port"),
    ("POST", "/providers", {**TRUNK, "port": 70000}, "port"),
    ("POST", "/providers", {**TRUNK, "transport": "FOO"}, "transport"),
    ("POST", "/providers", {**TRUNK, "enabled": "x"}, "enabled"),
    ("POST", "/providers", {k: v for k, v in TRUNK.items() if k != "hostname"}, "hostname"),
    ("POST", "/providers", {**TRUNK, "colour": "blue"}, "colour"),
    (
        "POST",
        "/providers",
        {**TRUNK, "outbound_parameters": {"to_user_part": {"value": "NOBODY"}}},
        "outbound_parameters.to_user_part.value",
    ),
    ("POST", "/users/{user}", {"enabled": "yes"}, "enabled"),
    ("POST", "/users/{user}", {"email": 123}, "email"),
    ("POST", "/users/{user}", {"extension_number": "150"}, "extension_number"),
    (
        "POST",
        "/outbound_rules",
        {"name": "GB", "routes": [{"provider_id": "{trunk}", "outbound_caller_id": ""}]},
        "routes[0].outbound_caller_id",
    ),
    ("POST", "/outbound_rules", {"name": "GB", "priority": -1}, "priority"),
    ("POST", "/inbound_rules", {"name": "GB", "provider_id": "{trunk}"}, "did_numbers"),
    ("POST", "/call_queues", {"name": "Q", "extension_number": "810"}, "polling_strategy"),
]


def _filled(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _filled(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, ids) for v in value]
    return value


@pytest.mark.parametrize(("method", "path", "body", "field"), BAD_BODIES)
async def test_a_body_against_the_schema_is_refused_naming_the_field(
    sandbox: Sandbox,
    acme: PortsipClient,
    trunk_id: str,
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    user = await acme.users.find_by_extension("101")
    assert user is not None
    ids = {"trunk": trunk_id, "user": user.id}
    answer = await sandbox.call(acme, method, _filled(path, ids), json=_filled(body, ids))
    assert answer.status_code == 400
    [error] = answer.json()["errors"]
    assert (error["code"], error["detail"]) == ("VALIDATE_FAILED", {"field": field})
    assert field in error["message"]


@pytest.mark.parametrize("query", ["skip=2147483648", "skip=-1", "top=0", "top=101", "skip=x"])
async def test_list_paging_stays_within_the_spec(
    sandbox: Sandbox, acme: PortsipClient, query: str
) -> None:
    answer = await sandbox.call(acme, "GET", f"/users?{query}")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["detail"] == {"field": query.split("=")[0]}


async def test_a_body_that_is_not_json_is_refused(sandbox: Sandbox, acme: PortsipClient) -> None:
    answer = await sandbox.call(acme, "POST", "/outbound_rules", content=b"{name: GB}")
    assert answer.status_code == 400 and answer.json()["errors"][0]["code"] == "VALIDATE_FAILED"


async def test_a_user_update_needs_a_body(sandbox: Sandbox, acme: PortsipClient) -> None:
    user = await acme.users.find_by_extension("101")
    assert user is not None
    answer = await sandbox.call(acme, "POST", f"/users/{user.id}")
    assert answer.status_code == 400


async def test_an_unknown_path_is_refused_as_portsip_refuses(
    sandbox: Sandbox, acme: PortsipClient
) -> None:
    answer = await sandbox.call(acme, "GET", "/no_such_thing")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["code"] == "NOT_FOUND"


async def test_a_method_a_path_lacks_names_every_method_it_has(
    sandbox: Sandbox, acme: PortsipClient, trunk_id: str
) -> None:
    answer = await sandbox.call(acme, "DELETE", f"/providers/{trunk_id}")
    assert answer.status_code == 405
    assert answer.json()["errors"][0]["code"] == "METHOD_NOT_ALLOWED"
    assert set(answer.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
