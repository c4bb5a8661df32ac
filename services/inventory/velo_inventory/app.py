"""Composition root of the inventory service."""

from __future__ import annotations

from velo_inventory.settings import InventorySettings
from velo_runtime import Service, build_service, run_service


def create_app(settings: InventorySettings | None = None) -> Service:
    """Builds the inventory service, unconnected until its HTTP app starts."""
    return build_service(settings or InventorySettings(), title="VeloConnect Numbers — inventory")


def main() -> None:
    """Runs the inventory service until interrupted."""
    run_service(create_app())


if __name__ == "__main__":
    main()
