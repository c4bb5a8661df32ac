"""Kafka and mongo-java-server together: prepared in parallel, started, waited for, stopped."""

from __future__ import annotations

import asyncio
import json
import random
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from velo_devinfra.components import components
from velo_devinfra.kafka import KafkaNode, ensure_kafka_jars
from velo_devinfra.mongo import Backend, MongoLauncher, MongoNode, ensure_mongo_launcher
from velo_devinfra.process import ProcessFailed


def free_port() -> int:
    """Returns a TCP port on 127.0.0.1 that is free right now.

    It is drawn from 10000-17999: below Linux's ephemeral range (so no outgoing connection takes it
    before the server binds it) and below the blocks whole-system tests shift `make run` into.
    """
    for _ in range(200):
        port = random.randrange(10000, 18000)  # noqa: S311 - a port, not a secret
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 10000 and 17999")


EPHEMERAL_START = 32768
"""Linux hands out client ports from here up: never listen there."""


def free_offset(instances: int = 2) -> int:
    """Returns an HTTP port offset at which every component of `make run` has a free port.

    The shifted ports start at 18080 and stay below the ephemeral range, so no outgoing
    connection takes one between this check and the server binding it.
    """
    highest = max(c.port for c in components(0, instances))
    for _ in range(50):
        offset = random.randrange(10000, EPHEMERAL_START - highest, 100)  # noqa: S311 - a port
        if not busy({c.name: c.port for c in components(offset, instances)}):
            return offset
    raise RuntimeError("no free block of ports for the whole system")


def busy(ports: dict[str, int]) -> list[str]:
    """Names the ports (of what) that something already listens on."""
    taken = []
    for name, port in ports.items():
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                taken.append(f"{port} ({name})")
    return taken


@dataclass(frozen=True)
class InfraEndpoints:
    """Where the running infrastructure listens, as services and tests name it."""

    kafka_bootstrap: str
    mongo_url: str

    def as_env(self) -> dict[str, str]:
        """Returns the environment variables every service and test reads."""
        return {"VELO_KAFKA_BOOTSTRAP": self.kafka_bootstrap, "VELO_MONGO_URL": self.mongo_url}


def prepare() -> tuple[Path, MongoLauncher]:
    """Fetches Kafka's jars and mongo-java-server's jars + launcher (cached), both at once."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        jars = pool.submit(ensure_kafka_jars)
        launcher = pool.submit(ensure_mongo_launcher)
        return jars.result(), launcher.result()


class LocalInfra:
    """A local Kafka broker and mongo-java-server sharing one data folder.

    mongo_backend "memory" (tests: nothing to clean up) keeps the databases in the JVM's heap;
    "h2" (`make run`, `make infra-up`) keeps them in an H2 MVStore file under data_dir, so they
    survive a restart.
    """

    def __init__(
        self,
        data_dir: Path,
        kafka_port: int | None = None,
        mongo_port: int | None = None,
        mongo_backend: Backend = "memory",
    ) -> None:
        kafka_port = kafka_port or free_port()
        self.data_dir = data_dir
        self.kafka = KafkaNode(data_dir / "kafka", kafka_port, free_port())
        self.mongo = MongoNode(data_dir / "mongo", mongo_port or free_port(), mongo_backend)

    @property
    def endpoints(self) -> InfraEndpoints:
        """Addresses of the two servers."""
        return InfraEndpoints(self.kafka.bootstrap, self.mongo.url)

    def ports(self) -> dict[str, int]:
        """The ports the two servers will listen on."""
        return {
            "kafka": self.kafka.port,
            "kafka controller": self.kafka.controller_port,
            "mongodb": self.mongo.port,
        }

    def start(self) -> None:
        """Prepares what is missing and starts both servers (not yet waiting for them)."""
        if taken := busy(self.ports()):
            raise ProcessFailed(f"already in use: {', '.join(taken)} — is another copy running?")
        jars, launcher = prepare()
        self.kafka.start(jars)
        try:
            self.mongo.start(launcher)
        except Exception:
            self.kafka.stop()
            raise

    def restart_kafka(self, down_for: float = 0.0) -> None:
        """Stops the broker cleanly, keeps it down down_for seconds, starts it again and waits.

        Same ports, same data folder: to its clients it is the broker coming back.
        """
        self.kafka.stop()
        time.sleep(down_for)
        self.kafka.start(ensure_kafka_jars())
        asyncio.run(self.kafka.wait_ready())

    def restart_mongo(self, down_for: float = 0.0) -> None:
        """Stops the database cleanly, keeps it down down_for seconds, starts it again and waits.

        Only the h2 backend keeps the data across this; the memory backend starts empty.
        """
        self.mongo.stop()
        time.sleep(down_for)
        self.mongo.start(ensure_mongo_launcher())
        asyncio.run(self.mongo.wait_ready())

    async def wait_ready(self) -> None:
        """Waits until both answer for real: a Kafka round trip and a MongoDB ping."""
        await asyncio.gather(self.kafka.wait_ready(), self.mongo.wait_ready())

    def stop(self) -> None:
        """Stops both servers."""
        self.mongo.stop()
        self.kafka.stop()

    def write_state(self) -> Path:
        """Records pids and endpoints so a later `velo-infra down` can stop them."""
        state = {
            "pids": {
                "kafka": self.kafka.process.pid if self.kafka.process else None,
                "mongo": self.mongo.process.pid if self.mongo.process else None,
            },
            "endpoints": asdict(self.endpoints),
        }
        path = self.data_dir / "state.json"
        path.write_text(json.dumps(state, indent=2))
        return path
