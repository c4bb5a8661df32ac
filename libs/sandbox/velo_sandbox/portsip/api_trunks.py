"""`/api/providers` and their assignees: trunks and the DID pools they give each tenant.

A tenant admin manages the pool of a trunk the tenant owns (`did_numbers` on the provider); a shared
trunk's per-tenant pool is set by the SystemAdmin through `/providers/{id}/assignees/{tenant_id}`.
A pool never shrinks below the numbers the tenant's rules and caller IDs use (see `usage.py`).
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from velo_sandbox.portsip import pools
from velo_sandbox.portsip.answers import created, detail, export, no_content, ok, page
from velo_sandbox.portsip.bodies import trunks as bodies
from velo_sandbox.portsip.errors import ApiError, invalid
from velo_sandbox.portsip.http import Ctx, bearer
from velo_sandbox.portsip.store import Doc, Provider, Store
from velo_sandbox.portsip.tokens import Tokens
from velo_sandbox.portsip.usage import refuse_losing

SUMMARY = ("id", "name", "enabled", "brand", "hostname", "port", "did_numbers", "shared")
DEFAULTS: Doc = {"enabled": True, "brand": "Generic", "auth_mode": "IP_AUTH", "did_numbers": ""}


def view(provider: Provider, tenant_id: str | None) -> Doc:
    """Returns the trunk as the caller sees it (a tenant sees its own pool only)."""
    pool = provider.pool_of(tenant_id) if tenant_id else provider.doc.get("did_numbers", "")
    return {**provider.doc, "did_numbers": pool}


def checked_pool(store: Store, did_numbers: str, tenant_id: str | None) -> str:
    """Validates a pool's format and that no other tenant holds any of its numbers."""
    try:
        pools.spans(did_numbers)
    except pools.BadNumbers as exc:
        raise invalid(str(exc), "did_numbers") from None
    clash = store.pool_clash(did_numbers, tenant_id) if tenant_id else None
    if clash:
        raise invalid(f"did_numbers overlap the DID pool of tenant {clash}", "did_numbers")
    return did_numbers


def provider_routes(store: Store, tokens: Tokens) -> list[Route]:
    """Returns the trunk and assignee routes."""
    authed = bearer(tokens, store)

    def visible(ctx: Ctx) -> list[Provider]:
        tenant_id = ctx.caller.tenant_id
        return [p for p in store.providers.values() if not tenant_id or p.visible_to(tenant_id)]

    def target(ctx: Ctx, missing: ApiError | None = None) -> Provider:
        provider = store.providers.get(ctx.param("id"))
        if provider is None or provider not in visible(ctx):
            raise missing or ApiError(404, "provider not found")
        return provider

    def own(ctx: Ctx, provider: Provider, refusal: int) -> Provider:
        if provider.owner != ctx.caller.tenant_id:
            raise ApiError(refusal, "a shared trunk is managed by the SystemAdmin")
        return provider

    @authed
    async def list_providers(ctx: Ctx) -> Response:
        tenant_id = ctx.caller.tenant_id
        return page(ctx.request, [view(p, tenant_id) for p in visible(ctx)], SUMMARY)

    @authed
    async def export_providers(ctx: Ctx) -> Response:
        docs = [view(p, ctx.caller.tenant_id) for p in visible(ctx)]
        return export(docs, SUMMARY, "providers.csv")

    @authed
    async def get_provider(ctx: Ctx) -> Response:
        return detail(view(target(ctx), ctx.caller.tenant_id))

    @authed
    async def status(ctx: Ctx) -> Response:
        return JSONResponse({"status": "ONLINE" if target(ctx).doc["enabled"] else "OFFLINE"})

    @authed
    async def create_provider(ctx: Ctx) -> Response:
        body, owner = await ctx.body(bodies.PROVIDER), ctx.caller.tenant_id
        if any(p.doc["name"] == body["name"] and p.owner == owner for p in visible(ctx)):
            raise invalid(f"a trunk called {body['name']} exists", "name")
        fields = {**DEFAULTS, **body}
        fields["did_numbers"] = checked_pool(store, fields["did_numbers"], owner)
        return created(store.add_provider(fields, owner=owner).id)

    @authed
    async def update_provider(ctx: Ctx) -> Response:
        provider, body = own(ctx, target(ctx), 403), await ctx.body(bodies.PROVIDER_UPDATE)
        if "did_numbers" in body and provider.owner:
            checked_pool(store, body["did_numbers"], provider.owner)
            refuse_losing(store.tenants[provider.owner], provider.id, body["did_numbers"])
        provider.doc.update(body)
        return ok()

    @authed
    async def destroy_provider(ctx: Ctx) -> Response:
        # PortSIP's description answers nothing but 204 and 400 here
        missing = invalid("invalid provider id: no such provider", "id")
        provider = own(ctx, target(ctx, missing), 400)
        for tenant in store.holders(provider):
            refuse_losing(tenant, provider.id, None)
        del store.providers[provider.id]
        return no_content()

    return [
        Route("/api/providers", list_providers, methods=["GET"]),
        Route("/api/providers", create_provider, methods=["POST"]),
        Route("/api/providers/export", export_providers, methods=["GET"]),
        Route("/api/providers/{id}", get_provider, methods=["GET"]),
        Route("/api/providers/{id}", update_provider, methods=["POST"]),
        Route("/api/providers/{id}/status", status, methods=["GET"]),
        Route("/api/providers/{id}/destroy", destroy_provider, methods=["POST"]),
        *assignee_routes(store, tokens),
    ]


