"""FerretDB v1 (MongoDB wire protocol, SQLite backend) through the project's tiny Go launcher."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from pymongo import AsyncMongoClient

from velo_devinfra.paths import cache_dir, content_key, project_root
from velo_devinfra.process import ManagedProcess, ProcessFailed, wait_until_ready


def launcher_dir() -> Path:
    """Returns the Go module of the launcher."""
    return project_root() / "deploy" / "local" / "ferretdb"


def ensure_ferretdb_binary() -> Path:
    """Builds the launcher with Go once into the cache; returns the binary."""
    src = launcher_dir()
    binary = cache_dir() / "ferretdb" / content_key(*sorted(src.glob("go.*")), src / "main.go")
    binary = binary / "ferretdb-launcher"
    if binary.exists():
        return binary
    go = shutil.which("go")
    if go is None:
        raise ProcessFailed("Go is not on PATH; it is needed once to build the FerretDB launcher")
    binary.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([go, "build", "-o", str(binary), "."], cwd=src, check=True)  # noqa: S603
    return binary


class FerretNode:
    """One local FerretDB with its SQLite files in data_dir."""

    def __init__(self, data_dir: Path, port: int):
        self.data_dir = data_dir
        self.port = port
        self.process: ManagedProcess | None = None

    @property
    def url(self) -> str:
        """MongoDB connection string of this node."""
        return f"mongodb://127.0.0.1:{self.port}/"

    def start(self, binary: Path) -> None:
        """Starts FerretDB on its port."""
        self.process = ManagedProcess(
            "ferretdb",
            [
                str(binary),
                "-listen",
                f"127.0.0.1:{self.port}",
                "-data-dir",
                str(self.data_dir / "sqlite"),
                "-log-level",
                "warn",
            ],
            self.data_dir / "ferretdb.log",
        )
        self.process.start()

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Waits until FerretDB answers a ping."""
        await wait_until_ready(
            self.process, lambda: ping(self.url), f"FerretDB on {self.url}", timeout, 0.2
        )

    def stop(self) -> None:
        """Stops FerretDB cleanly."""
        if self.process:
            self.process.stop(timeout=15)


async def ping(url: str) -> None:
    """Sends one ping to a MongoDB-wire server."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        url, serverSelectionTimeoutMS=2000
    )
    try:
        await client.admin.command("ping")
    finally:
        await client.close()
