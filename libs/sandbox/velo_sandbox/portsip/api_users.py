"""Users (extensions) and what an extension number belongs to."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from velo_sandbox.portsip import rules
from velo_sandbox.portsip.answers import created, detail, doomed, found, no_content, ok, page
from velo_sandbox.portsip.bodies import directory as bodies
from velo_sandbox.portsip.errors import ApiError, invalid
from velo_sandbox.portsip.http import Ctx, bearer
from velo_sandbox.portsip.store import Doc, Store
from velo_sandbox.portsip.tokens import Tokens

SUMMARY = (
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
DEFAULTS: Doc = {"enabled": True, "outbound_caller_ids": []}


def user_routes(store: Store, tokens: Tokens) -> list[Route]:
    """Returns the user and extension-number routes."""
    authed = bearer(tokens, store)

    def with_caller_ids(ctx: Ctx, body: Doc) -> Doc:
        if "outbound_caller_ids" in body:  # replaces the whole array
            ids = rules.check_caller_ids(store, ctx.tenant, body["outbound_caller_ids"])
            return {**body, "outbound_caller_ids": ids}
        return body

    @authed
    async def list_users(ctx: Ctx) -> Response:
        return page(ctx.request, ctx.tenant.users.values(), SUMMARY)

    @authed
    async def create_user(ctx: Ctx) -> Response:
        tenant, body = ctx.tenant, await ctx.body(bodies.USER)
        rules.claim_extension(tenant, body["extension_number"])
        if any(u["name"] == body["name"] for u in tenant.users.values()):
            raise invalid(f"a user called {body['name']} exists", "name")
        user_id, now = store.new_id(), datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        user = {"id": user_id, **DEFAULTS, **with_caller_ids(ctx, body), "created_at": now}
        tenant.users[user_id] = user
        return created(user_id)

    @authed
    async def get_user(ctx: Ctx) -> Response:
        return detail(found(ctx.tenant.users, ctx.param("id"), "user"))

    @authed
    async def update_user(ctx: Ctx) -> Response:
        user = found(ctx.tenant.users, ctx.param("id"), "user")
        user.update(with_caller_ids(ctx, await ctx.body(bodies.USER_UPDATE)))
        return ok()

    @authed
    async def destroy_user(ctx: Ctx) -> Response:
        user = doomed(ctx.tenant.users, ctx.param("id"), "user")
        for queue in ctx.tenant.call_queues.values():
            agents = queue.get("agents", [])
            queue["agents"] = [
                a for a in agents if a["extension_number"] != user["extension_number"]
            ]
        del ctx.tenant.users[user["id"]]
        return no_content()

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

    return [
        Route("/api/users", list_users, methods=["GET"]),
        Route("/api/users", create_user, methods=["POST"]),
        Route("/api/users/{id}", get_user, methods=["GET"]),
        Route("/api/users/{id}", update_user, methods=["POST"]),
        Route("/api/users/{id}/destroy", destroy_user, methods=["POST"]),
        Route("/api/extension_numbers/{number}", extension_number, methods=["GET"]),
    ]
