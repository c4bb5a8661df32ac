"""Settings of the gateway service (environment prefix VELO_GATEWAY_)."""

from pydantic_settings import SettingsConfigDict

from velo_runtime import ServiceSettings


class GatewaySettings(ServiceSettings):
    """What the gateway service reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="VELO_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    mongo_database: str = "velo_gateway"
    http_port: int = 8080
