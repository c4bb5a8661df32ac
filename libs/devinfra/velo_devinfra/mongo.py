"""A local MongoDB-wire server: mongo-java-server (in memory or in an H2 MVStore file) on JDK 17.

The jars come from Maven Central (`deploy/local/mongo/pom.xml`); the project's own launcher
(`deploy/local/mongo/VeloMongo.java` and the classes beside it: backends with real secondary
indexes) is compiled against them with javac. Both are cached under
`.cache/mongo/<hash of the pom and every .java file>/`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pymongo import AsyncMongoClient

from velo_devinfra.jdk import copy_jars, jdk_tool
from velo_devinfra.paths import cache_dir, content_key, project_root
from velo_devinfra.process import ManagedProcess, wait_until_ready

Backend = Literal["memory", "h2"]
BACKENDS: tuple[Backend, ...] = ("memory", "h2")
LAUNCHER_CLASS = "VeloMongo"


def mongo_dir() -> Path:
    """Returns the folder with the server's pom and the launcher's source."""
    return project_root() / "deploy" / "local" / "mongo"


@dataclass(frozen=True)
class MongoLauncher:
    """The resolved jars and the compiled launcher, ready to run."""

    lib: Path
    classes: Path

    @property
    def classpath(self) -> str:
        """The java classpath: the launcher's classes, then every jar."""
        return f"{self.classes}{os.pathsep}{self.lib}/*"


def ensure_mongo_launcher() -> MongoLauncher:
    """Resolves the jars with Maven and compiles the launcher once into the cache."""
    src = mongo_dir()
    pom, sources = src / "pom.xml", sorted(src.glob("*.java"))
    home = cache_dir() / "mongo" / content_key(pom, *sources)
    launcher = MongoLauncher(home / "lib", home / "classes")
    if (home / ".complete").exists():
        return launcher
    # Built beside the cache entry, then renamed into place: a concurrent or interrupted build
    # never leaves a half-built entry where another run would use it.
    building = home.with_name(f"{home.name}.building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    try:
        copy_jars(pom, building / "lib", "mongo-java-server's jars")
        subprocess.run(  # noqa: S603
            [
                jdk_tool("javac"),
                "--release",
                "17",
                "-Xlint:all",
                "-d",
                str(building / "classes"),
                "-cp",
                f"{building / 'lib'}/*",
                *map(str, sources),
            ],
            check=True,
        )
        (building / ".complete").touch()
        try:
            building.rename(home)
        except OSError:  # home exists: another run finished the same build first, or ...
            if not (home / ".complete").exists():
                shutil.rmtree(home, ignore_errors=True)  # ... an interrupted older build left it
                building.rename(home)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return launcher


class MongoNode:
    """One local mongo-java-server; with the h2 backend its data lives in a file in data_dir."""

    def __init__(
        self, data_dir: Path, port: int, backend: Backend = "memory", heap_mb: int = 768
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
        self.data_dir = data_dir
        self.port = port
        self.backend = backend
        self.heap_mb = heap_mb
        self.process: ManagedProcess | None = None

    @property
    def url(self) -> str:
        """MongoDB connection string of this node."""
        return f"mongodb://127.0.0.1:{self.port}/"

    @property
    def data_file(self) -> Path:
        """The H2 MVStore file the h2 backend keeps every database in."""
        return self.data_dir / "mongo.mv.db"

    def start(self, launcher: MongoLauncher) -> None:
        """Starts the server on its port (not yet waiting for it)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        argv = [
            jdk_tool("java"),
            f"-Xms{min(self.heap_mb, 64)}m",
            f"-Xmx{self.heap_mb}m",
            "-XX:+UseSerialGC",
            "-XX:+ExitOnOutOfMemoryError",
            "-cp",
            launcher.classpath,
            LAUNCHER_CLASS,
            "--port",
            str(self.port),
            "--backend",
            self.backend,
        ]
        if self.backend == "h2":
            argv += ["--data", str(self.data_file)]
        self.process = ManagedProcess("mongo", argv, self.data_dir / "mongo.log")
        self.process.start()

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Waits until the server answers a ping."""
        await wait_until_ready(
            self.process, lambda: ping(self.url), f"mongo-java-server on {self.url}", timeout, 0.1
        )

    def stop(self) -> None:
        """Stops the server cleanly (SIGTERM): with h2, everything written is on disk after."""
        if self.process:
            self.process.stop(timeout=15)

    def kill(self) -> None:
        """Kills the server at once (SIGKILL), the way a crash would."""
        if self.process:
            self.process.kill()


async def ping(url: str) -> None:
    """Sends one ping to a MongoDB-wire server."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        url, serverSelectionTimeoutMS=2000
    )
    try:
        await client.admin.command("ping")
    finally:
        await client.close()
