"""The tenant's own settings (`/api/tenant`) and the SystemAdmin's tenants (`/api/tenants`)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from velo_sandbox.portsip import rules
from velo_sandbox.portsip.answers import created, detail, ok, page
from velo_sandbox.portsip.bodies import tenants as bodies
from velo_sandbox.portsip.errors import ApiError, invalid
from velo_sandbox.portsip.http import Ctx, bearer
from velo_sandbox.portsip.store import Doc, Store, Tenant
from velo_sandbox.portsip.tokens import Tokens

SUMMARY = ("id", "name", "domain", "enabled")


def tenant_routes(store: Store, tokens: Tokens) -> list[Route]:
    """Returns the routes of the current tenant and of every tenant (SystemAdmin)."""
    authed = bearer(tokens, store)

    def change(tenant: Tenant, body: Doc) -> None:
        fields = dict(body)
        domain = fields.pop("domain", tenant.domain)
        if domain != tenant.domain and store.tenant_by_domain(domain):
            raise invalid(f"domain {domain} is taken", "domain")
        if "outbound_caller_ids" in fields:
            ids = fields["outbound_caller_ids"]
            fields["outbound_caller_ids"] = rules.check_caller_ids(
                store, tenant, ids, preferred=False
            )
        tenant.name, tenant.domain = fields.pop("name", tenant.name), domain
        tenant.settings.update(fields)

    def addressed(ctx: Ctx) -> Tenant:
        ctx.require_system_admin()
        tenant = store.tenants.get(ctx.param("id"))
        if tenant is None:
            raise ApiError(404, "tenant not found")
        return tenant

    @authed
    async def current_tenant(ctx: Ctx) -> Response:
        return detail(ctx.tenant.view())

    @authed
    async def update_current(ctx: Ctx) -> Response:
        change(ctx.tenant, await ctx.body(bodies.TENANT_SETTINGS))
        return ok()

    @authed
    async def list_tenants(ctx: Ctx) -> Response:
        ctx.require_system_admin()
        return page(ctx.request, [t.view() for t in store.tenants.values()], SUMMARY)

    @authed
    async def create_tenant(ctx: Ctx) -> Response:
        ctx.require_system_admin()
        body = await ctx.body(bodies.TENANT)
        if store.tenant_by_domain(body["domain"]):
            raise invalid(f"domain {body['domain']} is taken", "domain")
        tenant = store.add_tenant(body["domain"], "", "", body["name"])
        change(tenant, body)
        return created(tenant.id)

    @authed
    async def get_tenant(ctx: Ctx) -> Response:
        return detail(addressed(ctx).view())

    @authed
    async def update_tenant(ctx: Ctx) -> Response:
        tenant = addressed(ctx)
        change(tenant, await ctx.body(bodies.TENANT_UPDATE))
        return ok()

    return [
        Route("/api/tenant", current_tenant, methods=["GET"]),
        Route("/api/tenant", update_current, methods=["POST"]),
        Route("/api/tenants", list_tenants, methods=["GET"]),
        Route("/api/tenants", create_tenant, methods=["POST"]),
        Route("/api/tenants/{id}", get_tenant, methods=["GET"]),
        Route("/api/tenants/{id}", update_tenant, methods=["POST"]),
    ]
