"""Settings of the ordering service (environment prefix VELO_ORDERING_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from velo_offers import budget_database_setting
from velo_runtime import ServiceSettings


class OrderingSettings(ServiceSettings):
    """What the ordering service reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="VELO_ORDERING_", extra="ignore")

    service_name: str = "ordering"
    mongo_database: str = "velo_ordering"
    http_port: int = 8102
    didww_base_url: str = Field(
        default="http://127.0.0.1:8090/v3", description="DIDWW API base URL (the sandbox locally)."
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8102",
        description="How DIDWW reaches this service (callbacks: `<this>/didww/callbacks`).",
    )
    poll_interval_seconds: float = Field(
        default=5.0, gt=0, description="How often a pending order is polled (callback fallback)."
    )
    order_timeout_seconds: float = Field(
        default=900.0, gt=0, description="A pending order older than this raises a stuck alert."
    )
    recovery_interval_seconds: float = Field(
        default=1.0, gt=0, description="How often unfinished requests and the outbox are resumed."
    )
    reconcile_interval_seconds: float = Field(
        default=300.0, gt=0, description="How often each tenant's DIDWW DIDs are reconciled."
    )
    concurrent_requests: int = Field(
        default=16,
        ge=1,
        description="Requests this instance works on at once (each one's own steps stay in order).",
    )
    claim_seconds: float = Field(
        default=60.0, gt=0, description="How long one worker owns a request (renewed as it saves)."
    )
    retry_base_seconds: float = Field(
        default=1.0, gt=0, description="First wait after a DIDWW outage; doubles per attempt."
    )
    retry_max_seconds: float = Field(default=60.0, gt=0, description="Longest wait between tries.")
    alert_after_attempts: int = Field(
        default=5, ge=1, description="Failed tries of one step before the admin is alerted."
    )
    didww_budget_database: str = budget_database_setting()
