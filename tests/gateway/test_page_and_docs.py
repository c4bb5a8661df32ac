"""The gateway serves its own page, offline API docs, and development sign-in only when told to."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
from pydantic import SecretStr

from velo_contracts import tokens
from velo_gateway.app import create_app
from velo_gateway.downstream import Downstream
from velo_gateway.live import PARTITIONS, event_id, parse_event_id
from velo_gateway.problems import Problem
from velo_gateway.settings import GatewaySettings

SECRET = "test-secret-that-is-long-enough-for-hs256"


def _down(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


async def _client(**settings: object) -> AsyncIterator[httpx.AsyncClient]:
    config = GatewaySettings(jwt_secret=SecretStr(SECRET), **settings)  # type: ignore[arg-type]
    service = create_app(config, Downstream(config, httpx.MockTransport(_down)))
    transport = httpx.ASGITransport(app=service.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        yield client


@pytest.fixture
async def dev() -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(dev_tenants=["acme", "globex"]):
        yield client


@pytest.fixture
async def production() -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client():
        yield client


async def test_the_page_and_every_asset_it_names_are_served_from_the_gateway(
    production: httpx.AsyncClient,
) -> None:
    page = await production.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="(/ui/[^"]+)"', page.text)
    scripts = await production.get("/ui/js/app.js")
    assets += [f"/ui/js/{name}" for name in re.findall(r'from "\./([\w.]+)"', scripts.text)]
    assert {"/ui/app.css", "/ui/js/app.js", "/ui/js/api.js"} <= set(assets)
    for asset in assets:
        assert (await production.get(asset)).status_code == 200, asset
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page.text)  # nothing from elsewhere


async def test_the_api_docs_load_nothing_from_the_internet(production: httpx.AsyncClient) -> None:
    docs = await production.get("/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text and "https://" not in docs.text
    for asset in re.findall(r'(?:src|href)="([^"]+)"', docs.text):
        assert asset.startswith("/docs/assets/")
        assert (await production.get(asset)).status_code == 200, asset


async def test_the_openapi_document_declares_bearer_auth_answers_and_problems(
    production: httpx.AsyncClient,
) -> None:
    document = (await production.get("/openapi.json")).json()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    numbers = document["paths"]["/v1/numbers"]["get"]
    assert numbers["security"] == [{"bearer": []}]
    assert numbers["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/NumberPage"
    )
    requested = document["paths"]["/v1/number-requests"]["post"]["responses"]
    assert requested["202"]["content"]["application/json"]["schema"]["$ref"].endswith("/Accepted")
    for status in ("401", "409", "422"):
        content = requested[status]["content"]
        assert list(content) == ["application/problem+json"], status
        assert content["application/problem+json"]["schema"]["$ref"].endswith("/Problem")


async def test_development_sign_in_is_off_unless_the_gateway_is_told_its_demo_tenants(
    production: httpx.AsyncClient,
) -> None:
    offered = await production.get("/dev/sign-in")
    minted = await production.post(
        "/dev/token", json={"tenant_id": "acme", "user_id": "admin@acme", "role": "admin"}
    )
    assert (offered.status_code, minted.status_code) == (404, 404)
    assert "host application's token" in minted.json()["detail"]


async def test_development_sign_in_mints_a_token_the_gateway_accepts(
    dev: httpx.AsyncClient,
) -> None:
    assert (await dev.get("/dev/sign-in")).json()["tenants"] == ["acme", "globex"]
    minted = await dev.post(
        "/dev/token", json={"tenant_id": "acme", "user_id": "agent@acme", "role": "agent"}
    )
    claims = jwt.decode(minted.json()["token"], SECRET, algorithms=["HS256"])
    assert (claims["sub"], claims["tenant_id"], claims["role"]) == ("agent@acme", "acme", "agent")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tenant_id": "initech", "user_id": "a", "role": "admin"}, "tenant_id"),
        ({"tenant_id": "acme", "user_id": "a", "role": "system"}, "role"),
        ({"tenant_id": "acme", "user_id": "", "role": "admin"}, "user_id"),
    ],
)
async def test_development_sign_in_refuses_what_no_demo_user_is(
    dev: httpx.AsyncClient, body: dict[str, str], field: str
) -> None:
    refused = await dev.post("/dev/token", json=body)
    assert refused.status_code == 422
    assert refused.json()["field"] == field


async def test_an_event_id_names_the_stream_place_and_only_one_it_gave_is_taken() -> None:
    place = {partition: 7 * index for index, partition in enumerate(PARTITIONS)}
    assert parse_event_id(event_id(place)) == place
    for bad in ("", "uuid-like-0f9c", "p1.1.2", "p0." + ".".join("1" * len(PARTITIONS))):
        with pytest.raises(Problem) as refused:
            parse_event_id(bad)
        assert refused.value.status == 400


async def test_a_stream_resumed_with_a_foreign_last_event_id_is_400_naming_the_header(
    production: httpx.AsyncClient,
) -> None:
    token = tokens.mint(SECRET, "acme", "admin@acme")
    headers = {"Authorization": f"Bearer {token}", "Last-Event-ID": "not-one-of-ours"}
    refused = await production.get("/v1/events", headers=headers)
    assert refused.status_code == 400
    assert refused.json()["field"] == "Last-Event-ID"
