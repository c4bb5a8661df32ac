"""Tenant settings: sealed secrets, the tenants topic each service folds, the registration CLI."""

from velo_tenants.directory import (
    TenantDirectory,
    UnknownTenant,
    follow_tenants,
    registration_routes,
)
from velo_tenants.sealing import SealingError, SecretBox

__all__ = [
    "SealingError",
    "SecretBox",
    "TenantDirectory",
    "UnknownTenant",
    "follow_tenants",
    "registration_routes",
]
