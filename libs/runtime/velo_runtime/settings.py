"""Settings read from the environment; the infrastructure addresses are shared by every service."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _shared(name: str) -> AliasChoices:
    return AliasChoices(f"VELO_{name.upper()}", name)


class ServiceSettings(BaseSettings):
    """Settings every service has; subclasses add their own under their own env prefix."""

    model_config = SettingsConfigDict(env_prefix="VELO_", extra="ignore")

    service_name: str = Field(default="velo", description="Name in logs, metrics and group ids.")
    kafka_bootstrap: str = Field(
        default="127.0.0.1:9092",
        validation_alias=_shared("kafka_bootstrap"),
        description="Kafka bootstrap servers (VELO_KAFKA_BOOTSTRAP).",
    )
    mongo_url: str = Field(
        default="mongodb://127.0.0.1:27017/",
        validation_alias=_shared("mongo_url"),
        description="MongoDB connection string (VELO_MONGO_URL).",
    )
    mongo_database: str = Field(default="velo", description="This service's own database.")
    log_level: str = Field(
        default="INFO", validation_alias=_shared("log_level"), description="Log level."
    )
    log_json: bool = Field(
        default=True, validation_alias=_shared("log_json"), description="JSON logs (else console)."
    )
    http_host: str = Field(default="127.0.0.1", description="Address the HTTP API listens on.")
    http_port: int = Field(default=8000, description="Port of health, metrics and read API.")
    http_keep_alive_seconds: int = Field(
        default=75,
        gt=0,
        validation_alias=_shared("http_keep_alive_seconds"),
        description="How long an idle keep-alive connection is kept open. Longer than the idle "
        "timeout of every client and proxy in front (httpx drops its own after 5 s, load "
        "balancers often after 60 s): a server closing a connection just as a client reuses it "
        "fails that request.",
    )
    retry_deadline_seconds: float = Field(
        default=900.0,
        gt=0,
        validation_alias=_shared("retry_deadline_seconds"),
        description="How long a failing handler's message is retried (from its first failure) "
        "before it is parked in its DLQ, visibly (audit entry, admin alert).",
    )
    retry_backoff_seconds: float = Field(
        default=0.5,
        ge=0,
        validation_alias=_shared("retry_backoff_seconds"),
        description="First wait between tries of a failing handler; doubles each try.",
    )
    retry_backoff_max_seconds: float = Field(
        default=10.0,
        ge=0,
        validation_alias=_shared("retry_backoff_max_seconds"),
        description="Longest wait between tries of a failing handler.",
    )
    only_tenants: str = Field(
        default="",
        description="Comma-separated tenant ids this instance serves (a dedicated instance); "
        "empty serves every tenant.",
    )

    otlp_endpoint: str = Field(
        default="",
        validation_alias=AliasChoices(
            "VELO_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT", "otlp_endpoint"
        ),
        description="Base URL of an OTLP/HTTP collector (traces go to <it>/v1/traces); empty "
        "turns tracing off. OTEL_EXPORTER_OTLP_ENDPOINT is read when VELO_OTLP_ENDPOINT is unset.",
    )
    probe_interval_seconds: float = Field(
        default=15.0,
        gt=0,
        validation_alias=_shared("probe_interval_seconds"),
        description="How often the gauges read from Kafka and MongoDB (consumer lag, DLQ depth, "
        "outbox backlog, open requests) are refreshed.",
    )

    group_prefix: str = Field(
        default="",
        description="Prefix of this instance's consumer group ids; empty means `velo.<service>`.",
    )

    def group(self, name: str) -> str:
        """Returns the consumer group id of one of this service's subscriptions."""
        return f"{self.group_prefix or 'velo.' + self.service_name}.{name}"

    def serves(self, tenant_id: str) -> bool:
        """Tells whether this instance handles the tenant's messages."""
        chosen = {t.strip() for t in self.only_tenants.split(",") if t.strip()}
        return not chosen or tenant_id in chosen
