"""Starting the sandbox from the command line, and tenants created through the admin API."""

from __future__ import annotations

from velo_sandbox.portsip.cli import config_from, parse

from .conftest import Sandbox


def test_the_command_line_adds_tenants_to_the_demo_ones() -> None:
    config = config_from(parse(["--tenant", "initech.pbx.local:boss:pa:ss", "--token-ttl", "60"]))
    assert [t.domain for t in config.tenants] == [
        "acme.pbx.local",
        "globex.pbx.local",
        "initech.pbx.local",
    ]
    assert config.tenants[-1].password == "pa:ss" and config.token_ttl == 60
    assert "pa:ss" not in repr(config.tenants[-1])


def test_no_seed_starts_only_the_given_tenants_with_empty_directories() -> None:
    config = config_from(parse(["--no-seed", "--tenant", "a.pbx.local:admin:pw"]))
    assert [t.domain for t in config.tenants] == ["a.pbx.local"] and not config.seed_directory


async def test_a_tenant_created_by_the_admin_api_can_log_in(sandbox: Sandbox) -> None:
    body = {"domain": "initech.pbx.local", "admin": "boss", "password": "initech-pass"}
    assert sandbox.admin("POST", "/tenants", json=body).status_code == 201
    assert sandbox.admin("POST", "/tenants", json=body).status_code == 409
    async with sandbox.client(("initech.pbx.local", "boss", "initech-pass")) as client:
        assert len(await client.users.list()) == 30
        assert [p.name for p in await client.providers.list()] == ["DIDWW"]
