"""Helpers of the number tests: the DIDWW sandbox, tenants, ordering instances, the event log."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette

from velo_contracts import Actor, Event, Role
from velo_ordering.app import create_app
from velo_ordering.settings import OrderingSettings
from velo_runtime import Service
from velo_sandbox.didww.runtime import Sandbox
from velo_sandbox.serve import RunningServer
from velo_tenants import SecretBox
from velotest import eventually

ADMIN = Actor(user_id="admin-7", role=Role.ADMIN)


@dataclass(frozen=True)
class Tenant:
    """A registered tenant with its own account in the DIDWW sandbox."""

    id: str
    api_key: str
    trunk_name: str
    sip_host: str
    callback_secret: str | None = None


@dataclass
class DidwwSandbox:
    """The DIDWW sandbox of a test, on a real port, with its state at hand."""

    server: RunningServer
    app: Starlette

    @property
    def state(self) -> Sandbox:
        return self.app.state.sandbox  # type: ignore[no-any-return]

    @property
    def url(self) -> str:
        return f"{self.server.url}/v3"

    def orders_for(self, reference: str) -> int:
        return self.state.state.orders_by_reference[reference]


class RunningOrdering:
    """One ordering instance serving HTTP on a fixed port; can be stopped and replaced."""

    def __init__(self, settings: OrderingSettings, box: SecretBox) -> None:
        self.settings, self.box = settings, box
        self.service: Service | None = None
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> Service:
        self.service = create_app(self.settings, self.box)
        config = uvicorn.Config(
            self.service.http,
            host="127.0.0.1",
            port=self.settings.http_port,
            lifespan="off",
            log_level="warning",
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        await self.service.start()
        await eventually(lambda: self._server is not None and self._server.started)
        return self.service

    async def knows(self, tenant: Tenant) -> None:
        assert self.service is not None
        db = self.service.db
        await eventually(lambda: db.tenants.find_one({"_id": tenant.id}), timeout=30)

    async def stop(self) -> None:
        if self.service is not None and self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
            await self.service.stop()
            self.service = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}"


def free_number(didww: DidwwSandbox, area: str) -> str:
    """Returns a number of area nobody holds in the sandbox, in E.164."""
    state = didww.state.state
    group = next(g for g in state.catalog.groups if g.area_name == area)
    return "+" + state.free_numbers(group.id)[0].number


class EventLog:
    """Every ordering event published after the fixture started."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._seen: set[str] = set()

    def add(self, event: Event) -> None:
        """Keeps an event once: delivery is at least once (two outbox relays at the same moment
        publish an event twice), and like every consumer the log deduplicates by message id."""
        if event.message_id not in self._seen:
            self._seen.add(event.message_id)
            self.events.append(event)

    def of(self, tenant_id: str, kind: str | None = None) -> list[Any]:
        return [e for e in self.events if e.tenant_id == tenant_id and kind in (None, e.type)]

    async def one(self, tenant_id: str, kind: str, timeout: float = 20.0, **match: Any) -> Any:
        def found() -> Any:
            hits = [
                e
                for e in self.of(tenant_id, kind)
                if all(getattr(e, k) == v for k, v in match.items())
            ]
            return hits[0] if hits else None

        return await eventually(found, timeout=timeout)
