"""What every route needs, reachable from the request: settings, read APIs, commands, limits."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from velo_contracts import Command, ErrorCode, Topic
from velo_gateway.downstream import Downstream
from velo_gateway.problems import Problem
from velo_gateway.ratelimit import WriteLimiter
from velo_gateway.settings import GatewaySettings
from velo_gateway.tenants import RegisteredTenants
from velo_runtime import Publisher, get_logger

log = get_logger(__name__)


@dataclass
class Gateway:
    """The gateway's collaborators (it keeps no state of its own)."""

    settings: GatewaySettings
    downstream: Downstream
    publisher: Publisher
    limiter: WriteLimiter
    tenants: RegisteredTenants

    async def send(self, command: Command, topic: Topic) -> None:
        """Puts a command on the owning service's command topic, or answers 503.

        A command is accepted (202) only once the broker has it (acks from all replicas).
        """
        try:
            async with asyncio.timeout(self.settings.publish_timeout_seconds):
                await self.publisher.publish(command, topic)
        except Exception as error:
            log.warning("command_not_taken", topic=topic.name, error=repr(error)[:300])
            raise Problem(
                503,
                "Commands paused",
                "the message broker did not take the command, so it was not accepted; try again "
                "shortly with the same Idempotency-Key (a command that got through after all is "
                "applied once)",
                ErrorCode.UNAVAILABLE,
                retry_after=5,
            ) from error


def gateway(request: Request) -> Gateway:
    """Returns the gateway of the app serving request."""
    found: Gateway = request.app.state.gateway
    return found


Deps = Annotated[Gateway, Depends(gateway)]
