"""Settings of the gateway (environment prefix VELO_GATEWAY_)."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from velo_runtime import ServiceSettings


class GatewaySettings(ServiceSettings):
    """What the gateway reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="VELO_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    http_port: int = 8080
    jwt_secret: SecretStr = Field(
        default=SecretStr(""), description="HMAC key that signs admin UI tokens (HS256)."
    )
    jwt_algorithms: list[str] = Field(default=["HS256"], description="Accepted JWT algorithms.")
    inventory_url: str = Field(default="http://127.0.0.1:8101", description="Inventory read API.")
    ordering_url: str = Field(default="http://127.0.0.1:8102", description="Ordering read API.")
    sip_routing_url: str = Field(default="http://127.0.0.1:8103", description="sip-routing API.")
    assignment_url: str = Field(default="http://127.0.0.1:8104", description="Assignment API.")
    audit_url: str = Field(default="http://127.0.0.1:8105", description="Audit read API.")
    downstream_timeout_seconds: float = Field(default=10.0, description="Per read API call.")
    publish_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long a command may wait for the broker to take it."
    )
    writes_per_minute: int = Field(default=60, ge=1, description="Writes per tenant per minute.")
    write_burst: int = Field(default=20, ge=1, description="Writes a tenant may make at once.")
    dev_tenants: list[str] = Field(
        default=[],
        description="Development only (`make run` sets it): tenants the Phone numbers page's "
        "sign-in offers, minting tokens with jwt_secret. Empty (production): no sign-in page, "
        "the page takes the host application's token.",
    )
