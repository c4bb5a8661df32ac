"""The JDK tools the local servers need: java, javac, and Maven to resolve jars from a pom."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from velo_devinfra.process import ProcessFailed


def jdk_tool(name: str) -> str:
    """Returns java or javac: from JAVA_HOME when it is set, else from PATH."""
    if home := os.environ.get("JAVA_HOME"):
        return str(Path(home) / "bin" / name)
    found = shutil.which(name)
    if found is None:
        raise ProcessFailed(f"{name} is not on PATH (nor JAVA_HOME set); JDK 17+ is needed")
    return found


def copy_jars(pom: Path, lib: Path, what: str) -> None:
    """Resolves the runtime jars a pom declares into lib with Maven (what: for the error)."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ProcessFailed(f"Maven (mvn) is not on PATH; it is needed once to fetch {what}")
    subprocess.run(  # noqa: S603
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={lib}",
            "-DincludeScope=runtime",
        ],
        check=True,
    )
