"""Users, extension-number lookup, call queues, ring groups and tenant info."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from velo_sandbox.portsip import rules
from velo_sandbox.portsip.http import (
    ApiError,
    Ctx,
    as_text,
    bearer,
    created,
    detail,
    found,
    invalid,
    ok,
    page,
)
from velo_sandbox.portsip.store import Doc, Store
from velo_sandbox.portsip.tokens import Tokens

USER_SUMMARY = (
    "id",
    "name",
    "enabled",
    "email",
    "display_name",
    "role",
    "department",
    "extension_number",
    "created_at",
)
USER_EDITABLE = ("display_name", "email", "enabled", "department", "mobile_phone", "work_phone")
GROUP_SUMMARY = {
    "call_queues": ("id", "name", "extension_number", "ring_time", "polling_strategy"),
    "ring_groups": (
        "id",
        "name",
        "extension_number",
        "ring_time",
        "ring_strategy",
        "skip_busy_member",
    ),
}
TENANT_SUMMARY = ("id", "name", "domain", "enabled")


def directory_routes(store: Store, tokens: Tokens) -> list[Route]:
    """Returns the user, extension-number and tenant routes."""
    authed = bearer(tokens, store)

    @authed
    async def list_users(ctx: Ctx) -> Response:
        return page(ctx.request, ctx.tenant.users.values(), USER_SUMMARY)

    @authed
    async def get_user(ctx: Ctx) -> Response:
        return detail(found(ctx.tenant.users, ctx.param("id"), "user"))

    @authed
    async def update_user(ctx: Ctx) -> Response:
        user, body = found(ctx.tenant.users, ctx.param("id"), "user"), await ctx.body()
        changes = {k: body[k] for k in USER_EDITABLE if k in body}
        if "outbound_caller_ids" in body:  # replaces the whole array
            ids = rules.check_caller_ids(store, ctx.tenant, body["outbound_caller_ids"])
            changes["outbound_caller_ids"] = ids
        user.update(changes)
        return ok()

    @authed
    async def extension_number(ctx: Ctx) -> Response:
        owner = ctx.tenant.extension(ctx.param("number"))
        if owner is None:
            raise ApiError(404, "extension number not found")
        kind, obj = owner
        name = obj.get("display_name") or obj["name"]
        return JSONResponse(
            {
                "id": obj["id"],
                "extension_number": obj["extension_number"],
                "name": name,
                "type": kind,
            }
        )

    @authed
    async def current_tenant(ctx: Ctx) -> Response:
        tenant = ctx.tenant
        return JSONResponse({"id": tenant.id, "name": tenant.name, "domain": tenant.domain})

    @authed
    async def list_tenants(ctx: Ctx) -> Response:
        ctx.require_system_admin()
        docs = [
            {"id": t.id, "name": t.name, "domain": t.domain, "enabled": True}
            for t in store.tenants.values()
        ]
        return page(ctx.request, docs, TENANT_SUMMARY)

    return [
        Route("/api/users", list_users, methods=["GET"]),
        Route("/api/users/{id}", get_user, methods=["GET"]),
        Route("/api/users/{id}", update_user, methods=["POST"]),
        Route("/api/extension_numbers/{number}", extension_number, methods=["GET"]),
        Route("/api/tenant", current_tenant, methods=["GET"]),
        Route("/api/tenants", list_tenants, methods=["GET"]),
        *group_routes(store, tokens, "call_queues"),
        *group_routes(store, tokens, "ring_groups"),
    ]


def group_routes(store: Store, tokens: Tokens, kind: str) -> list[Route]:
    """Returns list/get/create of call queues or ring groups (create answers 200, per the spec)."""
    authed = bearer(tokens, store)
    summary = GROUP_SUMMARY[kind]

    def collection(ctx: Ctx) -> dict[str, Doc]:
        objects: dict[str, Doc] = getattr(ctx.tenant, kind)
        return objects

    @authed
    async def list_groups(ctx: Ctx) -> Response:
        return page(ctx.request, collection(ctx).values(), summary)

    @authed
    async def get_group(ctx: Ctx) -> Response:
        return detail(found(collection(ctx), ctx.param("id"), kind.rstrip("s").replace("_", " ")))

    @authed
    async def create_group(ctx: Ctx) -> Response:
        body = await ctx.body()
        as_text(body.get("name"), "name", required=True)
        number = as_text(body.get("extension_number"), "extension_number", required=True) or ""
        if not number.isdigit() or len(number) < 3:
            raise invalid("extension_number must be at least 3 digits")
        if ctx.tenant.extension(number):
            raise invalid(f"extension number {number} is already in use")
        group_id = store.new_id()
        fields = {k: body[k] for k in summary[1:] if k in body}
        collection(ctx)[group_id] = {"id": group_id, **fields}
        return created(group_id, status=200)

    return [
        Route(f"/api/{kind}", list_groups, methods=["GET"]),
        Route(f"/api/{kind}", create_group, methods=["POST"]),
        Route(f"/api/{kind}/{{id}}", get_group, methods=["GET"]),
    ]
