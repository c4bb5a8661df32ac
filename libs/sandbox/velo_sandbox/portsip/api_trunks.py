"""`/api/providers` and their assignees: trunks and the DID pools they give each tenant.

A tenant admin manages the pool of a trunk the tenant owns (`did_numbers` on the provider); a shared
trunk's per-tenant pool is set by the SystemAdmin through `/providers/{id}/assignees/{tenant_id}`.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from velo_sandbox.portsip import pools
from velo_sandbox.portsip.http import (
    ApiError,
    Ctx,
    as_text,
    bearer,
    created,
    invalid,
    no_content,
    ok,
    page,
)
from velo_sandbox.portsip.store import Doc, Provider, Store
from velo_sandbox.portsip.tokens import Tokens

SUMMARY = ("id", "name", "enabled", "brand", "hostname", "port", "did_numbers", "shared")
EDITABLE = ("name", "enabled", "transport", "hostname", "port", "did_numbers", "concurrency")


def view(provider: Provider, tenant_id: str | None) -> Doc:
    """Returns the trunk as the caller sees it (a tenant sees its own pool only)."""
    pool = provider.pool_of(tenant_id) if tenant_id else provider.doc.get("did_numbers", "")
    return {**provider.doc, "did_numbers": pool}


def checked_pool(store: Store, did_numbers: object, tenant_id: str | None) -> str:
    """Validates a pool's format and that no other tenant holds any of its numbers."""
    text = as_text(did_numbers, "did_numbers", max_length=100_000) or ""
    try:
        pools.spans(text)
    except pools.BadNumbers as exc:
        raise invalid(str(exc)) from None
    clash = store.pool_clash(text, tenant_id) if tenant_id else None
    if clash:
        raise invalid(f"did_numbers overlap the DID pool of tenant {clash}")
    return text


def provider_routes(store: Store, tokens: Tokens) -> list[Route]:
    """Returns the trunk and assignee routes."""
    authed = bearer(tokens, store)

    def target(ctx: Ctx) -> Provider:
        provider = store.providers.get(ctx.param("id"))
        tenant_id = ctx.caller.tenant_id
        if provider is None or (tenant_id and not provider.visible_to(tenant_id)):
            raise ApiError(404, "provider not found")
        return provider

    @authed
    async def list_providers(ctx: Ctx) -> Response:
        tenant_id = ctx.caller.tenant_id
        visible = [p for p in store.providers.values() if not tenant_id or p.visible_to(tenant_id)]
        return page(ctx.request, [view(p, tenant_id) for p in visible], SUMMARY)

    @authed
    async def get_provider(ctx: Ctx) -> Response:
        return JSONResponse(view(target(ctx), ctx.caller.tenant_id))

    @authed
    async def create_provider(ctx: Ctx) -> Response:
        body = await ctx.body()
        as_text(body.get("name"), "name", required=True)
        fields = {k: body[k] for k in (*EDITABLE, "brand", "auth_mode") if k in body}
        fields["did_numbers"] = checked_pool(store, body.get("did_numbers"), ctx.caller.tenant_id)
        return created(store.add_provider(fields, owner=ctx.caller.tenant_id).id)

    @authed
    async def update_provider(ctx: Ctx) -> Response:
        provider, body = target(ctx), await ctx.body()
        if provider.owner != ctx.caller.tenant_id:
            raise ApiError(403, "a shared trunk is managed by the SystemAdmin")
        as_text(body.get("name"), "name")
        if "did_numbers" in body:
            body["did_numbers"] = checked_pool(store, body["did_numbers"], provider.owner)
        provider.doc.update({k: body[k] for k in EDITABLE if k in body})
        return ok()

    return [
        Route("/api/providers", list_providers, methods=["GET"]),
        Route("/api/providers", create_provider, methods=["POST"]),
        Route("/api/providers/{id}", get_provider, methods=["GET"]),
        Route("/api/providers/{id}", update_provider, methods=["POST"]),
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
        provider, tenant, body = shared(ctx), tenant_id(ctx), await ctx.body()
        assignment = {"did_numbers": checked_pool(store, body.get("did_numbers"), tenant)}
        if isinstance(body.get("concurrency"), int):
            assignment["concurrency"] = body["concurrency"]
        provider.assignees[tenant] = assignment
        return no_content()

    @authed
    async def unassign(ctx: Ctx) -> Response:
        if shared(ctx).assignees.pop(tenant_id(ctx), None) is None:
            raise ApiError(404, "provider is not assigned to this tenant")
        return no_content()

    base = "/api/providers/{id}/assignees"
    return [
        Route(base, list_assignees, methods=["GET"]),
        Route(base + "/{tenant_id}", check, methods=["GET"]),
        Route(base + "/{tenant_id}", assign, methods=["POST"]),
        Route(base + "/{tenant_id}/destroy", unassign, methods=["POST"]),
    ]
