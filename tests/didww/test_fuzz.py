"""DIDWW's own OpenAPI description drives schemathesis against the sandbox.

Every operation the client uses, and the places endpoints, get valid and invalid requests alike;
none may get a server error, and every answer must be one the description allows: status, content
type, headers, body, and DIDWW's JSON:API error document on each refusal. Half of the valid cases
address objects that exist (a random id reaches nothing past the 404), so reads, updates, deletes,
reservations and orders are checked past their refusals too. Each operation gets a fresh sandbox.

Where the description is wrong or silent, the fuzzer reads it as DIDWW behaves, once, in
`SPEC_EXCEPTIONS` and `EXCLUDED_CHECKS` below.
"""

from __future__ import annotations

import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
import yaml
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from velo_sandbox.didww import SandboxConfig, create_app
from velo_sandbox.didww.crypto import Unsealed
from velo_sandbox.didww.regulation import Regulation
from velo_sandbox.didww.regulation_records import AddressVerification
from velo_sandbox.didww.runtime import Sandbox
from velo_sandbox.serve import serve_in_thread

from .conftest import SPEC_PATH

if not SPEC_PATH.exists():
    pytest.skip(f"no DIDWW API description at {SPEC_PATH}", allow_module_level=True)

FUZZ_KEY = "fuzz-key"
"""An account without a callback secret: the fuzzer's random callback URLs are never called."""
MAX_EXAMPLES = 20
REGULATION_OPERATIONS = {
    ("GET", "/public_keys"),
    ("POST", "/encrypted_files"),
    ("GET", "/encrypted_files"),
    ("GET", "/encrypted_files/{id}"),
    ("DELETE", "/encrypted_files/{id}"),
    ("GET", "/proof_types"),
    ("GET", "/proof_types/{id}"),
    ("GET", "/supporting_document_templates"),
    ("GET", "/supporting_document_templates/{id}"),
    ("POST", "/identities"),
    ("GET", "/identities"),
    ("GET", "/identities/{id}"),
    ("PATCH", "/identities/{id}"),
    ("DELETE", "/identities/{id}"),
    ("POST", "/addresses"),
    ("GET", "/addresses"),
    ("GET", "/addresses/{id}"),
    ("PATCH", "/addresses/{id}"),
    ("DELETE", "/addresses/{id}"),
    ("POST", "/proofs"),
    ("GET", "/proofs"),
    ("GET", "/proofs/{id}"),
    ("PATCH", "/proofs/{id}"),
    ("DELETE", "/proofs/{id}"),
    ("POST", "/permanent_supporting_documents"),
    ("GET", "/permanent_supporting_documents"),
    ("GET", "/permanent_supporting_documents/{id}"),
    ("PATCH", "/permanent_supporting_documents/{id}"),
    ("DELETE", "/permanent_supporting_documents/{id}"),
    ("POST", "/address_requirement_validations"),
    ("POST", "/address_verifications"),
    ("GET", "/address_verifications"),
    ("GET", "/address_verifications/{id}"),
    ("PATCH", "/address_verifications/{id}"),
}
"""Every operation of the Regulation and Address verifications tags."""
OPERATIONS = {
    ("GET", "/balance"),
    ("GET", "/countries"),
    ("GET", "/regions"),
    ("GET", "/regions/{id}"),
    ("GET", "/cities"),
    ("GET", "/cities/{id}"),
    ("GET", "/areas"),
    ("GET", "/areas/{id}"),
    ("GET", "/nanpa_prefixes"),
    ("GET", "/nanpa_prefixes/{id}"),
    ("GET", "/did_group_types"),
    ("GET", "/did_groups"),
    ("GET", "/did_groups/{id}"),
    ("GET", "/available_dids"),
    ("GET", "/available_dids/{id}"),
    ("GET", "/address_requirements"),
    ("GET", "/address_requirements/{id}"),
    ("POST", "/did_reservations"),
    ("GET", "/did_reservations"),
    ("GET", "/did_reservations/{id}"),
    ("DELETE", "/did_reservations/{id}"),
    ("POST", "/orders"),
    ("GET", "/orders"),
    ("GET", "/orders/{id}"),
    ("PATCH", "/orders/{id}"),
    ("DELETE", "/orders/{id}"),
    ("GET", "/dids"),
    ("GET", "/dids/{id}"),
    ("PATCH", "/dids/{id}"),
    ("POST", "/voice_in_trunks"),
    ("GET", "/voice_in_trunks"),
    ("GET", "/voice_in_trunks/{id}"),
    ("PATCH", "/voice_in_trunks/{id}"),
    ("DELETE", "/voice_in_trunks/{id}"),
    *REGULATION_OPERATIONS,
}
"""What the client calls, what the sandbox adds to it, and the places endpoints."""


