"""The composition root of the PortSIP sandbox: `create_app(config)` → a Starlette app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from velo_sandbox.faults import FaultMiddleware, FaultState, admin_routes
from velo_sandbox.portsip.admin import portsip_admin_routes
from velo_sandbox.portsip.api_auth import auth_routes
from velo_sandbox.portsip.api_groups import directory_routes
from velo_sandbox.portsip.api_rules import inbound_routes, outbound_routes
from velo_sandbox.portsip.api_tenants import tenant_routes
from velo_sandbox.portsip.api_trunks import provider_routes
from velo_sandbox.portsip.api_users import user_routes
from velo_sandbox.portsip.config import SandboxConfig
from velo_sandbox.portsip.http import fault_body, http_error, server_error
from velo_sandbox.portsip.seed import seed_directory
from velo_sandbox.portsip.store import Store
from velo_sandbox.portsip.tokens import Tokens

Endpoint = Callable[[Request], Awaitable[Response]]


def build_store(config: SandboxConfig) -> Store:
    """Creates the configured tenants, each with its seeded directory if asked."""
    store = Store()
    for seed in config.tenants:
        tenant = store.add_tenant(seed.domain, seed.admin, seed.password)
        if config.seed_directory:
            seed_directory(store, tenant)
    return store


def one_route_per_path(routes: list[Route]) -> list[BaseRoute]:
    """Joins the routes of each path into one, so a method the path lacks is answered 405 with
    every method it has in `Allow` (Starlette would name only the first route's methods)."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for route in routes:
        for method in route.methods or ():
            by_path.setdefault(route.path, {})[method] = route.endpoint
    return [
        Route(path, _dispatch(methods), methods=list(methods)) for path, methods in by_path.items()
    ]


def _dispatch(methods: dict[str, Endpoint]) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        return await methods[request.method](request)

    return endpoint


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """Returns a fresh sandbox; its state is on `app.state.store`, `.tokens`, `.faults`."""
    config = config or SandboxConfig()
    store, tokens, faults = build_store(config), Tokens(config), FaultState()
    routes = [
        *auth_routes(store, tokens, config),
        *provider_routes(store, tokens),
        *inbound_routes(store, tokens),
        *outbound_routes(store, tokens),
        *user_routes(store, tokens),
        *directory_routes(store, tokens),
        *tenant_routes(store, tokens),
        *admin_routes(faults),
        *portsip_admin_routes(store, tokens, config),
    ]
    middleware = [Middleware(FaultMiddleware, state=faults, prefix="/api", error_body=fault_body)]
    app = Starlette(
        routes=one_route_per_path(routes),
        middleware=middleware,
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
    app.state.store, app.state.tokens, app.state.faults = store, tokens, faults
    app.state.config = config
    return app
