"""The whole change from what PortSIP holds to what it should hold (no I/O)."""

from __future__ import annotations

from velo_sip_routing.domain import Action, Pbx, Route, inbound_steps, pool_steps
from velo_sip_routing.presence import caller_id_steps, outbound_steps


def plan(routes: list[Route], pbx: Pbx, default_destination: str, priority: int) -> list[Action]:
    """Returns every change, in a safe order, that makes PortSIP hold exactly the routes."""
    grow, shrink = pool_steps(routes, pbx.pool)
    return [
        *grow,
        *inbound_steps(routes, pbx, default_destination),
        *caller_id_steps(routes, pbx),
        *outbound_steps(routes, pbx, priority),
        *shrink,
    ]
