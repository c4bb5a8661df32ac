"""The composition root of the PortSIP sandbox: `create_app(config)` → a Starlette app."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from velo_sandbox.faults import FaultMiddleware, FaultState, admin_routes
from velo_sandbox.portsip.admin import portsip_admin_routes
from velo_sandbox.portsip.api_auth import auth_routes
from velo_sandbox.portsip.api_directory import directory_routes
from velo_sandbox.portsip.api_rules import inbound_routes, outbound_routes
from velo_sandbox.portsip.api_trunks import provider_routes
from velo_sandbox.portsip.config import SandboxConfig
from velo_sandbox.portsip.http import fault_body
from velo_sandbox.portsip.seed import seed_directory
from velo_sandbox.portsip.store import Store
from velo_sandbox.portsip.tokens import Tokens


def build_store(config: SandboxConfig) -> Store:
    """Creates the configured tenants, each with its seeded directory if asked."""
    store = Store()
    for seed in config.tenants:
        tenant = store.add_tenant(seed.domain, seed.admin, seed.password)
        if config.seed_directory:
            seed_directory(store, tenant)
    return store


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """Returns a fresh sandbox; its state is on `app.state.store`, `.tokens`, `.faults`."""
    config = config or SandboxConfig()
    store, tokens, faults = build_store(config), Tokens(config), FaultState()
    routes = [
        *auth_routes(store, tokens, config),
        *provider_routes(store, tokens),
        *inbound_routes(store, tokens),
        *outbound_routes(store, tokens),
        *directory_routes(store, tokens),
        *admin_routes(faults),
        *portsip_admin_routes(store, tokens, config),
    ]
    middleware = [Middleware(FaultMiddleware, state=faults, prefix="/api", error_body=fault_body)]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.store, app.state.tokens, app.state.faults = store, tokens, faults
    app.state.config = config
    return app
