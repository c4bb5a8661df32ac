"""Free ports for whole-system tests."""

from __future__ import annotations

import random
import socket

from velo_devinfra.components import components


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def free_offset() -> int:
    """Returns a port offset at which every component of `make run` has a free port."""
    for _ in range(50):
        offset = random.randrange(20000, 40000, 100)
        if all(_port_is_free(c.port) for c in components(offset)):
            return offset
    raise AssertionError("no free block of ports")