def assignee_routes(store: Store, tokens: Tokens) -> list[Route]:
    """Returns the SystemAdmin's routes that share a trunk with tenants and set their pools."""
    authed = bearer(tokens, store)

    def shared(ctx: Ctx) -> Provider:
        ctx.require_system_admin()
        provider = store.providers.get(ctx.param("id"))
        if provider is None or provider.owner is not None:
            raise ApiError(404, "shared provider not found")
        return provider

    def tenant_id(ctx: Ctx) -> str:
        if ctx.param("tenant_id") not in store.tenants:
            raise ApiError(404, "tenant not found")
        return ctx.param("tenant_id")

    @authed
    async def list_assignees(ctx: Ctx) -> Response:
        items = [{"tenant_id": t, **a} for t, a in shared(ctx).assignees.items()]
        return JSONResponse({"items": items})

    @authed
    async def check(ctx: Ctx) -> Response:
        assignment = shared(ctx).assignees.get(tenant_id(ctx))
        if assignment is None:
            raise ApiError(404, "provider is not assigned to this tenant")
        return JSONResponse(assignment)

    @authed
    async def assign(ctx: Ctx) -> Response:
        provider, tenant, body = shared(ctx), tenant_id(ctx), await ctx.body(bodies.ASSIGNMENT)
        assignment = {**provider.assignees.get(tenant, {"did_numbers": ""}), **body}
        checked_pool(store, assignment["did_numbers"], tenant)
        if tenant in provider.assignees:
            refuse_losing(store.tenants[tenant], provider.id, assignment["did_numbers"])
        provider.assignees[tenant] = assignment
        return no_content()

    @authed
    async def unassign(ctx: Ctx) -> Response:
        provider, tenant = shared(ctx), tenant_id(ctx)
        if tenant not in provider.assignees:
            raise invalid("provider is not assigned to this tenant", "tenant_id")
        refuse_losing(store.tenants[tenant], provider.id, None)
        del provider.assignees[tenant]
        return no_content()

    base = "/api/providers/{id}/assignees"
    return [
        Route(base, list_assignees, methods=["GET"]),
        Route(base + "/{tenant_id}", check, methods=["GET"]),
        Route(base + "/{tenant_id}", assign, methods=["POST"]),
        Route(base + "/{tenant_id}/destroy", unassign, methods=["POST"]),
    ]
