"""What every route needs, reachable from the request: settings, read APIs, commands, limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from velo_contracts import Command, Topic
from velo_gateway.downstream import Downstream
from velo_gateway.ratelimit import WriteLimiter
from velo_gateway.settings import GatewaySettings
from velo_gateway.tenants import RegisteredTenants
from velo_runtime import Publisher


@dataclass
class Gateway:
    """The gateway's collaborators (it keeps no state of its own)."""

    settings: GatewaySettings
    downstream: Downstream
    publisher: Publisher
    limiter: WriteLimiter
    tenants: RegisteredTenants

    async def send(self, command: Command, topic: Topic) -> None:
        """Puts a command on the owning service's command topic."""
        await self.publisher.publish(command, topic)


def gateway(request: Request) -> Gateway:
    """Returns the gateway of the app serving request."""
    found: Gateway = request.app.state.gateway
    return found


Deps = Annotated[Gateway, Depends(gateway)]
