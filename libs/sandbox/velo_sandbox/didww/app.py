"""`create_app(config)`: the DIDWW sandbox as a Starlette app (`/v3` plus `/_admin`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from velo_sandbox.didww import (
    routes_addresses,
    routes_coverage,
    routes_dids,
    routes_documents,
    routes_files,
    routes_identities,
    routes_orders,
    routes_places,
    routes_proofs,
    routes_trunks,
    routes_verifications,
)
from velo_sandbox.didww.admin import didww_admin_routes
from velo_sandbox.didww.catalog import build_catalog
from velo_sandbox.didww.errors import ApiError, error_body, not_found
from velo_sandbox.didww.fulfilment import Fulfilment
from velo_sandbox.didww.limits import KeyRateLimit
from velo_sandbox.didww.persistence import keep_saved, load, save
from velo_sandbox.didww.review import Review
from velo_sandbox.didww.routing import resource
from velo_sandbox.didww.runtime import Sandbox, SandboxConfig, on_api_error
from velo_sandbox.didww.state import SandboxState
from velo_sandbox.faults import FaultMiddleware, FaultState, admin_routes


async def _unknown(request: Request) -> Response:
    raise not_found("route", request.url.path)


def build_sandbox(config: SandboxConfig) -> Sandbox:
    """Builds the sandbox's state from config (and its state file, if any)."""
    records = load(config.state_file)
    catalog = build_catalog(config.seed, config.stock_per_group, records.restocked)
    state = SandboxState(catalog, records, config.clock)
    for api_key, balance in config.accounts.items():
        if state.account(api_key) is None:
            state.add_account(api_key, balance, config.callback_secrets.get(api_key))
    return Sandbox(
        state,
        KeyRateLimit(config.rate_limit),
        Fulfilment(state, config.order_delay),
        FaultState(),
        Review(state, config.review_delay),
    )


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """Returns the DIDWW sandbox app; `app.state.sandbox` gives tests direct access."""
    config = config or SandboxConfig()
    sandbox = build_sandbox(config)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        sandbox.fulfilment.resume()
        sandbox.review.resume()
        saver = (
            asyncio.create_task(keep_saved(config.state_file, sandbox.state.records))
            if config.state_file
            else None
        )
        try:
            yield
        finally:
            if saver is not None:
                saver.cancel()
            await sandbox.fulfilment.aclose()
            await sandbox.review.aclose()
            if config.state_file:
                save(config.state_file, sandbox.state.records)

    routes = [
        *routes_coverage.ROUTES,
        *routes_places.ROUTES,
        *routes_orders.ROUTES,
        *routes_dids.ROUTES,
        *routes_trunks.ROUTES,
        *routes_files.ROUTES,
        *routes_identities.ROUTES,
        *routes_addresses.ROUTES,
        *routes_proofs.ROUTES,
        *routes_documents.ROUTES,
        *routes_verifications.ROUTES,
        resource("/v3/{path:path}", fallback=_unknown),
        *didww_admin_routes(),
        *admin_routes(sandbox.faults),
    ]
    app = Starlette(routes=routes, exception_handlers={ApiError: on_api_error}, lifespan=lifespan)
    app.state.sandbox = sandbox
    app.add_middleware(FaultMiddleware, state=sandbox.faults, prefix="/v3", error_body=error_body)
    return app
