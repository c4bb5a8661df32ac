"""Async client of the PortSIP PBX REST API v22 (tenant admin's view of trunks and routing)."""

from velo_portsip.auth import Credentials
from velo_portsip.client import PortsipClient
from velo_portsip.errors import (
    Forbidden,
    NotFound,
    PoolInUse,
    PortsipError,
    Unauthorized,
    Unavailable,
    UnknownExtension,
    ValidationFailed,
)
from velo_portsip.models import (
    CallQueue,
    ExtensionKind,
    ExtensionNumber,
    ForwardAction,
    ForwardRule,
    InboundRule,
    InboundRuleInput,
    OutboundCallerId,
    OutboundRoute,
    OutboundRule,
    OutboundRuleInput,
    Provider,
    ProviderAssignee,
    ProviderInput,
    RingGroup,
    User,
    UserSummary,
)
from velo_portsip.pools import DidPool, InvalidPool
from velo_portsip.transport import RetryPolicy

__all__ = [
    "CallQueue",
    "Credentials",
    "DidPool",
    "ExtensionKind",
    "ExtensionNumber",
    "Forbidden",
    "ForwardAction",
    "ForwardRule",
    "InboundRule",
    "InboundRuleInput",
    "InvalidPool",
    "NotFound",
    "OutboundCallerId",
    "OutboundRoute",
    "OutboundRule",
    "OutboundRuleInput",
    "PoolInUse",
    "PortsipClient",
    "PortsipError",
    "Provider",
    "ProviderAssignee",
    "ProviderInput",
    "RetryPolicy",
    "RingGroup",
    "Unauthorized",
    "Unavailable",
    "UnknownExtension",
    "User",
    "UserSummary",
    "ValidationFailed",
]
