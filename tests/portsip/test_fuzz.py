"""PortSIP's own OpenAPI drives schemathesis against the sandbox, every operation of the subset.

Valid and invalid requests alike must get no server error, only statuses, headers, content types
and bodies the spec allows, and PortSIP's error document on every refusal. Half of the cases whose
path is valid address objects that exist (a random id reaches nothing past the 404), so detailed
representations, updates and deletes are checked too. Each operation gets a fresh sandbox.

The bounded run (about 1,700 cases, under a minute) generates valid and invalid data at random.
`PORTSIP_FUZZ_COVERAGE=1` adds schemathesis' coverage phase — every field's boundary and
wrong-type values, every missing required field, unexpected methods — about 9,700 cases in all.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance, status_code_conformance
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from velo_sandbox.portsip import SandboxConfig, create_app
from velo_sandbox.portsip.store import Store, Tenant
from velo_sandbox.serve import serve_in_thread

from .conftest import ACME, SPEC_PATH, SYSTEM

if not SPEC_PATH.exists():
    pytest.skip(f"no OpenAPI subset at {SPEC_PATH}", allow_module_level=True)

SPEC = json.loads(SPEC_PATH.read_text())


def _tokenless_where_401_is_undeclared(case: schemathesis.Case, sends_token: bool) -> bool:
    operation = SPEC["paths"][case.path].get(case.method.lower())
    return (
        operation is not None and not sends_token and not {"401", "4XX"} & {*operation["responses"]}
    )


@dataclass(frozen=True)
class SpecException:
    """A check the sandbox is excused from, when, and why."""

    check: Callable[..., Any]
    why: str
    applies: Callable[[schemathesis.Case, bool], bool] = lambda case, sends_token: True


EXCEPTIONS = (
    SpecException(
        positive_data_acceptance,
        "A schema-valid body is not always acceptable to a PBX: a provider_id of no trunk, a DID "
        "outside the pool, a taken extension number or domain are refused with 400 "
        "VALIDATE_FAILED, as PortSIP does; a schema cannot say what exists.",
    ),
    SpecException(
        status_code_conformance,
        "The spec puts every operation behind bearer auth (global `security`), yet five list no "
        "401 (nor 4XX): extension lookup, assignee and applied-group checks (200/404), inbound "
        "rule and provider destroy (204/400). Without a token they answer 401 like the rest.",
        _tokenless_where_401_is_undeclared,
    ),
)
"""The only places where the spec and PortSIP's behaviour part ways, each with its reason."""

SYSTEM_ADMIN_PATHS = ("/tenants", "/tenants/{id}", "/providers/{id}/assignees")
POOL = "442071234500-442071234599"
GB = "442071234567"

COVERAGE = {
    "enabled": os.environ.get("PORTSIP_FUZZ_COVERAGE") == "1",
    "generation": {"mode": "negative"},
}
schema = schemathesis.openapi.from_path(
    SPEC_PATH, config=schemathesis.Config.from_dict({"phases": {"coverage": COVERAGE}})
)


