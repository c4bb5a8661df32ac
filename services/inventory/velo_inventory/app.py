"""Composition root of the inventory service."""

from __future__ import annotations

from functools import partial

from velo_didww import Priority
from velo_inventory.http_api import routes
from velo_inventory.search import Inventory
from velo_inventory.settings import InventorySettings
from velo_offers import TenantAccounts, box_from_env, shared_budgets
from velo_runtime import Service, build_service, run_service
from velo_runtime.metrics import MeteredTransport
from velo_tenants import SecretBox, TenantDirectory, follow_tenants


def create_app(settings: InventorySettings | None = None, box: SecretBox | None = None) -> Service:
    """Builds the inventory service, unconnected until its HTTP app starts."""
    settings = settings or InventorySettings()
    service = build_service(settings, title="VeloConnect Numbers — inventory")
    directory = TenantDirectory(service.db)
    metered = partial(MeteredTransport, "didww", service.metrics)
    budgets = shared_budgets(service.mongo, settings.didww_budget_database)
    accounts = TenantAccounts(
        directory,
        box or box_from_env(),
        settings.didww_base_url,
        metered,
        budgets,
        Priority.INTERACTIVE,  # an admin waits on every search
    )
    service.include(follow_tenants(directory, settings.group("tenants")))
    service.http.include_router(routes(Inventory(accounts, settings.coverage_ttl_seconds)))
    service.on_stop.append(accounts.aclose)
    return service


def main() -> None:
    """Runs the inventory service until interrupted."""
    run_service(create_app())


if __name__ == "__main__":
    main()
