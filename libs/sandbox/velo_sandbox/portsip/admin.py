"""`/_admin/...`: create tenants, expire tokens, move the clock, drift rules, dump routing."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from velo_sandbox.portsip.config import SandboxConfig
from velo_sandbox.portsip.seed import seed_directory
from velo_sandbox.portsip.store import Doc, Store, Tenant
from velo_sandbox.portsip.tokens import Tokens


def routing_dump(store: Store, tenant: Tenant) -> Doc:
    """Returns the tenant's routing state: pools, inbound rules, caller IDs, outbound rules."""
    visible = [p for p in store.providers.values() if p.visible_to(tenant.id)]
    return {
        "tenant": {"id": tenant.id, "domain": tenant.domain},
        "pools": {
            p.doc["name"]: {
                "provider_id": p.id,
                "shared": p.owner is None,
                "did_numbers": p.pool_of(tenant.id),
            }
            for p in visible
        },
        "inbound_rules": [_inbound(tenant, r) for r in tenant.inbound_rules.values()],
        "caller_ids": {
            u["extension_number"]: u["outbound_caller_ids"]
            for u in tenant.users.values()
            if u["outbound_caller_ids"]
        },
        "outbound_rules": [
            {k: r[k] for k in ("id", "name", "number_prefix", "number_mask", "priority", "routes")}
            for r in tenant.outbound_rules.values()
        ],
    }


def _inbound(tenant: Tenant, rule: Doc) -> Doc:
    forward = rule.get("office_hours_forward_rule") or {}
    number = forward.get("number")
    owner = tenant.extension(str(number)) if number else None
    return {
        "id": rule["id"],
        "name": rule["name"],
        "did_numbers": rule["did_numbers"],
        "provider_id": rule["provider_id"],
        "cid_number_mask": rule.get("cid_number_mask", ""),
        "action": forward.get("action"),
        "destination": forward.get("number"),
        "destination_type": owner[0] if owner else ("EXTERNAL" if number else None),
    }


def portsip_admin_routes(store: Store, tokens: Tokens, config: SandboxConfig) -> list[Route]:
    """Returns the PortSIP-specific admin routes (faults and counters come from faults.py)."""

    def tenant_of(request: Request) -> Tenant | Response:
        tenant = store.tenant_by_domain(request.path_params["domain"])
        return tenant or JSONResponse({"error": "no such tenant"}, status_code=404)

    async def create_tenant(request: Request) -> Response:
        body: dict[str, Any] = await request.json()
        required = ("domain", "admin", "password")
        if not all(isinstance(body.get(k), str) and body[k] for k in required):
            return JSONResponse({"error": "domain, admin and password are required"}, 400)
        if store.tenant_by_domain(body["domain"]):
            return JSONResponse({"error": "a tenant with this domain exists"}, 409)
        domain, admin, password = (str(body[k]) for k in required)
        tenant = store.add_tenant(domain, admin, password, str(body.get("name", "")))
        if body.get("seed", True):
            seed_directory(store, tenant)
        return JSONResponse({"id": tenant.id, "domain": tenant.domain}, 201)

    async def list_tenants(_: Request) -> Response:
        return JSONResponse([{"id": t.id, "domain": t.domain} for t in store.tenants.values()])

    async def expire_tokens(request: Request) -> Response:
        tenant = tenant_of(request)
        if isinstance(tenant, Response):
            return tenant
        return JSONResponse({"expired": tokens.expire_tenant(tenant.id)})

    async def advance_clock(request: Request) -> Response:
        config.clock.advance(float((await request.json())["seconds"]))
        return Response(status_code=204)

    async def routing(request: Request) -> Response:
        tenant = tenant_of(request)
        return tenant if isinstance(tenant, Response) else JSONResponse(routing_dump(store, tenant))

    return [
        Route("/_admin/tenants", create_tenant, methods=["POST"]),
        Route("/_admin/tenants", list_tenants, methods=["GET"]),
        Route("/_admin/tenants/{domain}/expire_tokens", expire_tokens, methods=["POST"]),
        Route("/_admin/tenants/{domain}/routing", routing, methods=["GET"]),
        Route("/_admin/clock/advance", advance_clock, methods=["POST"]),
        *drift_routes(store, tenant_of),
    ]


def drift_routes(store: Store, tenant_of: Any) -> list[Route]:
    """Returns routes that change inbound rules behind the API's back, as a person might."""

    async def rule_of(request: Request) -> tuple[Tenant, Doc] | Response:
        tenant = tenant_of(request)
        if isinstance(tenant, Response):
            return tenant
        rule = tenant.inbound_rules.get(request.path_params["id"])
        return (tenant, rule) if rule else JSONResponse({"error": "no such inbound rule"}, 404)

    async def delete_by_hand(request: Request) -> Response:
        found = await rule_of(request)
        if isinstance(found, Response):
            return found
        del found[0].inbound_rules[found[1]["id"]]
        return Response(status_code=204)

    async def change_by_hand(request: Request) -> Response:
        found = await rule_of(request)
        if isinstance(found, Response):
            return found
        changes = {k: v for k, v in (await request.json()).items() if k != "id"}
        found[1].update(changes)  # unchecked on purpose: a person in the web UI, or a bug
        return JSONResponse(found[1])

    base = "/_admin/tenants/{domain}/inbound_rules/{id}"
    return [
        Route(base + "/destroy", delete_by_hand, methods=["POST"]),
        Route(base, change_by_hand, methods=["POST"]),
    ]