@dataclass
class Target:
    """A sandbox for one operation: its API root, tokens, and the objects cases may address."""

    api: str
    store: Store
    tenant: Tenant
    session: requests.Session = field(default_factory=requests.Session)
    tokens: dict[str, str] = field(default_factory=dict)
    trunks: dict[str, str] = field(default_factory=dict)

    def credentials(self, case: schemathesis.Case) -> dict[str, str]:
        """Returns the bearer token of the role the operation is for (SystemAdmin or tenant
        admin), or none when the case is about a missing or broken token."""
        if case.operation.schema.is_security_param_negated(case):
            return {}
        if case.path == "/auth/sign_out":  # signs its token out: a fresh one each time
            return {"Authorization": f"Bearer {self.sign_in(ACME)}"}
        system = any(case.path.startswith(p) for p in SYSTEM_ADMIN_PATHS)
        return {"Authorization": f"Bearer {self.tokens['system' if system else 'tenant']}"}

    def existing(self, path: str, name: str) -> str | None:
        """Returns the id of an object that exists now for the path parameter, if any."""
        if name == "tenant_id" or path.startswith("/tenants"):
            return self.tenant.id
        if name == "extension_number":
            return "101"
        if name == "group_id":
            return next(iter(self.tenant.user_groups), None)
        if path.startswith("/providers"):
            role = "shared" if "assignees" in path else "spare" if "destroy" in path else "own"
            return self.trunks[role] if self.trunks[role] in self.store.providers else None
        kind = path.split("/")[1]
        return next(iter(getattr(self.tenant, kind, {})), None)

    def sign_in(self, who: tuple[str, str, str]) -> str:
        """Signs in and returns the access token."""
        domain, username, password = who
        body = {"username": username, "password": password} | ({"domain": domain} if domain else {})
        return str(self.post("/auth/sign_in", body, role=None)["access_token"])

    def post(self, path: str, body: dict[str, Any], role: str | None = "tenant") -> Any:
        """POSTs to the API as the tenant admin (or the SystemAdmin, or nobody)."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        answer = self.session.post(f"{self.api}{path}", json=body, headers=headers)
        answer.raise_for_status()
        return answer.json() if answer.content else None


def _furnish(target: Target) -> None:
    """Gives acme a pool, an inbound rule, an outbound rule, a spare trunk and a share of a
    system trunk."""
    trunk = target.trunks["own"] = next(p.id for p in target.store.providers.values() if p.owner)
    target.post(f"/providers/{trunk}", {"did_numbers": POOL})
    forward = {"action": "FORWARD_TO_NUMBER", "number": "800"}
    rule = {"name": "GB", "did_numbers": GB, "provider_id": trunk}
    target.post("/inbound_rules", {**rule, "office_hours_forward_rule": forward})
    route = {"provider_id": trunk, "outbound_caller_id": GB}
    target.post("/outbound_rules", {"name": "GB", "number_prefix": "44", "routes": [route]})
    carrier = {
        "name": "Carrier",
        "transport": "UDP",
        "hostname": "sip.carrier.example",
        "port": 5060,
        "outbound_server": "sip.carrier.example",
        "outbound_server_port": 5060,
        "concurrency": 10,
    }
    target.trunks["spare"] = target.post("/providers", {**carrier, "name": "Spare"})["id"]
    target.trunks["shared"] = shared = target.post("/providers", carrier, "system")["id"]
    assignment = {"did_numbers": "3000-3999"}
    target.post(f"/providers/{shared}/assignees/{target.tenant.id}", assignment, "system")


class Swappable:
    """An ASGI app that passes requests to whichever sandbox is current, so one server serves a
    fresh sandbox to every operation."""

    app: Starlette | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Swappable, str]]:
    """Serves the current sandbox on a real port for the whole module."""
    current = Swappable()
    with serve_in_thread(current) as running:
        yield current, running.url


@pytest.fixture
def target(server: tuple[Swappable, str]) -> Iterator[Target]:
    """A fresh, furnished sandbox (rate limit out of the way) for one operation."""
    current, url = server
    current.app = app = create_app(SandboxConfig(rate_limit_per_minute=10**9))
    store: Store = app.state.store
    found = Target(f"{url}/api", store, next(iter(store.tenants.values())))
    found.session.trust_env = False  # no proxies to look up for every request
    found.tokens = {"tenant": found.sign_in(ACME), "system": found.sign_in(SYSTEM)}
    _furnish(found)
    yield found
    found.session.close()


def portsip_error_document(ctx: Any, response: Any, case: Any) -> None:
    """Every refusal is PortSIP's `{"errors": [{code, message, ...}]}` with an UPPER_SNAKE code."""
    if response.status_code < 400:
        return
    try:
        errors = response.json()["errors"]
    except (ValueError, KeyError, TypeError):
        raise AssertionError(f"{response.status_code} is not PortSIP's error document") from None
    assert isinstance(errors, list) and errors, "an error document lists at least one error"
    for error in errors:
        assert str(error.get("code", "")).replace("_", "").isupper(), f"bad code in {error}"
        assert isinstance(error.get("message"), str), f"no message in {error}"


UNCARRIED = str.maketrans({"?": "%3F", "#": "%23"})
"""What schemathesis leaves raw in a path parameter (negative cases draw `?` now and then): the
request would end the path there and go to another operation."""


def _address(case: schemathesis.Case, target: Target) -> None:
    """Keeps every path parameter inside its segment, and points every other case with a valid
    path at objects that exist (chosen by the generated id)."""
    for name, value in case.path_parameters.items():
        if isinstance(value, str):
            case.path_parameters[name] = value.translate(UNCARRIED)
    components = case.meta.components if case.meta else {}
    if any(where == "path" and info.mode.is_negative for where, info in components.items()):
        return
    for name, value in case.path_parameters.items():
        existing = target.existing(case.path, name)
        if existing and zlib.crc32(str(value).encode()) % 2 == 0:
            case.path_parameters[name] = existing


@schema.parametrize()
@hypothesis.settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_the_sandbox_answers_as_portsips_openapi_says(
    case: schemathesis.Case, target: Target
) -> None:
    _address(case, target)
    credentials = target.credentials(case)
    case.call_and_validate(
        base_url=target.api,
        session=target.session,
        headers=credentials,
        additional_checks=[portsip_error_document],
        excluded_checks=[e.check for e in EXCEPTIONS if e.applies(case, bool(credentials))],
    )
