"""Settings of the assignment service (environment prefix VELO_ASSIGNMENT_)."""

from pydantic_settings import SettingsConfigDict

from velo_runtime import ServiceSettings


class AssignmentSettings(ServiceSettings):
    """What the assignment service reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="VELO_ASSIGNMENT_", extra="ignore")

    service_name: str = "assignment"
    mongo_database: str = "velo_assignment"
    http_port: int = 8104
