"""Composition root of the sip-routing service."""

from __future__ import annotations

from velo_runtime import Service, build_service, run_service
from velo_sip_routing.settings import SipRoutingSettings


def create_app(settings: SipRoutingSettings | None = None) -> Service:
    """Builds the sip-routing service, unconnected until its HTTP app starts."""
    return build_service(
        settings or SipRoutingSettings(), title="VeloConnect Numbers — sip-routing"
    )


def main() -> None:
    """Runs the sip-routing service until interrupted."""
    run_service(create_app())


if __name__ == "__main__":
    main()
