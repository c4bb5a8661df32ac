"""Malformed bodies and parameters get DIDWW's JSON:API error documents (400/422), never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from velo_sandbox.didww.runtime import Sandbox

HEADERS = {"Api-Key": "sandbox-acme-key", "Content-Type": "application/vnd.api+json"}
SIP = {"type": "sip_configurations", "attributes": {"host": "pbx.example", "port": 5060}}


def _errors(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.headers["content-type"] == "application/vnd.api+json"
    entries = response.json()["errors"]
    assert entries and all(e["status"] == str(response.status_code) for e in entries)
    return entries


def _number_id(sandbox: Sandbox) -> str:
    return next(n.id for n in sandbox.state.available_numbers() if n.group.available_dids_enabled)


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"type": "did_reservations", "relationships": {"available_did": "x"}}, 400, "115"),
        ([{"type": "did_reservations"}], 400, "106"),
        ({"type": "did_reservations", "attributes": "x"}, 400, "122"),
        ({"type": "did_reservations", "relationships": "x"}, 400, "122"),
        ({"type": "dids", "relationships": {}}, 400, "101"),
        ({"type": "did_reservations", "relationships": {"available_did": {"data": 7}}}, 400, "115"),
        ({"type": "did_reservations", "relationships": {"bogus": {"data": None}}}, 400, "105"),
        ({"type": "did_reservations", "relationships": {}}, 422, "100"),
    ],
)
async def test_a_malformed_reservation_body_gets_a_json_api_error(
    http: httpx.AsyncClient, data: Any, status: int, code: str
) -> None:
    response = await http.post("/v3/did_reservations", json={"data": data}, headers=HEADERS)
    assert response.status_code == status
    assert _errors(response)[0]["code"] == code


async def test_a_reservation_naming_another_type_or_a_bad_description_is_refused(
    http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    linkage = {"data": {"type": "dids", "id": _number_id(sandbox)}}
    body = {"data": {"type": "did_reservations", "relationships": {"available_did": linkage}}}
    wrong_type = await http.post("/v3/did_reservations", json=body, headers=HEADERS)
    assert wrong_type.status_code == 422
    assert _errors(wrong_type)[0]["source"]["pointer"] == "/data/relationships/available_did"
    linkage["data"]["type"] = "available_dids"
    body["data"]["attributes"] = {"description": 42}
    bad_note = await http.post("/v3/did_reservations", json=body, headers=HEADERS)
    assert bad_note.status_code == 422
    assert _errors(bad_note)[0]["detail"] == "description - must be a string"


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"priority": -1}, "/data/attributes/priority"),
        ({"weight": 70000}, "/data/attributes/weight"),
        ({"priority": "1"}, "/data/attributes/priority"),
        ({"capacity_limit": True}, "/data/attributes/capacity_limit"),
        ({"configuration": {**SIP, "attributes": {"port": "5060"}}}, None),
        ({"configuration": {**SIP, "attributes": {"port": 0}}}, None),
        ({"configuration": {**SIP, "attributes": {"codec_ids": [[9]]}}}, None),
        ({"configuration": {**SIP, "attributes": {"transport_protocol_id": 4}}}, None),
        ({"configuration": {**SIP, "attributes": {"media_encryption_mode": "rot13"}}}, None),
        ({"configuration": {"type": "h323_configurations", "attributes": {}}}, None),
        ({"configuration": None}, None),
    ],
)
async def test_a_trunk_configuration_breaking_the_schema_is_refused_with_422(
    http: httpx.AsyncClient, attributes: dict[str, Any], pointer: str | None
) -> None:
    sent = {"name": "pbx", "configuration": SIP, **attributes}
    body = {"data": {"type": "voice_in_trunks", "attributes": sent}}
    response = await http.post("/v3/voice_in_trunks", json=body, headers=HEADERS)
    assert response.status_code == 422, response.text
    [error] = _errors(response)
    assert error["code"] == "100"
    assert error["source"]["pointer"].startswith(pointer or "/data/attributes/configuration")
    listed = await http.get("/v3/voice_in_trunks", headers=HEADERS)
    assert listed.json()["data"] == []


async def test_a_trunk_update_breaking_the_schema_leaves_the_trunk_as_it_was(
    http: httpx.AsyncClient,
) -> None:
    body = {
        "data": {"type": "voice_in_trunks", "attributes": {"name": "pbx", "configuration": SIP}}
    }
    trunk = (await http.post("/v3/voice_in_trunks", json=body, headers=HEADERS)).json()["data"]
    bad = {"priority": -5, "configuration": {**SIP, "attributes": {"port": -1}}}
    patch = {"data": {"type": "voice_in_trunks", "id": trunk["id"], "attributes": bad}}
    url = f"/v3/voice_in_trunks/{trunk['id']}"
    assert (await http.patch(url, json=patch, headers=HEADERS)).status_code == 422
    unchanged = (await http.get(url, headers=HEADERS)).json()["data"]["attributes"]
    assert unchanged["priority"] == 1 and unchanged["configuration"]["attributes"]["port"] == 5060


async def test_an_unknown_trunk_attribute_is_a_param_not_allowed(http: httpx.AsyncClient) -> None:
    sent = {"name": "pbx", "configuration": SIP, "colour": "blue"}
    body = {"data": {"type": "voice_in_trunks", "attributes": sent}}
    response = await http.post("/v3/voice_in_trunks", json=body, headers=HEADERS)
    assert response.status_code == 400 and _errors(response)[0]["code"] == "105"


async def test_a_pstn_trunk_forwards_to_a_number(http: httpx.AsyncClient) -> None:
    pstn = {"type": "pstn_configurations", "attributes": {"dst": "442037691880"}}
    body = {
        "data": {"type": "voice_in_trunks", "attributes": {"name": "fwd", "configuration": pstn}}
    }
    response = await http.post("/v3/voice_in_trunks", json=body, headers=HEADERS)
    assert response.status_code == 201
    assert response.json()["data"]["attributes"]["configuration"] == pstn


@pytest.mark.parametrize(
    ("attributes", "status"),
    [
        ({"items": "x"}, 422),
        ({"items": [{"type": "did_order_items", "attributes": {"qty": [1]}}]}, 422),
        ({"items": [{"type": "did_order_items", "attributes": {"sku_id": {}}}]}, 422),
        ({"items": [{"type": "did_order_items", "attributes": {"colour": 1}}]}, 400),
        ({"items": [7]}, 422),
        ({"items": [], "callback_url": "not a url"}, 422),
        ({"items": [], "allow_back_ordering": "yes"}, 422),
    ],
)
async def test_a_malformed_order_is_refused_before_anything_is_charged(
    http: httpx.AsyncClient, sandbox: Sandbox, attributes: dict[str, Any], status: int
) -> None:
    body = {"data": {"type": "orders", "attributes": attributes}}
    response = await http.post("/v3/orders", json=body, headers=HEADERS)
    assert response.status_code == status
    _errors(response)
    assert sandbox.state.records.orders == {}


async def test_a_did_update_with_wrong_types_is_refused(
    http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    did = sandbox.state.deliver("sandbox-acme-key", sandbox.state.catalog.numbers[0], None)
    url = f"/v3/dids/{did.id}"
    for attributes in ({"capacity_limit": "ten"}, {"terminated": "yes"}, {"description": 5}):
        body = {"data": {"type": "dids", "id": did.id, "attributes": attributes}}
        assert (await http.patch(url, json=body, headers=HEADERS)).status_code == 422
    other_id = {"data": {"type": "dids", "id": "someone-else", "attributes": {}}}
    response = await http.patch(url, json=other_id, headers=HEADERS)
    assert response.status_code == 400 and _errors(response)[0]["code"] == "110"
    assert not did.terminated and did.capacity_limit is None


async def test_an_unsupported_method_answers_405_naming_the_allowed_ones(
    http: httpx.AsyncClient,
) -> None:
    response = await http.put("/v3/orders", headers=HEADERS)
    assert response.status_code == 405 and response.headers["allow"] == "GET, POST"
    _errors(response)
    options = await http.options("/v3/voice_in_trunks/x", headers=HEADERS)
    assert options.status_code == 204 and options.headers["allow"] == "GET, PATCH, DELETE"
    assert (await http.put("/v3/nowhere", headers=HEADERS)).status_code == 404


async def test_collections_sort_by_the_documented_fields_and_refuse_others(
    http: httpx.AsyncClient,
) -> None:
    names = [c["attributes"]["name"] for c in await _all(http, "/v3/cities?sort=-name")]
    assert names == sorted(names, reverse=True) and len(names) > 30
    groups = await _all(http, "/v3/did_groups?sort=-is_metered,prefix&page[size]=200")
    keys = [(not g["attributes"]["is_metered"], g["attributes"]["prefix"]) for g in groups]
    assert keys == sorted(keys) and groups[0]["attributes"]["is_metered"]
    isos = [c["attributes"]["iso"] for c in await _all(http, "/v3/countries?sort=-iso")]
    assert isos == sorted(isos, reverse=True)
    for url in ("/v3/cities?sort=population", "/v3/orders?sort=-colour", "/v3/dids?sort="):
        refused = await http.get(url, headers=HEADERS)
        assert refused.status_code == 400 and _errors(refused)[0]["code"] == "114"


async def _all(http: httpx.AsyncClient, url: str) -> list[dict[str, Any]]:
    response = await http.get(url, headers=HEADERS)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_sparse_fieldsets_keep_only_the_fields_asked_for(http: httpx.AsyncClient) -> None:
    [germany] = await _all(http, "/v3/countries?filter[iso]=DE&fields[countries]=name,iso")
    assert germany["attributes"] == {"name": "Germany", "iso": "DE"}
    assert germany.get("relationships", {}) == {}
    url = "/v3/did_groups?filter[area_name]=Berlin&include=country&fields[countries]=iso"
    document = (await http.get(url, headers=HEADERS)).json()
    [country] = document["included"]
    assert country["attributes"] == {"iso": "DE"}
    assert "prefix" in document["data"][0]["attributes"]
    refused = await http.get("/v3/countries?fields[countries]=colour", headers=HEADERS)
    assert refused.status_code == 400 and _errors(refused)[0]["code"] == "104"
