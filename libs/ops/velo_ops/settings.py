"""Settings of the ops tools: the infrastructure every service uses, and where actions are kept."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from velo_runtime import ServiceSettings


class OpsSettings(ServiceSettings):
    """What `velo-dlq` reads from the environment (own settings under VELO_OPS_)."""

    model_config = SettingsConfigDict(env_prefix="VELO_OPS_", extra="ignore")

    service_name: str = "ops"
    mongo_database: str = Field(
        default="velo_ops",
        description="Database of the operators' actions (VELO_OPS_MONGO_DATABASE).",
    )
