"""The envelope every message carries, and the actor who caused it."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Self
from uuid import UUID, uuid4, uuid5

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1
"""Schema version of every v1 message; bumped only with a new topic version."""


def utc_now() -> datetime:
    """Returns the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def new_id() -> str:
    """Returns a fresh random identifier."""
    return str(uuid4())


_STABLE_IDS = UUID("0b5c6e43-8f1d-4a52-9d1e-7a0f3c2b9e64")


def stable_id(*parts: str) -> str:
    """Returns the same URL-safe id for the same parts (for ids a redelivery must reproduce)."""
    return str(uuid5(_STABLE_IDS, "\x1f".join(parts)))


class Role(StrEnum):
    """What the actor is allowed to be in a tenant."""

    ADMIN = "admin"
    AGENT = "agent"
    SYSTEM = "system"
    OPERATOR = "operator"


class Actor(BaseModel):
    """Who caused a message: a tenant user, or the system itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str = Field(description="Id of the user (JWT `sub`), or the service name for system.")
    role: Role = Field(description="Role of the user in the tenant when the message was caused.")

    @classmethod
    def system(cls, service: str) -> Actor:
        """Names a service acting on its own (reconciliation, retries, drift repair)."""
        return cls(user_id=service, role=Role.SYSTEM)

    @classmethod
    def operator(cls, user_id: str) -> Actor:
        """Names a platform operator acting with the ops tools (e.g. `velo-dlq replay`)."""
        return cls(user_id=user_id, role=Role.OPERATOR)


PLATFORM_TENANT_ID = "_platform"
"""Tenant id of a message about no tenant in particular (never a tenant's id: see tenants.py)."""


def _describe_type(schema: dict[str, Any]) -> None:
    schema["properties"]["type"].setdefault("description", "Message type; selects the model.")


class Message(BaseModel):
    """Fields every command and event carries on the wire (the envelope)."""

    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_extra=_describe_type)

    message_id: str = Field(
        default_factory=new_id,
        description="Unique id of this message; consumers deduplicate on it.",
    )
    type: str = Field(description="Name of the message type, e.g. `NumberApproved`.")
    occurred_at: datetime = Field(
        default_factory=utc_now,
        description="When the command was issued or the event happened (UTC, ISO-8601).",
    )
    tenant_id: str = Field(min_length=1, description="Tenant the message belongs to.")
    actor: Actor = Field(description="Who caused the message.")
    correlation_id: str = Field(
        default_factory=new_id,
        description="Id of the original request this message descends from (ties a flow together).",
    )
    causation_id: str | None = Field(
        default=None, description="`message_id` of the message that directly caused this one."
    )
    schema_version: int = Field(default=SCHEMA_VERSION, description="Schema version.")

    @classmethod
    def caused_by(cls, cause: Message, *, actor: Actor | None = None, **fields: Any) -> Self:
        """Builds a message caused by another one, carrying its tenant and correlation."""
        return cls(
            tenant_id=cause.tenant_id,
            actor=actor or cause.actor,
            correlation_id=cause.correlation_id,
            causation_id=cause.message_id,
            **fields,
        )

    def partition_key(self) -> str:
        """Returns the Kafka key: the number once known, else the correlation (request) id."""
        number = getattr(self, "number", None)
        return str(number) if number else self.correlation_id


class Command(Message):
    """An imperative message sent to the one service that owns the decision."""

    command_id: str = Field(
        default_factory=new_id,
        description="Idempotency key of the command: the same key is carried out at most once.",
    )


class Event(Message):
    """A fact, published only by the service that owns it."""
