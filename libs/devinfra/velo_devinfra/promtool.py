"""promtool — Prometheus' own checker and unit tester of rule files — built from the Go proxy.

Pinned to the Prometheus the deployment runs (`prom/prometheus:v3.5.0` in deploy/compose.yaml;
Prometheus 3.x is tagged v0.3xx.y as a Go module, so 3.5.0 is v0.305.0), so a rule that passes
here is read the same way there. `go install …/cmd/promtool@v0.305.0` cannot build it: the
module's go.mod has replace directives, which `go install pkg@version` refuses. So the module's
source is fetched from the Go module proxy (`go mod download`) and built where it lands, as the
main module — its own go.mod and go.sum, exactly as upstream builds it. The binary is cached in
`.cache/promtool/<version>/`; later runs find it at once. Without Go, nothing is built and the
rule tests skip saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from velo_devinfra.paths import cache_dir
from velo_devinfra.process import ProcessFailed

MODULE = "github.com/prometheus/prometheus"
VERSION = "v0.305.0"
PROMETHEUS = "3.5.0"
"""The Prometheus release VERSION is: the one deploy/compose.yaml runs."""


def promtool_path() -> Path:
    """Returns where the pinned promtool is (or will be) cached."""
    return cache_dir() / "promtool" / VERSION / "promtool"


def missing_go() -> str | None:
    """Says why promtool cannot be built here (no `go` on PATH), or None."""
    if shutil.which("go") is None:
        return "Go is not on PATH: promtool (Prometheus' rule tester) cannot be built"
    return None


def ensure_promtool() -> Path:
    """Builds the pinned promtool once into the cache; returns its path."""
    binary = promtool_path()
    if binary.exists():
        return binary
    if why := missing_go():
        raise ProcessFailed(why)
    # Built beside the cache entry, then renamed into place: a concurrent or interrupted build
    # never leaves a half-built binary where another run would use it.
    home = binary.parent
    building = home.with_name(f"{home.name}.building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    try:
        _build(_download(), building / "promtool")
        try:
            building.rename(home)
        except OSError:  # another run finished the same build first
            if not binary.exists():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return binary


def _go(*args: str, cwd: Path | None = None) -> str:
    go = shutil.which("go") or "go"
    done = subprocess.run(  # noqa: S603 - the go found on PATH, fixed arguments
        [go, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout)[-1500:]
        raise ProcessFailed(f"go {' '.join(args)} failed ({done.returncode}): {tail}")
    return done.stdout


def _download() -> Path:
    """Fetches the Prometheus module's source from the Go proxy; returns where it is."""
    found = json.loads(_go("mod", "download", "-json", f"{MODULE}@{VERSION}"))
    return Path(found["Dir"])


def _build(source: Path, output: Path) -> None:
    """Builds cmd/promtool of the module at source, as its main module."""
    version = f"-X github.com/prometheus/common/version.Version={PROMETHEUS}"
    _go("build", "-trimpath", "-ldflags", version, "-o", str(output), "./cmd/promtool", cwd=source)


def prepare_report() -> str:
    """Builds promtool when missing (and Go is here); says what it found, for `make prepare`."""
    if not promtool_path().exists() and (why := missing_go()):
        return f"promtool: {why} — the alert rule tests skip"
    started = time.monotonic()
    built = not promtool_path().exists()
    binary = ensure_promtool()
    took = f", built in {time.monotonic() - started:.0f}s" if built else ""
    return f"promtool {PROMETHEUS} ({MODULE}@{VERSION}): {binary}{took}"
