"""Every sandbox response the client relies on validates against DIDWW's own OpenAPI document."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from velo_sandbox.didww.runtime import Sandbox

from .conftest import SPEC_PATH as SPEC

HEADERS = {"Api-Key": "sandbox-acme-key"}
MISSING = "00000000-0000-4000-8000-000000000000"
pytestmark = pytest.mark.skipif(not SPEC.exists(), reason=f"{SPEC} not present")


def _nullable(node: Any) -> Any:
    """Translates OpenAPI 3.0 `nullable: true` into JSON Schema."""
    if isinstance(node, list):
        return [_nullable(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _nullable(v) for k, v in node.items()}
    if node.pop("nullable", False):
        if "$ref" in node:
            return {"anyOf": [{"$ref": node.pop("$ref")}, {"type": "null"}], **node}
        if "type" in node:
            node["type"] = [node["type"], "null"]
    return node


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return _nullable(yaml.load(SPEC.read_text(), Loader=loader))  # type: ignore[no-any-return]


def _validator(spec: dict[str, Any], path: str, method: str, status: int) -> Draft202012Validator:
    response = spec["paths"][path][method]["responses"][str(status)]
    schema = response["content"]["application/vnd.api+json"]["schema"]
    registry = Registry().with_resource("urn:didww", Resource.opaque(spec))
    ref = {"$ref": "urn:didww" + schema["$ref"]}
    return Draft202012Validator(ref, registry=registry)


async def _setup(http: httpx.AsyncClient, sandbox: Sandbox) -> dict[str, str]:
    """Creates one of everything; returns ids to put in the walked URLs."""
    group = next(g for g in sandbox.state.catalog.groups if g.area_name == "Berlin")
    numbers = [n for n in sandbox.state.available_numbers() if n.group is group]
    reservation = sandbox.state.reserve("sandbox-acme-key", numbers[0].id, None)
    body = {
        "data": {
            "type": "orders",
            "attributes": {
                "external_reference_id": "s",
                "items": [
                    {
                        "type": "did_order_items",
                        "attributes": {"sku_id": group.skus[0].id, "qty": 1},
                    }
                ],
            },
        }
    }
    order = (await http.post("/v3/orders", json=body, headers=HEADERS)).json()["data"]
    await http.post("/_admin/orders/complete")
    trunk_body = {
        "data": {
            "type": "voice_in_trunks",
            "attributes": {
                "name": "t",
                "configuration": {
                    "type": "sip_configurations",
                    "attributes": {"host": "h.example", "username": "u"},
                },
            },
        }
    }
    trunk = (await http.post("/v3/voice_in_trunks", json=trunk_body, headers=HEADERS)).json()[
        "data"
    ]
    did = sandbox.state.dids("sandbox-acme-key")[0]
    return {
        "group": group.id,
        "number": numbers[-1].id,
        "reservation": reservation.id,
        "order": order["id"],
        "trunk": trunk["id"],
        "did": did.id,
        "requirement": sandbox.state.catalog.requirements[0].id,
    }


# (method, spec path, concrete URL template, expected status)
WALK = [
    ("get", "/countries", "/v3/countries?include=regions", 200),
    ("get", "/did_group_types", "/v3/did_group_types", 200),
    (
        "get",
        "/did_groups",
        "/v3/did_groups?include=country,did_group_type,stock_keeping_units,"
        "address_requirement&page[size]=20",
        200,
    ),
    ("get", "/did_groups/{id}", "/v3/did_groups/{group}?include=stock_keeping_units", 200),
    ("get", "/did_groups/{id}", f"/v3/did_groups/{MISSING}", 404),
    (
        "get",
        "/available_dids",
        "/v3/available_dids?filter[number_contains]=4930"
        "&include=did_group.stock_keeping_units,did_group.address_requirement",
        200,
    ),
    ("get", "/available_dids", "/v3/available_dids?filter[number_contains]=49", 400),
    ("get", "/available_dids/{id}", "/v3/available_dids/{number}?include=did_group", 200),
    ("get", "/did_reservations", "/v3/did_reservations?include=available_did", 200),
    ("get", "/did_reservations/{id}", "/v3/did_reservations/{reservation}", 200),
    ("get", "/orders", "/v3/orders?filter[external_reference_id]=s", 200),
    ("get", "/orders/{id}", "/v3/orders/{order}", 200),
    ("get", "/orders/{id}", f"/v3/orders/{MISSING}", 404),
    ("get", "/dids", "/v3/dids?include=did_group,order,voice_in_trunk", 200),
    ("get", "/dids", "/v3/dids?filter[bogus]=1", 400),
    ("get", "/dids/{id}", "/v3/dids/{did}?include=order", 200),
    ("get", "/voice_in_trunks", "/v3/voice_in_trunks", 200),
    ("get", "/voice_in_trunks/{id}", "/v3/voice_in_trunks/{trunk}", 200),
    ("get", "/address_requirements", "/v3/address_requirements?include=country", 200),
    ("get", "/address_requirements/{id}", "/v3/address_requirements/{requirement}", 200),
    ("get", "/balance", "/v3/balance", 200),
]


async def test_every_walked_read_matches_the_schema(
    spec: dict[str, Any], http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    ids = await _setup(http, sandbox)
    for method, path, template, status in WALK:
        response = await http.request(method, template.format(**ids), headers=HEADERS)
        assert response.status_code == status, (template, response.text)
        _validator(spec, path, method, status).validate(response.json())


async def test_every_write_and_error_matches_the_schema(
    spec: dict[str, Any], http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    ids = await _setup(http, sandbox)
    reserve = {
        "data": {
            "type": "did_reservations",
            "relationships": {
                "available_did": {"data": {"type": "available_dids", "id": ids["number"]}}
            },
        }
    }
    patch_did = {
        "data": {
            "type": "dids",
            "id": ids["did"],
            "relationships": {
                "voice_in_trunk": {"data": {"type": "voice_in_trunks", "id": ids["trunk"]}}
            },
        }
    }
    terminate = {"data": {"type": "dids", "id": ids["did"], "attributes": {"terminated": True}}}
    patch_trunk = {
        "data": {"type": "voice_in_trunks", "id": ids["trunk"], "attributes": {"description": "x"}}
    }
    calls = [
        ("post", "/did_reservations", "/v3/did_reservations", reserve, 201),
        ("post", "/did_reservations", "/v3/did_reservations", reserve, 422),
        ("patch", "/dids/{id}", f"/v3/dids/{ids['did']}", patch_did, 200),
        ("patch", "/dids/{id}", f"/v3/dids/{ids['did']}", terminate, 200),
        ("patch", "/voice_in_trunks/{id}", f"/v3/voice_in_trunks/{ids['trunk']}", patch_trunk, 200),
        ("get", "/balance", "/v3/balance", None, 401),
    ]
    for method, path, url, body, status in calls:
        headers = HEADERS if status != 401 else {"Api-Key": "wrong"}
        response = await http.request(method, url, json=body, headers=headers)
        assert response.status_code == status, (url, response.text)
        _validator(spec, path, method, status).validate(response.json())


async def test_order_placement_matches_the_schema(
    spec: dict[str, Any], http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    ids = await _setup(http, sandbox)
    group = sandbox.state.catalog.by_id[ids["group"]]
    body = {
        "data": {
            "type": "orders",
            "attributes": {
                "items": [
                    {
                        "type": "did_order_items",
                        "attributes": {
                            "sku_id": group.skus[0].id,
                            "available_did_id": ids["number"],
                        },
                    }
                ]
            },
        }
    }
    response = await http.post("/v3/orders", json=body, headers=HEADERS)
    assert response.status_code == 201
    _validator(spec, "/orders", "post", 201).validate(response.json())
    sandbox.state.records.accounts["sandbox-acme-key"].balance *= 0
    refused = await http.post("/v3/orders", json=body, headers=HEADERS)
    assert refused.status_code == 422
    _validator(spec, "/orders/{id}", "get", 404).validate(refused.json())  # an ErrorsDocument
    assert (
        await http.delete(f"/v3/did_reservations/{ids['reservation']}", headers=HEADERS)
    ).status_code == 204
