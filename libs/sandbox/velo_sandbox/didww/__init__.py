"""A faithful local sandbox of the DIDWW API v3 (`create_app`, `velo-sandbox didww`)."""

from velo_sandbox.didww.app import create_app
from velo_sandbox.didww.clock import ManualClock, SystemClock
from velo_sandbox.didww.runtime import DEMO_ACCOUNTS, SandboxConfig

__all__ = ["DEMO_ACCOUNTS", "ManualClock", "SandboxConfig", "SystemClock", "create_app"]
