"""Desired PortSIP state of a tenant's numbers, and the changes that bring PortSIP to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from velo_portsip.models import (
    InboundRule,
    InboundRuleInput,
    OutboundCallerId,
    OutboundRule,
    OutboundRuleInput,
    User,
)
from velo_portsip.pools import DidPool

INBOUND_PREFIX = "velo "
PRESENCE_PREFIX = "velo-lp "
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def did_of(number: str) -> str:
    """Returns a number as PortSIP writes DIDs: E.164 digits without `+`."""
    return number.removeprefix("+")


@dataclass(frozen=True)
class Route:
    """What PortSIP should hold for one number of a tenant."""

    number: str
    present: bool
    destination: str | None = None
    outbound_agent: str | None = None
    preferred: bool = True
    assigned_at: datetime = EPOCH
    country_prefix: str | None = None

    @property
    def did(self) -> str:
        """The number as a PortSIP DID."""
        return did_of(self.number)


@dataclass(frozen=True)
class Pbx:
    """What PortSIP holds now, as far as the tenant's numbers are concerned."""

    provider_id: str
    pool: str
    inbound: tuple[InboundRule, ...] = ()
    users: dict[str, User] = field(default_factory=dict)
    outbound: tuple[OutboundRule, ...] = ()


@dataclass(frozen=True)
class SetPool:
    """Replace the trunk's DID pool."""

    did_numbers: str


@dataclass(frozen=True)
class CreateInbound:
    """Create an inbound rule."""

    rule: InboundRuleInput


@dataclass(frozen=True)
class UpdateInbound:
    """Change an inbound rule."""

    rule_id: str
    rule: InboundRuleInput


@dataclass(frozen=True)
class DeleteInbound:
    """Delete an inbound rule."""

    rule_id: str


@dataclass(frozen=True)
class AddCallerId:
    """Add (or replace) one of a user's outbound caller IDs."""

    user_id: str
    caller_id: OutboundCallerId


@dataclass(frozen=True)
class RemoveCallerId:
    """Remove one of a user's outbound caller IDs."""

    user_id: str
    caller_id: str


@dataclass(frozen=True)
class CreateOutbound:
    """Create an outbound rule."""

    rule: OutboundRuleInput


@dataclass(frozen=True)
class UpdateOutbound:
    """Change an outbound rule."""

    rule_id: str
    rule: OutboundRuleInput


@dataclass(frozen=True)
class DeleteOutbound:
    """Delete an outbound rule."""

    rule_id: str


Action = (
    SetPool
    | CreateInbound
    | UpdateInbound
    | DeleteInbound
    | AddCallerId
    | RemoveCallerId
    | CreateOutbound
    | UpdateOutbound
    | DeleteOutbound
)


def concerns(action: Action) -> frozenset[str] | None:
    """Returns the DIDs a change is about, or None for a change of the tenant as a whole (the
    pool, outbound rules, removing what no number wants): a refusal of the first kind is that
    number's problem; of the second, the tenant's."""
    match action:
        case CreateInbound(rule) | UpdateInbound(_, rule) if rule.did_numbers:
            return frozenset({rule.did_numbers})
        case AddCallerId(_, caller_id):
            return frozenset({caller_id.caller_id})
        case RemoveCallerId(_, caller_id):
            return frozenset({caller_id})
        case _:
            return None


def destination_of(route: Route, default_destination: str) -> str:
    """Returns the extension calls to the number should ring."""
    return route.destination or default_destination


def pool_steps(routes: list[Route], pool: str) -> tuple[list[Action], list[Action]]:
    """Returns the pool change before the rules (add numbers) and after them (remove numbers)."""
    current = DidPool.parse(pool)
    grown = current
    for route in routes:
        if route.present:
            grown = grown.add(route.did)
    shrunk = grown
    for route in routes:
        if not route.present:
            shrunk = shrunk.remove(route.did)
    before: list[Action] = [SetPool(str(grown))] if str(grown) != str(current) else []
    after: list[Action] = [SetPool(str(shrunk))] if str(shrunk) != str(grown) else []
    return before, after


def inbound_steps(routes: list[Route], pbx: Pbx, default_destination: str) -> list[Action]:
    """Returns the inbound-rule changes: one rule per present number, none for absent ones."""
    steps: list[Action] = []
    for route in routes:
        rules = [rule for rule in pbx.inbound if rule.did_numbers == route.did]
        if not route.present:
            steps += [DeleteInbound(rule.id) for rule in rules]
            continue
        wanted = InboundRuleInput.forwarding(
            destination_of(route, default_destination),
            name=INBOUND_PREFIX + route.did,
            did=route.did,
            provider_id=pbx.provider_id,
        )
        if not rules:
            steps.append(CreateInbound(wanted))
            continue
        first, *duplicates = rules
        if not _inbound_matches(first, wanted):
            steps.append(UpdateInbound(first.id, wanted))
        steps += [DeleteInbound(rule.id) for rule in duplicates]
    return steps


def _inbound_matches(rule: InboundRule, wanted: InboundRuleInput) -> bool:
    return (
        rule.provider_id == wanted.provider_id
        and rule.office_hours_forward_rule == wanted.office_hours_forward_rule
        and rule.non_office_hours_forward_rule == wanted.non_office_hours_forward_rule
        and rule.holiday_forward_rule == wanted.holiday_forward_rule
    )
