"""Call queues (with their agents) and ring groups; creates answer 200, per PortSIP's spec."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from velo_sandbox.portsip import rules
from velo_sandbox.portsip.answers import created, detail, found, ok, page
from velo_sandbox.portsip.bodies import directory as bodies
from velo_sandbox.portsip.errors import invalid
from velo_sandbox.portsip.http import Ctx, bearer
from velo_sandbox.portsip.schema import Schema
from velo_sandbox.portsip.seed import CALL_QUEUE_DEFAULTS, RING_GROUP_DEFAULTS
from velo_sandbox.portsip.store import Doc, Store
from velo_sandbox.portsip.tokens import Tokens


@dataclass(frozen=True)
class GroupKind:
    """What differs between call queues and ring groups."""

    kind: str
    what: str
    create: Schema
    update: Schema
    summary: tuple[str, ...]
    defaults: Doc


QUEUES = GroupKind(
    "call_queues",
    "call queue",
    bodies.CALL_QUEUE,
    bodies.CALL_QUEUE_UPDATE,
    ("id", "name", "extension_number", "ring_time", "polling_strategy"),
    CALL_QUEUE_DEFAULTS,
)
RING_GROUPS = GroupKind(
    "ring_groups",
    "ring group",
    bodies.RING_GROUP,
    bodies.RING_GROUP_UPDATE,
    ("id", "name", "extension_number", "ring_time", "ring_strategy", "skip_busy_member"),
    RING_GROUP_DEFAULTS,
)


def group_routes(store: Store, tokens: Tokens, group: GroupKind) -> list[Route]:
    """Returns list/create/get/update routes of call queues or ring groups."""
    authed = bearer(tokens, store)

    def collection(ctx: Ctx) -> dict[str, Doc]:
        objects: dict[str, Doc] = getattr(ctx.tenant, group.kind)
        return objects

    def with_caller_ids(ctx: Ctx, body: Doc) -> Doc:
        if "outbound_caller_ids" not in body:
            return body
        ids = rules.check_caller_ids(
            store, ctx.tenant, body["outbound_caller_ids"], preferred=False
        )
        return {**body, "outbound_caller_ids": ids}

    @authed
    async def list_groups(ctx: Ctx) -> Response:
        return page(ctx.request, collection(ctx).values(), group.summary)

    @authed
    async def get_group(ctx: Ctx) -> Response:
        return detail(found(collection(ctx), ctx.param("id"), group.what))

    @authed
    async def create_group(ctx: Ctx) -> Response:
        body = await ctx.body(group.create)
        for name in ("name", "extension_number"):  # required by the PBX, if not by the schema
            if name not in body:
                raise invalid(f"{name} is required", name)
        rules.claim_extension(ctx.tenant, body["extension_number"])
        group_id = store.new_id()
        collection(ctx)[group_id] = {"id": group_id, **group.defaults, **with_caller_ids(ctx, body)}
        return created(group_id, status=200)

    @authed
    async def update_group(ctx: Ctx) -> Response:
        current = found(collection(ctx), ctx.param("id"), group.what)
        current.update(with_caller_ids(ctx, await ctx.body(group.update)))
        return ok()

    base = f"/api/{group.kind}"
    return [
        Route(base, list_groups, methods=["GET"]),
        Route(base, create_group, methods=["POST"]),
        Route(base + "/{id}", get_group, methods=["GET"]),
        Route(base + "/{id}", update_group, methods=["POST"]),
    ]


def agent_routes(store: Store, tokens: Tokens) -> list[Route]:
    """Returns the routes of a call queue's agents (users of the tenant, with a skill level)."""
    authed = bearer(tokens, store)

    def queue(ctx: Ctx) -> Doc:
        return found(ctx.tenant.call_queues, ctx.param("id"), "call queue")

    @authed
    async def list_agents(ctx: Ctx) -> Response:
        users = {u["extension_number"]: u for u in ctx.tenant.users.values()}
        items = [
            {**agent, "display_name": users[agent["extension_number"]].get("display_name", "")}
            for agent in queue(ctx).get("agents", [])
        ]
        return JSONResponse({"items": items})

    @authed
    async def set_agents(ctx: Ctx) -> Response:
        chosen, body = queue(ctx), await ctx.body(bodies.AGENTS)
        users = {u["extension_number"] for u in ctx.tenant.users.values()}
        agents = []
        for index, agent in enumerate(body.get("items", [])):
            number = agent.get("extension_number")
            if number not in users:
                field = f"items[{index}].extension_number"
                raise invalid(f"{field}: {number} is not a user of this tenant", field)
            agents.append({"extension_number": number, "skill_level": agent.get("skill_level", 1)})
        chosen["agents"] = agents
        return ok()

    base = "/api/call_queues/{id}/agents"
    return [Route(base, list_agents, methods=["GET"]), Route(base, set_agents, methods=["POST"])]


def directory_routes(store: Store, tokens: Tokens) -> list[Route]:
    """Returns the call queue, agent and ring group routes."""
    return [
        *group_routes(store, tokens, QUEUES),
        *agent_routes(store, tokens),
        *group_routes(store, tokens, RING_GROUPS),
    ]
