"""A faithful local sandbox of the PortSIP PBX REST API v22 (the part VeloConnect uses)."""

from velo_sandbox.portsip.app import create_app
from velo_sandbox.portsip.config import DEMO_TENANTS, SandboxConfig, TenantSeed

__all__ = ["DEMO_TENANTS", "SandboxConfig", "TenantSeed", "create_app"]
