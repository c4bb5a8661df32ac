"""Runs a sandbox ASGI app on a real port: in the foreground, or from a thread for tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

KEEP_ALIVE = 75
"""Seconds an idle connection stays open, as behind a vendor's web server (nginx's default), not
uvicorn's 5 s: a client reusing its connection must not race the server closing it."""


def free_port(host: str = "127.0.0.1") -> int:
    """Returns a TCP port that is free on host right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def serve_forever(app: ASGIApp, host: str, port: int) -> None:
    """Serves app until interrupted (Ctrl-C or SIGTERM)."""
    uvicorn.Server(_config(app, host, port)).run()


def _config(app: ASGIApp, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE,
    )


@dataclass(frozen=True)
class RunningServer:
    """A sandbox listening on a real socket."""

    host: str
    port: int

    @property
    def url(self) -> str:
        """Base URL of the server, without a trailing slash."""
        return f"http://{self.host}:{self.port}"


@contextmanager
def serve_in_thread(
    app: ASGIApp, host: str = "127.0.0.1", port: int | None = None, start_timeout: float = 10.0
) -> Iterator[RunningServer]:
    """Serves app from a background thread while the block runs, then stops it."""
    port = port or free_port(host)
    server = uvicorn.Server(_config(app, host, port))
    thread = threading.Thread(target=server.run, name=f"sandbox:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"sandbox did not start on {host}:{port}")
        time.sleep(0.01)
    try:
        yield RunningServer(host, port)
    finally:
        server.should_exit = True
        thread.join(timeout=start_timeout)