def _ref_or_null(spec: dict[str, Any]) -> None:
    """`nullable: true` beside a `$ref`: OpenAPI 3.0 ignores a `$ref`'s siblings, so taken
    literally a relationship's `data` could never be null, yet the description says an unset to-one
    relationship is `data: null` and PATCH /dids clears a trunk with `data: null`. Read as meant:
    the referenced schema, or null."""

    def visit(node: Any) -> Any:
        if isinstance(node, list):
            return [visit(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: visit(value) for key, value in node.items()}
        if "$ref" in node and node.get("nullable"):
            rest = {k: v for k, v in node.items() if k not in ("$ref", "nullable")}
            return {"anyOf": [{"$ref": node["$ref"]}], "nullable": True, **rest}
        return node

    spec["components"] = visit(spec["components"])


def _errors_document(spec: dict[str, Any], status: str, why: str, *operations: str) -> None:
    for operation in operations:
        method, path = operation.split(" ")
        responses = spec["paths"][path][method.lower()]["responses"]
        schema = {"$ref": "#/components/schemas/ErrorsDocument"}
        content = {"application/vnd.api+json": {"schema": schema}}
        responses.setdefault(status, {"description": why, "content": content})


WRITES_OF_REGULATION = [
    f"{method} {path}"
    for method, path in sorted(REGULATION_OPERATIONS)
    if method in ("POST", "PATCH") and path != "/encrypted_files"
]
"""Regulation writes: their descriptions list 422 on some creations only (POST /addresses and
POST /permanent_supporting_documents list none, no update lists one) and 400 on none, yet they
refuse a malformed document and a value they do not take as every other write does."""


def _malformed_bodies_answer_400(spec: dict[str, Any]) -> None:
    """A body that is no JSON:API document of the operation's type (no `data`, `data` not an
    object, another `type`, an `id` not the URL's, `attributes` or a relationship of the wrong
    shape, an attribute the operation does not take) is refused by jsonapi-resources, DIDWW's
    framework, with 400 and its codes 101/105/106/110/115/122. The description lists 400 only on
    POST /orders and POST /voice_in_trunks."""
    _errors_document(
        spec,
        "400",
        "malformed request document",
        "POST /did_reservations",
        "PATCH /dids/{id}",
        "PATCH /orders/{id}",
        "PATCH /voice_in_trunks/{id}",
        *WRITES_OF_REGULATION,
    )


def _no_sparse_fieldsets(spec: dict[str, Any]) -> None:
    """`fields[<type>]` prunes attributes and relationships, which the description's response
    schemas still require ("The response schemas in this document describe the full, unpruned
    set"), so the fuzzer sends none; test_strictness checks sparse fieldsets instead."""
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "parameters" in operation:
                operation["parameters"] = [
                    p for p in operation["parameters"] if not p.get("$ref", "").endswith("Fields")
                ]


def _bad_includes_answer_400(spec: dict[str, Any]) -> None:
    """Reads of one resource take `include` like their collections, and refuse a relationship
    they do not have with the same 400 (code 112); the description lists no 400 on them."""
    reads = [f"GET {path}" for path, item in spec["paths"].items() if path.endswith("{id}")]
    reads = [read for read in reads if tuple(read.split(" ")) in OPERATIONS]
    _errors_document(spec, "400", "malformed request: an include it does not have", *reads)


def _refusals_answer_422(spec: dict[str, Any]) -> None:
    """Validation refusals are 422 `<attribute> - <message>` everywhere, including where the
    description lists none: POST /orders (DIDWW's own `items/0/qty - exceeds available DIDs count`
    and `items/0/sku_id - is invalid`), PATCH /orders/{id} and PATCH /voice_in_trunks/{id} (the
    same rules as on creation, which lists 422), DELETE /orders/{id} (its own description: a
    cancellation DIDWW cannot make 'answers 422')."""
    _errors_document(
        spec,
        "422",
        "validation failed",
        "POST /orders",
        "PATCH /orders/{id}",
        "PATCH /voice_in_trunks/{id}",
        "DELETE /orders/{id}",
        *WRITES_OF_REGULATION,
    )


def _public_keys_are_public(spec: dict[str, Any]) -> None:
    """GET /public_keys answers without an api-key: DIDWW's own encryption tools read the keys
    before any account is involved; the description leaves the API's global security on it."""
    spec["paths"]["/public_keys"]["get"]["security"] = []


SPEC_EXCEPTIONS: list[Callable[[dict[str, Any]], None]] = [
    _ref_or_null,
    _public_keys_are_public,
    _no_sparse_fieldsets,
    _malformed_bodies_answer_400,
    _bad_includes_answer_400,
    _refusals_answer_422,
]
"""Where DIDWW's description is wrong or silent, each read once as DIDWW behaves."""
EXCLUDED_CHECKS = {
    positive_data_acceptance: (
        "A schema-valid request is not always one DIDWW accepts, and the schema cannot say which: "
        "an id of nothing (404, or 422 for a SKU, a number or a reservation), a number somebody "
        "took, a trunk name already used, more numbers than the balance covers (400 Insufficient "
        "funds), number_contains under 3 digits, a filter the endpoint does not have (the "
        "description types `filter` as an open object) all answer as the description lists."
    ),
}
"""Checks left out, and why."""


def _load_schema() -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(SPEC_PATH.read_text(), Loader=loader)
    for read_as_didww_behaves in SPEC_EXCEPTIONS:
        read_as_didww_behaves(spec)
    config = schemathesis.Config.from_dict(
        {"seed": 2026, "auth": {"openapi": {"api_key": {"api_key": FUZZ_KEY}}}}
    )
    loaded = schemathesis.openapi.from_dict(spec, config=config)
    return loaded.include(
        lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in OPERATIONS
    )


schema = _load_schema()


@dataclass
class Target:
    """A sandbox for one operation, and one existing object of each kind a case may address."""

    api: str
    existing: dict[str, str]
    """First path segment -> id of an object of that kind."""
    free_number: Callable[[], str]
    sku: str


def _post(api: str, path: str, data: dict[str, Any]) -> str:
    answer = httpx.post(f"{api}{path}", json={"data": data}, headers={"Api-Key": FUZZ_KEY})
    answer.raise_for_status()
    return str(answer.json()["data"]["id"])


def _furnish(api: str, sandbox: Sandbox) -> Target:
    """Gives the fuzz account a reservation, a pending order, a DID and a trunk."""
    catalog = sandbox.state.catalog
    berlin = next(g for g in catalog.groups if g.area_name == "Berlin")
    numbers = sandbox.state.free_numbers(berlin.id)
    sku = berlin.skus[0].id
    linkage = {"available_did": {"data": {"type": "available_dids", "id": numbers[0].id}}}
    item = {"type": "did_order_items", "attributes": {"sku_id": sku, "qty": 1}}
    sip = {"type": "sip_configurations", "attributes": {"host": "pbx.example"}}
    existing = {
        "did_groups": berlin.id,
        "available_dids": numbers[1].id,
        "address_requirements": catalog.requirements[0].id,
        "regions": catalog.places.regions[0].id,
        "cities": next(iter(catalog.places.cities.values())).id,
        "areas": catalog.places.areas[0].id,
        "nanpa_prefixes": catalog.nanpa_prefixes[0].id,
        "dids": sandbox.state.deliver(FUZZ_KEY, numbers[2], None).id,
        "did_reservations": _post(
            api, "/did_reservations", {"type": "did_reservations", "relationships": linkage}
        ),
        "orders": _post(api, "/orders", {"type": "orders", "attributes": {"items": [item]}}),
        "voice_in_trunks": _post(
            api,
            "/voice_in_trunks",
            {"type": "voice_in_trunks", "attributes": {"name": "pbx", "configuration": sip}},
        ),
    }
    existing |= _furnish_regulation(api, sandbox, existing["dids"])
    return Target(api, existing, lambda: sandbox.state.free_numbers(berlin.id)[0].id, sku)


def _furnish_regulation(api: str, sandbox: Sandbox, did_id: str) -> dict[str, str]:
    """Gives the fuzz account a staged file, an identity with an address, a proof, a permanent
    document and an address verification."""
    catalog = sandbox.state.catalog
    regulation = Regulation(sandbox.state)
    germany = next(c for c in catalog.countries if c.iso == "DE").id
    staged = [
        regulation.stage(
            FUZZ_KEY, Unsealed(3, "0" * 64, "application/pdf"), "application/pdf", None
        )
        for _ in range(3)
    ]
    identity = _post(
        api,
        "/identities",
        {
            "type": "identities",
            "attributes": {
                "identity_type": "personal",
                "first_name": "J",
                "last_name": "D",
                "phone_number": "49",
            },
        },
    )
    address = _post(
        api,
        "/addresses",
        {
            "type": "addresses",
            "attributes": {"address": "Street 1", "city_name": "Berlin", "postal_code": "10117"},
            "relationships": {
                "identity": {"data": {"type": "identities", "id": identity}},
                "country": {"data": {"type": "countries", "id": germany}},
            },
        },
    )
    passport = next(p for p in catalog.proof_types if p.name == "Passport")
    template = next(t for t in catalog.templates if t.permanent)
    files = {"data": [{"type": "encrypted_files", "id": staged[1].id}]}
    proof = _post(
        api,
        "/proofs",
        {
            "type": "proofs",
            "relationships": {
                "proof_type": {"data": {"type": "proof_types", "id": passport.id}},
                "entity": {"data": {"type": "identities", "id": identity}},
                "files": files,
            },
        },
    )
    document = _post(
        api,
        "/permanent_supporting_documents",
        {
            "type": "permanent_supporting_documents",
            "relationships": {
                "template": {"data": {"type": "supporting_document_templates", "id": template.id}},
                "identity": {"data": {"type": "identities", "id": identity}},
                "files": {"data": [{"type": "encrypted_files", "id": staged[2].id}]},
            },
        },
    )
    verification = AddressVerification(
        id=str(uuid.uuid4()),
        api_key=FUZZ_KEY,
        reference="AV-100000",
        address_id=address,
        did_ids=[did_id],
        created_at=sandbox.state.clock.now(),
    )
    regulation.records.verifications[verification.id] = verification
    return {
        "encrypted_files": staged[0].id,
        "proof_types": passport.id,
        "supporting_document_templates": template.id,
        "identities": identity,
        "addresses": address,
        "proofs": proof,
        "permanent_supporting_documents": document,
        "address_verifications": verification.id,
    }


@pytest.fixture
def target() -> Iterator[Target]:
    """Serves a fresh, furnished sandbox (no rate limit, orders wait) for one operation."""
    config = SandboxConfig(
        accounts={FUZZ_KEY: Decimal("1000000.00")},
        callback_secrets={},
        order_delay=3600,
        rate_limit=None,
    )
    app = create_app(config)
    with serve_in_thread(app) as server:
        yield _furnish(f"{server.url}/v3", app.state.sandbox)


def _address_existing_objects(case: schemathesis.Case, target: Target) -> None:
    """Points every other case with a valid path at an object that exists (chosen by a hash of
    the case), and every other valid reservation or order at a free number or a real SKU."""
    meta = case.meta
    if meta is None or meta.is_negative_at(ParameterLocation.PATH):
        return
    if zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode()) % 2:
        return
    kind = case.path.split("/")[1]
    data = case.body.get("data") if isinstance(case.body, dict) else None
    if case.path_parameters:
        case.path_parameters["id"] = target.existing[kind]
        meta.mark_dirty(ParameterLocation.PATH)
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            data["id"] = target.existing[kind]
            meta.mark_dirty(ParameterLocation.BODY)
    elif isinstance(data, dict) and not meta.is_negative_at(ParameterLocation.BODY):
        if kind == "did_reservations":
            linkage = {"type": "available_dids", "id": target.free_number()}
            data["relationships"] = {"available_did": {"data": linkage}}
        elif kind == "orders":
            _order_one_of_a_real_sku(data["attributes"], target.sku)
        meta.mark_dirty(ParameterLocation.BODY)


