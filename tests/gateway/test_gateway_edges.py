"""The gateway's edges: who may do what, precise problems, idempotent requests, write limits."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import jwt
import pytest
from pydantic import SecretStr

from velo_contracts import RequestNumber
from velo_contracts.topics import ORDERING_COMMANDS
from velo_devinfra.stack import free_port
from velo_gateway.app import create_app
from velo_gateway.downstream import Downstream
from velo_gateway.settings import GatewaySettings
from velotest import read_all

pytestmark = pytest.mark.infra
SECRET = "test-secret-that-is-long-enough-for-hs256"


def token(tenant: str, role: str = "admin", user: str = "alice", ttl: int = 600) -> str:
    claims = {"sub": user, "tenant_id": tenant, "role": role, "exp": int(time.time()) + ttl}
    return jwt.encode(claims, SECRET, algorithm="HS256")


def _down(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


@pytest.fixture
async def api(kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = GatewaySettings(
        kafka_bootstrap=kafka_bootstrap,
        jwt_secret=SecretStr(SECRET),
        write_burst=3,
        writes_per_minute=1,
    )
    service = create_app(settings, Downstream(settings, httpx.MockTransport(_down)))
    await service.start()
    transport = httpx.ASGITransport(app=service.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        yield client
    await service.stop()


def _auth(tenant: str, **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(tenant, **claims)}"}


SPECIFIC = {"country": "DE", "type": "local", "number": "4930 1234 5678"}


async def test_a_call_without_a_valid_token_is_401_problem(api: httpx.AsyncClient) -> None:
    missing = await api.get("/v1/numbers")
    expired = await api.get("/v1/numbers", headers=_auth("acme", ttl=-10))
    forged = await api.get("/v1/numbers", headers={"Authorization": "Bearer abc.def.ghi"})
    for response in (missing, expired, forged):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "unauthorized"
    assert expired.json()["detail"] == "the token has expired"


@pytest.mark.parametrize("role", ["system", "operator", "root", ""])
async def test_a_token_with_a_role_no_tenant_user_has_is_401(
    api: httpx.AsyncClient, role: str
) -> None:
    response = await api.get("/v1/numbers", headers=_auth("acme", role=role))
    assert response.status_code == 401
    assert "role must be admin or agent" in response.json()["detail"]


async def test_an_agent_cannot_provision(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/v1/number-requests", json=SPECIFIC, headers=_auth("acme", role="agent")
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "only tenant admins may do this"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"country": "DE", "type": "local"}, "", "number or next_available"),
        (
            {"country": "Germany", "type": "local", "number": "+4930123"},
            "country",
            "'Germany' is not a two-letter ISO country code like DE",
        ),
        ({"country": "DE", "type": "landline", "number": "+4930123"}, "type", "local, mobile"),
        ({"country": "DE", "type": "local", "number": "12"}, "number", "international number"),
        ({"offer_id": "x", "colour": "blue"}, "colour", "not a field of this request"),
    ],
)
async def test_malformed_requests_get_a_precise_422(
    api: httpx.AsyncClient, body: dict[str, Any], field: str, words: str
) -> None:
    response = await api.post("/v1/number-requests", json=body, headers=_auth("acme"))
    problem = response.json()
    assert response.status_code == 422, problem
    assert problem["field"] == field and words in problem["detail"]


async def test_the_same_idempotency_key_gives_the_same_request(
    api: httpx.AsyncClient, kafka_bootstrap: str, unique: Callable[[str], str]
) -> None:
    tenant = unique("acme")
    headers = _auth(tenant) | {"Idempotency-Key": "form-submit-1"}
    first = await api.post("/v1/number-requests", json=SPECIFIC, headers=headers)
    again = await api.post("/v1/number-requests", json=SPECIFIC, headers=headers)
    other = await api.post("/v1/number-requests", json=SPECIFIC, headers=_auth(tenant))
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"] != other.json()["id"]

    records = await read_all(kafka_bootstrap, ORDERING_COMMANDS.name)
    mine = [
        RequestNumber.model_validate_json(r.value)
        for r in records
        if dict(r.headers).get("velo-tenant-id") == tenant.encode()
    ]
    assert [c.request_id for c in mine].count(first.json()["id"]) == 2  # ordering dedupes by id
    assert {c.pick.number for c in mine} == {"+493012345678"}
    assert {(c.actor.user_id, c.actor.role) for c in mine} == {("alice", "admin")}


async def test_writes_beyond_the_tenant_limit_get_429(
    api: httpx.AsyncClient, unique: Callable[[str], str]
) -> None:
    tenant = unique("acme")
    statuses = [
        (await api.post("/v1/number-requests", json=SPECIFIC, headers=_auth(tenant))).status_code
        for _ in range(4)
    ]
    assert statuses == [202, 202, 202, 429]
    other = await api.post("/v1/number-requests", json=SPECIFIC, headers=_auth(unique("globex")))
    assert other.status_code == 202


async def test_a_read_api_that_does_not_answer_is_503_not_an_empty_list(
    api: httpx.AsyncClient,
) -> None:
    response = await api.get("/v1/numbers", headers=_auth("acme"))
    assert response.status_code == 503
    assert "assignment service did not answer" in response.json()["detail"]


async def test_the_openapi_document_is_served(api: httpx.AsyncClient) -> None:
    paths = (await api.get("/openapi.json")).json()["paths"]
    assert {"/v1/number-requests", "/v1/numbers/{number}/assignment", "/v1/events"} <= set(paths)


async def test_a_token_whose_tenant_id_is_not_a_tenant_id_is_401(api: httpx.AsyncClient) -> None:
    for tenant in ("../tenants/acme", "acme/../globex", "ACME", "acme\n", "a" * 80):
        response = await api.get("/v1/numbers", headers=_auth(tenant))
        assert response.status_code == 401, tenant
        assert response.json()["detail"] == "the token's tenant_id is not a tenant id"


HOSTILE = ["%0A", "..", "%2E%2E", "a%2Fb", "%00", "x%20y", "%E2%80%AE", "a" * 300]


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_hostile_ids_in_every_route_get_a_problem_never_a_500(
    api: httpx.AsyncClient, hostile: str
) -> None:
    headers = _auth("acme")
    calls = [
        ("GET", f"/v1/number-requests/{hostile}", None),
        ("POST", f"/v1/alerts/{hostile}/read", None),
        ("GET", f"/v1/numbers/{hostile}", None),
        ("PUT", f"/v1/numbers/{hostile}/assignment", {"outbound_agent": "101"}),
        ("DELETE", f"/v1/numbers/{hostile}/assignment", None),
        ("POST", f"/v1/numbers/{hostile}/release", None),
        ("POST", "/v1/number-requests", {"offer_id": hostile}),
    ]
    for method, path, body in calls:
        response = await api.request(method, path, json=body, headers=headers)
        assert response.status_code in (400, 404, 422), (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json", (method, path)


async def test_with_the_broker_down_a_command_is_refused_with_503_and_ready_names_kafka() -> None:
    dead_kafka = f"127.0.0.1:{free_port()}"
    settings = GatewaySettings(
        kafka_bootstrap=dead_kafka, jwt_secret=SecretStr(SECRET), publish_timeout_seconds=2
    )
    service = create_app(settings, Downstream(settings, httpx.MockTransport(_down)))
    service.start_in_background()  # as its HTTP app does: it serves while it waits for Kafka
    transport = httpx.ASGITransport(app=service.http)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            ready = await client.get("/ready")
            write = await client.post("/v1/number-requests", json=SPECIFIC, headers=_auth("acme"))
    finally:
        await service.stop()
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"kafka": False, "started": False}
    assert ready.json()["waiting_for"] == ["kafka"]
    assert write.status_code == 503
    assert write.headers["content-type"] == "application/problem+json"
    assert write.json()["code"] == "unavailable"
    assert "not accepted" in write.json()["detail"]
