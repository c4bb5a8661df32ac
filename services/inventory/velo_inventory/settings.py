"""Settings of the inventory service (environment prefix VELO_INVENTORY_)."""

from pydantic_settings import SettingsConfigDict

from velo_runtime import ServiceSettings


class InventorySettings(ServiceSettings):
    """What the inventory service reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="VELO_INVENTORY_", extra="ignore")

    service_name: str = "inventory"
    mongo_database: str = "velo_inventory"
    http_port: int = 8101
