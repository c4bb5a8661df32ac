"""Async client of the DIDWW API v3: coverage, reservations, orders, DIDs, trunks, callbacks."""

from velo_didww.client import PRODUCTION_URL, SANDBOX_URL, DidwwClient
from velo_didww.errors import (
    BadRequest,
    DidwwError,
    ErrorItem,
    Forbidden,
    InsufficientFunds,
    NotFound,
    RateLimited,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)
from velo_didww.models import (
    AddressRequirement,
    AvailableDid,
    Balance,
    Country,
    Did,
    DidGroup,
    DidGroupType,
    DidReservation,
    Order,
    OrderItem,
    StockKeepingUnit,
    VoiceInTrunk,
)
from velo_didww.ratelimit import Budget, LocalBudget, key_id, local_budget
from velo_didww.requests import DidOrderItem, SipConfiguration
from velo_didww.schedule import DEFAULT_RATE, Priority, Schedule
from velo_didww.signature import SIGNATURE_HEADER, sign_callback, verify_callback
from velo_didww.transport import RetryPolicy

__all__ = [
    "DEFAULT_RATE",
    "PRODUCTION_URL",
    "SANDBOX_URL",
    "SIGNATURE_HEADER",
    "AddressRequirement",
    "AvailableDid",
    "BadRequest",
    "Balance",
    "Budget",
    "Country",
    "Did",
    "DidGroup",
    "DidGroupType",
    "DidOrderItem",
    "DidReservation",
    "DidwwClient",
    "DidwwError",
    "ErrorItem",
    "Forbidden",
    "InsufficientFunds",
    "LocalBudget",
    "NotFound",
    "Order",
    "OrderItem",
    "Priority",
    "RateLimited",
    "RetryPolicy",
    "Schedule",
    "SipConfiguration",
    "StockKeepingUnit",
    "Unauthorized",
    "Unavailable",
    "ValidationFailed",
    "VoiceInTrunk",
    "key_id",
    "local_budget",
    "sign_callback",
    "verify_callback",
]
