"""Free ports for whole-system tests."""

from __future__ import annotations

import random
import socket

from velo_devinfra.components import components


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


EPHEMERAL_START = 32768  # Linux hands out client ports from here up: never listen there
MAX_INSTANCES = 2  # whole-system tests run up to this many instances of each service


def free_offset() -> int:
    """Returns a port offset at which every component of `make run` has a free port.

    The ports stay below the ephemeral range, so no outgoing connection can take one between
    this check and the server binding it.
    """
    highest = max(c.port for c in components(0, instances=MAX_INSTANCES))
    for _ in range(50):
        offset = random.randrange(10000, EPHEMERAL_START - highest, 100)  # ports from 18080
        if all(_port_is_free(c.port) for c in components(offset, instances=MAX_INSTANCES)):
            return offset
    raise AssertionError("no free block of ports")
