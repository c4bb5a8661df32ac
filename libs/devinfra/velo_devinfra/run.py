"""`make run`: the whole system in the foreground — Kafka, MongoDB, sandboxes, every service.

The MongoDB-wire database is mongo-java-server with its H2 backend: the data file stays in the data
folder between runs.

Ctrl-C (or SIGTERM) stops everything it started, services first, and leaves no process behind.
A service or sandbox that dies is restarted with backoff (and logged); only Kafka or the database
dying stops everything, with an exit code that says so.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from velo_contracts import Actor
from velo_devinfra.components import Component, answers, components, wait_answering
from velo_devinfra.devsecrets import load_or_create
from velo_devinfra.mongo import Backend
from velo_devinfra.paths import default_data_dir
from velo_devinfra.process import ManagedProcess, ProcessFailed
from velo_devinfra.stack import LocalInfra, busy
from velo_tenants import SecretBox
from velo_tenants.demo import DEMO_TENANTS, demo_tenants
from velo_tenants.registry import SERVICE, configured_event, register


class System:
    """Starts and stops the processes of `make run`."""

    def __init__(
        self,
        data_dir: Path,
        kafka_port: int,
        mongo_port: int,
        offset: int,
        mongo_backend: Backend = "h2",
        instances: int = 1,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.extra_env = dict(env or {})
        self.infra = LocalInfra(data_dir / "infra", kafka_port, mongo_port, mongo_backend)
        self.logs = data_dir / "logs"
        self.secrets = load_or_create(data_dir / "dev-secrets.env")
        self.components = components(offset, instances)
        self.processes: list[ManagedProcess] = []

    def start(self) -> None:
        """Starts infrastructure, then every component, waits until all answer, seeds tenants."""
        if taken := busy({c.name: c.port for c in self.components}):
            raise ProcessFailed(f"already in use: {', '.join(taken)} — is another copy running?")
        self.infra.start()
        asyncio.run(self.infra.wait_ready())
        env = {
            **os.environ,
            **self.infra.endpoints.as_env(),
            **self.secrets,
            "VELO_LOG_JSON": "true",
            **self.extra_env,
        }
        for component in self.components:
            process = ManagedProcess(
                component.name,
                component.argv,
                self.logs / f"{component.name}.log",
                env=env | component.env,
            )
            process.start()
            self.processes.append(process)
        for component, process in zip(self.components, self.processes, strict=True):
            wait_answering(component, process)
        asyncio.run(self._seed_demo_tenants())
        self._wait_until_tenants_known()

    async def _seed_demo_tenants(self) -> None:
        box = SecretBox(self.secrets["VELO_SECRETS_KEY"])
        portsip = next(c for c in self.components if c.name == "portsip-sandbox")
        specs = demo_tenants(f"http://127.0.0.1:{portsip.port}/api")
        events = [configured_event(spec, box, Actor.system(SERVICE)) for spec in specs]
        await register(self.infra.endpoints.kafka_bootstrap, events)

    def _wait_until_tenants_known(self, timeout: float = 60) -> None:
        """Waits until the services that fold the tenants topic know the demo tenants."""
        port = {c.name: c.port for c in self.components}
        urls = [
            f"http://127.0.0.1:{port[service]}/v1/tenants/{tenant}/{path}"
            for tenant in DEMO_TENANTS
            for service, path in (("inventory", "countries"), ("sip-routing", "directory"))
        ]
        deadline = time.monotonic() + timeout
        while not all(answers(url) for url in urls):
            self.check()
            if time.monotonic() > deadline:
                raise ProcessFailed("the services did not learn the demo tenants in time")
            time.sleep(0.2)

    def check(self) -> None:
        """Raises ProcessFailed if any child has died."""
        for process in self.processes:
            process.check_alive()
        self.check_infra()

    def check_infra(self) -> None:
        """Raises ProcessFailed if Kafka or the database has died."""
        for node in (self.infra.kafka.process, self.infra.mongo.process):
            if node:
                node.check_alive()

    def keep_alive(self, restarts: Restarts) -> None:
        """Restarts (with backoff) every service or sandbox that died; raises if infra died."""
        self.check_infra()
        for component, process in zip(self.components, self.processes, strict=True):
            if not process.alive() and restarts.due(component.name):
                code = process.exit_code()
                attempt = restarts.note(component.name)
                print(
                    f"velo-run: {component.name} exited (code {code}); restart {attempt}",
                    flush=True,
                )
                process.start()

    def revive(self, restarts: Restarts) -> list[str]:
        """Restarts (with backoff) every service or sandbox that died; returns their names.

        Unlike keep_alive it does not look at Kafka or the database, for a caller that stops and
        starts them on purpose (the chaos run).
        """
        revived = []
        for component, process in zip(self.components, self.processes, strict=True):
            if not process.alive() and restarts.due(component.name):
                restarts.note(component.name)
                process.start()
                revived.append(component.name)
        return revived

    def process_of(self, name: str) -> ManagedProcess:
        """Returns the process of the component called name (`ordering-2`, `gateway` …)."""
        index = next(i for i, c in enumerate(self.components) if c.name == name)
        return self.processes[index]

    def stop(self) -> None:
        """Stops services, then infrastructure."""
        for process in reversed(self.processes):
            process.stop()
        self.infra.stop()

    def describe(self) -> str:
        """Returns where everything listens and how to try it."""
        endpoints = self.infra.endpoints
        lines = [
            f"  {'kafka':<16} {endpoints.kafka_bootstrap}",
            f"  {'mongodb':<16} {endpoints.mongo_url}",
        ]
        lines += [f"  {c.name:<16} http://127.0.0.1:{c.port}" for c in self.components]
        lines.append(f"  {'logs':<16} {self.logs}")
        gateway: Component = next(c for c in self.components if c.name == "gateway")
        jwt_secret = self.secrets["VELO_GATEWAY_JWT_SECRET"]
        lines += [
            "",
            f"Open the Phone numbers page: http://127.0.0.1:{gateway.port}/ (sign in as a demo "
            "tenant's admin or agent)",
            "",
            "Or from another terminal (demo tenants: acme, globex):",
            f"  export VELO_API_URL=http://127.0.0.1:{gateway.port}",
            f"  export VELO_GATEWAY_JWT_SECRET={jwt_secret}",
            "  export VELO_TOKEN=$(.venv/bin/velo dev token --tenant acme)",
            "  .venv/bin/velo search US local",
            "  .venv/bin/velo request US local --number <a number from the search>",
            "  (the README walks through the whole flow)",
        ]
        return "\n".join(lines)


class Restarts:
    """When each crashed component may be started again: 1 s, 2 s, 4 s … up to 30 s apart."""

    def __init__(self, first: float = 1.0, longest: float = 30.0, calm: float = 60.0):
        self.first, self.longest, self.calm = first, longest, calm
        self._count: dict[str, int] = {}
        self._last: dict[str, float] = {}

    def due(self, name: str) -> bool:
        """Tells whether the component's backoff has passed."""
        if name not in self._last:
            return True
        wait = min(self.first * 2.0 ** (self._count[name] - 1), self.longest)
        return bool(time.monotonic() - self._last[name] >= wait)

    def note(self, name: str) -> int:
        """Records a restart now; returns how many in a row (a calm minute starts over)."""
        now = time.monotonic()
        calm = now - self._last.get(name, now) > self.calm + self.longest
        self._count[name] = 1 if calm or name not in self._count else self._count[name] + 1
        self._last[name] = now
        return self._count[name]


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Runs the whole system until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="velo-run", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir() / "run")
    parser.add_argument("--kafka-port", type=int, default=9092)
    parser.add_argument("--mongo-port", type=int, default=27017)
    parser.add_argument("--port-offset", type=int, default=0, help="shift every HTTP port by this")
    parser.add_argument(
        "--instances", type=int, default=1, choices=range(1, 5), help="instances of each service"
    )
    args = parser.parse_args(argv)
    # Connection refusals while the broker boots are expected; the wait reports real failures.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    system = System(
        args.data_dir, args.kafka_port, args.mongo_port, args.port_offset, instances=args.instances
    )
    # Explicitly: a shell starting us in the background may have left SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.monotonic()
    code = 0
    try:
        system.start()
        print(
            f"VeloConnect Numbers is up ({time.monotonic() - started:.1f}s):\n{system.describe()}"
        )
        print("all services ready — Ctrl-C stops everything", flush=True)
        restarts = Restarts()
        while True:
            system.keep_alive(restarts)
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
