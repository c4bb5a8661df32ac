"""Every request the client sends and every answer the sandbox gives match PortSIP's OpenAPI."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from velo_portsip import (
    InboundRuleInput,
    OutboundCallerId,
    OutboundRoute,
    OutboundRuleInput,
    PortsipClient,
    ProviderInput,
)

from .conftest import ACME, SPEC_PATH, Sandbox

SPEC_URI = "urn:portsip:openapi"
ERROR_DOCUMENT = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[A-Z_]+$"},
                    "message": {"type": "string"},
                },
            },
        }
    },
}

pytestmark = pytest.mark.skipif(not SPEC_PATH.exists(), reason=f"no OpenAPI subset at {SPEC_PATH}")


@dataclass
class Exchange:
    """One recorded request and its answer."""

    method: str
    path: str
    request: Any
    status: int
    response: Any


class Recorder(httpx.AsyncHTTPTransport):
    """Passes requests to the sandbox and keeps a copy of each exchange."""

    def __init__(self) -> None:
        super().__init__()
        self.exchanges: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        body = await response.aread()
        sent = json.loads(request.content) if request.content else None
        self.exchanges.append(
            Exchange(
                request.method,
                request.url.path,
                sent,
                response.status_code,
                json.loads(body) if body else None,
            )
        )
        return response


def _spec() -> tuple[dict[str, Any], Registry[Any]]:
    spec = json.loads(SPEC_PATH.read_text())
    resource = Resource.from_contents(spec, default_specification=DRAFT202012)
    return spec, Registry().with_resource(SPEC_URI, resource)


def _template(spec: dict[str, Any], method: str, path: str) -> str:
    for template, operations in spec["paths"].items():
        pattern = "^/api" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if method.lower() in operations and re.match(pattern, path):
            literals = [t for t in spec["paths"] if "{" not in t]
            if "{" not in template or not any(re.match(f"^/api{t}$", path) for t in literals):
                return template
    raise AssertionError(f"{method} {path} is not in PortSIP's API")


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _check(spec: dict[str, Any], registry: Registry[Any], exchange: Exchange) -> None:
    template = _template(spec, exchange.method, exchange.path)
    operation = spec["paths"][template][exchange.method.lower()]
    at = _pointer("#", "paths", template, exchange.method.lower())
    if exchange.request is not None and "requestBody" in operation:
        _validate(registry, f"{at}/requestBody/content/application~1json/schema", exchange.request)
    if exchange.status >= 400:
        Draft202012Validator(ERROR_DOCUMENT).validate(exchange.response)
        return
    declared = operation["responses"].get(str(exchange.status))
    assert declared is not None, f"{exchange.method} {template} answered {exchange.status}"
    if "content" in declared:
        _validate(
            registry,
            f"{at}/responses/{exchange.status}/content/application~1json/schema",
            exchange.response,
        )


def _validate(registry: Registry[Any], pointer: str, instance: Any) -> None:
    validator = Draft202012Validator({"$ref": SPEC_URI + pointer}, registry=registry)
    errors = [e for e in validator.iter_errors(instance) if not _ambiguous_one_of(e)]
    assert not errors, f"{pointer}: {errors[0].message}"


def _ambiguous_one_of(error: Any) -> bool:
    # sign_in's `oneOf` has two branches with no required fields, so every object matches both:
    # PortSIP's own answer would fail it. Read it as `anyOf`.
    return bool(error.validator == "oneOf" and "is valid under each of" in error.message)


async def _walk(client: PortsipClient) -> None:
    trunk = await client.providers.find_by_name("DIDWW")
    assert trunk is not None
    await client.providers.add_did(trunk.id, "442071234567")
    await client.providers.get(trunk.id)
    rule_id = await client.inbound_rules.create(
        InboundRuleInput.forwarding("800", name="GB", did="442071234567", provider_id=trunk.id)
    )
    await client.inbound_rules.update(rule_id, InboundRuleInput.forwarding("101"))
    await client.inbound_rules.get(rule_id)
    await client.inbound_rules.list()
    user = await client.users.find_by_extension("101")
    assert user is not None
    await client.users.add_caller_id(
        user.id, OutboundCallerId(provider_id=trunk.id, caller_id="442071234567", preferred=True)
    )
    route = OutboundRoute(provider_id=trunk.id, outbound_caller_id="442071234567")
    out_id = await client.outbound_rules.create(
        OutboundRuleInput(
            name="GB", number_prefix="44", number_mask="101", priority=10, routes=[route]
        )
    )
    await client.outbound_rules.find_by_name("GB")
    await client.directory.extension("800")
    await client.directory.extension("999")
    await client.directory.call_queues()
    await client.directory.ring_groups()
    await client.outbound_rules.destroy(out_id)
    await client.inbound_rules.destroy(rule_id)
    await client.users.remove_caller_id(user.id, "442071234567")
    await client.providers.remove_did(trunk.id, "442071234567")  # reads every usage first
    spare = await client.providers.create(
        ProviderInput(name="Spare", hostname="sip.spare.example", concurrency=1)
    )
    await client.providers.destroy(spare)


async def test_client_and_sandbox_speak_portsips_api(sandbox: Sandbox) -> None:
    spec, registry = _spec()
    recorder = Recorder()
    async with sandbox.client(ACME, transport=recorder) as client:
        await _walk(client)
    assert len(recorder.exchanges) > 60
    for exchange in recorder.exchanges:
        _check(spec, registry, exchange)


async def test_login_answers_match_the_spec(sandbox: Sandbox) -> None:
    spec, registry = _spec()
    recorder = Recorder()
    async with sandbox.client(ACME, auth_mode="login", transport=recorder) as client:
        await client.login()
    sandbox.clock.advance(1790)
    async with sandbox.client(ACME, transport=recorder) as client:
        await client.login()
        sandbox.clock.advance(1790)
        await client.users.list()
    paths = [e.path for e in recorder.exchanges]
    assert paths == ["/api/login", "/api/auth/sign_in", "/api/auth/refresh_token", "/api/users"]
    for exchange in recorder.exchanges:
        _check(spec, registry, exchange)
