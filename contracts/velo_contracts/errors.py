"""Stable error and reason codes shared by events, HTTP problems and logs.

Codes never change meaning and are never removed within v1; new ones may be added.
"""

from enum import StrEnum


class ErrorCode(StrEnum):
    """Why something was refused or failed, in a form programs can act on."""

    # Number requests (NumberRequestRejected.reason)
    KYC_REQUIRED = "kyc_required"
    KYC_INCOMPLETE = "kyc_incomplete"
    UNAVAILABLE = "unavailable"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    ORDER_CANCELED = "order_canceled"
    INVALID = "invalid"
    NOT_OFFERED = "not_offered"
    # Assignments (AssignmentRejected.reason)
    NUMBER_NOT_FOUND = "number_not_found"
    NUMBER_NOT_ACTIVE = "number_not_active"
    TARGET_NOT_FOUND = "target_not_found"
    AGENT_MISMATCH = "agent_mismatch"
    # Immediate refusals at the API (HTTP 409/422)
    ALREADY_OWNED = "already_owned"
    ALREADY_RELEASED = "already_released"
    WRONG_COUNTRY = "wrong_country"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    OVER_BUDGET = "over_budget"
    # Vendors and infrastructure (failures, alerts, HTTP 5xx)
    VENDOR_UNAVAILABLE = "vendor_unavailable"
    VENDOR_REJECTED = "vendor_rejected"
    ROUTING_FAILED = "routing_failed"
    RELEASE_REFUSED = "release_refused"
    DRIFT_DETECTED = "drift_detected"
    STUCK = "stuck"
    # Notices (alerts that something the admin waits for went through)
    REGISTRATION_APPROVED = "registration_approved"
    # API (HTTP problems)
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    VALIDATION_FAILED = "validation_failed"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    TENANT_UNKNOWN = "tenant_unknown"
    INTERNAL = "internal"


REJECTION_REASONS = frozenset(
    {
        ErrorCode.KYC_REQUIRED,
        ErrorCode.KYC_INCOMPLETE,
        ErrorCode.UNAVAILABLE,
        ErrorCode.INSUFFICIENT_FUNDS,
        ErrorCode.ORDER_CANCELED,
        ErrorCode.INVALID,
        ErrorCode.NOT_OFFERED,
    }
)
"""Reasons a number request ends `rejected` (the admin can act on them)."""