def _order_one_of_a_real_sku(attributes: dict[str, Any], sku: str) -> None:
    for item in attributes["items"]:
        if item["type"] == "did_order_items":
            item["attributes"] = {"sku_id": sku, "qty": 1}
    if "callback_url" in attributes:
        attributes["callback_url"] = "http://127.0.0.1:9/didww"


def didww_error_document(ctx: Any, response: Any, case: Any) -> None:
    """Every refusal is DIDWW's JSON:API errors document, its status a string equal to HTTP's."""
    if response.status_code < 400:
        return
    try:
        errors = response.json()["errors"]
    except (ValueError, KeyError, TypeError):
        raise AssertionError(f"{response.status_code} is not a JSON:API errors document") from None
    assert isinstance(errors, list) and errors, "an errors document lists at least one error"
    for error in errors:
        assert error.get("status") == str(response.status_code), f"status of {error}"
        assert all(isinstance(error.get(k), str) for k in ("title", "detail", "code")), error


TALLY: Counter[str] = Counter()
"""Cases sent, per operation and status class: the run's figures, printed at the end."""


@pytest.fixture(scope="module", autouse=True)
def fuzz_report() -> Iterator[None]:
    """Prints how many cases each operation got and how they were answered (`pytest -s`)."""
    yield
    operations = {key.split(" -> ")[0] for key in TALLY}
    print(f"\nDIDWW fuzz: {len(operations)} operations, {sum(TALLY.values())} cases")
    for key, count in sorted(TALLY.items()):
        print(f"  {key}: {count}")


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_the_sandbox_answers_as_didwws_api_description_says(
    case: schemathesis.Case, target: Target
) -> None:
    _address_existing_objects(case, target)
    response = case.call_and_validate(
        base_url=target.api,
        additional_checks=[didww_error_document],
        excluded_checks=list(EXCLUDED_CHECKS),
    )
    TALLY[f"{case.operation.label} -> {response.status_code}"] += 1
