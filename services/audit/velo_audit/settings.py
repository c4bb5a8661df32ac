"""Settings of the audit service (environment prefix VELO_AUDIT_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from velo_runtime import ServiceSettings


class AuditSettings(ServiceSettings):
    """What the audit service reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="VELO_AUDIT_", extra="ignore")

    service_name: str = "audit"
    mongo_database: str = "velo_audit"
    http_port: int = 8105
    batch_size: int = Field(default=500, ge=1, description="Records stored per insert at most.")
