"""`/api/inbound_rules` and `/api/outbound_rules`: create 201 `{id}`, update 200, destroy 204,
export a file; and the user groups an outbound rule applies to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from velo_sandbox.portsip import rules
from velo_sandbox.portsip.answers import (
    created,
    detail,
    doomed,
    export,
    found,
    no_content,
    ok,
    page,
    summary,
)
from velo_sandbox.portsip.bodies import routing as bodies
from velo_sandbox.portsip.errors import ApiError, invalid
from velo_sandbox.portsip.http import Ctx, bearer
from velo_sandbox.portsip.schema import Schema
from velo_sandbox.portsip.store import Doc, Store, Tenant
from velo_sandbox.portsip.tokens import Tokens

Check = Callable[[Store, Tenant, Doc, "str | None"], None]
NOT_APPLIED = "the user group is not applied to this outbound rule"


@dataclass(frozen=True)
class RuleKind:
    """What differs between inbound and outbound rules."""

    kind: str
    create: Schema
    update: Schema
    summary: tuple[str, ...]
    defaults: Doc
    check: Check


INBOUND = RuleKind(
    "inbound_rules",
    bodies.INBOUND_RULE,
    bodies.INBOUND_RULE_UPDATE,
    (
        "id",
        "name",
        "enabled",
        "cid_number_mask",
        "did_numbers",
        "provider_id",
        *rules.FORWARD_RULES,
        "play_recording_disclaimer",
    ),
    {"enabled": True, "cid_number_mask": "", "play_recording_disclaimer": False},
    rules.check_inbound,
)
OUTBOUND = RuleKind(
    "outbound_rules",
    bodies.OUTBOUND_RULE,
    bodies.OUTBOUND_RULE_UPDATE,
    (
        "id",
        "name",
        "number_prefix",
        "number_length",
        "number_mask",
        "enabled",
        "priority",
        "routing_strategy",
    ),
    {
        "number_prefix": "",
        "number_length": "",
        "number_mask": "",
        "enabled": True,
        "priority": 1000,
        "routing_strategy": "PRIORITIZED",
        "routes": [],
    },
    rules.check_outbound,
)


def rule_routes(store: Store, tokens: Tokens, rule: RuleKind) -> list[Route]:
    """Returns list/create/export/get/update/destroy routes of one kind of rule."""
    authed = bearer(tokens, store)
    what = rule.kind.rstrip("s").replace("_", " ")

    def collection(ctx: Ctx) -> dict[str, Doc]:
        objects: dict[str, Doc] = getattr(ctx.tenant, rule.kind)
        return objects

    @authed
    async def list_rules(ctx: Ctx) -> Response:
        return page(ctx.request, collection(ctx).values(), rule.summary)

    @authed
    async def export_rules(ctx: Ctx) -> Response:
        return export(collection(ctx).values(), rule.summary, f"{rule.kind}.csv")

    @authed
    async def create_rule(ctx: Ctx) -> Response:
        fields = {**rule.defaults, **await ctx.body(rule.create)}
        rule.check(store, ctx.tenant, fields, None)
        rule_id = store.new_id()
        collection(ctx)[rule_id] = {"id": rule_id, **fields}
        return created(rule_id)

    @authed
    async def get_rule(ctx: Ctx) -> Response:
        return detail(found(collection(ctx), ctx.param("id"), what))

    @authed
    async def update_rule(ctx: Ctx) -> Response:
        current = found(collection(ctx), ctx.param("id"), what)
        changes = {k: v for k, v in (await ctx.body(rule.update)).items() if k != "id"}
        merged = {**current, **changes}
        rule.check(store, ctx.tenant, merged, current["id"])
        current.update(merged)
        return ok()

    @authed
    async def destroy_rule(ctx: Ctx) -> Response:
        del collection(ctx)[doomed(collection(ctx), ctx.param("id"), what)["id"]]
        return no_content()

    base = f"/api/{rule.kind}"
    return [
        Route(base, list_rules, methods=["GET"]),
        Route(base, create_rule, methods=["POST"]),
        Route(base + "/export", export_rules, methods=["GET"]),
        Route(base + "/{id}", get_rule, methods=["GET"]),
        Route(base + "/{id}", update_rule, methods=["POST"]),
        Route(base + "/{id}/destroy", destroy_rule, methods=["POST"]),
    ]


def applied_group_routes(store: Store, tokens: Tokens) -> list[Route]:
    """Returns the routes that apply user groups to an outbound rule (kept on the rule)."""
    authed = bearer(tokens, store)

    def groups_of(ctx: Ctx) -> list[str]:
        rule = found(ctx.tenant.outbound_rules, ctx.param("id"), "outbound rule")
        applied: list[str] = rule.setdefault("applied_groups", [])
        return applied

    def group(ctx: Ctx) -> Doc:
        return found(ctx.tenant.user_groups, ctx.param("group_id"), "user group")

    @authed
    async def list_applied(ctx: Ctx) -> Response:
        groups = ctx.tenant.user_groups
        items = [summary(groups[g], ("id", "name")) for g in groups_of(ctx) if g in groups]
        return JSONResponse({"items": items})

    @authed
    async def apply(ctx: Ctx) -> Response:
        applied, group_id = groups_of(ctx), group(ctx)["id"]
        if group_id not in applied:
            applied.append(group_id)
        return ok()

    @authed
    async def check(ctx: Ctx) -> Response:
        applied, chosen = groups_of(ctx), group(ctx)
        if chosen["id"] not in applied:
            raise ApiError(404, NOT_APPLIED)
        return JSONResponse(summary(chosen, ("id", "name")))

    @authed
    async def cancel(ctx: Ctx) -> Response:
        applied, chosen = groups_of(ctx), group(ctx)
        if chosen["id"] not in applied:
            raise invalid(NOT_APPLIED, "group_id")
        applied.remove(chosen["id"])
        return no_content()

    base = "/api/outbound_rules/{id}/applied_groups"
    return [
        Route(base, list_applied, methods=["GET"]),
        Route(base + "/{group_id}", apply, methods=["POST"]),
        Route(base + "/{group_id}", check, methods=["GET"]),
        Route(base + "/{group_id}/destroy", cancel, methods=["POST"]),
    ]


def inbound_routes(store: Store, tokens: Tokens) -> list[Route]:
    """Returns the inbound rule routes."""
    return rule_routes(store, tokens, INBOUND)


def outbound_routes(store: Store, tokens: Tokens) -> list[Route]:
    """Returns the outbound rule routes, with their applied user groups."""
    return [*rule_routes(store, tokens, OUTBOUND), *applied_group_routes(store, tokens)]
