"""Where the project, its download cache and its local data live."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def project_root() -> Path:
    """Returns the repository root (the folder holding `deploy/local`)."""
    if override := os.environ.get("VELO_PROJECT_ROOT"):
        return Path(override).resolve()
    for candidate in (Path(__file__).resolve(), Path.cwd().resolve()):
        for folder in (candidate, *candidate.parents):
            if (folder / "deploy" / "local").is_dir():
                return folder
    raise RuntimeError(
        "cannot find the project root (a folder with deploy/local); set VELO_PROJECT_ROOT"
    )


def cache_dir() -> Path:
    """Returns the folder that keeps downloaded jars and built binaries between runs."""
    return Path(os.environ.get("VELO_CACHE_DIR") or project_root() / ".cache")


def default_data_dir() -> Path:
    """Returns the folder `make infra-up` and `make run` keep their data in."""
    return Path(os.environ.get("VELO_DATA_DIR") or project_root() / ".var")


def content_key(*files: Path) -> str:
    """Returns a short hash of the files' contents, to key a cache entry on its inputs."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]
