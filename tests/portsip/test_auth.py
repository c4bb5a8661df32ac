"""Logging in, refreshing before expiry, one re-login on 401, and secrets kept out of sight."""

from __future__ import annotations

import httpx
import pytest

from velo_portsip import PortsipClient, Unauthorized

from .conftest import ACME, Sandbox


def _count(sandbox: Sandbox, endpoint: str) -> int:
    return int(sandbox.admin("GET", "/counters").json().get(endpoint, 0))


async def test_signs_in_once_and_reuses_the_token(sandbox: Sandbox, acme: PortsipClient) -> None:
    await acme.users.list()
    await acme.directory.call_queues()
    assert _count(sandbox, "POST /api/auth/sign_in") == 1


async def test_refreshes_the_token_shortly_before_it_expires(
    sandbox: Sandbox, acme: PortsipClient
) -> None:
    await acme.login()
    sandbox.clock.advance(1800 - 30)  # inside the client's 60 s refresh margin
    await acme.directory.call_queues()
    assert _count(sandbox, "POST /api/auth/refresh_token") == 1
    assert _count(sandbox, "POST /api/auth/sign_in") == 1


async def test_signs_in_again_when_the_server_drops_the_token(
    sandbox: Sandbox, acme: PortsipClient
) -> None:
    await acme.login()
    assert sandbox.admin("POST", "/tenants/acme.pbx.local/expire_tokens").json() == {"expired": 1}
    assert len(await acme.directory.ring_groups()) == 3
    assert _count(sandbox, "POST /api/auth/sign_in") == 2
    assert _count(sandbox, "GET /api/ring_groups") == 2  # the refused call, then the retry


async def test_a_token_past_its_lifetime_is_refused_with_portsip_error(sandbox: Sandbox) -> None:
    async with sandbox.client(ACME) as client:
        await client.login()
        header = await client.tokens.header()
    sandbox.clock.advance(1801)
    response = sandbox.raw("GET", "/api/users", headers=header)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "UNAUTHORIZED"


async def test_the_classic_login_endpoint_works_too(sandbox: Sandbox) -> None:
    async with sandbox.client(ACME, auth_mode="login") as client:
        assert len(await client.users.list()) == 30
    assert _count(sandbox, "POST /api/login") == 1


async def test_wrong_password_is_unauthorized_without_echoing_it(sandbox: Sandbox) -> None:
    async with sandbox.client(("acme.pbx.local", "admin", "s3cret-guess")) as client:
        with pytest.raises(Unauthorized) as refused:
            await client.login()
    assert "s3cret-guess" not in str(refused.value) + repr(refused.value)
    assert refused.value.code == "UNAUTHORIZED"


async def test_gives_up_after_one_relogin_when_every_token_is_refused() -> None:
    calls: list[str] = []

    def pbx(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/api/auth/sign_in":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 1800})
        return httpx.Response(401, json={"errors": [{"code": "UNAUTHORIZED", "message": "no"}]})

    transport = httpx.MockTransport(pbx)
    async with PortsipClient("http://pbx/api", "admin", "pw", "d", transport=transport) as client:
        with pytest.raises(Unauthorized):
            await client.users.list()
    assert calls == ["/api/auth/sign_in", "/api/users", "/api/auth/sign_in", "/api/users"]


async def test_passwords_and_tokens_stay_out_of_reprs(sandbox: Sandbox) -> None:
    async with sandbox.client(ACME) as client:
        header = await client.tokens.header()
        token = header["Authorization"].split()[1]
        shown = repr(client) + repr(client.tokens) + repr(client.tokens._credentials)
    assert "acme-admin-pass" not in shown and token not in shown
