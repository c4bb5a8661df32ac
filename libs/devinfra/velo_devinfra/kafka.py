"""A single-node Kafka 4 broker in KRaft mode, from Maven Central jars, on JDK 17."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from velo_devinfra.jdk import copy_jars, jdk_tool
from velo_devinfra.paths import cache_dir, content_key, project_root
from velo_devinfra.process import ManagedProcess, ProcessFailed, wait_until_ready

READY_TOPIC = "__velo_ready"


def kafka_dir() -> Path:
    """Returns the folder with the broker's pom and log configuration."""
    return project_root() / "deploy" / "local" / "kafka"


def ensure_kafka_jars() -> Path:
    """Resolves the broker's jars with Maven into the cache once; returns the lib folder."""
    pom = kafka_dir() / "pom.xml"
    lib = cache_dir() / "kafka" / content_key(pom) / "lib"
    done = lib / ".complete"
    if done.exists():
        return lib
    copy_jars(pom, lib, "Kafka's jars")
    done.touch()
    return lib


def server_properties(port: int, controller_port: int, log_dir: Path) -> str:
    """Returns a combined broker+controller configuration for one local node."""
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@127.0.0.1:{controller_port}",
            f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name=PLAINTEXT",
            f"log.dirs={log_dir}",
            "num.partitions=3",
            "auto.create.topics.enable=true",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=10",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "",
        ]
    )


class KafkaNode:
    """One local Kafka broker with its data in data_dir."""

    def __init__(self, data_dir: Path, port: int, controller_port: int, heap_mb: int = 512):
        self.data_dir = data_dir
        self.port = port
        self.controller_port = controller_port
        self.heap_mb = heap_mb
        self.process: ManagedProcess | None = None

    @property
    def bootstrap(self) -> str:
        """The bootstrap address clients connect to."""
        return f"127.0.0.1:{self.port}"

    def start(self, lib: Path) -> None:
        """Writes the configuration, formats storage on first use and starts the broker."""
        config = self._write_config()
        if not (self.log_dir / "meta.properties").exists():
            self.format_storage(lib)
        self.process = ManagedProcess(
            "kafka",
            [*self._java(lib, self.heap_mb), "kafka.Kafka", str(config)],
            self.data_dir / "stdout.log",
        )
        self.process.start()

    @property
    def log_dir(self) -> Path:
        """Where the broker keeps its partitions and metadata."""
        return self.data_dir / "data"

    def _write_config(self) -> Path:
        config = self.data_dir / "server.properties"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config.write_text(server_properties(self.port, self.controller_port, self.log_dir))
        return config

    def format_storage(self, lib: Path, cluster_id: str | None = None) -> None:
        """Formats the log folder for a new cluster (a fresh id unless one is given)."""
        config = self._write_config()
        subprocess.run(  # noqa: S603
            [
                *self._java(lib, heap_mb=256),
                "kafka.tools.StorageTool",
                "format",
                # One argument each, so not even a given id starting with '-' reads as an option.
                f"--cluster-id={cluster_id or new_cluster_id()}",
                f"--config={config}",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def _java(self, lib: Path, heap_mb: int) -> list[str]:
        return [
            jdk_tool("java"),
            f"-Xms{min(heap_mb, 256)}m",
            f"-Xmx{heap_mb}m",
            f"-Dlog4j2.configurationFile={kafka_dir() / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.data_dir / 'logs'}",
            "-cp",
            f"{lib}/*",
        ]

    async def wait_ready(self, timeout: float = 90.0) -> None:
        """Waits until a message produced to the broker can be consumed back."""

        async def probe() -> None:
            await asyncio.wait_for(round_trip(self.bootstrap), timeout=15)

        await wait_until_ready(self.process, probe, f"Kafka on {self.bootstrap}", timeout, 0.5)

    def stop(self) -> None:
        """Stops the broker cleanly."""
        if self.process:
            self.process.stop(timeout=30)


async def round_trip(bootstrap: str) -> None:
    """Produces one message and reads it back (proves the broker really serves)."""
    token = uuid.uuid4().hex.encode()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        await producer.start()
        sent = await producer.send_and_wait(READY_TOPIC, token)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        await consumer.start()
        partition = TopicPartition(READY_TOPIC, sent.partition)
        consumer.assign([partition])
        consumer.seek(partition, sent.offset)
        record = await consumer.getone()
        if record.value != token:
            raise ProcessFailed("Kafka round trip returned another message")
    finally:
        await consumer.stop()


def new_cluster_id() -> str:
    """Returns a random cluster id: 16 random bytes in URL-safe base64 without padding.

    Like Kafka's own Uuid.randomUuid, it draws again when the id would start with '-', which a
    command line (`kafka-storage format -t ID`) would read as an option.
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id
