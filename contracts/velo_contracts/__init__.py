"""Wire contracts of VeloConnect Numbers (v1): envelope, commands, events, topics, error codes.

Every service imports its message models from here and nowhere else.
"""

from velo_contracts.commands import (
    AssignNumber,
    NextAvailable,
    ReassignNumber,
    ReleaseNumber,
    RequestNumber,
    SpecificNumber,
    UnassignNumber,
)
from velo_contracts.envelope import PLATFORM_TENANT_ID, Actor, Command, Event, Message, Role
from velo_contracts.errors import ErrorCode
from velo_contracts.events import (
    AdminAlertRaised,
    AlertSeverity,
    AssignmentRejected,
    DeadLetterDiscarded,
    DeadLetterReplayed,
    NumberApproved,
    NumberAssigned,
    NumberFacts,
    NumberImported,
    NumberOrdered,
    NumberReassigned,
    NumberReleased,
    NumberRequested,
    NumberRequestFailed,
    NumberRequestRejected,
    NumberUnassigned,
    RoutingConfigured,
    RoutingFailed,
    RoutingRemoved,
)
from velo_contracts.topics import ALL_TOPICS, TOPICS_BY_NAME, Topic, dlq_of
from velo_contracts.types import InboundTarget, KycRequirement, NumberType, TargetType

__all__ = [
    "ALL_TOPICS",
    "PLATFORM_TENANT_ID",
    "TOPICS_BY_NAME",
    "Actor",
    "AdminAlertRaised",
    "AlertSeverity",
    "AssignNumber",
    "AssignmentRejected",
    "Command",
    "DeadLetterDiscarded",
    "DeadLetterReplayed",
    "ErrorCode",
    "Event",
    "InboundTarget",
    "KycRequirement",
    "Message",
    "NextAvailable",
    "NumberApproved",
    "NumberAssigned",
    "NumberFacts",
    "NumberImported",
    "NumberOrdered",
    "NumberReassigned",
    "NumberReleased",
    "NumberRequestFailed",
    "NumberRequestRejected",
    "NumberRequested",
    "NumberType",
    "NumberUnassigned",
    "ReassignNumber",
    "ReleaseNumber",
    "RequestNumber",
    "Role",
    "RoutingConfigured",
    "RoutingFailed",
    "RoutingRemoved",
    "SpecificNumber",
    "TargetType",
    "Topic",
    "UnassignNumber",
    "dlq_of",
]
