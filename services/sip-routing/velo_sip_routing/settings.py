"""Settings of the sip-routing service (environment prefix VELO_SIP_ROUTING_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from velo_runtime import ServiceSettings


class SipRoutingSettings(ServiceSettings):
    """What the sip-routing service reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="VELO_SIP_ROUTING_", extra="ignore")

    service_name: str = "sip-routing"
    mongo_database: str = "velo_sip_routing"
    http_port: int = 8103
    tick_seconds: float = Field(
        default=1.0, gt=0, description="Longest pause of the convergence loop between passes."
    )
    reconcile_interval_seconds: float = Field(
        default=60.0, ge=0, description="How often every routed tenant is checked for drift."
    )
    apply_backoff_seconds: float = Field(
        default=1.0, ge=0, description="First wait before retrying a change PortSIP refused."
    )
    apply_backoff_max_seconds: float = Field(
        default=60.0, ge=0, description="Longest wait between retries of a change."
    )
    failure_alert_threshold: int = Field(
        default=5, ge=1, description="Failed attempts before RoutingFailed and an admin alert."
    )
    presence_priority: int = Field(
        default=100, description="Priority of local-presence outbound rules (lower wins)."
    )
    claim_seconds: float = Field(
        default=120.0, gt=0, description="How long an instance may hold a tenant's convergence."
    )
    directory_max_age_seconds: float = Field(
        default=300.0, gt=0, description="Age after which the directory snapshot is read again."
    )
