"""`make run`: the whole system in the foreground — Kafka, FerretDB, sandboxes, every service.

Ctrl-C (or SIGTERM) stops everything it started, services first, and leaves no process behind.
If any child dies, everything is stopped and the exit code says so.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from velo_devinfra.paths import default_data_dir
from velo_devinfra.process import ManagedProcess, ProcessFailed
from velo_devinfra.stack import LocalInfra


@dataclass(frozen=True)
class Component:
    """One process of the system and where it answers."""

    name: str
    argv: tuple[str, ...]
    port: int
    ready_path: str
    port_env: str | None = None


def components(offset: int) -> list[Component]:
    """Returns the sandboxes and services, ports shifted by offset."""
    py = sys.executable
    sandboxes = [
        Component(
            "didww-sandbox",
            (py, "-m", "velo_sandbox.cli", "didww", "--port", str(8090 + offset)),
            8090 + offset,
            "/_admin/faults",
        ),
        Component(
            "portsip-sandbox",
            (py, "-m", "velo_sandbox.cli", "portsip", "--port", str(8091 + offset)),
            8091 + offset,
            "/_admin/faults",
        ),
    ]
    services = [
        ("inventory", 8101),
        ("ordering", 8102),
        ("sip-routing", 8103),
        ("assignment", 8104),
        ("audit", 8105),
        ("gateway", 8080),
    ]
    return sandboxes + [
        Component(
            name,
            (py, "-m", f"velo_{name.replace('-', '_')}.app"),
            port + offset,
            "/ready",
            port_env=f"VELO_{name.replace('-', '_').upper()}_HTTP_PORT",
        )
        for name, port in services
    ]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own localhost
            return bool(response.status == 200)
    except OSError:
        return False


class System:
    """Starts and stops the processes of `make run`."""

    def __init__(self, data_dir: Path, kafka_port: int, mongo_port: int, offset: int):
        self.infra = LocalInfra(data_dir / "infra", kafka_port, mongo_port)
        self.logs = data_dir / "logs"
        self.components = components(offset)
        self.processes: list[ManagedProcess] = []

    def start(self) -> None:
        """Starts infrastructure, then every component, and waits until all answer."""
        self.infra.start()
        asyncio.run(self.infra.wait_ready())
        env = {**os.environ, **self.infra.endpoints.as_env(), "VELO_LOG_JSON": "true"}
        for component in self.components:
            child_env = dict(env)
            if component.port_env:
                child_env[component.port_env] = str(component.port)
            process = ManagedProcess(
                component.name, component.argv, self.logs / f"{component.name}.log", env=child_env
            )
            process.start()
            self.processes.append(process)
        for component, process in zip(self.components, self.processes, strict=True):
            self._wait_ready(component, process)

    def _wait_ready(
        self, component: Component, process: ManagedProcess, timeout: float = 60
    ) -> None:
        url = f"http://127.0.0.1:{component.port}{component.ready_path}"
        deadline = time.monotonic() + timeout
        while not _answers(url):
            process.check_alive()
            if time.monotonic() > deadline:
                raise ProcessFailed(f"{component.name} not ready at {url}:\n{process.log_tail()}")
            time.sleep(0.2)

    def check(self) -> None:
        """Raises ProcessFailed if any child has died."""
        for process in self.processes:
            process.check_alive()
        for node in (self.infra.kafka.process, self.infra.ferret.process):
            if node:
                node.check_alive()

    def stop(self) -> None:
        """Stops services, then infrastructure."""
        for process in reversed(self.processes):
            process.stop()
        self.infra.stop()

    def describe(self) -> str:
        """Returns where everything listens."""
        endpoints = self.infra.endpoints
        lines = [
            f"  {'kafka':<16} {endpoints.kafka_bootstrap}",
            f"  {'mongodb':<16} {endpoints.mongo_url}",
        ]
        lines += [f"  {c.name:<16} http://127.0.0.1:{c.port}" for c in self.components]
        lines.append(f"  {'logs':<16} {self.logs}")
        return "\n".join(lines)


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Runs the whole system until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="velo-run", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir() / "run")
    parser.add_argument("--kafka-port", type=int, default=9092)
    parser.add_argument("--mongo-port", type=int, default=27017)
    parser.add_argument("--port-offset", type=int, default=0, help="shift every HTTP port by this")
    args = parser.parse_args(argv)
    # Connection refusals while the broker boots are expected; the wait reports real failures.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    system = System(args.data_dir, args.kafka_port, args.mongo_port, args.port_offset)
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.monotonic()
    code = 0
    try:
        system.start()
        print(
            f"VeloConnect Numbers is up ({time.monotonic() - started:.1f}s):\n{system.describe()}"
        )
        print("all services ready — Ctrl-C stops everything", flush=True)
        while True:
            system.check()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping …", flush=True)
    except ProcessFailed as exc:
        print(f"velo-run: {exc}", file=sys.stderr, flush=True)
        code = 1
    finally:
        # A second Ctrl-C must not cut the clean-up short and leave processes behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        system.stop()
        print("stopped", flush=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
