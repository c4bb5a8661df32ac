"""A faithful local sandbox of the DIDWW API v3 (`create_app`, `velo-sandbox didww`)."""

from velo_sandbox.didww.app import create_app
from velo_sandbox.didww.clock import ManualClock, SystemClock
from velo_sandbox.didww.runtime import (
    ACME_API_KEY,
    ACME_CALLBACK_SECRET,
    DEMO_ACCOUNTS,
    DEMO_CALLBACK_SECRETS,
    GLOBEX_API_KEY,
    GLOBEX_CALLBACK_SECRET,
    SandboxConfig,
)

__all__ = [
    "ACME_API_KEY",
    "ACME_CALLBACK_SECRET",
    "DEMO_ACCOUNTS",
    "DEMO_CALLBACK_SECRETS",
    "GLOBEX_API_KEY",
    "GLOBEX_CALLBACK_SECRET",
    "ManualClock",
    "SandboxConfig",
    "SystemClock",
    "create_app",
]
