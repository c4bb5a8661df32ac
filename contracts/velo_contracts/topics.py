"""The topic registry: versioned names, the one service that publishes on each, what flows there.

Naming: `velo.<owner>.<commands|events>.v<N>`; a topic's dead-letter queue is `<topic>.dlq`.
Within a version, changes are additive only; an incompatible change makes a new `.v<N+1>` topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from velo_contracts import commands, events, tenants
from velo_contracts.envelope import Message

DLQ_SUFFIX = ".dlq"


def dlq_of(topic: str) -> str:
    """Returns the name of the dead-letter topic of topic."""
    return topic + DLQ_SUFFIX


@dataclass(frozen=True)
class Topic:
    """One Kafka topic of the system."""

    name: str
    owner: str
    kind: str
    messages: tuple[type[Message], ...]
    description: str
    schema: Any
    compacted: bool = False
    partitions: int = 3

    @property
    def dlq(self) -> str:
        """Name of this topic's dead-letter queue."""
        return dlq_of(self.name)

    def parse(self, data: bytes | str | dict[str, Any]) -> Message:
        """Parses a message of this topic, picking its model by `type`."""
        adapter: TypeAdapter[Message] = TypeAdapter(self.schema)
        if isinstance(data, dict):
            return adapter.validate_python(data)
        return adapter.validate_json(data)


ORDERING_COMMANDS = Topic(
    name="velo.ordering.commands.v1",
    owner="ordering",
    kind="commands",
    messages=(
        commands.RequestNumber,
        commands.RequestNumbers,
        commands.ReleaseNumber,
        commands.SubmitRegistration,
    ),
    description="Requests for numbers and releases, consumed by ordering.",
    schema=commands.OrderingCommand,
)
ORDERING_EVENTS = Topic(
    name="velo.ordering.events.v1",
    owner="ordering",
    kind="events",
    messages=(
        events.NumberRequested,
        events.NumberRequestRejected,
        events.NumberRequestFailed,
        events.NumberOrdered,
        events.NumberApproved,
        events.NumberImported,
        events.NumberReleased,
        events.NumberAwaitingRegistration,
        events.RegistrationSubmitted,
        events.RegistrationRejected,
        events.KycRecordFiled,
        events.AdminAlertRaised,
        events.BulkRequested,
        events.BulkProgressed,
    ),
    description="A number's life at DIDWW: requested … released; bulks and their progress.",
    schema=events.OrderingEvent,
)
ROUTING_EVENTS = Topic(
    name="velo.routing.events.v1",
    owner="sip-routing",
    kind="events",
    messages=(
        events.RoutingConfigured,
        events.RoutingFailed,
        events.RoutingRemoved,
        events.AdminAlertRaised,
    ),
    description="Whether PortSIP routes a number: configured (Active), failed, removed.",
    schema=events.RoutingEvent,
)
ASSIGNMENT_COMMANDS = Topic(
    name="velo.assignment.commands.v1",
    owner="assignment",
    kind="commands",
    messages=(commands.AssignNumber, commands.ReassignNumber, commands.UnassignNumber),
    description="Assign, reassign and unassign commands, consumed by assignment.",
    schema=commands.AssignmentCommand,
)
ASSIGNMENT_EVENTS = Topic(
    name="velo.assignment.events.v1",
    owner="assignment",
    kind="events",
    messages=(
        events.NumberAssigned,
        events.NumberReassigned,
        events.NumberUnassigned,
        events.AssignmentRejected,
        events.AdminAlertRaised,
    ),
    description="Which agent and target a number belongs to, refused assignments and their alerts.",
    schema=events.AssignmentEvent,
)
OPS_EVENTS = Topic(
    name="velo.ops.events.v1",
    owner="ops",
    kind="events",
    messages=(events.DeadLetterReplayed, events.DeadLetterDiscarded),
    description="What operators did with dead letters (`velo-dlq`): replayed or discarded.",
    schema=events.OpsEvent,
)

TENANTS = Topic(
    name="velo.tenants.v1",
    owner="tenants",
    kind="events",
    messages=(tenants.TenantConfigured,),
    description="Each tenant's current configuration (compacted, keyed by tenant; secrets sealed).",
    schema=tenants.TenantConfigured,
    compacted=True,
)

ALL_TOPICS: tuple[Topic, ...] = (
    TENANTS,
    ORDERING_COMMANDS,
    ORDERING_EVENTS,
    ROUTING_EVENTS,
    ASSIGNMENT_COMMANDS,
    ASSIGNMENT_EVENTS,
    OPS_EVENTS,
)
TOPICS_BY_NAME = {topic.name: topic for topic in ALL_TOPICS}


def message_models() -> dict[str, type[Message]]:
    """Returns every message model of v1 by its type name."""
    return {model.__name__: model for topic in ALL_TOPICS for model in topic.messages}
