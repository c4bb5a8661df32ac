"""`/api/inbound_rules` and `/api/outbound_rules`: create 201 `{id}`, update 200, destroy 204."""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response
from starlette.routing import Route

from velo_sandbox.portsip import rules
from velo_sandbox.portsip.http import Ctx, bearer, created, detail, found, no_content, ok, page
from velo_sandbox.portsip.store import Doc, Store, Tenant
from velo_sandbox.portsip.tokens import Tokens

Check = Callable[[Store, Tenant, Doc, "str | None"], None]

INBOUND_FIELDS = (
    "name",
    "enabled",
    "cid_number_mask",
    "did_numbers",
    "provider_id",
    *rules.FORWARD_RULES,
    "play_recording_disclaimer",
)
INBOUND_SUMMARY = ("id", *INBOUND_FIELDS)
INBOUND_DEFAULTS: Doc = {"enabled": True, "cid_number_mask": "", "play_recording_disclaimer": False}
OUTBOUND_FIELDS = (
    "name",
    "number_prefix",
    "number_length",
    "number_mask",
    "enabled",
    "priority",
    "routing_strategy",
    "routes",
)
OUTBOUND_SUMMARY = ("id", *OUTBOUND_FIELDS[:-1])
OUTBOUND_DEFAULTS: Doc = {
    "number_prefix": "",
    "number_length": "",
    "number_mask": "",
    "enabled": True,
    "priority": 1000,
    "routing_strategy": "PRIORITIZED",
    "routes": [],
}


def rule_routes(
    store: Store,
    tokens: Tokens,
    kind: str,
    fields: tuple[str, ...],
    summary: tuple[str, ...],
    defaults: Doc,
    check: Check,
) -> list[Route]:
    """Returns list/create/get/update/destroy routes of one kind of rule (`inbound_rules`, ...)."""
    authed = bearer(tokens, store)
    what = kind.rstrip("s").replace("_", " ")

    def collection(ctx: Ctx) -> dict[str, Doc]:
        objects: dict[str, Doc] = getattr(ctx.tenant, kind)
        return objects

    @authed
    async def list_rules(ctx: Ctx) -> Response:
        return page(ctx.request, collection(ctx).values(), summary)

    @authed
    async def create_rule(ctx: Ctx) -> Response:
        body = await ctx.body()
        rule = {**defaults, **{k: body[k] for k in fields if k in body}}
        check(store, ctx.tenant, rule, None)
        rule_id = store.new_id()
        collection(ctx)[rule_id] = {"id": rule_id, **rule}
        return created(rule_id)

    @authed
    async def get_rule(ctx: Ctx) -> Response:
        return detail(found(collection(ctx), ctx.param("id"), what))

    @authed
    async def update_rule(ctx: Ctx) -> Response:
        current, body = found(collection(ctx), ctx.param("id"), what), await ctx.body()
        merged = {**current, **{k: body[k] for k in fields if k in body}}
        check(store, ctx.tenant, merged, ctx.param("id"))
        current.update(merged)
        return ok()

    @authed
    async def destroy_rule(ctx: Ctx) -> Response:
        found(collection(ctx), ctx.param("id"), what)
        del collection(ctx)[ctx.param("id")]
        return no_content()

    base = f"/api/{kind}"
    return [
        Route(base, list_rules, methods=["GET"]),
        Route(base, create_rule, methods=["POST"]),
        Route(base + "/{id}", get_rule, methods=["GET"]),
        Route(base + "/{id}", update_rule, methods=["POST"]),
        Route(base + "/{id}/destroy", destroy_rule, methods=["POST"]),
    ]


def inbound_routes(store: Store, tokens: Tokens) -> list[Route]:
    """Returns the inbound rule routes."""
    return rule_routes(
        store,
        tokens,
        "inbound_rules",
        INBOUND_FIELDS,
        INBOUND_SUMMARY,
        INBOUND_DEFAULTS,
        rules.check_inbound,
    )


def outbound_routes(store: Store, tokens: Tokens) -> list[Route]:
    """Returns the outbound rule routes."""
    return rule_routes(
        store,
        tokens,
        "outbound_rules",
        OUTBOUND_FIELDS,
        OUTBOUND_SUMMARY,
        OUTBOUND_DEFAULTS,
        rules.check_outbound,
    )
