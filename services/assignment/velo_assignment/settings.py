"""Settings of the assignment service (environment prefix VELO_ASSIGNMENT_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from velo_runtime import ServiceSettings


class AssignmentSettings(ServiceSettings):
    """What the assignment service reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="VELO_ASSIGNMENT_", extra="ignore")

    service_name: str = "assignment"
    mongo_database: str = "velo_assignment"
    http_port: int = 8104
    sip_routing_url: str = Field(
        default="http://127.0.0.1:8103", description="Base URL of sip-routing's read API."
    )
    sip_routing_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long a directory lookup may take."
    )
    relay_interval_seconds: float = Field(
        default=2.0, gt=0, description="How often events left in outboxes are relayed."
    )
