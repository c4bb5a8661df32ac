"""Settings of the ordering service (environment prefix VELO_ORDERING_)."""

from pydantic_settings import SettingsConfigDict

from velo_runtime import ServiceSettings


class OrderingSettings(ServiceSettings):
    """What the ordering service reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="VELO_ORDERING_", extra="ignore")

    service_name: str = "ordering"
    mongo_database: str = "velo_ordering"
    http_port: int = 8102
