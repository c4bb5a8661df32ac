"""Settings of the sip-routing service (environment prefix VELO_SIP_ROUTING_)."""

from pydantic_settings import SettingsConfigDict

from velo_runtime import ServiceSettings


class SipRoutingSettings(ServiceSettings):
    """What the sip-routing service reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="VELO_SIP_ROUTING_", extra="ignore")

    service_name: str = "sip-routing"
    mongo_database: str = "velo_sip_routing"
    http_port: int = 8103
