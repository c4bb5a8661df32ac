"""Composition root of the gateway service."""

from __future__ import annotations

from velo_gateway.settings import GatewaySettings
from velo_runtime import Service, build_service, run_service


def create_app(settings: GatewaySettings | None = None) -> Service:
    """Builds the gateway service, unconnected until its HTTP app starts."""
    return build_service(settings or GatewaySettings(), title="VeloConnect Numbers — gateway")


def main() -> None:
    """Runs the gateway service until interrupted."""
    run_service(create_app())


if __name__ == "__main__":
    main()
