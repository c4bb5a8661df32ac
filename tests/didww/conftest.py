"""Fixtures of the DIDWW client and sandbox tests: an in-process sandbox and clients of it."""

from __future__ import annotations

import asyncio
import queue
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from velo_didww import SIGNATURE_HEADER, AvailableDid, DidwwClient, RetryPolicy
from velo_sandbox.didww import ManualClock, SandboxConfig, create_app
from velo_sandbox.didww.runtime import Sandbox
from velo_sandbox.serve import RunningServer, serve_in_thread

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "didww" / "v3_api.yaml"
"""DIDWW's own OpenAPI description (API 2026-04-16), kept outside the repository."""
ACME = "sandbox-acme-key"
GLOBEX = "sandbox-globex-key"
BASE = "http://sandbox"


def make_client(app: Starlette, api_key: str, **options: Any) -> DidwwClient:
    """Returns a client talking to app in-process (no client-side rate limit unless asked)."""
    options.setdefault("rate_limit", None)
    options.setdefault("retry", RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05))
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    return DidwwClient(api_key, f"{BASE}/v3", http=http, **options)


async def _wait_for(condition: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Polls condition until it holds, failing after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def config(clock: ManualClock) -> SandboxConfig:
    return SandboxConfig(order_delay=0.05, rate_limit=None, clock=clock)


@pytest.fixture
async def app(config: SandboxConfig) -> AsyncIterator[Starlette]:
    app = create_app(config)
    yield app
    await app.state.sandbox.fulfilment.aclose()


@pytest.fixture
def sandbox(app: Starlette) -> Sandbox:
    return app.state.sandbox  # type: ignore[no-any-return]


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


@pytest.fixture
async def acme(app: Starlette) -> AsyncIterator[DidwwClient]:
    async with make_client(app, ACME) as client:
        yield client


@pytest.fixture
async def globex(app: Starlette) -> AsyncIterator[DidwwClient]:
    async with make_client(app, GLOBEX) as client:
        yield client


async def _berlin_number(client: DidwwClient) -> AvailableDid:
    """Returns a free Berlin number with its group and SKU included."""
    numbers = await client.list_available_dids({"number_contains": "4930"})
    return next(n for n in numbers if n.did_group and n.did_group.area_name == "Berlin")


Waiter = Callable[[Callable[[], Awaitable[bool]]], Awaitable[None]]
NumberPicker = Callable[[DidwwClient], Awaitable[AvailableDid]]


@pytest.fixture
def wait_for() -> Waiter:
    """Gives `await wait_for(async_condition)`: polls with a deadline instead of sleeping."""
    return _wait_for


@pytest.fixture
def berlin_number() -> NumberPicker:
    """Gives `await berlin_number(client)`: a free Berlin number, group and SKU included."""
    return _berlin_number


@pytest.fixture
def client_factory(app: Starlette) -> Callable[..., DidwwClient]:
    """Gives `make_client(api_key, **options)` bound to the in-process sandbox."""
    return lambda api_key, **options: make_client(app, api_key, **options)


Received = queue.Queue[tuple[str, dict[str, str], str]]
"""Callbacks received: (URL, form payload, X-DIDWW-Signature)."""


@pytest.fixture
def callbacks() -> Iterator[tuple[RunningServer, Received]]:
    """Gives a callback receiver on a real socket (`<url>/didww`) and what it received."""
    received: Received = queue.Queue()

    async def receive(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        received.put((str(request.url), form, request.headers.get(SIGNATURE_HEADER, "")))
        return Response(status_code=204)

    with serve_in_thread(Starlette(routes=[Route("/didww", receive, methods=["POST"])])) as server:
        yield server, received
