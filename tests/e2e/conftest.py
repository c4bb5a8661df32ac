"""The whole system as `make run` starts it — separate processes — on free ports, per module."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from velo_contracts import tokens
from velo_devinfra.run import System
from velo_devinfra.stack import free_port
from velotest import free_offset

from .otlp import OtlpReceiver


@dataclass
class RunningSystem:
    """The running system, and clients for its gateway and sandboxes."""

    system: System

    def url(self, component: str) -> str:
        """Base URL of a component."""
        port = next(c.port for c in self.system.components if c.name == component)
        return f"http://127.0.0.1:{port}"

    def token(self, tenant: str = "acme", user: str = "admin@acme", role: str = "admin") -> str:
        """Mints a gateway token like `velo dev token`."""
        return tokens.mint(self.system.secrets["VELO_GATEWAY_JWT_SECRET"], tenant, user, role, 1)

    def api(
        self, tenant: str = "acme", user: str = "admin@acme", role: str = "admin"
    ) -> httpx.AsyncClient:
        """A client of the gateway authenticated as a tenant user."""
        headers = {"Authorization": f"Bearer {self.token(tenant, user, role)}"}
        return httpx.AsyncClient(base_url=self.url("gateway"), headers=headers, timeout=30)

    def routing(self, tenant: str = "acme") -> dict[str, Any]:
        """The PortSIP sandbox's routing dump of a demo tenant."""
        found: dict[str, Any] = self.sandbox(
            "portsip", "GET", f"/_admin/tenants/{tenant}.pbx.local/routing"
        )
        return found

    def orders_for(self, request_id: str) -> int:
        """How many DIDWW orders the sandbox created for a request."""
        counters = self.sandbox("didww", "GET", "/_admin/counters/orders")
        return int(counters["by_external_reference_id"].get(request_id, 0))

    def unplanned_queries(self) -> list[str]:
        """Log lines of queries that no declared index serves, from every service."""
        return [
            line
            for log in self.system.logs.glob("*.log")
            for line in log.read_text(errors="replace").splitlines()
            if "query_without_index" in line
        ]

    def review_registration(
        self, number: str, verdict: str, reasons: list[str] | None = None
    ) -> None:
        """Approves or rejects the number's pending registration, as DIDWW's reviewers do."""
        pending = self.sandbox(
            "didww", "GET", "/_admin/address_verifications", params={"status": "pending"}
        )
        [found] = [v for v in pending if number.removeprefix("+") in v["numbers"]]
        path = f"/_admin/address_verifications/{found['id']}/{verdict}"
        body = {"reject_reasons": reasons, "reject_comment": "checked by the test"}
        self.sandbox("didww", "POST", path, json=body if verdict == "reject" else None)

    def auto_review(self, delay: float | None) -> None:
        """Has the DIDWW sandbox review registrations by itself after delay seconds (None: off)."""
        body = {"delay": delay}
        self.sandbox("didww", "PUT", "/_admin/address_verifications/auto_review", json=body)

    def sandbox(self, name: str, method: str, path: str, **kwargs: Any) -> Any:
        """Calls an admin endpoint of the `didww` or `portsip` sandbox."""
        response = httpx.request(
            method, f"{self.url(f'{name}-sandbox')}{path}", timeout=10, **kwargs
        )
        response.raise_for_status()
        return response.json() if response.content else None


@contextmanager
def started(system: System, **env: str) -> Iterator[RunningSystem]:
    """Starts the system (with env for its processes), yields it, fails on unplanned queries."""
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            system.start()
        running = RunningSystem(system)
        yield running
        assert not running.unplanned_queries()
    finally:
        system.stop()


@pytest.fixture(scope="session")
def otlp() -> Iterator[OtlpReceiver]:
    """Receives the spans the running system's services export (tracing on, as with a collector)."""
    with OtlpReceiver().running() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def running(
    tmp_path_factory: pytest.TempPathFactory, otlp: OtlpReceiver
) -> Iterator[RunningSystem]:
    """Starts everything once for the end-to-end tests and stops it after."""
    data: Path = tmp_path_factory.mktemp("system")
    system = System(data, free_port(), free_port(), free_offset())
    # Many tests write as the demo tenants; the write limit has its own test (tests/gateway).
    with started(
        system,
        VELO_GATEWAY_WRITE_BURST="500",
        VELO_GATEWAY_WRITES_PER_MINUTE="600",
        VELO_OTLP_ENDPOINT=otlp.url,
        OTEL_BSP_SCHEDULE_DELAY="1000",  # spans reach the receiver within a second
    ) as running:
        yield running
