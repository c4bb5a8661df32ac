"""Debian's Chromium and its driver, for the browser tests of the Phone numbers page.

Browser test tools cannot download their own browsers here (no internet besides package
registries), so `make prepare` installs Debian's packages when they are missing and it runs as
root with apt-get (CI does); otherwise it says what to install and the browser tests skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from velo_devinfra.process import ProcessFailed

PACKAGES = ("chromium", "chromium-driver")
BINARIES = ("chromium", "chromedriver")
APT_ENV = {"DEBIAN_FRONTEND": "noninteractive"}


def missing() -> list[str]:
    """Returns the browser binaries not on PATH."""
    return [name for name in BINARIES if shutil.which(name) is None]


def ensure_chromium() -> str:
    """Installs Chromium and chromedriver when missing and possible; returns what it found."""
    if missing() and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, **APT_ENV}
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
        ):
            done = subprocess.run(  # noqa: S603 (fixed commands)
                command, env=env, capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                tail = (done.stderr or done.stdout)[-600:]
                raise ProcessFailed(f"{' '.join(command)} failed ({done.returncode}): {tail}")
    if absent := missing():
        return (
            f"Chromium: {', '.join(absent)} not installed — the browser tests skip; install "
            f"Debian's {' and '.join(PACKAGES)} (apt-get install {' '.join(PACKAGES)})"
        )
    chromium = shutil.which("chromium") or "chromium"
    version = subprocess.run(  # noqa: S603 (the browser found on PATH)
        [chromium, "--version"], capture_output=True, text=True, check=False, timeout=30
    )
    return f"Chromium: {version.stdout.strip() or chromium}"
