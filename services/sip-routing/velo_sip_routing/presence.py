"""Agents' numbers in PortSIP: caller IDs on the user, local-presence outbound rules (no I/O)."""

from __future__ import annotations

from velo_portsip.models import OutboundCallerId, OutboundRoute, OutboundRule, OutboundRuleInput
from velo_sip_routing.domain import (
    PRESENCE_PREFIX,
    Action,
    AddCallerId,
    CreateOutbound,
    DeleteOutbound,
    Pbx,
    RemoveCallerId,
    Route,
    UpdateOutbound,
)


def numbers_of(agent: str, routes: list[Route]) -> list[Route]:
    """Returns the present numbers whose calls the agent presents, oldest assignment first."""
    held = [r for r in routes if r.present and r.outbound_agent == agent]
    return sorted(held, key=lambda r: (r.assigned_at, r.number))


def default_number(held: list[Route]) -> Route | None:
    """Returns the agent's default caller ID: the latest number assigned as preferred."""
    preferred = [r for r in held if r.preferred]
    return preferred[-1] if preferred else None


def caller_id_steps(routes: list[Route], pbx: Pbx) -> list[Action]:
    """Returns the caller-ID changes that make each known user present exactly its numbers."""
    managed = {r.did for r in routes}
    steps: list[Action] = []
    for extension, user in sorted(pbx.users.items()):
        held = numbers_of(extension, routes)
        favourite = default_number(held)
        wanted = [
            OutboundCallerId(provider_id=pbx.provider_id, caller_id=r.did, preferred=r is favourite)
            for r in held
        ]
        wanted.sort(key=lambda c: c.preferred)  # the preferred one last: adding it wins alone
        have = {c.caller_id: c for c in user.outbound_caller_ids}
        others_preferred = any(
            c.preferred and c.caller_id not in managed for c in user.outbound_caller_ids
        )
        for caller_id in wanted:
            stale = have.get(caller_id.caller_id) != caller_id
            if stale or (caller_id.preferred and others_preferred):
                steps.append(AddCallerId(user.id, caller_id))
        wanted_ids = {c.caller_id for c in wanted}
        steps += [RemoveCallerId(user.id, c) for c in have if c in managed and c not in wanted_ids]
    return steps


def presence_rule_name(agent: str, country_prefix: str) -> str:
    """Names the local-presence rule of one agent and one destination country."""
    return f"{PRESENCE_PREFIX}{agent} +{country_prefix}"


def presence_rules(
    routes: list[Route], provider_id: str, priority: int
) -> dict[str, OutboundRuleInput]:
    """Returns, by name, the outbound rules giving agents with several countries local presence."""
    agents = {r.outbound_agent for r in routes if r.present and r.outbound_agent}
    rules: dict[str, OutboundRuleInput] = {}
    for agent in sorted(agents):
        for prefix, route in _number_per_country(numbers_of(agent, routes)).items():
            name = presence_rule_name(agent, prefix)
            rules[name] = OutboundRuleInput(
                name=name,
                number_prefix=prefix,
                number_mask=agent,
                priority=priority,
                routes=[OutboundRoute(provider_id=provider_id, outbound_caller_id=route.did)],
            )
    return rules


def _number_per_country(held: list[Route]) -> dict[str, Route]:
    """Picks one number per country: the default if it is there, else the latest assigned."""
    chosen: dict[str, Route] = {}
    favourite = default_number(held)
    for route in held:
        if route.country_prefix and chosen.get(route.country_prefix) is not favourite:
            chosen[route.country_prefix] = route
    return chosen if len(chosen) >= 2 else {}


def outbound_steps(routes: list[Route], pbx: Pbx, priority: int) -> list[Action]:
    """Returns the outbound-rule changes that make the managed rules exactly the wanted ones."""
    wanted = presence_rules(routes, pbx.provider_id, priority)
    have = {r.name: r for r in pbx.outbound if r.name.startswith(PRESENCE_PREFIX)}
    steps: list[Action] = []
    for name, rule in wanted.items():
        current = have.get(name)
        if current is None:
            steps.append(CreateOutbound(rule))
        elif not _outbound_matches(current, rule):
            steps.append(UpdateOutbound(current.id, rule))
    steps += [DeleteOutbound(rule.id) for name, rule in have.items() if name not in wanted]
    return steps


def _outbound_matches(rule: OutboundRule, wanted: OutboundRuleInput) -> bool:
    routes = [(r.provider_id, r.outbound_caller_id) for r in rule.routes]
    wanted_routes = [(r.provider_id, r.outbound_caller_id) for r in wanted.routes or []]
    return (
        rule.number_prefix == wanted.number_prefix
        and rule.number_mask == wanted.number_mask
        and rule.priority == wanted.priority
        and routes == wanted_routes
    )
