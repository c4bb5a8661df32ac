"""The sandbox's request-body declarations are PortSIP's own, field by field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from velo_sandbox.portsip.bodies import auth, directory, routing, tenants, trunks
from velo_sandbox.portsip.schema import BODY_REQUIRED, Schema

from .conftest import SPEC_PATH

pytestmark = pytest.mark.skipif(not SPEC_PATH.exists(), reason=f"no OpenAPI subset at {SPEC_PATH}")

DECLARED: dict[str, Schema] = {
    "POST /auth/sign_in": auth.CREDENTIALS,
    "POST /login": auth.CREDENTIALS,
    "POST /auth/refresh_token": auth.REFRESH,
    "POST /tenants": tenants.TENANT,
    "POST /tenants/{id}": tenants.TENANT_UPDATE,
    "POST /tenant": tenants.TENANT_SETTINGS,
    "POST /users": directory.USER,
    "POST /users/{id}": directory.USER_UPDATE,
    "POST /call_queues": directory.CALL_QUEUE,
    "POST /call_queues/{id}": directory.CALL_QUEUE_UPDATE,
    "POST /call_queues/{id}/agents": directory.AGENTS,
    "POST /ring_groups": directory.RING_GROUP,
    "POST /ring_groups/{id}": directory.RING_GROUP_UPDATE,
    "POST /inbound_rules": routing.INBOUND_RULE,
    "POST /inbound_rules/{id}": routing.INBOUND_RULE_UPDATE,
    "POST /outbound_rules": routing.OUTBOUND_RULE,
    "POST /outbound_rules/{id}": routing.OUTBOUND_RULE_UPDATE,
    "POST /providers": trunks.PROVIDER,
    "POST /providers/{id}": trunks.PROVIDER_UPDATE,
    "POST /providers/{id}/assignees/{tenant_id}": trunks.ASSIGNMENT,
}
ANNOTATIONS = {"description", "example", "examples", "default", "readOnly", "writeOnly", "title"}


def _request_bodies() -> dict[str, Any]:
    spec = json.loads(SPEC_PATH.read_text())
    return {
        f"{method.upper()} {path}": operation["requestBody"]
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }


def _bodies() -> dict[str, Any]:
    return {k: v["content"]["application/json"]["schema"] for k, v in _request_bodies().items()}


def _plain(schema: Any) -> Any:
    """Returns schema without annotations, `allOf` merged in, `required` sorted."""
    if isinstance(schema, list):
        return [_plain(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    skipped = ANNOTATIONS | {"allOf", BODY_REQUIRED}
    plain = {k: _plain(v) for k, v in schema.items() if k not in skipped}
    for part in schema.get("allOf", []):
        for key, value in _plain(part).items():
            if key == "properties":
                plain.setdefault("properties", {}).update(value)
            elif key == "required":
                plain["required"] = [*plain.get("required", []), *value]
            else:
                plain.setdefault(key, value)
    if "required" in plain:
        plain["required"] = sorted(plain["required"])
    return plain


def _differences(ours: Any, theirs: Any, at: str = "") -> list[str]:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        keys = sorted(set(ours) | set(theirs))
        return [d for k in keys for d in _differences(ours.get(k), theirs.get(k), f"{at}/{k}")]
    return [] if ours == theirs else [f"{at}: sandbox {ours!r}, PortSIP {theirs!r}"]


def test_every_request_body_of_the_spec_is_declared() -> None:
    assert sorted(_bodies()) == sorted(DECLARED)


@pytest.mark.parametrize("operation", sorted(DECLARED))
def test_the_declaration_is_portsips(operation: str) -> None:
    assert _differences(_plain(DECLARED[operation]), _plain(_bodies()[operation])) == []


@pytest.mark.parametrize("operation", sorted(DECLARED))
def test_a_body_the_spec_requires_cannot_be_left_out(operation: str) -> None:
    required = bool(_request_bodies()[operation].get("required"))
    assert bool(DECLARED[operation].get(BODY_REQUIRED)) == required
