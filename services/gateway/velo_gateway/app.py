"""Composition root of the gateway: the admin UI's HTTP API."""

from __future__ import annotations

from velo_gateway import kyc, live, problems, reads, web, writes
from velo_gateway.context import Gateway
from velo_gateway.downstream import Downstream
from velo_gateway.ratelimit import WriteLimiter
from velo_gateway.settings import GatewaySettings
from velo_gateway.tenants import RegisteredTenants
from velo_runtime import Service, build_service, run_service


def create_app(
    settings: GatewaySettings | None = None, downstream: Downstream | None = None
) -> Service:
    """Builds the gateway, unconnected until its HTTP app starts."""
    settings = settings or GatewaySettings()
    service = build_service(settings, uses_mongo=False, title="VeloConnect Numbers API")
    downstream = downstream or Downstream(settings)
    limiter = WriteLimiter(settings.writes_per_minute, settings.write_burst)
    tenants = RegisteredTenants(downstream)
    gateway = Gateway(settings, downstream, service.publisher, limiter, tenants)
    http = service.http
    http.state.settings = settings
    http.state.gateway = gateway
    problems.install(http)
    for router in (reads.router, writes.router, kyc.router, kyc.numbers, live.router):
        http.include_router(router)
    web.install(http)
    service.on_stop.append(downstream.close)
    return service


def main() -> None:
    """Runs the gateway until interrupted."""
    run_service(create_app())


if __name__ == "__main__":
    main()
