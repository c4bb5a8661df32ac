"""A child process in its own process group, logging to a file, stopped cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path


class ProcessFailed(RuntimeError):
    """A managed process exited or never became ready."""


class ManagedProcess:
    """Starts, watches and stops one long-running child process."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """Process id, once started."""
        return self._proc.pid if self._proc else None

    def start(self) -> None:
        """Starts the process in a new session, appending its output to the log file."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(  # noqa: S603 - argv is built by this package
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
            )

    def alive(self) -> bool:
        """Tells whether the process is still running."""
        return self._proc is not None and self._proc.poll() is None

    def exit_code(self) -> int | None:
        """The exit code of a process that has ended (None while it runs or before start)."""
        return self._proc.poll() if self._proc is not None else None

    def check_alive(self) -> None:
        """Raises ProcessFailed, with the end of its log, if the process has exited."""
        if self._proc is not None and self._proc.poll() is not None:
            raise ProcessFailed(
                f"{self.name} exited with code {self._proc.returncode}; "
                f"last log lines ({self.log_path}):\n{self.log_tail()}"
            )

    def stop(self, timeout: float = 20.0) -> None:
        """Stops the process group: SIGTERM, then SIGKILL after timeout; reaps the child."""
        if self._proc is None:
            return
        _signal_group(self._proc.pid, signal.SIGTERM)
        try:
            self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(self._proc.pid, signal.SIGKILL)
            self._proc.wait(timeout=timeout)
        self._proc = None

    def kill(self) -> None:
        """Kills the process group at once (SIGKILL), the way a crash would, and reaps it."""
        if self._proc is None:
            return
        _signal_group(self._proc.pid, signal.SIGKILL)
        self._proc.wait(timeout=10)
        self._proc = None

    def log_tail(self, lines: int = 30) -> str:
        """Returns the last lines of the process's log."""
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def stop_group(pid: int, timeout: float) -> bool:
    """Stops a detached process group led by pid; tells whether it was running."""
    if not _signal_group(pid, signal.SIGTERM):
        return False
    if not wait_gone(pid, timeout):
        _signal_group(pid, signal.SIGKILL)
        wait_gone(pid, timeout)
    return True


def _signal_group(pid: int, signum: int) -> bool:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        return False
    return True


def wait_gone(pid: int, timeout: float) -> bool:
    """Waits until no process pid exists; tells whether it went away in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


async def wait_until_ready(
    process: ManagedProcess | None,
    probe: Callable[[], Awaitable[None]],
    what: str,
    timeout: float,
    interval: float,
) -> None:
    """Runs probe until it succeeds; fails early if process dies, or after timeout."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process:
            process.check_alive()
        try:
            await probe()
            return
        except Exception as exc:  # any failure of the probe means "not yet"
            last_error = exc
            await asyncio.sleep(interval)
    raise ProcessFailed(f"{what} not ready after {timeout}s: {last_error!r}")
