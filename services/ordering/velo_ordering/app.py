"""Composition root of the ordering service."""

from __future__ import annotations

from velo_ordering.settings import OrderingSettings
from velo_runtime import Service, build_service, run_service


def create_app(settings: OrderingSettings | None = None) -> Service:
    """Builds the ordering service, unconnected until its HTTP app starts."""
    return build_service(settings or OrderingSettings(), title="VeloConnect Numbers — ordering")


def main() -> None:
    """Runs the ordering service until interrupted."""
    run_service(create_app())


if __name__ == "__main__":
    main()
