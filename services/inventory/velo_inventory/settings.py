"""Settings of the inventory service (environment prefix VELO_INVENTORY_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from velo_offers import budget_database_setting
from velo_runtime import ServiceSettings


class InventorySettings(ServiceSettings):
    """What the inventory service reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="VELO_INVENTORY_", extra="ignore")

    service_name: str = "inventory"
    mongo_database: str = "velo_inventory"
    http_port: int = 8101
    didww_base_url: str = Field(
        default="http://127.0.0.1:8090/v3", description="DIDWW API base URL (the sandbox locally)."
    )
    coverage_ttl_seconds: float = Field(
        default=60.0,
        ge=0,
        description="How long countries and DID groups (prices, KYC) are reused; never stock.",
    )
    didww_budget_database: str = budget_database_setting()
